// reader.cpp — see reader.hpp.  Go: src/internal/trace/batch.go (readBatch),
// base.go (the string and stack tables), event/go122 (the argument specs).
#include "reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

#include <fmt/format.h>

namespace gort::viewer {

TraceError::TraceError(uint64_t offset, const std::string& message)
    : std::runtime_error(fmt::format("offset {}: {}", offset, message)),
      offset_(offset),
      message_(message) {}

TraceError::TraceError(const std::string& message)
    : std::runtime_error(message), offset_(kNoOffset), message_(message) {}

std::string event_name(uint8_t type) {
  if (type > 0 && type < uint8_t(tf::Ev::kCount)) return tf::kSpecs[type].name;
  return fmt::format("event type {}", type);
}

namespace {

constexpr uint64_t kMaxTime = uint64_t(std::numeric_limits<int64_t>::max());

enum class Uv { Ok, Truncated, Overflow };

/// Reads an unsigned LEB128 at bytes[*pos, end): like tf::get_uvarint, but
/// tells a uvarint cut off by `end` from one longer than 64 bits.
Uv read_uvarint(const uint8_t* bytes, uint64_t* pos, uint64_t end, uint64_t* v) {
  uint64_t x = 0;
  uint64_t p = *pos;
  for (int shift = 0;; shift += 7) {
    if (p >= end) return Uv::Truncated;
    uint8_t b = bytes[p++];
    if (shift == 63 && b > 1) return Uv::Overflow;
    x |= uint64_t(b & 0x7f) << shift;
    if (b < 0x80) {
      *v = x;
      *pos = p;
      return Uv::Ok;
    }
    if (shift == 63) return Uv::Overflow;
  }
}

/// Which fixed arguments of each event type are string ids / stack ids (bit i
/// = argument i).  Keep in step with the comments on tf::Ev.
constexpr uint8_t str_args(tf::Ev t) {
  using E = tf::Ev;
  switch (t) {
    case E::Frame: return 0b0110;          // func, file
    case E::ThreadName: return 0b0001;     // str
    case E::GoStatus: return 0b1000;       // wait reason
    case E::GoStop: return 0b0001;         // reason
    case E::GoBlock: return 0b0001;        // reason
    case E::STWBegin: return 0b0001;       // reason
    case E::UserTaskBegin: return 0b0100;  // name
    case E::UserRegionBegin: return 0b0010;
    case E::UserRegionEnd: return 0b0010;
    case E::UserLog: return 0b0010;        // category
    default: return 0;
  }
}
constexpr uint8_t stack_args(tf::Ev t) {
  using E = tf::Ev;
  switch (t) {
    case E::GoCreate: return 0b0110;  // call site, start
    case E::GoStop: return 0b0010;
    case E::GoBlock: return 0b0010;
    case E::GoUnblock: return 0b0010;
    case E::GoSyscallBegin: return 0b0001;
    default: return 0;
  }
}

const char* ordinal(int i) {
  static const char* const kNames[] = {"first", "second", "third", "fourth"};
  return i >= 0 && i < 4 ? kNames[i] : "an";
}

/// Decodes the event at bytes[*pos, end) of a batch; `time` is the time of the
/// event before it (the batch's base for the first) and becomes this one's.
void decode_event(const uint8_t* bytes, uint64_t* pos, uint64_t end, int64_t* time, RawEvent* ev) {
  const uint64_t at = *pos;
  ev->offset = at;
  uint8_t type = bytes[at];
  if (type == 0 || type >= uint8_t(tf::Ev::kCount)) {
    throw TraceError(at, fmt::format("unknown event type {} (this reader knows 1..{})", type,
                                     uint8_t(tf::Ev::kCount) - 1));
  }
  const tf::EvSpec& spec = tf::kSpecs[type];
  ev->type = tf::Ev(type);
  uint64_t p = at + 1;
  auto fail = [&](Uv r, const std::string& what) {
    if (r == Uv::Truncated) {
      throw TraceError(at, fmt::format("event {}: truncated: {} runs past the end of its batch "
                                       "(batch ends at offset {})",
                                       spec.name, what, end));
    }
    throw TraceError(at, fmt::format("event {}: argument overflow: {} is longer than 64 bits",
                                     spec.name, what));
  };
  uint64_t delta = 0;
  if (Uv r = read_uvarint(bytes, &p, end, &delta); r != Uv::Ok) fail(r, "the time delta");
  if (delta > kMaxTime - uint64_t(*time)) {
    throw TraceError(at, fmt::format("event {}: timestamp overflow ({} + {} ns does not fit 63 bits)",
                                     spec.name, *time, delta));
  }
  *time += int64_t(delta);
  ev->time = *time;
  for (int i = 0; i < tf::kMaxArgs; i++) ev->args[i] = 0;
  for (int i = 0; i < spec.args; i++) {
    if (Uv r = read_uvarint(bytes, &p, end, &ev->args[i]); r != Uv::Ok) {
      fail(r, fmt::format("the {} argument", ordinal(i)));
    }
  }
  ev->list = nullptr;
  ev->list_n = 0;
  ev->bytes = {};
  if (spec.pc_list) {
    uint64_t n = 0;
    if (Uv r = read_uvarint(bytes, &p, end, &n); r != Uv::Ok) fail(r, "the pc count");
    if (n > end - p) {
      throw TraceError(at, fmt::format("event {}: claims {} pcs, only {} bytes remain in its batch",
                                       spec.name, n, end - p));
    }
    ev->list = bytes + p;
    ev->list_n = n;
    for (uint64_t i = 0; i < n; i++) {
      uint64_t pc;
      if (Uv r = read_uvarint(bytes, &p, end, &pc); r != Uv::Ok) fail(r, fmt::format("pc {}", i));
    }
  }
  if (spec.bytes) {
    uint64_t n = 0;
    if (Uv r = read_uvarint(bytes, &p, end, &n); r != Uv::Ok) fail(r, "the byte count");
    if (n > end - p) {
      throw TraceError(at, fmt::format("event {}: claims {} bytes, only {} remain in its batch",
                                       spec.name, n, end - p));
    }
    ev->bytes = std::string_view(reinterpret_cast<const char*>(bytes + p), n);
    p += n;
  }
  *pos = p;
}

/// Range checks of single arguments (anything that does not depend on other
/// events).
void check_args(const RawEvent& ev) {
  using E = tf::Ev;
  auto bad = [&](const std::string& what) {
    throw TraceError(ev.offset, fmt::format("event {}: argument overflow: {}", event_name(ev.type), what));
  };
  auto check_p = [&](uint64_t p) {
    if (p >= kMaxProcs) bad(fmt::format("P {} is out of range (at most {})", p, kMaxProcs - 1));
  };
  auto check_g = [&](uint64_t g) {
    if (g == 0) {
      throw TraceError(ev.offset,
                       fmt::format("event {}: goroutine id 0 (0 means \"no goroutine\")", event_name(ev.type)));
    }
  };
  switch (ev.type) {
    case E::Frame:
      if (ev.args[3] > std::numeric_limits<uint32_t>::max()) bad(fmt::format("line {} does not fit 32 bits", ev.args[3]));
      break;
    case E::GoMaxProcs:
      if (ev.args[0] == 0 || ev.args[0] > kMaxProcs) {
        bad(fmt::format("GOMAXPROCS {} is out of range (1..{})", ev.args[0], kMaxProcs));
      }
      break;
    case E::ProcStatus:
      check_p(ev.args[0]);
      if (ev.args[1] > uint64_t(tf::ProcState::Running)) bad(fmt::format("P status {} (expected 0 idle or 1 running)", ev.args[1]));
      break;
    case E::ProcStart:
    case E::ProcSteal:
      check_p(ev.args[0]);
      break;
    case E::GoStatus:
      check_g(ev.args[0]);
      if (ev.args[1] < uint64_t(tf::GoState::Runnable) || ev.args[1] > uint64_t(tf::GoState::Waiting)) {
        bad(fmt::format("goroutine status {} (expected 1 runnable, 2 running, 3 syscall or 4 waiting)", ev.args[1]));
      }
      break;
    case E::GoCreate:
    case E::GoStart:
    case E::GoUnblock:
      check_g(ev.args[0]);
      break;
    case E::GCWorkerBegin:
      if (ev.args[0] > uint64_t(tf::GCWorkerKind::Idle)) {
        bad(fmt::format("mark worker kind {} (expected 0 dedicated, 1 fractional or 2 idle)", ev.args[0]));
      }
      break;
    default:
      break;
  }
}

}  // namespace

Trace Trace::read_file(const std::string& path) {
  // Read to the end rather than trusting a size: pipes and /dev/stdin work,
  // and a file that grows while it is read is read as far as it got.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw TraceError(fmt::format("cannot open: {}", std::strerror(errno)));
  struct Close {
    int fd;
    ~Close() { ::close(fd); }
  } close_fd{fd};
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) throw TraceError("cannot read: it is a directory");
  std::vector<uint8_t> bytes;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) bytes.reserve(size_t(st.st_size));
  uint8_t buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw TraceError(fmt::format("cannot read: {}", std::strerror(errno)));
    if (n == 0) break;
    bytes.insert(bytes.end(), buf, buf + n);
  }
  return parse(std::move(bytes));
}

Trace Trace::parse(std::vector<uint8_t> bytes) {
  Trace t;
  t.bytes_ = std::move(bytes);
  t.walk_structure();
  t.decode_events();
  t.check_references();
  return t;
}

void Trace::walk_structure() {
  const uint8_t* b = bytes_.data();
  const uint64_t size = bytes_.size();
  // Header.
  const uint64_t have = size < tf::kMagic.size() ? size : tf::kMagic.size();
  if (size == 0 || std::memcmp(b, tf::kMagic.data(), have) != 0) {
    throw TraceError(0, "not a gort trace (expected \"gort trace\" magic)");
  }
  if (size < tf::kHeaderBytes) {
    throw TraceError(0, fmt::format("truncated header: expected {} bytes, the file has {}", tf::kHeaderBytes, size));
  }
  version_ = uint32_t(b[12]) | uint32_t(b[13]) << 8 | uint32_t(b[14]) << 16 | uint32_t(b[15]) << 24;
  if (version_ != tf::kVersion) {
    throw TraceError(12, fmt::format("unsupported version {} (this reader knows {})", version_, tf::kVersion));
  }
  // Batches, then the end-of-trace record.
  uint64_t pos = tf::kHeaderBytes;
  for (;;) {
    if (pos == size) {
      throw TraceError(size, fmt::format("file ends without the end-of-trace record: the trace was cut short "
                                         "(last complete batch ends at offset {})",
                                         batches_.empty() ? tf::kHeaderBytes : batches_.back().events_offset + batches_.back().length));
    }
    const uint64_t at = pos;
    const uint8_t tag = b[pos++];
    auto field = [&](uint64_t* v, const char* record, const char* name) {
      switch (read_uvarint(b, &pos, size, v)) {
        case Uv::Ok: return;
        case Uv::Truncated:
          throw TraceError(at, fmt::format("truncated {}: the file ends inside its {} (the trace was cut short)", record, name));
        case Uv::Overflow:
          throw TraceError(at, fmt::format("{}: argument overflow: its {} is longer than 64 bits", record, name));
      }
    };
    if (tag == tf::kBatchTag) {
      uint64_t thread, base, length;
      field(&thread, "batch header", "thread id");
      field(&base, "batch header", "base time");
      field(&length, "batch header", "length");
      if (base > kMaxTime) throw TraceError(at, fmt::format("batch header: timestamp overflow (base {} ns)", base));
      if (length > size - pos) {
        throw TraceError(at, fmt::format("truncated batch: expected {} bytes of events, file ends after {}",
                                         length, size - pos));
      }
      if (batches_.size() >= std::numeric_limits<uint32_t>::max()) throw TraceError(at, "too many batches");
      batches_.push_back(BatchInfo{at, thread, int64_t(base), pos, length, 0});
      threads_[thread].push_back(uint32_t(batches_.size() - 1));
      pos += length;
    } else if (tag == tf::kTrailerTag) {
      uint64_t count, end;
      field(&count, "end-of-trace record", "batch count");
      field(&end, "end-of-trace record", "end time");
      if (count != batches_.size()) {
        throw TraceError(at, fmt::format("end-of-trace record says {} batches, the file has {}", count, batches_.size()));
      }
      if (end > kMaxTime) throw TraceError(at, fmt::format("end-of-trace record: timestamp overflow ({} ns)", end));
      end_ns_ = int64_t(end);
      if (pos != size) {
        throw TraceError(pos, fmt::format("{} unexpected bytes after the end-of-trace record", size - pos));
      }
      return;
    } else {
      throw TraceError(at, fmt::format("expected a batch (0xB1) or the end-of-trace record (0xE1), found byte 0x{:02X}", tag));
    }
  }
}

void Trace::decode_events() {
  const uint8_t* b = bytes_.data();
  std::unordered_map<uint64_t, int64_t> last;  // thread -> time of its last event
  RawEvent ev;
  for (BatchInfo& batch : batches_) {
    auto it = last.find(batch.thread);
    if (it != last.end() && batch.base_ns < it->second) {
      throw TraceError(batch.offset,
                       fmt::format("event out of order: batch of thread {} starts at {} ns, before the previous batch "
                                   "of that thread ended ({} ns)",
                                   batch.thread, batch.base_ns, it->second));
    }
    int64_t time = batch.base_ns;
    uint64_t pos = batch.events_offset;
    const uint64_t end = batch.events_offset + batch.length;
    while (pos < end) {
      decode_event(b, &pos, end, &time, &ev);
      check_args(ev);
      batch.events++;
      event_count_++;
      counts_[size_t(ev.type)]++;
      switch (ev.type) {
        case tf::Ev::String: {
          if (ev.args[0] == 0) {
            if (!ev.bytes.empty()) throw TraceError(ev.offset, "event String: string id 0 is reserved for \"\"");
            break;
          }
          auto [s, fresh] = strings_.try_emplace(ev.args[0], ev.bytes);
          if (!fresh && s->second != ev.bytes) {
            throw TraceError(ev.offset, fmt::format("event String: string id {} defined twice with different text", ev.args[0]));
          }
          break;
        }
        case tf::Ev::Stack: {
          std::vector<uint64_t> pcs = decode_pcs(ev);
          if (ev.args[0] == 0) {
            if (!pcs.empty()) throw TraceError(ev.offset, "event Stack: stack id 0 is reserved for \"no stack\"");
            break;
          }
          auto [s, fresh] = stacks_.try_emplace(ev.args[0], std::move(pcs));
          if (!fresh && s->second != decode_pcs(ev)) {
            throw TraceError(ev.offset, fmt::format("event Stack: stack id {} defined twice with different pcs", ev.args[0]));
          }
          break;
        }
        case tf::Ev::Frame: {
          FrameInfo f{ev.args[1], ev.args[2], ev.args[3]};
          auto [s, fresh] = frames_.try_emplace(ev.args[0], f);
          if (!fresh && (s->second.func != f.func || s->second.file != f.file || s->second.line != f.line)) {
            throw TraceError(ev.offset, fmt::format("event Frame: pc 0x{:x} defined twice differently", ev.args[0]));
          }
          break;
        }
        case tf::Ev::ThreadName:
          thread_names_[batch.thread] = ev.args[0];
          break;
        default:
          break;
      }
    }
    last[batch.thread] = time;
  }
}

void Trace::check_references() {
  const uint8_t* b = bytes_.data();
  RawEvent ev;
  for (const BatchInfo& batch : batches_) {
    int64_t time = batch.base_ns;
    uint64_t pos = batch.events_offset;
    const uint64_t end = batch.events_offset + batch.length;
    while (pos < end) {
      decode_event(b, &pos, end, &time, &ev);
      if (ev.time > end_ns_) {
        throw TraceError(ev.offset, fmt::format("event {} at {} ns is after the end of the trace ({} ns)",
                                                event_name(ev.type), ev.time, end_ns_));
      }
      const uint8_t sa = str_args(ev.type), ka = stack_args(ev.type);
      for (int i = 0; i < tf::kMaxArgs; i++) {
        if ((sa >> i & 1) && !has_string(ev.args[i])) {
          throw TraceError(ev.offset, fmt::format("event {}: undefined string id {}", event_name(ev.type), ev.args[i]));
        }
        if ((ka >> i & 1) && !has_stack(ev.args[i])) {
          throw TraceError(ev.offset, fmt::format("event {}: undefined stack id {}", event_name(ev.type), ev.args[i]));
        }
      }
    }
  }
}

std::vector<uint64_t> Trace::decode_pcs(const RawEvent& ev) {
  std::vector<uint64_t> pcs;
  pcs.reserve(ev.list_n);
  uint64_t pos = 0;
  // The list was validated when the event was decoded; its uvarints end
  // within the batch, so a generous bound is safe.
  const uint64_t bound = ev.list_n * tf::kMaxUvarintBytes;
  for (uint64_t i = 0; i < ev.list_n; i++) {
    uint64_t pc = 0;
    if (read_uvarint(ev.list, &pos, bound, &pc) != Uv::Ok) break;
    pcs.push_back(pc);
  }
  return pcs;
}

std::string_view Trace::string(uint64_t id) const {
  auto it = strings_.find(id);
  return it == strings_.end() ? std::string_view{} : std::string_view(it->second);
}

std::span<const uint64_t> Trace::stack(uint64_t id) const {
  auto it = stacks_.find(id);
  if (it == stacks_.end()) return {};
  return std::span<const uint64_t>(it->second);
}

const FrameInfo* Trace::frame(uint64_t pc) const {
  auto it = frames_.find(pc);
  return it == frames_.end() ? nullptr : &it->second;
}

std::string_view Trace::thread_name(uint64_t thread) const {
  auto it = thread_names_.find(thread);
  return it == thread_names_.end() ? std::string_view{} : string(it->second);
}

Trace::Cursor Trace::cursor(uint64_t thread) const {
  Cursor c;
  c.trace_ = this;
  auto it = threads_.find(thread);
  if (it != threads_.end()) c.batches_ = &it->second;
  return c;
}

bool Trace::Cursor::next(RawEvent& ev) {
  if (batches_ == nullptr) return false;
  while (!started_ || pos_ >= end_) {
    if (started_) batch_++;
    started_ = true;
    if (batch_ >= batches_->size()) {
      batches_ = nullptr;
      return false;
    }
    const BatchInfo& b = trace_->batches_[(*batches_)[batch_]];
    pos_ = b.events_offset;
    end_ = b.events_offset + b.length;
    time_ = b.base_ns;
  }
  decode_event(trace_->bytes_.data(), &pos_, end_, &time_, &ev);
  return true;
}

}  // namespace gort::viewer
