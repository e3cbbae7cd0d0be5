// pprof_cpu_test.cpp — the CPU profiler's runtime half (runtime/src/cpuprof.cpp),
// tested at the sample level: accuracy, the setitimer fallback, restarts, and
// programs that stress the places a SIGPROF can land (those run as children of
// this binary, `gort_cpuprof_tests --child NAME`, under a timeout).
#include <gort/gc.hpp>
#include <gort/gort.hpp>
#include <gort/runtime/internal/cpuprof.hpp>
#include <gort/pprof.hpp>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_util.hpp"

namespace {

using gort::runtime::CpuProfileRecord;
using gort::runtime::read_cpu_profile;
using gort::runtime::set_cpu_profile_rate;

/// Thread CPU time of the caller, in ns.
int64_t thread_cpu_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::atomic<uint64_t> sink{0};

/// Burns CPU for `units` units of identical work and stores its own return
/// address in *ret, so samples taken inside it can be told apart by caller.
/// Each unit makes one intercepted call (clock_gettime) so that the TSAN
/// build, which delivers signals at interceptors, takes samples inside it.
__attribute__((noinline)) void spin_work(uint64_t units, std::atomic<uintptr_t>* ret) {
  ret->store(uintptr_t(__builtin_return_address(0)), std::memory_order_relaxed);
  uint64_t x = sink.load(std::memory_order_relaxed) | 1;
  for (uint64_t u = 0; u < units; ++u) {
    for (int i = 0; i < 2000; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    x ^= uint64_t(ts.tv_nsec) & 1;
  }
  sink.fetch_add(x, std::memory_order_relaxed);
  asm volatile("");
}

std::atomic<uintptr_t> ret_three{0};
std::atomic<uintptr_t> ret_one{0};

__attribute__((noinline)) void burn_three(uint64_t units) {
  spin_work(3 * units, &ret_three);
  asm volatile("");
}
__attribute__((noinline)) void burn_one(uint64_t units) {
  spin_work(units, &ret_one);
  asm volatile("");
}

/// Units of spin_work that take about target_ns of this thread's CPU.
uint64_t units_for(int64_t target_ns) {
  std::atomic<uintptr_t> unused{0};
  const int64_t t0 = thread_cpu_ns();
  constexpr uint64_t kProbe = 2000;
  spin_work(kProbe, &unused);
  const int64_t per_unit = (thread_cpu_ns() - t0) / int64_t(kProbe) + 1;
  return uint64_t(target_ns / per_unit) + 1;
}

bool contains(const std::vector<uintptr_t>& stack, uintptr_t pc) {
  for (uintptr_t p : stack)
    if (p == pc) return true;
  return false;
}

/// Reads the profile to its end.  Precondition: profiling was stopped.
std::vector<CpuProfileRecord> drain() {
  std::vector<CpuProfileRecord> all;
  while (read_cpu_profile(all)) {
  }
  return all;
}

uint64_t total(const std::vector<CpuProfileRecord>& recs) {
  uint64_t n = 0;
  for (const auto& r : recs) n += r.count;
  return n;
}

uint64_t count_with(const std::vector<CpuProfileRecord>& recs, uintptr_t pc) {
  uint64_t n = 0;
  for (const auto& r : recs)
    if (contains(r.stack, pc)) n += r.count;
  return n;
}

// Two goroutines on two Ps burn CPU in the ratio 3:1, ~1.8 s of CPU in all at
// 100 Hz: ~180 samples.  A per-thread CPU timer fires once per 10 ms of its own
// thread's CPU, so while each burner keeps its M the two counts are each within
// one sample of their CPU time over 10 ms: the share is off by about 1/180 (0.6
// points), not by sampling noise (binomial noise over 180 samples would be 3.2
// points).  The 5 points cover CPU the runtime spends on those threads and a
// burner moving between Ms.  The share is checked against the CPU each burner's
// thread measured itself (a burner never yields, so it keeps its M): on a
// loaded VM the same work can cost the two vCPUs different CPU time (steal),
// which is not the profiler's error.  That measured share is ~75%.
TEST(CpuProf, TwoBurnersThreeToOneShowSeventyFivePercent) {
  std::vector<CpuProfileRecord> recs;
  int64_t cpu_three = 0, cpu_one = 0;
  gort::run([&] {
    gort::gomaxprocs(2);
    const uint64_t units = units_for(450'000'000);
    ASSERT_TRUE(set_cpu_profile_rate(gort::runtime::kCpuProfileDefaultHz));
    {
      gort::test::Goroutines gs;
      gs.go([&] {
        const int64_t t0 = thread_cpu_ns();
        burn_three(units);
        cpu_three = thread_cpu_ns() - t0;
      });
      gs.go([&] {
        const int64_t t0 = thread_cpu_ns();
        burn_one(units);
        cpu_one = thread_cpu_ns() - t0;
      });
    }
    set_cpu_profile_rate(0);
    recs = drain();
  });
  const uint64_t three = count_with(recs, ret_three.load());
  const uint64_t one = count_with(recs, ret_one.load());
  ASSERT_GT(three + one, 120u) << "samples: " << total(recs);
  const double share = 100.0 * double(three) / double(three + one);
  const double cpu_share = 100.0 * double(cpu_three) / double(cpu_three + cpu_one);
  std::printf("burn_three %llu, burn_one %llu samples: %.1f%% (of %llu in all); measured CPU %.1f%%\n",
              static_cast<unsigned long long>(three), static_cast<unsigned long long>(one), share,
              static_cast<unsigned long long>(total(recs)), cpu_share);
  EXPECT_NEAR(cpu_share, 75.0, 10.0) << "the burners' work is not 3:1 in CPU time";
  EXPECT_NEAR(share, cpu_share, 5.0);
}

// Every sample's stack starts with the interrupted pc and, for the burner,
// continues through its frames: the leaf is inside spin_work, then burn_three.
TEST(CpuProf, SamplesWalkFromTheLeafThroughTheCallers) {
  std::vector<CpuProfileRecord> recs;
  gort::run([&] {
    const uint64_t units = units_for(100'000'000);
    ASSERT_TRUE(set_cpu_profile_rate(1000));
    burn_three(units);
    set_cpu_profile_rate(0);
    recs = drain();
  });
  ASSERT_GT(count_with(recs, ret_three.load()), 0u);
  for (const auto& r : recs) {
    EXPECT_GE(r.stack.size(), 1u);
    EXPECT_LE(r.stack.size(), size_t(gort::runtime::kCpuProfileMaxStack));
  }
}

// With no per-thread timers (as if timer_create had failed), the process-wide
// setitimer delivers the samples instead.
TEST(CpuProf, SetitimerFallbackSamples) {
  std::vector<CpuProfileRecord> recs;
  gort::runtime::cpu_profile_force_setitimer(true);
  gort::run([&] {
    const uint64_t units = units_for(200'000'000);
    ASSERT_TRUE(set_cpu_profile_rate(100));
    burn_one(units);
    set_cpu_profile_rate(0);
    recs = drain();
  });
  gort::runtime::cpu_profile_force_setitimer(false);
  EXPECT_GT(count_with(recs, ret_one.load()), 5u) << "samples: " << total(recs);
}

// Samples that find the ring full are counted and read back as one record of
// lost_profile_event with their count (Go's lostProfileEvent); the samples
// kept fill no more than the ring.
TEST(CpuProf, SamplesLostToAFullBufferAreReported) {
  std::vector<CpuProfileRecord> recs;
  gort::runtime::cpu_profile_limit_buffer(256);  // a few samples' worth
  gort::run([&] {
    const uint64_t units = units_for(300'000'000);
    ASSERT_TRUE(set_cpu_profile_rate(1000));
    burn_three(units);  // nobody reads meanwhile
    set_cpu_profile_rate(0);
    recs = drain();
  });
  gort::runtime::cpu_profile_limit_buffer(0);
  const uintptr_t lost_pc = uintptr_t(&gort::runtime::lost_profile_event) + 1;
  uint64_t lost = 0, kept = 0, words = 0;
  for (const auto& r : recs) {
    if (r.stack.size() == 1 && r.stack[0] == lost_pc) {
      lost += r.count;
    } else {
      kept += r.count;
      words += 2 + r.stack.size();
    }
  }
  EXPECT_LE(words, 256u);
  EXPECT_GT(kept, 0u);
  EXPECT_GT(lost, 0u) << "kept " << kept;
}

// A second start fails while a profile runs and until its reader saw the end
// (Go's "cpu profiling already in use"); a thousand start/stop rounds each
// end cleanly while a goroutine burns CPU throughout, through the runtime's
// interface; then a hundred through gort::pprof's, which writes a file each.
TEST(CpuProf, StartStopAThousandTimes) {
  gort::run([&] {
    gort::gomaxprocs(2);
    std::atomic<bool> stop{false};
    gort::test::Goroutines gs;
    gs.go([&] {
      while (!stop.load(std::memory_order_relaxed)) {
        burn_one(20);
        gort::gosched();
      }
    });
    for (int i = 0; i < 1000; ++i) {
      ASSERT_TRUE(set_cpu_profile_rate(1000)) << "round " << i;
      ASSERT_FALSE(set_cpu_profile_rate(100)) << "round " << i;
      std::vector<CpuProfileRecord> recs;
      ASSERT_TRUE(read_cpu_profile(recs));
      burn_three(5);
      ASSERT_TRUE(set_cpu_profile_rate(0));
      ASSERT_FALSE(set_cpu_profile_rate(100)) << "started before the reader saw the end, round " << i;
      while (read_cpu_profile(recs)) {
      }
      EXPECT_EQ(gort::runtime::cpu_profile_rate(), 0);
    }
    // The same through gort::pprof, a hundred rounds: each starts a writer
    // thread and writes and closes a file (~10 ms on a loaded machine).
    const std::string path = ::testing::TempDir() + "cpuprof_startstop_test.pb.gz";
    for (int i = 0; i < 100; ++i) {
      gort::pprof::start_cpu_profile(path);
      burn_three(1);
      gort::pprof::stop_cpu_profile();
    }
    std::remove(path.c_str());
    stop.store(true);
  });
}

// ---- children: programs that must neither crash nor hang while profiled ----

std::string self_exe() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

/// Runs child program name under profiling; it prints "samples N" on success.
void expect_child_ok(const std::string& name) {
  const auto res = gort::test::run_process({self_exe(), "--child", name});
  ASSERT_TRUE(res.started) << res.error;
  EXPECT_FALSE(res.timed_out) << res.err;
  EXPECT_EQ(res.exit_code, 0) << res.out << res.err;
  EXPECT_NE(res.out.find("samples "), std::string::npos) << res.out << res.err;
}

struct Node {
  gort::gc::Ptr<Node> next;
  uint64_t payload[6] = {};
  void trace(gort::gc::Tracer& t) const { t.visit(next); }
};

/// Scheduler, channel and GC stress at the highest rate the kernel's tick
/// allows, so signals land in every corner: fiber switches, run queues, parks,
/// allocation, marking, sweeping, stack scans.
int child_stress() {
  std::vector<CpuProfileRecord> recs;
  uint64_t samples = 0;
  gort::run([&] {
    gort::gomaxprocs(2);
    if (!set_cpu_profile_rate(1000)) std::abort();
    std::atomic<bool> done{false};
    std::thread reader([&] {
      // Reads while it runs, as gort::pprof's writer does.
      while (!done.load()) {
        read_cpu_profile(recs);
        usleep(20'000);
      }
    });
    const int rounds = gort::test::scaled(150);
    for (int round = 0; round < rounds; ++round) {
      gort::test::Goroutines gs;
      // Scheduler: goroutines that yield and spawn.
      for (int i = 0; i < 8; ++i)
        gs.go([] {
          for (int j = 0; j < 200; ++j) {
            gort::gosched();
            if (j % 50 == 0) gort::go([] {});
          }
        });
      // Channels: unbuffered ping-pong and a buffered pipeline.
      auto ping = gort::make_chan<int>();
      auto pong = gort::make_chan<int>();
      gs.go([ping, pong] {
        for (int j = 0; j < 2000; ++j) pong.send(ping.recv() + 1);
      });
      gs.go([ping, pong] {
        int v = 0;
        for (int j = 0; j < 2000; ++j) {
          ping.send(v);
          v = pong.recv();
        }
      });
      auto buf = gort::make_chan<int>(16);
      gs.go([buf] {
        for (int j = 0; j < 5000; ++j) buf.send(j);
        buf.close();
      });
      gs.go([buf] {
        for (int v : buf) (void)v;
      });
      // GC: linked lists allocated and dropped, one forced cycle.
      gs.go([] {
        for (int k = 0; k < 20; ++k) {
          gort::gc::Ref<Node> head = gort::gc::make<Node>();
          for (int j = 0; j < 2000; ++j) {
            auto n = gort::gc::make<Node>();
            n->next = head;
            head = n;
          }
        }
        gort::gc::collect();
      });
    }
    set_cpu_profile_rate(0);
    done.store(true);
    reader.join();
    while (read_cpu_profile(recs)) {
    }
    samples = total(recs);
  });
  std::printf("samples %llu\n", static_cast<unsigned long long>(samples));
  return samples > 0 ? 0 : 1;
}

/// Profiles a program that forks: one child execs a program, one exits
/// straight from fork; the parent keeps burning CPU meanwhile.
int child_fork() {
  std::vector<CpuProfileRecord> recs;
  int bad = 0;
  gort::run([&] {
    if (!set_cpu_profile_rate(1000)) std::abort();
    const uint64_t units = units_for(20'000'000);
    for (int i = 0; i < gort::test::scaled(20); ++i) {
      burn_one(units);
      const pid_t pid = fork();
      if (pid == 0) {
        if (i % 2 == 0) execl("/bin/true", "true", static_cast<char*>(nullptr));
        _exit(0);
      }
      int status = 0;
      gort::blocking([&] { waitpid(pid, &status, 0); });
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) ++bad;
    }
    set_cpu_profile_rate(0);
    recs = drain();
  });
  std::printf("samples %llu, bad children %d\n", static_cast<unsigned long long>(total(recs)), bad);
  return bad == 0 ? 0 : 1;
}

/// Profiles a program whose every goroutine, main's included, sits in a
/// blocking call at once; a thread outside the runtime releases them.
int child_blocked() {
  std::vector<CpuProfileRecord> recs;
  gort::run([&] {
    gort::gomaxprocs(2);
    if (!set_cpu_profile_rate(1000)) std::abort();
    constexpr int kBlocked = 6;
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    std::atomic<int> entered{0};
    std::thread releaser([&] {
      while (entered.load() < kBlocked + 1) sched_yield();
      std::atomic<uintptr_t> unused{0};
      spin_work(1000, &unused);  // a thread outside the runtime: no timer, no samples
      char bytes[kBlocked + 1] = {};
      if (write(fds[1], bytes, sizeof bytes) != ssize_t(sizeof bytes)) std::abort();
    });
    gort::WaitGroup wg;
    wg.add(kBlocked);
    for (int i = 0; i < kBlocked; ++i)
      gort::go([&] {
        burn_one(100);
        entered.fetch_add(1);
        char c;
        gort::blocking([&] { return read(fds[0], &c, 1); });
        burn_one(100);
        wg.done();
      });
    entered.fetch_add(1);
    char c;
    gort::blocking([&] { return read(fds[0], &c, 1); });
    wg.wait();
    releaser.join();
    close(fds[0]);
    close(fds[1]);
    set_cpu_profile_rate(0);
    recs = drain();
  });
  std::printf("samples %llu\n", static_cast<unsigned long long>(total(recs)));
  return 0;
}

/// A program run under GORTCPUPROFILE: it burns CPU in burn_one and reports
/// whether the whole-run profile was on while it ran.
int child_envprof() {
  int on = 0;
  gort::run([&] {
    on = gort::runtime::cpu_profile_rate();
    burn_one(units_for(300'000'000));
  });
  std::printf("ran, profile rate %d\n", on);
  return 0;
}

/// Where child_envmem allocates: 2,000 buffers of 4 KiB, kept until it returns.
[[gnu::noipa]] gort::gc::Slice<gort::gc::Slice<char>> allocate_envmem_buffers() {
  auto kept = gort::gc::make_slice<gort::gc::Slice<char>>(2000);
  for (std::size_t i = 0; i < kept.len(); ++i) kept[i] = gort::gc::make_slice<char>(4096);
  return kept;
}

/// A program run under GORTMEMPROFILE: allocates 8 MB at one site.
int child_envmem() {
  std::size_t n = 0;
  gort::run([&] { n = allocate_envmem_buffers().len(); });
  std::printf("ran, %zu buffers\n", n);
  return 0;
}

/// gort::test::go_tool_pprof with one mode (-top, -traces, -raw).
std::string go_tool_pprof(const std::string& mode, const std::string& file) {
  return gort::test::go_tool_pprof(std::vector<std::string>{mode}, file);
}

TEST(CpuProf, SchedulerChannelAndGcStressWhileProfiled) { expect_child_ok("stress"); }

// GORTCPUPROFILE=FILE profiles the whole of gort::run into a file go tool
// pprof reads; a file that cannot be created costs one line on stderr, and
// the program runs.
TEST(CpuProf, EnvironmentProfilesTheWholeRun) {
  const std::string path = ::testing::TempDir() + "cpuprof_env_test.pb.gz";
  std::remove(path.c_str());
  auto res = gort::test::run_process({self_exe(), "--child", "envprof"}, {"GORTCPUPROFILE=" + path});
  ASSERT_EQ(res.exit_code, 0) << res.out << res.err;
  EXPECT_NE(res.out.find("ran, profile rate 100"), std::string::npos) << res.out;
  EXPECT_EQ(res.err, "");
  const std::string top = go_tool_pprof("-top", path);
  EXPECT_NE(top.find("burn_one"), std::string::npos) << top;
  std::remove(path.c_str());

  res = gort::test::run_process({self_exe(), "--child", "envprof"},
                                {"GORTCPUPROFILE=/nonexistent-dir/cpu.pprof"});
  ASSERT_EQ(res.exit_code, 0) << res.out << res.err;
  EXPECT_NE(res.out.find("ran, profile rate 0"), std::string::npos) << res.out;
  EXPECT_EQ(res.err,
            "gort: GORTCPUPROFILE=/nonexistent-dir/cpu.pprof: gort::pprof: cannot write "
            "/nonexistent-dir/cpu.pprof: No such file or directory; running without a profile\n");
}

// GORTMEMPROFILE=FILE writes the heap profile of the whole run after main
// returns (a collection first): go tool pprof shows the allocating site with
// its 8 MB of alloc_space; an unwritable file is one line on stderr.
TEST(CpuProf, EnvironmentWritesTheHeapProfileAtExit) {
  const std::string path = ::testing::TempDir() + "memprof_env_test.pb.gz";
  std::remove(path.c_str());
  auto res = gort::test::run_process({self_exe(), "--child", "envmem"}, {"GORTMEMPROFILE=" + path});
  ASSERT_EQ(res.exit_code, 0) << res.out << res.err;
  EXPECT_EQ(res.out, "ran, 2000 buffers\n");
  EXPECT_EQ(res.err, "");
  const std::string top = gort::test::go_tool_pprof({"-sample_index=alloc_space", "-top"}, path);
  EXPECT_NE(top.find("allocate_envmem_buffers"), std::string::npos) << top;
  std::remove(path.c_str());

  res = gort::test::run_process({self_exe(), "--child", "envmem"}, {"GORTMEMPROFILE=/nonexistent-dir/mem.pprof"});
  ASSERT_EQ(res.exit_code, 0) << res.out << res.err;
  EXPECT_EQ(res.out, "ran, 2000 buffers\n");
  EXPECT_EQ(res.err,
            "gort: GORTMEMPROFILE=/nonexistent-dir/mem.pprof: gort::pprof: cannot write "
            "/nonexistent-dir/mem.pprof: No such file or directory\n");
}

// start_cpu_profile/stop_cpu_profile write a file go tool pprof reads: Go's
// sample types and period (-raw), the burners with the 3:1 split (-top), and
// whole stacks from the leaf through the caller (-traces).  A second start
// throws Go's message; an unwritable path throws naming the path and why.
TEST(CpuProf, StartCpuProfileWritesWhatGoToolPprofReads) {
  const std::string path = ::testing::TempDir() + "cpuprof_api_test.pb.gz";
  std::string second_start, bad_path;
  gort::run([&] {
    gort::gomaxprocs(2);
    const uint64_t units = units_for(150'000'000);
    gort::pprof::start_cpu_profile(path);
    try {
      gort::pprof::start_cpu_profile(path + ".other");
    } catch (const std::exception& e) {
      second_start = e.what();
    }
    {
      gort::test::Goroutines gs;
      gs.go([&] { burn_three(units); });
      gs.go([&] { burn_one(units); });
    }
    gort::pprof::stop_cpu_profile();
    gort::pprof::stop_cpu_profile();  // none runs: nothing happens
    try {
      gort::pprof::start_cpu_profile("/nonexistent-dir/cpu.pprof");
    } catch (const std::exception& e) {
      bad_path = e.what();
    }
  });
  EXPECT_EQ(second_start, "cpu profiling already in use");
  EXPECT_EQ(bad_path, "gort::pprof: cannot write /nonexistent-dir/cpu.pprof: No such file or directory");
  const std::string raw = go_tool_pprof("-raw", path);
  EXPECT_NE(raw.find("PeriodType: cpu nanoseconds"), std::string::npos) << raw;
  EXPECT_NE(raw.find("Period: 10000000"), std::string::npos) << raw;
  EXPECT_NE(raw.find("samples/count cpu/nanoseconds"), std::string::npos) << raw;
  const std::string top = go_tool_pprof("-top", path);
  EXPECT_NE(top.find("burn_three"), std::string::npos) << top;
  EXPECT_NE(top.find("burn_one"), std::string::npos) << top;
  const std::string traces = go_tool_pprof("-traces", path);
  const size_t leaf = traces.find("spin_work");
  ASSERT_NE(leaf, std::string::npos) << traces;
  EXPECT_NE(traces.find("burn_three", leaf), std::string::npos) << traces;
  std::remove(path.c_str());
}

TEST(CpuProf, ProgramThatForksWhileProfiled) { expect_child_ok("fork"); }
TEST(CpuProf, ProgramWithEveryMBlockedWhileProfiled) { expect_child_ok("blocked"); }

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--child") == 0) {
    const std::string name = argv[2];
    if (name == "stress") return child_stress();
    if (name == "fork") return child_fork();
    if (name == "blocked") return child_blocked();
    if (name == "envprof") return child_envprof();
    if (name == "envmem") return child_envmem();
    std::fprintf(stderr, "unknown child %s\n", name.c_str());
    return 2;
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
