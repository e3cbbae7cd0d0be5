// bridge.cpp — the unbounded bridge and its memory samples (see bridge.hpp).
#include "bridge.hpp"

#include <fmt/format.h>
#include <gort/gort.hpp>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>

namespace chanbench {

std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

BridgeResults run_bridge(const BridgeConfig& config) {
  using Clock = std::chrono::steady_clock;
  BridgeResults r;
  r.message_bytes = sizeof(Message);
  r.max_messages = config.max_messages;
  r.limit_ns = config.limit.count();
  r.consumer_delay_ns = config.consumer_delay.count();
  r.sample_every_ns = config.sample_every.count();

  auto in = gort::make_chan<Message>(0);
  auto out = gort::make_chan<Message>(0);
  // Closed by the main goroutine to stop the three others (Go's done channel).
  auto stop = gort::make_chan<bool>(0);
  // Written by one goroutine each, read by the sampler.
  std::atomic<std::uint64_t> sent{0}, received{0}, backlog{0};
  bool consumer_in_order = true;
  gort::WaitGroup wg;
  wg.add(3);

  gort::go([&] {  // the producer: as fast as the bridge takes messages
    for (std::uint64_t i = 0; i < config.max_messages; ++i) {
      bool stopped = false;
      gort::select(gort::on_send(in, Message{i, {}}, [&] { sent.store(i + 1, std::memory_order_relaxed); }),
                   gort::on_recv(stop, [&] { stopped = true; }));
      if (stopped) break;
    }
    in.close();
    wg.done();
  });

  gort::go([&] {  // the bridge: in -> buffer -> out, never refusing the producer
    std::deque<Message> buffer;
    gort::Chan<Message> in_case = in;  // nil once the input is closed
    bool stopped = false;
    while (!stopped && (in_case || !buffer.empty())) {
      // Nothing to send: the send case's channel is nil, so it is disabled.
      gort::Chan<Message> out_case = buffer.empty() ? gort::Chan<Message>{} : out;
      const Message head = buffer.empty() ? Message{} : buffer.front();
      gort::select(gort::on_recv(in_case,
                                 [&](Message m, bool ok) {
                                   if (ok) {
                                     buffer.push_back(m);
                                   } else {
                                     in_case = gort::Chan<Message>{};
                                   }
                                 }),
                   gort::on_send(out_case, head, [&] { buffer.pop_front(); }),
                   gort::on_recv(stop, [&] { stopped = true; }));
      backlog.store(buffer.size(), std::memory_order_relaxed);
    }
    r.dropped = buffer.size();
    out.close();
    wg.done();
  });

  gort::go([&] {  // the slow consumer
    std::uint64_t expected = 0;
    for (;;) {
      bool ok = false, stopped = false;
      Message m;
      gort::select(gort::on_recv(out,
                                 [&](Message x, bool k) {
                                   m = x;
                                   ok = k;
                                 }),
                   gort::on_recv(stop, [&] { stopped = true; }));
      if (stopped || !ok) break;
      consumer_in_order = consumer_in_order && m.seq == expected;
      received.store(++expected, std::memory_order_relaxed);
      gort::sleep(config.consumer_delay);
    }
    wg.done();
  });

  const auto start = Clock::now();
  // Takes one sample and returns its time since start: the stop test below uses that
  // same time, so a run stopped by the limit always ends with a sample at or past it.
  const auto sample = [&] {
    BridgeSample s;
    const auto elapsed = Clock::now() - start;
    s.t_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
    s.sent = sent.load(std::memory_order_relaxed);
    s.received = received.load(std::memory_order_relaxed);
    s.backlog = backlog.load(std::memory_order_relaxed);
    s.rss_bytes = resident_bytes();
    s.heap_alloc_bytes = gort::read_mem_stats().HeapAlloc;
    r.samples.push_back(s);
    return elapsed;
  };
  sample();
  for (;;) {
    gort::sleep(config.sample_every);
    const auto elapsed = sample();
    if (received.load(std::memory_order_relaxed) == config.max_messages) {
      r.stopped_by = "drained";
      break;
    }
    if (elapsed >= config.limit) {
      r.stopped_by = "time";
      break;
    }
  }
  stop.close();
  wg.wait();
  r.sent = sent.load();
  r.received = received.load();
  r.in_order = consumer_in_order;
  fmt::print(stderr, "chan-bench: bridge stopped by {} after {} sent, {} received, {} dropped\n", r.stopped_by,
             r.sent, r.received, r.dropped);
  return r;
}

}  // namespace chanbench
