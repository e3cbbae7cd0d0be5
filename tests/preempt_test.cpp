// preempt_test.cpp — asynchronous preemption of marked regions.
#include <gort/gort.hpp>

#include <gtest/gtest.h>

#include <immintrin.h>

#include <atomic>
#include <cmath>

#include "sched.hpp"
#include "test_util.hpp"

namespace {

namespace rt = gort::runtime;

#if defined(GORT_TSAN)
#define SKIP_UNDER_TSAN() GTEST_SKIP() << "TSAN builds use cooperative preemption only (preempt.cpp)"
#else
#define SKIP_UNDER_TSAN() (void)0
#endif

// One P, and a goroutine spinning without any runtime call until another
// goroutine runs: only asynchronous preemption lets the other one in.
TEST(AsyncPreempt, MarkedBusyLoopNoLongerStarvesOthersOnOneP) {
  SKIP_UNDER_TSAN();
  for (int iter = 0; iter < gort::test::scaled(10) + 1; ++iter) {
    gort::run([] {
      gort::gomaxprocs(1);
      std::atomic<bool> other_ran{false};
      gort::WaitGroup wg;
      wg.add(2);
      gort::go([&] {
        gort::go([&] {  // queued behind us on the only P
          other_ran.store(true, std::memory_order_relaxed);
          wg.done();
        });
        gort::AsyncPreemptible region;
        while (!other_ran.load(std::memory_order_relaxed)) {
        }
        wg.done();
      });
      wg.wait();
    });
  }
}

// Floating-point and vector registers survive being preempted: a loop keeps
// its accumulators in SSE/AVX registers while another goroutine, sharing the
// only P, fills those registers with other values between its preemptions.
__attribute__((noinline)) double fp_work(long n, double seed) {
  double a = seed, b = 1.0 / seed, c = 0.5;
  for (long i = 0; i < n; ++i) {
    a = a * 1.0000001 + b;
    b = b * 0.9999999 + c;
    c = std::fma(c, 0.999999, a * 1e-9);
  }
  return a + b + c;
}

/// Runs work(n, seed) in a marked region on the only P while another goroutine
/// runs work with other values between its yields, and checks the result is
/// bit-identical to an unpreempted run and that preemption really happened.
void expect_register_state_survives(double (*work)(long, double), long n, double seed, double other_seed) {
  const double expected = work(n, seed);  // outside gort::run: never preempted
  gort::run([&] {
    gort::gomaxprocs(1);
    const uint64_t before = rt::async_preemptions();
    std::atomic<bool> done{false};
    double got = 0;
    gort::WaitGroup wg;
    wg.add(2);
    gort::go([&] {
      gort::AsyncPreemptible region;
      got = work(n, seed);
      done.store(true);
      wg.done();
    });
    gort::go([&] {
      double sink = 0;
      while (!done.load()) {
        sink += work(1000, other_seed);  // different values through the same registers
        gort::gosched();
      }
      EXPECT_NE(sink, 0);
      wg.done();
    });
    wg.wait();
    EXPECT_EQ(got, expected);  // bit-identical
    EXPECT_GT(rt::async_preemptions(), before) << "the loop must actually have been preempted";
  });
}

TEST(AsyncPreempt, FloatingPointAndVectorStateSurvive) {
  SKIP_UNDER_TSAN();
  expect_register_state_survives(&fp_work, 60'000'000, 1.25, 3.75);
}

// The same with 256-bit AVX registers, where the CPU has them.
__attribute__((noinline, target("avx2,fma"))) double avx_work(long n, double seed) {
  __m256d a = _mm256_set_pd(seed, seed + 1, seed + 2, seed + 3);
  __m256d b = _mm256_set1_pd(1.0 / seed);
  const __m256d m = _mm256_set1_pd(1.0000001), k = _mm256_set1_pd(0.9999999);
  for (long i = 0; i < n; ++i) {
    a = _mm256_fmadd_pd(a, m, b);
    b = _mm256_mul_pd(b, k);
  }
  alignas(32) double out[4];
  _mm256_store_pd(out, _mm256_add_pd(a, b));
  return out[0] + out[1] * 3 + out[2] * 5 + out[3] * 7;
}

TEST(AsyncPreempt, AvxStateSurvives) {
  SKIP_UNDER_TSAN();
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) GTEST_SKIP() << "no AVX2/FMA";
  expect_register_state_survives(&avx_work, 80'000'000, 0.75, 9.5);
}

// While the world stops, the stopping M re-sends SIGURG to every P still
// running until each has stopped; meanwhile a preempted goroutine is inside the
// runtime (yielding; with a trace on, its stack is captured by libunwind, which
// unblocks signals).  A signal landing there must not inject a second
// preemption on top of the first: before the fix, save areas nested until the
// goroutine's stack overflowed ("fatal error: stack overflow"; 1 run in 5 of
// 20,000 stops in the release build).  Many stops, each preempting a spinning
// goroutine under a trace.
TEST(AsyncPreempt, StopsThatResendTheSignalDuringAPreemptionDoNotNestIt) {
  SKIP_UNDER_TSAN();
  gort::test::ScratchDir dir("preempt", "nest");
  const std::string trace_path = (dir / "run.trace").string();
  for (int run = 0; run < gort::test::scaled(2); ++run) {
    gort::run([&] {
      gort::gomaxprocs(2);
      gort::trace::start(trace_path);
      const uint64_t before = rt::async_preemptions();
      std::atomic<bool> stop{false};
      gort::WaitGroup wg;
      wg.add(1);
      gort::go([&] {
        gort::AsyncPreemptible region;
        while (!stop.load(std::memory_order_relaxed)) {
        }
        wg.done();
      });
      for (int i = 0; i < 20'000; ++i) (void)gort::read_mem_stats();  // a stop each
      stop.store(true, std::memory_order_relaxed);
      wg.wait();
      gort::trace::stop();
      EXPECT_GT(rt::async_preemptions(), before);
    });
  }
}

}  // namespace
