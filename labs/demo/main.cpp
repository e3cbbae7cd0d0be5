// gort-demo — the README's example: goroutines fanned out over GOMAXPROCS Ps.
#include <gort/gort.hpp>

#include <atomic>
#include <cstdio>

int main() {
  return gort::run([] {
    std::printf("GOMAXPROCS=%d\n", gort::gomaxprocs());
    gort::WaitGroup wg;
    std::atomic<long> total{0};
    for (int i = 0; i < 8; ++i) {
      wg.add(1);
      gort::go([&, i] {
        long sum = 0;
        for (long k = 0; k < 50'000'000; ++k) {
          sum += k % (i + 3);
          if (k % 1'000'000 == 0) gort::preempt_point();
        }
        total += sum;
        std::printf("goroutine %lld finished (worker %d)\n", static_cast<long long>(gort::goid()), i);
        wg.done();
      });
    }
    wg.wait();
    std::printf("all done: %ld, goroutines left: %d\n", total.load(), gort::num_goroutine());
  });
}
