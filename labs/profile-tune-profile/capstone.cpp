// capstone.cpp — the service under load, measured (see capstone.hpp).
//
// A run is timed around the client's requests only; its CPU time is the
// process's (CLOCK_PROCESS_CPUTIME_ID: server, client, runtime, collector),
// divided by the requests — the figure a profile's total samples estimate, and
// steadier than requests/s on a shared machine, where another job's burst
// stretches wall time but not this process's CPU time.
#include "capstone.hpp"

#include <client.hpp>
#include <fmt/format.h>
#include <gort/gc.hpp>
#include <gort/gort.hpp>
#include <gort/pprof.hpp>
#include <gort/trace.hpp>
#include <lab/report.hpp>
#include <service.hpp>

#include <time.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace ptp {

namespace {

/// Distinct request bodies the client sends (client.cpp's kDistinctBodies):
/// the bodies the encoders are compared on.
constexpr int kComparedBodies = 16;

/// This process's CPU time so far, in seconds (every thread).
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

pool_lab::Encoding encoding_of(const Setting& s) {
  return s.direct ? pool_lab::Encoding::kDirect : pool_lab::Encoding::kDocument;
}

/// A server of setting s, warmed up with c.warmup requests.
std::unique_ptr<pool_lab::RunningServer> warm_server(const Config& c, const Setting& s) {
  auto server = std::make_unique<pool_lab::RunningServer>(pool_lab::Variant::kBaseline, encoding_of(s));
  gort::gc::set_gc_percent(s.gogc);
  if (c.warmup > 0) pool_lab::run_client(server->addr(), c.connections, c.warmup);
  return server;
}

/// One measured run of c.requests requests against server at setting s.
RunSample measure(const Config& c, const Setting& s, pool_lab::RunningServer& server) {
  gort::gc::set_gc_percent(s.gogc);
  const gort::MemStats m0 = gort::read_mem_stats();
  const double cpu0 = process_cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  pool_lab::ClientStats stats = pool_lab::run_client(server.addr(), c.connections, c.requests);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = process_cpu_seconds() - cpu0;
  const gort::MemStats m1 = gort::read_mem_stats();
  if (stats.errors > 0) throw std::runtime_error(fmt::format("{}: {} requests failed", s.label, stats.errors));
  RunSample r;
  const double n = static_cast<double>(c.requests);
  r.requests_per_second = n / seconds;
  r.cpu_us_per_request = cpu * 1e6 / n;
  r.p99_us = lab::summarize(std::move(stats.latencies_us)).p99;
  r.gc_cycles = static_cast<int64_t>(m1.NumGC - m0.NumGC);
  return r;
}

}  // namespace

void run_interleaved(const Config& c, const Setting& a, const Setting& b, SideRuns* ra, SideRuns* rb) {
  ra->label = a.label;
  rb->label = b.label;
  auto sa = warm_server(c, a);
  auto sb = warm_server(c, b);
  for (int i = 0; i < c.runs; ++i) {
    fmt::print(stderr, "profile-tune-profile: run {}/{}: {} and {}\n", i + 1, c.runs, a.label, b.label);
    if (i % 2 == 0) {
      ra->runs.push_back(measure(c, a, *sa));
      rb->runs.push_back(measure(c, b, *sb));
    } else {
      rb->runs.push_back(measure(c, b, *sb));
      ra->runs.push_back(measure(c, a, *sa));
    }
  }
  sa->stop();
  sb->stop();
  gort::gc::set_gc_percent(100);
}

void profile_load(const Config& c, const Setting& s, const std::string& path, CpuProfileResult* out) {
  out->setting = s.label;
  out->path = path;
  out->requests = c.profile_requests;
  auto server = warm_server(c, s);
  try {
    gort::pprof::start_cpu_profile(path);
  } catch (const std::exception& e) {
    out->error = std::string("the CPU profiler did not start: ") + e.what();
    server->stop();
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  pool_lab::run_client(server->addr(), c.connections, c.profile_requests);
  out->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  gort::pprof::stop_cpu_profile();
  server->stop();
  gort::gc::set_gc_percent(100);
}

void trace_load(const Config& c, const Setting& s, const std::string& path, TraceFindings* out) {
  out->setting = s.label;
  out->path = path;
  out->requests = c.profile_requests;
  auto server = warm_server(c, s);
  // Each traced run starts from a collected heap, as the untraced runs
  // after a warm-up do, so the two settings start alike.
  gort::gc::collect();
  gort::trace::start(path);
  pool_lab::run_client(server->addr(), c.connections, c.profile_requests);
  gort::trace::stop();
  server->stop();
  gort::gc::set_gc_percent(100);
}

bool encodings_identical() {
  for (int i = 1; i <= kComparedBodies; ++i) {
    const std::string body = pool_lab::order_body(i);
    const std::string doc = pool_lab::response_for(body, pool_lab::Encoding::kDocument);
    const std::string direct = pool_lab::response_for(body, pool_lab::Encoding::kDirect);
    if (doc.empty() || doc != direct) {
      fmt::print(stderr, "profile-tune-profile: body {} encodes differently:\n  document: {}\n  direct:   {}\n", i,
                 doc, direct);
      return false;
    }
  }
  return true;
}

void bench_runs(const Config& c, const Setting& s, void (*on_run)(const RunSample&)) {
  auto server = warm_server(c, s);
  for (int i = 0; i < c.runs; ++i) on_run(measure(c, s, *server));
  server->stop();
}

}  // namespace ptp
