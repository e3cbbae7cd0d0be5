// load.cpp — the load on gort and what is read around it (see load.hpp).
//
// The in-process client speaks HTTP/1.1 over raw gort::net connections with
// its requests prebuilt, so it allocates nothing on the managed heap and
// almost nothing on the C++ heap per request: the allocations counted during
// the load are the server's.  wrk runs on a plain thread (it blocks in
// waitpid), while the main goroutine polls for it with gort::sleep, so no P
// is held by a blocked thread.
#include "load.hpp"

#include <fmt/format.h>
#include <gort/gort.hpp>
#include <gort/http.hpp>
#include <gort/net.hpp>
#include <gort/pprof.hpp>
#include <lab/alloc_counter.hpp>
#include <lab/report.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "client.hpp"
#include "external.hpp"
#include "service.hpp"

namespace pool_lab {

namespace {

using Clock = std::chrono::steady_clock;

/// Requests of a misuse child: the assertion fires on the second, TSAN on the
/// first reuse; a hundred bound the run when neither watches (and give Go's
/// race detector, which misses some reuses, as many chances).
constexpr int kMisuseRequests = 100;

/// Most latency samples kept per variant for the plot (an even subsample).
constexpr std::size_t kMaxPlotSamples = 2000;

/// Runs wrk on a plain thread while this goroutine waits without holding up a P.
WrkResult wrk_from_goroutine(const std::string& url, const std::string& script, const Config& c) {
  WrkResult result;
  std::atomic<bool> done{false};
  std::thread t([&] {
    result = run_wrk(url, script, c.threads, c.connections,
                     static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(c.duration).count()));
    done.store(true, std::memory_order_release);
  });
  while (!done.load(std::memory_order_acquire)) gort::sleep(std::chrono::milliseconds(20));
  t.join();
  return result;
}

/// An even subsample of at most kMaxPlotSamples of v.
std::vector<double> subsample(const std::vector<double>& v) {
  if (v.size() <= kMaxPlotSamples) return v;
  std::vector<double> out;
  const double step = static_cast<double>(v.size()) / kMaxPlotSamples;
  for (std::size_t i = 0; i < kMaxPlotSamples; ++i) out.push_back(v[static_cast<std::size_t>(i * step)]);
  return out;
}

/// One variant: profiled phase, warm-up, measured load.
VariantResult run_variant(Variant v, const Config& c, const std::string& profile_dir, const std::string& wrk_script) {
  VariantResult r;
  r.variant = variant_name(v);
  r.load = c.use_wrk ? "wrk" : "in-process";
  r.connections = c.connections;
  RunningServer server(v);
  fmt::print(stderr, "pool-the-hot-path: gort {}: profiling {} requests\n", r.variant, c.profile_requests);
  // The profiled phase: every allocation sampled, then two collections so
  // every sample is published into the profile (Go publishes a cycle's
  // samples one cycle later), as runtime.GC before WriteHeapProfile in Go.
  // Sampling stops before the profile is written, so the writer's own
  // allocations stay out of the next variant's profile.
  gort::set_mem_profile_rate(1);
  run_client(server.addr(), c.connections, c.profile_requests);
  gort::set_mem_profile_rate(0);
  gort::gc::collect();
  gort::gc::collect();
  r.profile_requests = c.profile_requests;
  gort::pprof::lookup("allocs").write_to(profile_dir + "/gort-" + r.variant + ".pb.gz");
  if (c.warmup_requests > 0) run_client(server.addr(), c.connections, c.warmup_requests);

  fmt::print(stderr, "pool-the-hot-path: gort {}: measuring ({})\n", r.variant, r.load);
  const int64_t served0 = server.counters().served.load();
  const gort::MemStats m0 = gort::read_mem_stats();
  const lab::CxxHeapCounts x0 = lab::read_cxx_heap_counts();
  const Clock::time_point t0 = Clock::now();
  ClientStats client;
  WrkResult wrk;
  if (c.use_wrk) {
    wrk = wrk_from_goroutine("http://" + server.addr() + "/order", wrk_script, c);
  } else {
    client = run_client(server.addr(), c.connections, c.requests);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const lab::CxxHeapCounts x1 = lab::read_cxx_heap_counts();
  const gort::MemStats m1 = gort::read_mem_stats();
  const int64_t served = server.counters().served.load() - served0;
  server.stop();
  if (c.use_wrk && !wrk.error.empty()) throw std::runtime_error(wrk.error);

  r.requests = served;
  const double ops = static_cast<double>(std::max<int64_t>(served, 1));
  r.allocs_per_op = static_cast<double>(m1.Mallocs - m0.Mallocs) / ops;
  r.bytes_per_op = static_cast<double>(m1.TotalAlloc - m0.TotalAlloc) / ops;
  r.cxx_allocs_per_op = static_cast<double>(x1.allocations - x0.allocations) / ops;
  r.cxx_bytes_per_op = static_cast<double>(x1.bytes - x0.bytes) / ops;
  r.gc_cycles = m1.NumGC - m0.NumGC;
  if (c.use_wrk) {
    r.errors = wrk.errors;
    r.seconds = wrk.seconds;
    r.requests_per_second = wrk.requests_per_second;
    r.p50_us = wrk.p50_us;
    r.p90_us = wrk.p90_us;
    r.p99_us = wrk.p99_us;
    r.max_us = wrk.max_us;
  } else {
    const lab::Distribution d = lab::summarize(client.latencies_us);
    r.errors = client.errors + (static_cast<int64_t>(client.latencies_us.size()) - served);
    r.seconds = seconds;
    r.requests_per_second = static_cast<double>(served) / seconds;
    r.p50_us = d.p50;
    r.p90_us = d.p90;
    r.p99_us = d.p99;
    r.max_us = d.max;
    r.latency_sample_us = subsample(client.latencies_us);
  }
  return r;
}

}  // namespace

RuntimeResult run_experiment(const Config& c, const std::string& profile_dir) {
  if (c.procs > 0) gort::gomaxprocs(c.procs);
  RuntimeResult r;
  r.runtime = "gort";
  r.procs = gort::gomaxprocs();
  const std::string script = c.use_wrk ? write_wrk_script(profile_dir, order_body(1)) : std::string();
  for (Variant v : c.variants) r.variants.push_back(run_variant(v, c, profile_dir, script));
  return r;
}

int run_misuse(const std::string& mode) {
  const Variant v = mode == "assert" ? Variant::kMisuseAssert : Variant::kMisuseRace;
  ClientStats stats;
  std::string failure;
  gort::run([&] {
    // One P: every request's handler uses the same P's pool slot, so the
    // buffer put back by one request is the one the next request gets.
    gort::gomaxprocs(1);
    RunningServer server(v);
    try {
      stats = run_client(server.addr(), 1, kMisuseRequests);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    server.stop();
    stop_access_logger();
  });
  if (!failure.empty()) {
    fmt::print(stderr, "pool-the-hot-path: misuse {}: {}\n", mode, failure);
    return 1;
  }
  fmt::print("misuse {}: {} requests served; first_response_bytes={} last_response_bytes={}\n", mode,
             kMisuseRequests, stats.first_body_bytes, stats.last_body_bytes);
  return 0;
}

}  // namespace pool_lab
