// trace_big.cpp — a gort_testprog program whose trace is as big as asked:
// the large-trace run of `trace-viewer serve` (trace-viewer/README.md,
// "Large traces") and nothing in the test suite, which uses smaller traces.
#include <gort/gort.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "testprog.hpp"

namespace {

struct Garbage {
  std::array<char, 512> bytes;
};

/// Eight pairs of goroutines bounce a token over unbuffered channels
/// GORT_TRACE_ROUNDS times (default 1000) each, allocating as they go so the
/// collector runs: about six trace events per round trip and pair
/// (block, unblock, start, twice), so 1,000,000 rounds make some 50 million
/// events.
GORT_TESTPROG(TraceManyEvents) {
  const char* env = std::getenv("GORT_TRACE_ROUNDS");
  const long rounds = env ? std::atol(env) : 1000;
  return gort::run([rounds] {
    constexpr int kPairs = 8;
    gort::WaitGroup wg;
    long sum = 0;
    std::vector<long> sums(kPairs);
    for (int p = 0; p < kPairs; p++) {
      auto ping = gort::make_chan<long>(), pong = gort::make_chan<long>();
      wg.add(2);
      gort::go([ping, pong, rounds, &wg] {
        for (long i = 0; i < rounds; i++) pong.send(ping.recv() + 1);
        wg.done();
      });
      gort::go([ping, pong, rounds, &wg, &sums, p] {
        long v = 0;
        for (long i = 0; i < rounds; i++) {
          ping.send(v);
          v = pong.recv();
          if (i % 64 == 0) gort::gc::make<Garbage>();  // garbage, so the collector runs
        }
        sums[size_t(p)] = v;
        wg.done();
      });
    }
    wg.wait();
    for (long s : sums) sum += s;
    std::printf("pairs %d rounds %ld sum %ld\n", kPairs, rounds, sum);
  });
}

}  // namespace
