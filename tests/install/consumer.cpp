// Uses the fixed public API names (README.md, <gort/gort.hpp>) that exist so far;
// a rename or removal breaks this build.
#include <gort/gort.hpp>

#include <cstdio>

int main() {
  return gort::run([] {
    gort::WaitGroup wg;
    wg.add(2);
    int64_t ids[2] = {0, 0};
    for (int i = 0; i < 2; ++i) {
      gort::go([&wg, &ids](int k) {
        gort::lock_os_thread();
        gort::gosched();
        gort::preempt_point();
        ids[k] = gort::goid();
        gort::unlock_os_thread();
        wg.done();
      }, i);
    }
    wg.wait();
    const int procs = gort::gomaxprocs();
    gort::gomaxprocs(procs);
    std::printf("ok %d %d\n", ids[0] != ids[1], gort::num_goroutine() >= 1);
    return 0;
  });
}
