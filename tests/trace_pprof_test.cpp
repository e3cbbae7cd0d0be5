// trace_pprof_test.cpp — `trace-viewer pprof`: the profiles go tool trace
// -pprof derives from a trace, taken from a real gort run and read back with
// go tool pprof.  The run: one goroutine waits 100 ms on a channel (sync), one
// 60 ms in a read of a loopback connection (net), one 40 ms in a blocking
// call (syscall), and all of them become runnable and run (sched).
#include <gort/gort.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <regex>
#include <string>

#include "parked.hpp"
#include "test_util.hpp"

namespace {

using namespace std::chrono_literals;

/// A file in dir (test_util's ScratchDir, removed with its contents).
std::string file_in(const gort::test::ScratchDir& dir, const std::string& name) { return (dir / name).string(); }

__attribute__((noinline)) void wait_on_channel(gort::Chan<int>& ch) {
  auto v = ch.recv();
  asm volatile("" ::"r"(&v) : "memory");  // the call above is not a tail call
}

__attribute__((noinline)) void wait_on_network(gort::net::Conn& c) {
  char b[8];
  const std::size_t n = c.read(b);
  asm volatile("" ::"r"(n) : "memory");
}

// entersyscall called here, not through gort::blocking: a trace names each pc by one
// function, and gort::blocking inlined here would name this frame.
__attribute__((noinline)) void wait_in_syscall() {
  gort::entersyscall();
  ::usleep(40'000);
  gort::exitsyscall();
  asm volatile("" ::: "memory");
}

/// Runs the program above with the execution tracer on, into path.
void record_trace(const std::string& path) {
  ASSERT_EQ(gort::run([&] {
              gort::trace::start(path);
              gort::Chan<int> ch = gort::make_chan<int>(0);
              gort::WaitGroup wg;
              auto ln = gort::net::listen("tcp", "127.0.0.1:0");
              auto client = gort::net::dial("tcp", ln.addr());
              auto server = ln.accept();
              wg.add(3);
              std::atomic<gort::runtime::G*> chan_waiter{nullptr}, net_waiter{nullptr};
              gort::go([&] {
                chan_waiter = gort::runtime::current_g();
                wait_on_channel(ch);
                wg.done();
              });
              gort::go([&] {
                net_waiter = gort::runtime::current_g();
                wait_on_network(server);
                wg.done();
              });
              gort::go([&] {
                wait_in_syscall();
                wg.done();
              });
              // Both waits begin before the time that ends them starts to run, so
              // each lasts at least its sleep however late the waiters were scheduled.
              ASSERT_TRUE(gort::test::wait_until_parked(chan_waiter, gort::runtime::WaitReason::ChanReceive));
              ASSERT_TRUE(gort::test::wait_until_parked(net_waiter, gort::runtime::WaitReason::IOWait));
              gort::sleep(60ms);
              client.write(std::string_view("x"));
              gort::sleep(40ms);
              ch.send(1);
              wg.wait();
              client.close();
              server.close();
              ln.close();
              gort::trace::stop();
            }),
            0);
}

/// The delay go tool pprof -raw gives the samples whose stack names func, in ns (-1: no such sample).
int64_t delay_of(const std::string& raw, const std::string& func) {
  // -raw prints "Samples:", a header, then "  count  delay: loc loc ..." per sample, then
  // "Locations" with "  id: 0xaddr M=0 func file:line s=0"; find func's location ids first.
  const std::size_t locs_at = raw.find("\nLocations");
  if (locs_at == std::string::npos) return -1;
  std::vector<std::string> ids;
  const std::regex loc_re(R"(\n\s+(\d+): 0x[0-9a-f]+ (?:M=\d+ )?([^\n]*))");
  for (auto it = std::sregex_iterator(raw.begin() + long(locs_at), raw.end(), loc_re); it != std::sregex_iterator();
       ++it) {
    if ((*it)[2].str().find(func) != std::string::npos) ids.push_back((*it)[1].str());
  }
  if (ids.empty()) return -1;
  int64_t total = -1;
  const std::regex sample_re(R"(\n\s+(\d+)\s+(\d+): ([\d ]+))");
  for (auto it = std::sregex_iterator(raw.begin(), raw.begin() + long(locs_at), sample_re);
       it != std::sregex_iterator(); ++it) {
    const std::string locs = " " + (*it)[3].str() + " ";
    for (const std::string& id : ids) {
      if (locs.find(" " + id + " ") != std::string::npos) {
        total = std::max<int64_t>(total, 0) + std::stoll((*it)[2].str());
        break;
      }
    }
  }
  return total;
}

/// Runs trace-viewer pprof of kind on trace into out; its exit status.
int trace_viewer_pprof(const std::string& trace, const std::string& kind, const std::string& out) {
  auto r = gort::test::run_process({GORT_TRACE_VIEWER, "pprof", trace, "--type", kind, "-o", out});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code;
}

TEST(TracePprof, EveryKindIsReadByGoToolPprofWithTheWaitsOfTheRun) {
  const gort::test::ScratchDir dir("trace-pprof", "kinds");
  const std::string trace = file_in(dir, "run.gtrace");
  record_trace(trace);
  struct Case {
    const char* kind;
    const char* func;
    int64_t at_least_ns;
  };
  for (const Case& c : {Case{"sync", "wait_on_channel", 100'000'000}, Case{"net", "wait_on_network", 60'000'000},
                        Case{"syscall", "wait_in_syscall", 40'000'000}}) {
    SCOPED_TRACE(c.kind);
    const std::string out = file_in(dir, std::string(c.kind) + ".pb.gz");
    ASSERT_EQ(trace_viewer_pprof(trace, c.kind, out), 0);
    const std::string raw = gort::test::go_tool_pprof({"-raw"}, out);
    EXPECT_NE(raw.find("contentions/count delay/nanoseconds"), std::string::npos) << raw;
    EXPECT_NE(raw.find("PeriodType: trace count"), std::string::npos) << raw;
    const int64_t delay = delay_of(raw, c.func);
    // The wait starts before the waker's sleep (main waits until the waiters have parked; the
    // blocking call sleeps itself) and ends after it: at least the sleep, and well under ten
    // times it.
    EXPECT_GE(delay, c.at_least_ns) << raw;
    EXPECT_LT(delay, 10 * c.at_least_ns) << raw;
    const std::string top = gort::test::go_tool_pprof({"-top", "-sample_index=delay"}, out);
    EXPECT_NE(top.find(c.func), std::string::npos) << top;
  }
  // The channel wait is in no other kind's profile.
  const std::string net = file_in(dir, "net-only.pb.gz");
  ASSERT_EQ(trace_viewer_pprof(trace, "net", net), 0);
  EXPECT_EQ(delay_of(gort::test::go_tool_pprof({"-raw"}, net), "wait_on_channel"), -1);
  // The scheduler-latency profile charges runnable time to what made the goroutine runnable: the
  // channel waiter's to main's send.
  const std::string sched = file_in(dir, "sched.pb.gz");
  ASSERT_EQ(trace_viewer_pprof(trace, "sched", sched), 0);
  const std::string sched_raw = gort::test::go_tool_pprof({"-raw"}, sched);
  EXPECT_GT(delay_of(sched_raw, "gort::detail::chansend"), 0) << sched_raw;
}

TEST(TracePprof, AnUnknownTypeOrAnUnreadableTraceIsAClearError) {
  auto r = gort::test::run_process({GORT_TRACE_VIEWER, "pprof", "/nonexistent.gtrace", "--type", "heap", "-o", "x"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("heap not in {net,sync,syscall,sched}"), std::string::npos) << r.err;
  const gort::test::ScratchDir dir("trace-pprof", "errors");
  const std::string out = file_in(dir, "none.pb.gz");
  r = gort::test::run_process({GORT_TRACE_VIEWER, "pprof", "/nonexistent.gtrace", "--type", "sync", "-o", out});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent.gtrace: cannot open"), std::string::npos) << r.err;
  EXPECT_NE(::access(out.c_str(), F_OK), 0) << "no output file for a trace that cannot be read";
}

}  // namespace
