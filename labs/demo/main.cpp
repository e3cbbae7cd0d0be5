// gort-demo — the example program of README.md, kept identical to it.
#include <gort/gort.hpp>
#include <cstdio>

int main() {
  return gort::run([] {                      // runtime.main: goroutine 1
    gort::WaitGroup wg;
    for (int i = 0; i < 4; ++i) {
      wg.add(1);
      gort::go([&wg](int id) {               // go worker(i)
        long sum = 0;
        for (long k = 0; k < 10'000'000; ++k) sum += k % (id + 2);
        std::printf("goroutine %lld (worker %d): %ld\n",
                    static_cast<long long>(gort::goid()), id, sum);
        wg.done();
      }, i);
    }
    wg.wait();
    std::printf("GOMAXPROCS=%d, goroutines left: %d\n", gort::gomaxprocs(), gort::num_goroutine());
  });
}
