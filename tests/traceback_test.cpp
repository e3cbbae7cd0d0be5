// traceback_test.cpp — stack walks printed in Go's traceback format
// (runtime/src/traceback.hpp): the calling thread, a parked goroutine, a
// signal context, and the "created by" line of a go statement.
#include <gort/gort.hpp>
#include <gort/runtime/internal/park.hpp>

#include <gtest/gtest.h>
#include <signal.h>
#include <ucontext.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "g.hpp"
#include "traceback.hpp"

namespace {

namespace rt = gort::runtime;

/// Everything f(FILE*) writes, as a string.
template <class F>
std::string capture(F&& f) {
  char* buf = nullptr;
  std::size_t len = 0;
  FILE* out = open_memstream(&buf, &len);
  f(out);
  std::fclose(out);
  std::string s(buf, len);
  std::free(buf);
  return s;
}

/// One printed frame: "<name>\n\t<file>:<line>[ +0x<off>]\n".
struct PrintedFrame {
  std::string name;
  std::string file;
  int line = 0;
  bool has_offset = false;
};

/// Splits a traceback into frames, failing the test on any line out of Go's layout.
/// A trailing "...additional frames elided..." line is accepted and reported.
std::vector<PrintedFrame> parse(const std::string& text, bool* elided = nullptr) {
  static const std::regex kLoc(R"(\t(.+):(\d+)( \+0x[0-9a-f]+)?)");
  std::vector<PrintedFrame> frames;
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    EXPECT_NE(nl, std::string::npos) << "unterminated last line in:\n" << text;
    if (nl == std::string::npos) break;
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (elided != nullptr) *elided = false;
  if (!lines.empty() && lines.back() == "...additional frames elided...") {
    lines.pop_back();
    if (elided != nullptr) *elided = true;
  }
  EXPECT_EQ(lines.size() % 2, 0u) << text;
  for (std::size_t i = 0; i + 1 < lines.size(); i += 2) {
    PrintedFrame f;
    f.name = lines[i];
    EXPECT_FALSE(f.name.empty() || f.name[0] == '\t') << "line " << i << " of:\n" << text;
    std::smatch m;
    EXPECT_TRUE(std::regex_match(lines[i + 1], m, kLoc)) << "line " << i + 1 << " of:\n" << text;
    if (m.size() == 4) {
      f.file = m[1];
      f.line = std::stoi(m[2]);
      f.has_offset = m[3].matched;
    }
    frames.push_back(f);
  }
  return frames;
}

// ---- the calling thread ------------------------------------------------------------

[[gnu::noinline]] void known_function(FILE* out, int skip, int* line) {
  *line = __LINE__ + 1;
  rt::traceback_current(out, skip, false);
  asm volatile("" ::: "memory");  // not a tail call: this frame stays on the stack
}

TEST(TracebackTest, CurrentNamesTheCallingFunctionWithFileAndLine) {
  int line = 0;
  const int call_line = __LINE__ + 1;
  const std::string text = capture([&](FILE* out) { known_function(out, 0, &line); });
  const std::vector<PrintedFrame> frames = parse(text);
  ASSERT_GE(frames.size(), 2u) << text;
  EXPECT_EQ(frames[0].name, "(anonymous namespace)::known_function(_IO_FILE*, int, int*)") << text;
  EXPECT_EQ(frames[0].file, __FILE__) << text;
  EXPECT_EQ(frames[0].line, line) << text;
  EXPECT_TRUE(frames[0].has_offset) << text;
  // Its caller: the lambda above (inlined or not), at the line of the call.
  EXPECT_NE(frames[1].name.find("TracebackTest_CurrentNamesTheCallingFunctionWithFileAndLine_Test::TestBody()"),
            std::string::npos)
      << text;
  EXPECT_EQ(frames[1].file, __FILE__) << text;
  EXPECT_EQ(frames[1].line, call_line) << text;
  // Below the test there is GoogleTest and main; never libc's start-up.
  EXPECT_EQ(text.find("__libc_start"), std::string::npos) << text;
  EXPECT_EQ(text.find("_start\n"), std::string::npos) << text;
}

TEST(TracebackTest, CurrentSkipsInnermostFrames) {
  int line = 0;
  // One lambda for both traces: known_function's caller must be the same frame
  // in both, inlined or not (at -Og two lambdas are two functions).
  const auto trace = [&](int skip) { return capture([&](FILE* out) { known_function(out, skip, &line); }); };
  const std::string all = trace(0);
  const std::string skipped = trace(1);
  const std::vector<PrintedFrame> a = parse(all), s = parse(skipped);
  ASSERT_GE(a.size(), 2u) << all;
  ASSERT_EQ(s.size() + 1, a.size()) << all << "\n----\n" << skipped;
  EXPECT_EQ(s[0].name, a[1].name);
}

[[gnu::noinline]] int recurse(FILE* out, int depth) {
  if (depth == 0) {
    rt::traceback_current(out, 0, false);
    return 0;
  }
  int r = recurse(out, depth - 1);
  asm volatile("" : "+r"(r));  // neither a tail call nor a loop
  return r + 1;
}

TEST(TracebackTest, ElidesFramesBeyondOneHundred) {
  const std::string text = capture([](FILE* out) { recurse(out, 150); });
  bool elided = false;
  const std::vector<PrintedFrame> frames = parse(text, &elided);
  EXPECT_TRUE(elided) << text;
  ASSERT_EQ(frames.size(), 100u) << text;
  for (const PrintedFrame& f : frames) EXPECT_EQ(f.name, "(anonymous namespace)::recurse(_IO_FILE*, int)");
}

// ---- a parked goroutine ------------------------------------------------------------

struct Parked {
  std::atomic<rt::G*> g{nullptr};
};

[[gnu::noinline]] void wait_in_worker(gort::WaitGroup& release, Parked& self, int* line) {
  self.g.store(rt::current_g(), std::memory_order_release);
  *line = __LINE__ + 1;
  release.wait();
  asm volatile("" ::: "memory");  // not a tail call
}

struct ParkedTracebacks {
  std::string user;     // traceback_parked, runtime frames hidden
  std::string system;   // traceback_parked, runtime frames shown
  std::string created;  // traceback_created_by for the goroutine's go statement
  int wait_line = 0;
  int go_line = 0;
};

/// Goroutine 1 starts a goroutine that parks on a WaitGroup inside
/// wait_in_worker, waits until it is parked, and captures its tracebacks.
ParkedTracebacks parked_tracebacks() {
  ParkedTracebacks r;
  gort::run([&r] {
    gort::WaitGroup release;
    release.add(1);
    gort::WaitGroup finished;
    finished.add(1);
    Parked self;
    r.go_line = __LINE__ + 1;
    gort::go([&] { wait_in_worker(release, self, &r.wait_line); finished.done(); });
    // Parked means Waiting; the status is stored (release) after the saved context.
    rt::G* gp = nullptr;
    while ((gp = self.g.load(std::memory_order_acquire)) == nullptr ||
           rt::readgstatus(gp) != rt::GStatus::Waiting) {
      gort::gosched();
    }
    EXPECT_EQ(gp->waitreason, rt::WaitReason::SyncWaitGroupWait);
    r.user = capture([&](FILE* out) { rt::traceback_parked(out, gp, false); });
    r.system = capture([&](FILE* out) { rt::traceback_parked(out, gp, true); });
    r.created = capture([&](FILE* out) { rt::traceback_created_by(out, gp->gopc, gp->parent_goid); });
    release.done();
    finished.wait();
  });
  return r;
}

TEST(TracebackTest, ParkedGoroutineShowsUserFramesOnly) {
  const ParkedTracebacks r = parked_tracebacks();
  std::printf("traceback_parked(show_runtime=false):\n%s", r.user.c_str());
  const std::vector<PrintedFrame> frames = parse(r.user);
  ASSERT_GE(frames.size(), 3u) << r.user;
  // Go shows sync.(*WaitGroup).Wait first: the runtime's semacquire and park are hidden.
  EXPECT_EQ(frames[0].name, "gort::WaitGroup::wait()") << r.user;
  EXPECT_TRUE(frames[0].has_offset) << r.user;
  EXPECT_EQ(frames[1].name, "(anonymous namespace)::wait_in_worker(gort::WaitGroup&, (anonymous namespace)::Parked&, int*)")
      << r.user;
  EXPECT_EQ(frames[1].file, __FILE__) << r.user;
  EXPECT_EQ(frames[1].line, r.wait_line) << r.user;
  // The goroutine's function (the lambda given to gort::go, inlined into the
  // runtime's closure trampoline) ends the walk, at the line that calls
  // wait_in_worker.  Inlined lambdas are named from DWARF, which does not number
  // them: "{lambda()}" where the demangler says "{lambda()#1}".
  const std::string& go_fn = frames.back().name;
  EXPECT_TRUE(go_fn.starts_with("(anonymous namespace)::parked_tracebacks()::{lambda()")) << r.user;
  EXPECT_EQ(go_fn.substr(go_fn.size() - 18), "operator()() const") << r.user;
  EXPECT_EQ(frames.back().file, __FILE__) << r.user;
  EXPECT_EQ(frames.back().line, r.go_line) << r.user;
  for (const PrintedFrame& f : frames) {
    EXPECT_EQ(f.name.find("gort::runtime::"), std::string::npos) << r.user;
    EXPECT_EQ(f.name.find("gort::go<"), std::string::npos) << r.user;
    EXPECT_EQ(f.name.find("fcontext"), std::string::npos) << r.user;
    EXPECT_FALSE(f.name.starts_with("std::")) << r.user;
  }
}

TEST(TracebackTest, ParkedGoroutineWithRuntimeFrames) {
  const ParkedTracebacks r = parked_tracebacks();
  std::printf("traceback_parked(show_runtime=true):\n%s", r.system.c_str());
  const std::vector<PrintedFrame> frames = parse(r.system);
  ASSERT_GE(frames.size(), 4u) << r.system;
  // The walk starts where the switch returns (in the runtime) and ends at the
  // goroutine's first function.
  EXPECT_NE(frames[0].name.find("gort::runtime::"), std::string::npos) << r.system;
  EXPECT_NE(frames.back().name.find("gort::runtime::(anonymous namespace)::goroutine_entry"), std::string::npos)
      << r.system;
  bool worker = false, wait = false;
  for (const PrintedFrame& f : frames) {
    worker = worker || f.name.starts_with("(anonymous namespace)::wait_in_worker(");
    wait = wait || f.name == "gort::WaitGroup::wait()";
  }
  EXPECT_TRUE(worker) << r.system;
  EXPECT_TRUE(wait) << r.system;
}

TEST(TracebackTest, CreatedByNamesTheGoStatement) {
  const ParkedTracebacks r = parked_tracebacks();
  std::printf("traceback_created_by:\n%s", r.created.c_str());
  ASSERT_TRUE(r.created.starts_with("created by ")) << r.created;
  const std::size_t nl = r.created.find('\n');
  ASSERT_NE(nl, std::string::npos) << r.created;
  const std::string head = r.created.substr(0, nl);
  EXPECT_NE(head.find("parked_tracebacks()"), std::string::npos) << r.created;
  EXPECT_TRUE(head.size() > 15 && head.compare(head.size() - 15, 15, " in goroutine 1") == 0) << r.created;
  const std::string loc = r.created.substr(nl + 1);
  const std::string want = std::string("\t") + __FILE__ + ":" + std::to_string(r.go_line) + " +0x";
  EXPECT_TRUE(loc.starts_with(want)) << r.created << "want prefix: " << want;
  EXPECT_EQ(loc.back(), '\n');
}

TEST(TracebackTest, NeverRunGoroutinePrintsNothing) {
  rt::G g;  // fiber.fctx is null until a G first runs
  EXPECT_EQ(capture([&](FILE* out) { rt::traceback_parked(out, &g, true); }), "");
}

// ---- signal contexts ---------------------------------------------------------------

[[gnu::noinline]] void ucontext_here(FILE* out, int* line) {
  ucontext_t uc;
  *line = __LINE__ + 1;
  getcontext(&uc);
  rt::traceback_ucontext(out, &uc, false);
  asm volatile("" ::: "memory");
}

TEST(TracebackTest, UcontextStartsAtItsRegisters) {
  int line = 0;
  const std::string text = capture([&](FILE* out) { ucontext_here(out, &line); });
  const std::vector<PrintedFrame> frames = parse(text);
  ASSERT_GE(frames.size(), 2u) << text;
  EXPECT_EQ(frames[0].name, "(anonymous namespace)::ucontext_here(_IO_FILE*, int*)") << text;
  EXPECT_EQ(frames[0].file, __FILE__) << text;
  // The saved pc is getcontext's return address, looked up as is (a signal's
  // pc is the faulting instruction): the call's line or the next statement's.
  EXPECT_GE(frames[0].line, line) << text;
  EXPECT_LE(frames[0].line, line + 1) << text;
}

FILE* g_signal_out = nullptr;

void traceback_on_signal(int, siginfo_t*, void* uctx) { rt::traceback_ucontext(g_signal_out, uctx, false); }

[[gnu::noinline]] void raise_here(int* line) {
  *line = __LINE__ + 1;
  raise(SIGUSR2);
  asm volatile("" ::: "memory");
}

TEST(TracebackTest, UcontextFromASignalHandler) {
#if defined(GORT_TSAN)
  GTEST_SKIP() << "TSAN reports the allocations of symbolization inside a signal handler";
#endif
  struct sigaction sa {}, old {};
  sa.sa_sigaction = &traceback_on_signal;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  ASSERT_EQ(sigaction(SIGUSR2, &sa, &old), 0);
  int line = 0;
  const std::string text = capture([&](FILE* out) {
    g_signal_out = out;
    raise_here(&line);
    g_signal_out = nullptr;
  });
  sigaction(SIGUSR2, &old, nullptr);
  const std::vector<PrintedFrame> frames = parse(text);
  bool found = false;
  for (const PrintedFrame& f : frames) {
    if (f.name != "(anonymous namespace)::raise_here(int*)") continue;
    found = true;
    EXPECT_EQ(f.file, __FILE__) << text;
    EXPECT_EQ(f.line, line) << text;
  }
  EXPECT_TRUE(found) << text;
  // The handler's own frames are not part of the interrupted context.
  EXPECT_EQ(text.find("traceback_on_signal"), std::string::npos) << text;
}

}  // namespace
