// chan_bench.cpp — gort's channel and select benchmarks (a suite of gort_bench).
//
// The same workloads exist in bench/go (chan.go) and, except select, in bench/peers
// (boost_fiber_chan.cpp); bench/compare.py joins the sides on the key and the `ns_per_op`
// counter.  Keys, sizes and units MUST stay identical on all sides.
//
//   BM_chan_unbuffered_pingpong/procs:P
//       Two goroutines, two unbuffered Chan<int> ping and pong: A sends on ping and receives
//       on pong, B the reverse; 200,000 round trips.    ns_per_op = wall / 200,000 round trips.
//   BM_chan_buffered_1/procs:P, BM_chan_buffered_1024/procs:P
//       One producer sends 0..999,999 into a Chan<int> of capacity 1 (1024), one consumer
//       receives and sums them all; the sum is checked.  ns_per_op = wall / 1,000,000 messages.
//   BM_chan_buffered_1024_ptr/procs:P
//       BM_chan_buffered_1024 with pointers: 1,024 managed cells holding 0..1023, and a
//       Chan<gc::Ref<Cell>> of capacity 1024; the producer sends a pointer to cell i % 1024
//       for i in 0..999,999, the consumer sums the cells' values; the sum is checked.  The
//       cost of a channel that keeps what it carries alive (chan.cpp: a scanned buffer, and
//       a barrier on every move while a mark runs; a mark rarely runs here, as few bytes
//       are allocated).  Go: chan *cell.      ns_per_op = wall / 1,000,000 messages.
//   BM_chan_buffered_1024_string/procs:P
//       BM_chan_buffered_1024 with a 64-byte std::string per message (kStringMessageBytes):
//       the producer builds message i (64 copies of 'a' + i % 26) and moves it into a
//       Chan<std::string> of capacity 1024, the consumer sums size + first byte; the sum is
//       checked.  Each message is a malloc on the producer's thread and a free on the
//       consumer's: the C++ heap under cross-thread traffic (glibc malloc or jemalloc).
//       Go: chan string, each string converted from a []byte (one allocation).
//                                                       ns_per_op = wall / 1,000,000 messages.
//   BM_chan_mpmc_4x4/procs:P
//       One Chan<int> of capacity 1024; 4 producers each send 0..249,999; 4 consumers range
//       over the channel until it is closed (after the producers are joined); the four sums
//       are checked.                                    ns_per_op = wall / 1,000,000 messages.
//   BM_select_2/procs:P, BM_select_4/procs:P, BM_select_8/procs:P
//       N Chan<int> of capacity 128; producer i sends 0..1,000,000/N - 1 on channel i and
//       closes it; one consumer loops on a select with N receive cases until it has received
//       1,000,000 values (a closed channel is replaced by the nil channel, so its case drops
//       out, as Go's twin does); the sum is checked.     ns_per_op = wall / 1,000,000 received.
//
// Method: gort_harness.hpp (one gort::run per iteration, GOMAXPROCS = P, warm-up, 50 ms).
#include "gort_harness.hpp"

#include <array>
#include <string>

namespace {

using bench_env::Clock;
using bench_env::ns_since;

// Workload sizes: bench_env.hpp (shared with bench/peers; bench/go spells the same numbers).
using namespace bench_env::sizes;

/// Returns ns, or -1 with *error naming what when got != want.
int64_t checked(int64_t ns, const char* what, int64_t got, int64_t want, std::string* error) {
  if (got == want) return ns;
  *error = std::string(what) + ": received values sum to " + std::to_string(got) + ", want " + std::to_string(want);
  return -1;
}


template <int kCapacity>
int64_t workload_buffered(std::string* error) {
  auto c = gort::make_chan<int64_t>(kCapacity);
  gort::WaitGroup wg;
  int64_t total = 0;
  const auto t0 = Clock::now();
  wg.add(2);
  gort::go([&] {
    for (int64_t i = 0; i < kStreamMessages; ++i) c.send(i);
    wg.done();
  });
  gort::go([&] {
    int64_t sum = 0;
    for (int64_t i = 0; i < kStreamMessages; ++i) sum += c.recv();
    total = sum;
    wg.done();
  });
  wg.wait();
  return checked(ns_since(t0), kCapacity == 1 ? "chan_buffered_1" : "chan_buffered_1024", total,
                 sum_below(kStreamMessages), error);
}

/// A managed cell whose pointer travels through BM_chan_buffered_1024_ptr (pointer-free:
/// the channel scans its pointers, nothing scans the cells).
struct Cell {
  int64_t value;
  explicit Cell(int64_t v) : value(v) {}
};

int64_t workload_buffered_ptr(std::string* error) {
  constexpr int64_t kCells = 1024;
  auto cells = gort::gc::make_slice<gort::gc::Ptr<Cell>>(kCells);
  for (int64_t k = 0; k < kCells; ++k) cells[k] = gort::gc::make<Cell>(k);
  auto c = gort::make_chan<gort::gc::Ref<Cell>>(1024);
  gort::WaitGroup wg;
  int64_t total = 0;
  const auto t0 = Clock::now();
  wg.add(2);
  gort::go([&] {
    for (int64_t i = 0; i < kStreamMessages; ++i) c.send(gort::gc::Ref<Cell>(cells[i % kCells]));
    wg.done();
  });
  gort::go([&] {
    int64_t sum = 0;
    for (int64_t i = 0; i < kStreamMessages; ++i) sum += c.recv()->value;
    total = sum;
    wg.done();
  });
  wg.wait();
  const int64_t want = kStreamMessages / kCells * sum_below(kCells) + sum_below(kStreamMessages % kCells);
  return checked(ns_since(t0), "chan_buffered_1024_ptr", total, want, error);
}

int64_t workload_mpmc(std::string* error) {
  auto c = gort::make_chan<int64_t>(kMpmcCapacity);
  gort::WaitGroup producers, consumers;
  std::array<int64_t, kMpmcConsumers> sums{};
  const auto t0 = Clock::now();
  producers.add(kMpmcProducers);
  for (int p = 0; p < kMpmcProducers; ++p) {
    gort::go([&] {
      for (int64_t i = 0; i < kMpmcPerProducer; ++i) c.send(i);
      producers.done();
    });
  }
  consumers.add(kMpmcConsumers);
  for (int k = 0; k < kMpmcConsumers; ++k) {
    gort::go([&, k] {
      int64_t sum = 0;
      for (int64_t v : c) sum += v;
      sums[k] = sum;
      consumers.done();
    });
  }
  producers.wait();
  c.close();
  consumers.wait();
  int64_t total = 0;
  for (int64_t s : sums) total += s;
  return checked(ns_since(t0), "chan_mpmc_4x4", total, kMpmcProducers * sum_below(kMpmcPerProducer), error);
}

/// One select over all N receive cases; adds a received value to *sum and returns 1, or
/// replaces a closed channel by the nil channel and returns 0.
template <std::size_t... I>
int select_recv(std::array<gort::Chan<int64_t>, sizeof...(I)>& cs, int64_t* sum, std::index_sequence<I...>) {
  int got = 0;
  gort::select(gort::on_recv(cs[I], [&](int64_t v, bool ok) {
    if (ok) {
      *sum += v;
      got = 1;
    } else {
      cs[I] = gort::Chan<int64_t>();
    }
  })...);
  return got;
}

template <std::size_t N>
int64_t workload_select(std::string* error) {
  constexpr int64_t per_producer = kSelectMessages / N;
  std::array<gort::Chan<int64_t>, N> cs;
  for (auto& c : cs) c = gort::make_chan<int64_t>(kSelectCapacity);
  gort::WaitGroup producers;
  const auto t0 = Clock::now();
  producers.add(N);
  for (std::size_t i = 0; i < N; ++i) {
    gort::go([&producers, c = cs[i]] {
      for (int64_t v = 0; v < per_producer; ++v) c.send(v);
      c.close();
      producers.done();
    });
  }
  int64_t sum = 0;
  for (int64_t received = 0; received < kSelectMessages;) {
    received += select_recv(cs, &sum, std::make_index_sequence<N>());
  }
  producers.wait();
  return checked(ns_since(t0), "select", sum, int64_t(N) * sum_below(per_producer), error);
}

}  // namespace

int64_t gort_bench::workload_unbuffered_pingpong(std::string* /*error*/) {
  auto ping = gort::make_chan<int>();
  auto pong = gort::make_chan<int>();
  gort::WaitGroup wg;
  const auto t0 = bench_env::Clock::now();
  wg.add(2);
  gort::go([&] {  // A
    for (int i = 0; i < bench_env::sizes::kPingpongRoundTrips; ++i) {
      ping.send(1);
      pong.recv();
    }
    wg.done();
  });
  gort::go([&] {  // B
    for (int i = 0; i < bench_env::sizes::kPingpongRoundTrips; ++i) pong.send(ping.recv());
    wg.done();
  });
  wg.wait();
  return bench_env::ns_since(t0);
}

namespace {

int64_t workload_buffered_string(std::string* error) {
  auto c = gort::make_chan<std::string>(1024);
  gort::WaitGroup wg;
  int64_t total = 0;
  const auto t0 = Clock::now();
  wg.add(2);
  gort::go([&] {
    for (int64_t i = 0; i < kStreamMessages; ++i) c.send(std::string(kStringMessageBytes, static_cast<char>('a' + i % 26)));
    wg.done();
  });
  gort::go([&] {
    int64_t sum = 0;
    for (int64_t i = 0; i < kStreamMessages; ++i) {
      const std::string s = c.recv();
      sum += static_cast<int64_t>(s.size()) + s[0];
    }
    total = sum;
    wg.done();
  });
  wg.wait();
  int64_t want = kStreamMessages * kStringMessageBytes;
  for (int64_t i = 0; i < kStreamMessages; ++i) want += 'a' + i % 26;
  return checked(ns_since(t0), "chan_buffered_1024_string", total, want, error);
}

}  // namespace

void gort_bench::register_chan_benchmarks() {
  const bench_env::PerProcs<WorkloadFn> per_procs[] = {
      {"BM_chan_unbuffered_pingpong", &gort_bench::workload_unbuffered_pingpong, double(kPingpongRoundTrips)},
      {"BM_chan_buffered_1", &workload_buffered<1>, double(kStreamMessages)},
      {"BM_chan_buffered_1024", &workload_buffered<1024>, double(kStreamMessages)},
      {"BM_chan_buffered_1024_ptr", &workload_buffered_ptr, double(kStreamMessages)},
      {"BM_chan_buffered_1024_string", &workload_buffered_string, double(kStreamMessages)},
      {"BM_chan_mpmc_4x4", &workload_mpmc, double(kMpmcProducers * kMpmcPerProducer)},
      {"BM_select_2", &workload_select<2>, double(kSelectMessages)},
      {"BM_select_4", &workload_select<4>, double(kSelectMessages)},
      {"BM_select_8", &workload_select<8>, double(kSelectMessages)},
  };
  register_per_procs(per_procs);
}
