// retain.cpp — the gctrace worked example, allocator.go, on gort (see
// workload.hpp):
//
//   var sink []*[1024]byte
//   for i := 0; i < 1_000_000; i++ {
//       b := new([1024]byte); b[0] = byte(i); sink = append(sink, b)
//       if i%50_000 == 0 { time.Sleep(10 * time.Millisecond) }
//   }
#include <gort/gort.hpp>

#include <array>
#include <chrono>

#include "workload.hpp"

namespace gclab {

namespace gc = gort::gc;

namespace {

/// Go's [1024]byte: pointer-free and trivially destructible, so gc::make gives
/// it no header and it is exactly one 1,024-byte size-class object.
struct Buffer {
  /// The payload; byte 0 is written so the buffer is touched, as in the example.
  std::array<char, 1024> bytes;
};
static_assert(sizeof(Buffer) == 1024);

}  // namespace

WorkloadOutcome run_retain(const WorkloadParams& p, const std::function<void()>& at_end) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  gc::Slice<gc::Ptr<Buffer>> sink;
  for (int64_t i = 0; i < p.buffers; ++i) {
    gc::Ref<Buffer> b = gc::make<Buffer>();
    b->bytes[0] = static_cast<char>(i);
    sink = gc::append(sink, gc::Ptr<Buffer>(b));
    if (i % p.pause_every == 0) gort::sleep(kRetainPause);
  }
  WorkloadOutcome out;
  out.elapsed_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
  out.requested_bytes = static_cast<uint64_t>(p.buffers) * sizeof(Buffer);
  at_end();
  out.retained_objects = static_cast<int64_t>(sink.len());
  return out;
}

}  // namespace gclab
