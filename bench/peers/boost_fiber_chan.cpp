// boost_fiber_chan.cpp — Boost.Fiber peer of gort's channel benchmarks (the channel suite of
// peer_boost_fiber; the measuring harness and main() are boost_fiber_harness.*).
//
// The same workloads exist in the gort suite (bench/chan_bench.cpp) and in bench/go
// (chan.go); keys (BM_<key>, P named via ArgNames), sizes and the unit of `ns_per_op` MUST
// stay identical on all three sides: compare.py joins them on the key. Change one side,
// change all three.
//
//   BM_chan_unbuffered_pingpong/procs:P
//       Two fibers, two unbuffered_channel<int> ping and pong: A pushes on ping and pops
//       from pong, B the reverse; 200,000 round trips; both joined.
//       Measures one round trip of two rendezvous.       ns_per_op = wall / 200,000 round trips.
//   BM_chan_buffered_1/procs:P
//       One producer fiber pushes 0, 1, ..., 999,999 into a buffered_channel<int>; one
//       consumer fiber pops all 1,000,000 and sums them; both joined; a wrong sum is an error.
//       Go's capacity is 1. Boost's buffered_channel needs a power-of-two capacity >= 2 and
//       holds capacity - 1 elements (one ring slot stays free to tell full from empty), so
//       this twin uses buffered_channel(2): one slot, as Go's.
//                                                         ns_per_op = wall / 1,000,000 messages.
//   BM_chan_buffered_1024/procs:P
//       The same with Go's capacity 1024: buffered_channel(1024), which holds 1023 elements
//       (the nearest Boost allows; 1 fewer than Go).      ns_per_op = wall / 1,000,000 messages.
//   BM_chan_mpmc_4x4/procs:P
//       One buffered_channel<int>(1024) (1023 slots; Go: capacity 1024); 4 producer fibers
//       each push 0, 1, ..., 249,999; 4 consumer fibers each pop until the channel reports
//       closed and sum what they got. The main fiber joins the producers (where Go waits on
//       a WaitGroup), closes the channel, joins the consumers and checks that the sums add up
//       to 4 * (0 + ... + 249,999); a wrong total is an error.
//                                                         ns_per_op = wall / 1,000,000 messages.
//
// No twins here for gort's select_2/4/8: Boost.Fiber has no select over channels (compare.py
// shows "—" for them).
//
// Method: boost_fiber_harness.hpp, with kWarmupMinTime (one untimed warm-up in each child,
// then the timed run; as many children as add up to 50 ms).

#include "boost_fiber_harness.hpp"

#include <boost/fiber/all.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using bench_env::Clock;
using bench_env::ns_since;
using boost_fiber_bench::Workload;

// Workload sizes: bench_env.hpp (shared with bench/chan_bench.cpp; bench/go spells the same numbers).
using namespace bench_env::sizes;

// buffered_channel capacities standing for Go's capacities 1 and 1024 (see the header:
// Boost holds capacity - 1 elements).
constexpr std::size_t kOneSlotCapacity = 2;
constexpr std::size_t kCapacity1024 = 1024;


/// Returns true if got == want, else sets *error to a message naming `what` and returns
/// false; precondition: what is a NUL-terminated string.
bool check_total(const char* what, int64_t got, int64_t want, std::string* error) {
  if (got == want) return true;
  *error = std::string(what) + ": received values sum to " + std::to_string(got) + ", want " + std::to_string(want);
  return false;
}

/// One producer streams kStreamMessages ints through a buffered_channel of the given
/// capacity to one consumer that sums them; returns the wall ns, or -1 with *error set if
/// the sum is wrong; precondition: capacity is a power of two >= 2, runs on a pool fiber.
int64_t buffered_stream(const char* key, std::size_t capacity, std::string* error) {
  boost::fibers::buffered_channel<int> channel{capacity};
  int64_t total = 0;
  const auto t0 = Clock::now();
  boost::fibers::fiber producer(boost::fibers::launch::post, [&] {
    for (int i = 0; i < kStreamMessages; ++i) channel.push(i);
  });
  boost::fibers::fiber consumer(boost::fibers::launch::post, [&] {
    int64_t sum = 0;
    int v = 0;
    for (int i = 0; i < kStreamMessages; ++i) {
      channel.pop(v);
      sum += v;
    }
    total = sum;
  });
  producer.join();
  consumer.join();
  const int64_t ns = ns_since(t0);
  return check_total(key, total, sum_below(kStreamMessages), error) ? ns : -1;
}

// ---------------------------------------------------------------------------------------
// Workloads. Each runs on the pool's main fiber and returns the wall time in ns (or -1 with
// *error set).

int64_t workload_chan_unbuffered_pingpong(std::string* /*error*/) {
  return boost_fiber_bench::unbuffered_pingpong(kPingpongRoundTrips);
}

int64_t workload_chan_buffered_1(std::string* error) {
  return buffered_stream("chan_buffered_1", kOneSlotCapacity, error);
}

int64_t workload_chan_buffered_1024(std::string* error) {
  return buffered_stream("chan_buffered_1024", kCapacity1024, error);
}

int64_t workload_chan_mpmc_4x4(std::string* error) {
  boost::fibers::buffered_channel<int> channel{kCapacity1024};
  std::vector<int64_t> sums(kMpmcConsumers, 0);  // each written once, by its consumer, at its end
  std::vector<boost::fibers::fiber> producers;
  std::vector<boost::fibers::fiber> consumers;
  producers.reserve(kMpmcProducers);
  consumers.reserve(kMpmcConsumers);
  const auto t0 = Clock::now();
  for (int p = 0; p < kMpmcProducers; ++p) {
    producers.emplace_back(boost::fibers::launch::post, [&channel] {
      for (int i = 0; i < kMpmcPerProducer; ++i) channel.push(i);
    });
  }
  for (int k = 0; k < kMpmcConsumers; ++k) {
    consumers.emplace_back(boost::fibers::launch::post, [&channel, &sums, k] {
      int64_t sum = 0;
      int v = 0;
      // pop() drains what is buffered before it reports closed, like Go's range over a chan.
      while (channel.pop(v) == boost::fibers::channel_op_status::success) sum += v;
      sums[k] = sum;
    });
  }
  for (auto& f : producers) f.join();
  channel.close();
  for (auto& f : consumers) f.join();
  const int64_t ns = ns_since(t0);
  int64_t total = 0;
  for (int64_t s : sums) total += s;
  return check_total("chan_mpmc_4x4", total, kMpmcProducers * sum_below(kMpmcPerProducer), error) ? ns : -1;
}

}  // namespace

int64_t boost_fiber_bench::unbuffered_pingpong(int round_trips) {
  // unbuffered_channel: push() parks the sender until a receiver has taken the value, i.e.
  // a rendezvous like Go's unbuffered chan — the lightest blocking hand-off in Boost.Fiber.
  boost::fibers::unbuffered_channel<int> ping;
  boost::fibers::unbuffered_channel<int> pong;
  const auto t0 = Clock::now();
  boost::fibers::fiber a(boost::fibers::launch::post, [&] {
    int v = 0;
    for (int i = 0; i < round_trips; ++i) {
      ping.push(i);
      pong.pop(v);
    }
    benchmark::DoNotOptimize(v);
  });
  boost::fibers::fiber b(boost::fibers::launch::post, [&] {
    int v = 0;
    for (int i = 0; i < round_trips; ++i) {
      ping.pop(v);
      pong.push(v);
    }
  });
  a.join();
  b.join();
  return ns_since(t0);
}

void boost_fiber_bench::register_chan_benchmarks() {
  const bench_env::PerProcs<Workload> per_procs[] = {
      {"BM_chan_unbuffered_pingpong", &workload_chan_unbuffered_pingpong, kPingpongRoundTrips},
      {"BM_chan_buffered_1", &workload_chan_buffered_1, kStreamMessages},
      {"BM_chan_buffered_1024", &workload_chan_buffered_1024, kStreamMessages},
      {"BM_chan_mpmc_4x4", &workload_chan_mpmc_4x4, double(kMpmcProducers) * kMpmcPerProducer},
  };
  register_per_procs(per_procs, boost_fiber_bench::kWarmupMinTime);
}
