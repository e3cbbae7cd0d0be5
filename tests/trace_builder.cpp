// trace_builder.cpp — see trace_builder.hpp.
#include "trace_builder.hpp"

#include <stdexcept>

namespace gort::viewer::test {

void TraceBuilder::put(std::vector<uint8_t>& out, uint64_t v) {
  uint8_t buf[tf::kMaxUvarintBytes];
  uint8_t* end = tf::put_uvarint(buf, v);
  out.insert(out.end(), buf, end);
}

uint64_t TraceBuilder::str(std::string_view s) {
  if (s.empty()) return 0;
  auto it = strings_.find(s);
  if (it != strings_.end()) return it->second;
  const uint64_t id = strings_.size() + 1;
  strings_.emplace(std::string(s), id);
  Pending p{0, {}, tf::Ev::String, handles_++};
  put(p.body, id);
  put(p.body, s.size());
  p.body.insert(p.body.end(), s.begin(), s.end());
  defs_.events.push_back(std::move(p));
  return id;
}

uint64_t TraceBuilder::stack(std::vector<uint64_t> pcs) {
  if (pcs.empty()) return 0;
  auto it = stacks_.find(pcs);
  if (it != stacks_.end()) return it->second;
  const uint64_t id = stacks_.size() + 1;
  stacks_.emplace(pcs, id);
  Pending p{0, {}, tf::Ev::Stack, handles_++};
  put(p.body, id);
  put(p.body, pcs.size());
  for (uint64_t pc : pcs) put(p.body, pc);
  defs_.events.push_back(std::move(p));
  return id;
}

void TraceBuilder::frame(uint64_t pc, std::string_view func, std::string_view file, uint64_t line) {
  const uint64_t f = str(func), fl = str(file);
  Pending p{0, {}, tf::Ev::Frame, handles_++};
  put(p.body, pc);
  put(p.body, f);
  put(p.body, fl);
  put(p.body, line);
  defs_.events.push_back(std::move(p));
}

uint64_t TraceBuilder::site(uint64_t pc, std::string_view func, std::string_view file, uint64_t line) {
  frame(pc, func, file, line);
  return stack({pc});
}

TraceBuilder::Batch& TraceBuilder::current(uint64_t thread) {
  auto it = open_.find(thread);
  if (it == open_.end()) {
    batches_.push_back(Batch{thread, {}});
    it = open_.emplace(thread, batches_.size() - 1).first;
  }
  return batches_[it->second];
}

void TraceBuilder::cut(uint64_t thread) { open_.erase(thread); }

size_t TraceBuilder::ev(uint64_t thread, int64_t t, tf::Ev type, std::initializer_list<uint64_t> args,
                        std::string_view bytes) {
  const tf::EvSpec& spec = tf::kSpecs[size_t(type)];
  if (args.size() != spec.args || spec.pc_list || (!spec.bytes && !bytes.empty())) {
    throw std::logic_error(std::string("TraceBuilder::ev: wrong arguments for ") + spec.name);
  }
  auto [last, fresh] = last_time_.try_emplace(thread, t);
  if (!fresh && t < last->second) throw std::logic_error("TraceBuilder::ev: time goes backwards on a thread");
  last->second = t;
  Pending p{t, {}, type, handles_++};
  for (uint64_t a : args) put(p.body, a);
  if (spec.bytes) {
    put(p.body, bytes.size());
    p.body.insert(p.body.end(), bytes.begin(), bytes.end());
  }
  const size_t handle = p.handle;
  current(thread).events.push_back(std::move(p));
  return handle;
}

void TraceBuilder::write_batch(std::vector<uint8_t>& out, const Batch& b, std::vector<uint64_t>& offsets,
                               std::vector<uint64_t>& batch_offsets) {
  const int64_t base = b.events.empty() ? 0 : b.events.front().t;
  std::vector<uint8_t> body;
  std::vector<std::pair<size_t, uint64_t>> local;  // handle, offset within body
  int64_t prev = base;
  for (const Pending& p : b.events) {
    local.emplace_back(p.handle, body.size());
    body.push_back(uint8_t(p.type));
    put(body, uint64_t(p.t - prev));
    prev = p.t;
    body.insert(body.end(), p.body.begin(), p.body.end());
  }
  batch_offsets.push_back(out.size());
  out.push_back(tf::kBatchTag);
  put(out, b.thread);
  put(out, uint64_t(base));
  put(out, body.size());
  const uint64_t start = out.size();
  for (auto [h, off] : local) {
    if (offsets.size() <= h) offsets.resize(h + 1);
    offsets[h] = start + off;
  }
  out.insert(out.end(), body.begin(), body.end());
}

std::vector<uint8_t> TraceBuilder::bytes(int64_t end_ns, bool trailer) {
  std::vector<uint8_t> out(tf::kMagic.begin(), tf::kMagic.end());
  for (int i = 0; i < 4; i++) out.push_back(uint8_t(tf::kVersion >> (8 * i)));
  offsets_.assign(handles_, 0);
  batch_offsets_.clear();
  uint64_t count = 0;
  const bool defs = !defs_.events.empty();
  if (defs && !defs_last_) {
    write_batch(out, defs_, offsets_, batch_offsets_);
    count++;
  }
  for (const Batch& b : batches_) {
    write_batch(out, b, offsets_, batch_offsets_);
    count++;
  }
  if (defs && defs_last_) {
    Batch d = defs_;
    for (Pending& p : d.events) p.t = end_ns;
    write_batch(out, d, offsets_, batch_offsets_);
    count++;
  }
  if (trailer) {
    out.push_back(tf::kTrailerTag);
    put(out, count);
    put(out, uint64_t(end_ns));
  }
  return out;
}

std::vector<std::pair<std::string, std::vector<uint8_t>>> seed_traces() {
  using E = tf::Ev;
  std::vector<std::pair<std::string, std::vector<uint8_t>>> out;
  {  // Two Ps, a creator and two workers: channels, sleep, syscalls, preemption.
    TraceBuilder b;
    const uint64_t site = b.site(0x1000, "main::{lambda()#1}", "labs/demo.cpp", 57);
    const uint64_t start = b.site(0x2000, "gort::runtime::invoke_closure<worker>", "runtime.hpp", 60);
    const uint64_t recv = b.site(0x3000, "gort::Chan<int>::recv()", "chan.hpp", 120);
    b.ev(1, 0, E::ThreadName, {b.str("main")});
    b.gomaxprocs(1, 0, 2);
    b.proc_running(1, 0, 0, 1);
    b.ev(1, 0, E::ProcStatus, {1, 0, 0});
    b.go_running(1, 0, 1, 1);
    b.go_create(1, 1000, 2, site, start);
    b.go_create(1, 1500, 3, site, start);
    b.go_block(1, 2000, "chan receive", recv);
    b.proc_start(2, 2100, 1);
    b.go_start(2, 2200, 2);
    b.go_start(1, 2300, 3);
    b.syscall_begin(2, 3000, recv);
    b.syscall_end(2, 4000);
    b.go_unblock(2, 4500, 1);
    b.go_destroy(2, 5000);
    b.go_stop(1, 5100, "preempted");
    b.go_start(1, 5200, 1);
    b.ev(1, 5300, E::UserLog, {0, b.str("phase")}, "start");
    b.go_destroy(1, 6000);
    b.go_start(1, 6100, 3);
    b.go_block(1, 6200, "sleep");
    b.proc_stop(2, 7000);
    b.ev(kTimerThread, 8000, E::TimerFire, {120});
    b.go_unblock(kTimerThread, 8000, 3);
    b.go_start(1, 8100, 3);
    b.go_destroy(1, 9000);
    out.emplace_back("scheduling", b.bytes(10000));
  }
  {  // A GC cycle: STW, mark workers, an assist, sweeping, heap counters.
    TraceBuilder b;
    b.gomaxprocs(1, 0, 2);
    b.proc_running(1, 0, 0, 1);
    b.proc_running(1, 0, 1, 2);
    b.go_running(1, 0, 1, 1);
    b.ev(1, 100, E::HeapAlloc, {4 << 20});
    b.ev(1, 100, E::HeapGoal, {8 << 20});
    b.ev(1, 1000, E::STWBegin, {b.str("GC sweep termination")});
    b.ev(1, 1000, E::GCBegin, {1});
    b.ev(1, 1200, E::STWEnd);
    b.ev(2, 1300, E::GCWorkerBegin, {0});
    b.ev(1, 1400, E::GCMarkAssistBegin);
    b.ev(1, 1900, E::GCMarkAssistEnd);
    b.ev(2, 2500, E::GCWorkerEnd);
    b.ev(1, 3000, E::STWBegin, {b.str("GC mark termination")});
    b.ev(1, 3100, E::STWEnd);
    b.ev(1, 3100, E::GCEnd, {1});
    b.ev(1, 3200, E::HeapAlloc, {3 << 20});
    b.ev(1, 3200, E::HeapGoal, {6 << 20});
    b.ev(1, 3300, E::GCSweepBegin);
    b.ev(1, 3400, E::GCSweepEnd);
    out.emplace_back("gc", b.bytes(4000));
  }
  {  // User annotations, a stolen P, a blocking call that lost its P.
    TraceBuilder b;
    b.gomaxprocs(1, 0, 1);
    b.proc_running(1, 0, 0, 1);
    b.go_running(1, 0, 1, 1);
    b.ev(1, 100, E::UserTaskBegin, {1, 0, b.str("request")});
    b.ev(1, 200, E::UserRegionBegin, {1, b.str("decode")});
    b.ev(1, 300, E::UserRegionEnd, {1, b.str("decode")});
    b.syscall_begin(1, 400);
    b.ev(kSysmonThread, 600, E::ThreadName, {b.str("sysmon")});
    b.ev(kSysmonThread, 600, E::ProcSteal, {0, 1});
    b.proc_start(3, 700, 0);
    b.ev(1, 900, E::GoSyscallEndBlocked);
    b.go_start(3, 1000, 1);
    b.ev(3, 1100, E::UserTaskEnd, {1});
    b.go_destroy(3, 1200);
    b.defs_last(true);
    out.emplace_back("annotations", b.bytes(1500));
  }
  return out;
}

namespace {
Analysed lay_out(Trace t) {
  Ordered o = order(t);
  Timeline tl = build_timeline(t, o);
  return Analysed{std::move(t), std::move(o), std::move(tl)};
}
}  // namespace

Analysed analyse(std::vector<uint8_t> bytes) { return lay_out(Trace::parse(std::move(bytes))); }
Analysed analyse_file(const std::string& path) { return lay_out(Trace::read_file(path)); }

}  // namespace gort::viewer::test
