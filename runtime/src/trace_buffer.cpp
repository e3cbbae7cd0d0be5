// trace_buffer.cpp — per-thread event batches and the trace file (see
// trace_buffer.hpp for the model and the seqlock protocol).
#include "trace_buffer.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include <gort/runtime/internal/trace_events.hpp>

#include "current.hpp"
#include "m.hpp"
#include "nanotime.hpp"

namespace gort::runtime {

using trace::format::Ev;
using trace::format::kSpecs;
using trace::format::put_uvarint;

alignas(64) std::atomic<bool> trace_enabled{false};

namespace {

/// Registry of every thread's record (push-only while the process runs; stop
/// unlinks the records of exited threads).
std::mutex registry_mu;
TraceThread* registry_head = nullptr;
/// Next id for a thread that is not an M.
uint64_t next_non_m_thread = trace::format::kFirstNonMThread;

/// The trace file and what has been written to it.
std::mutex file_mu;
int file_fd = -1;
bool file_failed = false;
uint64_t batches_written = 0;

/// The current trace generation and its time origin.
std::atomic<uint64_t> generation{0};
std::atomic<int64_t> start_ns{0};

/// Marks the thread's record orphaned when the thread exits.
struct ThreadRecordOwner {
  TraceThread* t = nullptr;
  ~ThreadRecordOwner() {
    if (t != nullptr) t->alive.store(false, std::memory_order_release);
  }
};
thread_local ThreadRecordOwner tls_trace_thread;

/// Returns the calling thread's record, creating it on first use.  Out of line
/// and opaque: a goroutine may resume on another thread, so the thread-local
/// address must be computed afresh by every call (current.hpp's pitfall).
__attribute__((noinline, noipa)) TraceThread* this_trace_thread() {
  TraceThread*& slot = tls_trace_thread.t;
  asm volatile("" ::: "memory");
  if (slot != nullptr) [[likely]] return slot;
  auto* t = new TraceThread();
  M* mp = current_m();
  std::lock_guard<std::mutex> g(registry_mu);
  t->thread_id = mp != nullptr ? uint64_t(mp->id) : next_non_m_thread++;
  t->next = registry_head;
  registry_head = t;
  slot = t;
  return t;
}

void write_all(const void* data, std::size_t n) {
  if (file_fd < 0 || file_failed) return;
  const auto* p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    const ssize_t w = ::write(file_fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      // A full disk mid-trace: say so once; the trace ends without its
      // trailer, which the reader reports as a cut-short file.
      file_failed = true;
      const char* why = std::strerror(errno);
      const char msg[] = "gort: execution trace: write failed: ";
      (void)!::write(2, msg, sizeof msg - 1);
      (void)!::write(2, why, std::strlen(why));
      (void)!::write(2, "\n", 1);
      return;
    }
    p += w;
    n -= std::size_t(w);
  }
}

/// Writes t's buffer as a batch and empties it.  Caller: t's writer inside the
/// seqlock, or stop with t's seq even and tracing off.
void flush_thread(TraceThread* t) {
  if (t->used == 0) return;
  trace_write_batch(t->thread_id, t->base_ns, t->buf, t->used);
  t->used = 0;
}

}  // namespace

uint64_t trace_now() { return trace_stamp_at(nanotime()); }

uint64_t trace_stamp_at(int64_t ns) {
  const int64_t d = ns - start_ns.load(std::memory_order_relaxed);
  return d > 0 ? uint64_t(d) : 0;
}

void trace_write_batch(uint64_t thread_id, uint64_t base_ns, const uint8_t* data, std::size_t n) {
  uint8_t head[1 + 3 * trace::format::kMaxUvarintBytes];
  uint8_t* p = head;
  *p++ = trace::format::kBatchTag;
  p = put_uvarint(p, thread_id);
  p = put_uvarint(p, base_ns);
  p = put_uvarint(p, n);
  std::lock_guard<std::mutex> g(file_mu);
  write_all(head, std::size_t(p - head));
  write_all(data, n);
  ++batches_written;
}

void trace_file_write(const void* data, std::size_t n) {
  std::lock_guard<std::mutex> g(file_mu);
  write_all(data, n);
}

void trace_buffers_open(int fd, int64_t origin_ns) {
  std::lock_guard<std::mutex> g(file_mu);
  file_fd = fd;
  file_failed = false;
  batches_written = 0;
  start_ns.store(origin_ns, std::memory_order_relaxed);
  generation.fetch_add(1, std::memory_order_relaxed);
}

void trace_buffers_drain() {
  std::lock_guard<std::mutex> rg(registry_mu);
  TraceThread** link = &registry_head;
  while (TraceThread* t = *link) {
    // Wait out a writer that saw tracing on just before it was cleared.
    while (t->seq.load(std::memory_order_seq_cst) & 1) {
      asm volatile("pause");
    }
    if (t->generation == generation.load(std::memory_order_relaxed)) flush_thread(t);
    t->used = 0;
    if (!t->alive.load(std::memory_order_acquire)) {
      *link = t->next;
      delete t;
      continue;
    }
    link = &t->next;
  }
}

uint64_t trace_batches_written() {
  std::lock_guard<std::mutex> g(file_mu);
  return batches_written;
}

void trace_buffers_close() {
  std::lock_guard<std::mutex> g(file_mu);
  if (file_fd >= 0 && ::close(file_fd) != 0 && !file_failed) {
    const char msg[] = "gort: execution trace: close failed\n";
    (void)!::write(2, msg, sizeof msg - 1);
  }
  file_fd = -1;
}

// ---- TraceWriter ------------------------------------------------------------------

TraceWriter::TraceWriter() : t_(this_trace_thread()) {
  t_->seq.fetch_add(1, std::memory_order_seq_cst);
  ok_ = trace_enabled.load(std::memory_order_seq_cst);
  if (ok_) {
    const uint64_t gen = generation.load(std::memory_order_relaxed);
    if (t_->generation != gen) {
      t_->generation = gen;
      t_->used = 0;
    }
  }
}

TraceWriter::~TraceWriter() { t_->seq.fetch_add(1, std::memory_order_release); }

uint8_t* TraceWriter::reserve(std::size_t bytes) {
  if (t_->used + bytes > kTraceBufferBytes) flush_thread(t_);
  return t_->buf + t_->used;
}

uint64_t TraceWriter::advance_clock(uint64_t now) {
  if (t_->used == 0) {
    t_->base_ns = now;
    t_->last_ns = now;
  }
  if (now < t_->last_ns) now = t_->last_ns;  // one thread's clock never runs back
  const uint64_t delta = now - t_->last_ns;
  t_->last_ns = now;
  return delta;
}

uint8_t* encode_event(uint8_t* p, Ev ev, uint64_t delta_ns, const uint64_t* args, int nargs, std::string_view bytes) {
  *p++ = uint8_t(ev);
  p = put_uvarint(p, delta_ns);
  const int n = kSpecs[int(ev)].args;
  for (int i = 0; i < n; ++i) p = put_uvarint(p, i < nargs ? args[i] : 0);
  if (!kSpecs[int(ev)].bytes) return p;
  p = put_uvarint(p, bytes.size());
  std::memcpy(p, bytes.data(), bytes.size());
  return p + bytes.size();
}

void TraceWriter::event(Ev ev, const uint64_t* args, int nargs) { event_at(trace_now(), ev, args, nargs); }

void TraceWriter::event_at(uint64_t at, Ev ev, const uint64_t* args, int nargs) {
  uint8_t* p = reserve(kTraceMaxEventBytes);
  t_->used = std::size_t(encode_event(p, ev, advance_clock(at), args, nargs) - t_->buf);
}

void TraceWriter::event_with_bytes(Ev ev, const uint64_t* args, int nargs, std::string_view bytes) {
  if (bytes.size() > kTraceMaxBytes) bytes = bytes.substr(0, kTraceMaxBytes);
  uint8_t* p = reserve(kTraceMaxEventBytes + bytes.size());
  t_->used = std::size_t(encode_event(p, ev, advance_clock(trace_now()), args, nargs, bytes) - t_->buf);
}

void TraceWriter::stack(uint64_t id, void* const* pcs, int n) {
  if (n > kTraceMaxStackDepth) n = kTraceMaxStackDepth;
  uint8_t* p = reserve(kTraceMaxEventBytes);
  *p++ = uint8_t(Ev::Stack);
  p = put_uvarint(p, advance_clock(trace_now()));
  p = put_uvarint(p, id);
  p = put_uvarint(p, uint64_t(n));
  for (int i = 0; i < n; ++i) p = put_uvarint(p, reinterpret_cast<uintptr_t>(pcs[i]));
  t_->used = std::size_t(p - t_->buf);
}

void trace_event(Ev ev, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
  TraceWriter w;
  if (!w.ok()) return;
  const uint64_t args[4] = {a0, a1, a2, a3};
  w.event(ev, args, 4);
}

}  // namespace gort::runtime
