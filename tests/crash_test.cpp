// crash_test.cpp — how gort programs end: each case runs a gort_testprog
// program (tests/testprog/crash.cpp) and checks output shape and exit status
// against Go's.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>

#include "test_util.hpp"

namespace {

/// Runs the crash program `name` with env; in TSAN builds without TSAN's
/// deadlock detector: a fault inside TSAN's own malloc holds its stack
/// depot's lock, and the detector records a stack in that depot for every
/// mutex locked after it -- libunwind's, while the handler unwinds -- so the
/// report would hang in TSAN builds only.
gort::test::ProcessResult run_testprog(const std::string& name, std::vector<std::string> env = {},
                                       int timeout_ms = gort::test::kChildTimeoutMs) {
#if defined(GORT_TSAN)
  env.push_back(gort::env_with_option("TSAN_OPTIONS", "detect_deadlocks=0"));
#endif
  return gort::test::run_testprog(name, env, timeout_ms);
}

TEST(Crash, UnrecoveredPanicInAGoroutinePrintsGosReportAndExits2) {
  auto r = run_testprog("Panic");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(std::regex_search(r.err, std::regex("^panic: boom\n\ngoroutine [0-9]+ \\[running\\]:\n"))) << r.err;
  // GOTRACEBACK=single (the default): only the panicking goroutine.
  EXPECT_EQ(r.err.find("goroutine 1 ["), std::string::npos) << r.err;
}

TEST(Crash, AnyCxxExceptionEscapingMainIsAPanic) {
  auto r = run_testprog("StdException");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.err.starts_with("panic: std::runtime_error: disk full\n\ngoroutine 1 [running]:\n")) << r.err;
}

TEST(Crash, StackOverflowInAGoroutineIsReportedNotCorrupting) {
  auto r = run_testprog("StackOverflow");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("runtime: goroutine stack exceeds 245760-byte limit\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fatal error: stack overflow\n"), std::string::npos) << r.err;
}

/// Runs a test program that crashes with the signal landing inside malloc or
/// free, `runs` times; every run must finish its report and exit 2.
template <typename Check>
void crash_inside_malloc(const std::string& name, int runs, Check check) {
  for (int i = 0; i < runs; ++i) {
    auto r = run_testprog(name, {}, 30000);
    ASSERT_FALSE(r.timed_out) << "run " << i << " hung; its output so far:\n" << r.err;
    ASSERT_EQ(r.exit_code, 2) << "run " << i << "\n" << r.err;
    check(r.err);
    if (::testing::Test::HasFailure()) return;
  }
}

// The overflow happens inside malloc with its arena lock held: the report must
// not need that lock (issue 17, item 7: it used to hang in every run).
TEST(Crash, StackOverflowInsideMallocPrintsTheWholeReport) {
  crash_inside_malloc("StackOverflowInMalloc", gort::test::scaled(6), [](const std::string& err) {
    EXPECT_NE(err.find("fatal error: stack overflow\n"), std::string::npos) << err;
    EXPECT_TRUE(std::regex_search(err, std::regex("\ngoroutine [0-9]+ \\[running\\]:\n"))) << err;
    EXPECT_NE(err.find("\n(anonymous namespace)::depth_allocating(int)\n\t"), std::string::npos) << err;
    EXPECT_NE(err.find("testprog/crash.cpp:"), std::string::npos) << err;
    EXPECT_NE(err.find("...additional frames elided...\ncreated by "), std::string::npos) << err;
  });
}

// SIGQUIT to a thread that allocates and frees without pause: the dump names
// every goroutine's frames as usual and ends the process.
TEST(Sigquit, DumpInsideMallocOrFreePrintsEveryGoroutine) {
  crash_inside_malloc("SigquitInMalloc", gort::test::scaled(6), [](const std::string& err) {
    EXPECT_TRUE(err.starts_with("SIGQUIT: quit\n")) << err;
    EXPECT_TRUE(std::regex_search(err, std::regex("\ngoroutine 1 \\[[a-z ]+\\]:\n"))) << err;
    // The report is whole: main and the four workers, each worker with its creator.
    const std::regex header("(^|\n)goroutine [0-9]+ \\[");
    EXPECT_EQ(std::distance(std::sregex_iterator(err.begin(), err.end(), header), std::sregex_iterator()), 5) << err;
    const std::string creator = "created by (anonymous namespace)::SigquitInMalloc()";
    size_t creators = 0;
    for (size_t at = err.find(creator); at != std::string::npos; at = err.find(creator, at + 1)) ++creators;
    EXPECT_EQ(creators, 4u) << err;
    const bool named = err.find("\n(anonymous namespace)::allocate_forever(std::atomic<int>*)\n\t") != std::string::npos;
#if defined(GORT_TSAN)
    // Parts of TSAN's runtime have no unwind information: a signal landing in
    // one (its allocator, its interceptors, its memory-access hooks) ends the
    // walk there, short of the program's frames.
    EXPECT_TRUE(named || err.find("\n__tsan::") != std::string::npos ||
                err.find("\n__sanitizer::") != std::string::npos || err.find("\n__interceptor_") != std::string::npos)
        << err;
#else
    EXPECT_TRUE(named) << err;
#endif
  });
}

TEST(Crash, StackOverflowInTheMainGoroutineIsReported) {
  auto r = run_testprog("StackOverflowInMain");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("fatal error: stack overflow\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("goroutine 1 [running]:"), std::string::npos) << r.err;
}

TEST(Crash, NilDereferenceIsGosRuntimeErrorPanic) {
  auto r = run_testprog("NilDereference");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.err.starts_with("panic: runtime error: invalid memory address or nil pointer dereference\n"
                                "[signal SIGSEGV: segmentation violation code="))
      << r.err;
}

TEST(Crash, PanicTracebackStartsAtTheThrowAndNamesTheCreator) {
  auto r = run_testprog("Panic");
  EXPECT_EQ(r.exit_code, 2);
  // The frame that threw, then where the goroutine was created.
  EXPECT_NE(r.err.find("testprog/crash.cpp:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("created by "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(" in goroutine 1\n"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("gort::runtime::"), std::string::npos) << "runtime frames are hidden by default\n" << r.err;
}

TEST(Crash, GotracebackNonePrintsOnlyThePanicLine) {
  auto r = run_testprog("Panic", {"GOTRACEBACK=none"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "panic: boom\n");
}

TEST(Crash, GotracebackSystemShowsRuntimeFrames) {
  auto r = run_testprog("Deadlock", {"GOTRACEBACK=system"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("gort::runtime::"), std::string::npos) << r.err;
}

TEST(Crash, GotracebackCrashAborts) {
  auto r = run_testprog("Panic", {"GOTRACEBACK=crash"});
  EXPECT_EQ(r.exit_code, 128 + SIGABRT) << r.err;
  EXPECT_TRUE(r.err.starts_with("panic: boom\n")) << r.err;
}

TEST(Crash, MalformedGotracebackWarnsAndUsesSingle) {
  auto r = run_testprog("Panic", {"GOTRACEBACK=loud"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.err.starts_with("runtime: GOTRACEBACK=\"loud\": expected none, single, all, system or crash; using single\npanic: boom\n")) << r.err;
}

// Every knob is read when gort::run starts, as Go's schedinit reads them, even
// in a program that never touches the managed heap (the collector used to read
// GOGC and GOMEMLIMIT only when its first cycle started).
TEST(Knobs, MalformedGomemlimitStopsAProgramThatNeverAllocates) {
  auto r = run_testprog("PrintGomaxprocs", {"GOMEMLIMIT=12QB"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "") << "main must not run";
  EXPECT_TRUE(r.err.starts_with("GOMEMLIMIT=12QB\nfatal error: malformed GOMEMLIMIT; see `go doc runtime/debug.SetMemoryLimit`\n"))
      << r.err;
}

TEST(Knobs, MalformedGogcWarnsAtStartInAProgramThatNeverAllocates) {
  auto r = run_testprog("PrintGomaxprocs", {"GOGC=lots", "GOMAXPROCS=3"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "GOMAXPROCS=3\n");
  EXPECT_EQ(r.err, "runtime: GOGC: ignoring \"lots\": expected an integer percentage or \"off\"; using 100\n");
}

TEST(Deadlock, AllGoroutinesAsleepIsReportedWithEveryGoroutine) {
  auto r = run_testprog("Deadlock");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.err.starts_with("fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [sync.WaitGroup.Wait]:\n"))
      << r.err;
  const std::regex header("\ngoroutine [0-9]+ \\[sync.WaitGroup.Wait\\]:\n");
  int headers = 0;
  for (std::sregex_iterator it(r.err.begin(), r.err.end(), header), end; it != end; ++it) ++headers;
  EXPECT_EQ(headers, 2) << r.err;
  EXPECT_NE(r.err.find("waiter(gort::WaitGroup*)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("gort::WaitGroup::wait()"), std::string::npos) << r.err;
}

// Misusing a sync lock is Go's fatal error (sync.fatal): unrecoverable, the
// failing goroutine then every other one, exit status 2.
TEST(SyncFatal, UnlockOfUnlockedMutex) {
  auto r = run_testprog("MutexUnlockUnlocked");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "") << "a fatal error must not be recoverable";
  EXPECT_TRUE(r.err.starts_with("fatal error: sync: unlock of unlocked mutex\n\ngoroutine 1 [running]:\n")) << r.err;
  EXPECT_NE(r.err.find("gort::Mutex::unlock"), std::string::npos) << r.err;
  std::smatch other;
  EXPECT_TRUE(std::regex_search(r.err, other, std::regex("\n\ngoroutine ([02-9]|[0-9][0-9]+) \\[[a-zA-Z. ]+\\]:\n")) &&
              r.err.find("created by ", other.position(0)) != std::string::npos)
      << "the other goroutine is listed too\n" << r.err;
}

TEST(SyncFatal, UnlockOfUnlockedRWMutex) {
  const struct {
    const char* name;
    const char* first_line;
    const char* frame;
  } cases[] = {
      {"RWMutexRUnlockUnlocked", "fatal error: sync: RUnlock of unlocked RWMutex\n", "gort::RWMutex::runlock"},
      {"RWMutexUnlockUnlocked", "fatal error: sync: Unlock of unlocked RWMutex\n", "gort::RWMutex::unlock"},
  };
  for (const auto& c : cases) {
    auto r = run_testprog(c.name);
    EXPECT_EQ(r.exit_code, 2) << c.name << "\n" << r.err;
    EXPECT_TRUE(r.err.starts_with(std::string(c.first_line) + "\ngoroutine 1 [running]:\n")) << r.err;
    EXPECT_NE(r.err.find(c.frame), std::string::npos) << r.err;
  }
}

TEST(SyncFatal, GotracebackNonePrintsOnlyTheFatalLine) {
  auto r = run_testprog("MutexUnlockUnlocked", {"GOTRACEBACK=none"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "fatal error: sync: unlock of unlocked mutex\n");
}

// Goroutine dumps name the sync primitive each goroutine waits in.
TEST(Deadlock, ReportNamesEachSyncWait) {
  auto r = run_testprog("SyncDeadlock");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(r.err.starts_with("fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [sync.Mutex.Lock]:\n"))
      << r.err;
  for (const char* wait : {"sync.Mutex.Lock", "sync.Cond.Wait", "sync.RWMutex.RLock", "sync.RWMutex.Lock", "select"}) {
    const std::regex header(std::string("\ngoroutine [0-9]+ \\[") + wait + "\\]:\n");
    int n = 0;
    for (std::sregex_iterator it(r.err.begin(), r.err.end(), header), end; it != end; ++it) ++n;
    // sync.Mutex.Lock: main and one goroutine; every other wait: one goroutine.
    EXPECT_EQ(n, std::string(wait) == "sync.Mutex.Lock" ? 2 : 1) << wait << "\n" << r.err;
  }
  // Each waiter's traceback keeps the frame it waits in.
  for (const char* frame : {"gort::Mutex::lock()", "gort::Cond::wait()", "gort::RWMutex::rlock()",
                            "gort::RWMutex::lock()", "gort::Semaphore::acquire(long)"}) {
    EXPECT_NE(r.err.find(std::string("\n") + frame + "\n"), std::string::npos) << frame << "\n" << r.err;
  }
}

TEST(Deadlock, PendingTimerIsNotADeadlock) {
  auto r = run_testprog("NoDeadlockTimer");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
}

TEST(Deadlock, GoroutineInABlockingCallIsNotADeadlock) {
  auto r = run_testprog("NoDeadlockBlocking");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ok\n");
}

TEST(Sigquit, DumpsEveryGoroutineAndExits2) {
  auto r = run_testprog("Sigquit");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("^SIGQUIT: quit\nPC=0x[0-9a-f]+ m=-?[0-9]+ sigcode=-?[0-9]+\n")))
      << r.err;
  EXPECT_NE(r.err.find("\ngoroutine 1 [sleep]:\n"), std::string::npos) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("\ngoroutine [0-9]+ \\[sync.WaitGroup.Wait\\]:\n"))) << r.err;
}

TEST(Schedtrace, PrintsGosLineEveryPeriod) {
  auto r = run_testprog("SleepThroughSchedtraces", {"GODEBUG=schedtrace=10", "GOMAXPROCS=2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.err);
  std::string line;
  int n = 0;
  const std::regex sched(
      "SCHED [0-9]+ms: gomaxprocs=2 idleprocs=[0-9]+ threads=[0-9]+ spinningthreads=[0-9]+ "
      "idlethreads=[0-9]+ runqueue=[0-9]+ \\[[0-9]+ [0-9]+\\]");
  while (std::getline(lines, line)) {
    EXPECT_TRUE(std::regex_match(line, sched)) << line;
    ++n;
  }
  EXPECT_GE(n, 3) << r.err;  // the program runs until three reports were printed
}

TEST(Schedtrace, DetailAddsPMAndGLines) {
  // G1 sleeps through nearly all of the run, so some report shows it asleep.
  auto r = run_testprog("SleepThroughSchedtraces", {"GODEBUG=schedtrace=10,scheddetail=1", "GOMAXPROCS=2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("SCHED [0-9]+ms: gomaxprocs=2 .* gcwaiting=[01] nmidlelocked=[0-9]+ stopwait=-?[0-9]+ sysmonwait=[01] netpoll=(uring|epoll)\n"))) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("\n  P0: status=[0-4] schedtick=[0-9]+ syscalltick=[0-9]+ m=-?[0-9]+ runqsize=[0-9]+ gfreecnt=[0-9]+ timerslen=[0-9]+\n"))) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("\n  M0: p=-?[0-9]+ curg=-?[0-9]+ mallocing=0 throwing=0 preemptoff= locks=[0-9]+ dying=0 spinning=(true|false) blocked=(true|false) lockedg=-?[0-9]+\n"))) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex("\n  G1: status=4\\(sleep\\) m=-1 lockedm=-1\n"))) << r.err;
}

#if !defined(GORT_TSAN)  // TSAN builds preempt cooperatively only
TEST(AsyncPreempt, GodebugAsyncpreemptoffTurnsItOff) {
  auto on = run_testprog("AsyncBusy");
  EXPECT_EQ(on.exit_code, 0) << on.err;
  EXPECT_EQ(on.out, "preempted\n");
  auto off = run_testprog("AsyncBusy", {"GODEBUG=asyncpreemptoff=1"});
  EXPECT_EQ(off.exit_code, 0) << off.err;
  EXPECT_EQ(off.out, "not preempted\n");
}
#endif

TEST(Exit, ProgramEndsWhenMainReturnsWhileOthersRun) {
  auto r = run_testprog("ExitWhileBusy");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.out, "main done\n");
}

TEST(Exit, ProgramEndsEvenIfAGoroutineNeverReachesASafePoint) {
  auto r = run_testprog("ExitWhileStuck", {"GOMAXPROCS=2"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(r.out, "main done\n");
}

TEST(Env, MalformedGomaxprocsWarnsOnceAndUsesTheCpuCount) {
  auto good = run_testprog("PrintGomaxprocs", {"GOMAXPROCS=3"});
  EXPECT_EQ(good.exit_code, 0);
  EXPECT_EQ(good.out, "GOMAXPROCS=3\n");
  EXPECT_EQ(good.err, "");
  for (const char* bad : {"abc", "0", "-2", "3x", " 4"}) {
    auto r = run_testprog("PrintGomaxprocs", {std::string("GOMAXPROCS=") + bad});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_TRUE(r.err.starts_with(std::string("runtime: GOMAXPROCS=\"") + bad + "\": expected a positive integer"))
        << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(Env, MalformedGodebugEntriesWarnAndAreIgnored) {
  auto r = run_testprog("PrintGomaxprocs", {"GODEBUG=schedtrace=abc,justaname,unknownknob=1", "GOMAXPROCS=2"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "GOMAXPROCS=2\n");
  EXPECT_NE(r.err.find("runtime: GODEBUG: ignoring schedtrace=abc: expected a non-negative integer\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("runtime: GODEBUG: ignoring \"justaname\": expected name=value\n"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("unknownknob"), std::string::npos) << "unknown knobs are ignored silently, as in Go";
}

TEST(Env, GodebugMemprofilerateSetsTheHeapProfilesRate) {
  auto unset = run_testprog("PrintMemProfileRate", {});
  EXPECT_EQ(unset.out, "MemProfileRate=524288\n") << unset.err;
  auto off = run_testprog("PrintMemProfileRate", {"GODEBUG=memprofilerate=0"});
  EXPECT_EQ(off.out, "MemProfileRate=0\n") << off.err;
  auto every = run_testprog("PrintMemProfileRate", {"GODEBUG=gctrace=0,memprofilerate=1"});
  EXPECT_EQ(every.out, "MemProfileRate=1\n") << every.err;
  auto bad = run_testprog("PrintMemProfileRate", {"GODEBUG=memprofilerate=-5"});
  EXPECT_EQ(bad.exit_code, 0);
  EXPECT_EQ(bad.out, "MemProfileRate=524288\n");
  EXPECT_EQ(bad.err, "runtime: GODEBUG: ignoring memprofilerate=-5: expected a non-negative integer\n");
}

}  // namespace
