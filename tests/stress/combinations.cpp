// combinations.cpp — gort_combinations: every part of gort at once, for a
// bounded time, with every invariant checked.
//
// Each subsystem has its own suite; this program runs them together, as a Go
// program written by a Go programmer does: the scheduler (spawn storms,
// gosched, runnext hand-offs), timers (sleep, Timer, a Timer shared between
// goroutines, Ticker, after), channels (buffered, unbuffered, select with
// timeouts and default, close), contexts (cancel trees, deadlines, after_func
// started by a deadline's timer, deep chains), sync (Mutex, RWMutex, WaitGroup,
// Once, Cond), locked goroutines doing blocking calls, sleeps and receives,
// gort::blocking calls, GOMAXPROCS moving between 1 and 8, the collector
// (managed lists and slices verified continuously, managed objects sent over
// channels, concurrent gc::collect callers, a low GOGC, gccheckmark),
// finalizers, MemStats, and execution-trace windows each validated by
// `trace-viewer validate`.
//
// Structure.  Every component is a set of lanes: a lane is one goroutine that
// runs short self-contained rounds (start goroutines, join them, check the
// round's invariants) until the run's time is up, bumping its progress
// counter at every operation.  A watchdog thread (an OS thread, outside the
// scheduler it watches) notices a lane whose counter has not moved for
// --stall-seconds, prints which lanes stopped, and sends the process SIGQUIT
// so the runtime dumps every goroutine (exit status 2); if no dump comes it
// exits 3.  An invariant that fails prints one FAIL line naming the component
// and exits 1.  A clean run prints one summary line of operation counts and
// exits 0.
//
// Invariants: values received equal values sent (per-producer sequence numbers
// and checksums, on plain and managed channels); every managed object reached
// is intact (a canary field that the destructor poisons, an id and a checksum
// of it); sleeps and timers never fire early and a re-armed Timer delivers
// exactly one tick; every context of a cancelled tree is done with a context
// error and each after_func ran exactly once unless stopped; counters guarded
// by Mutex/RWMutex/Cond are exact, Once runs once; a locked goroutine stays on
// its thread; finalizers see their object intact and run at most once;
// MemStats' object count equals mallocs - frees and covers every Node not yet
// destroyed; every trace window validates.
//
// Components can be switched off (--without a,b) or chosen (--only a,b) so a
// failing one can be isolated; `--list` names them.
#include <gort/gort.hpp>
#include <gort/support/process.hpp>

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <shared_mutex>
#include <sstream>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "../test_util.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------
// Components and options

enum Component {
  kSched,
  kTimer,
  kTimerShared,
  kChan,
  kSelect,
  kGcChan,
  kContext,
  kContextDeep,
  kSync,
  kLocked,
  kBlocking,
  kProcs,
  kGc,
  kCollect,
  kFinalizer,
  kGcCaptures,
  kMemstats,
  kTrace,
  kNumComponents
};

struct ComponentInfo {
  const char* name;
  const char* what;
};

constexpr ComponentInfo kComponents[kNumComponents] = {
    {"sched", "spawn storms, goroutine chains, gosched, runnext ping-pong"},
    {"timer", "sleep, Timer fire/stop/reset, Ticker, after in select"},
    {"timer-shared", "one Timer reset and stopped by several goroutines at once"},
    {"chan", "buffered/unbuffered channels, several producers and consumers, close, try_send"},
    {"select", "fan-in select over three channels with after() timeouts and default"},
    {"gc-chan", "managed objects (gc::Ref) sent through buffered and unbuffered channels"},
    {"context", "cancel/deadline/value trees, waiters on done, after_func from deadline timers"},
    {"context-deep", "with_cancel chains thousands deep, cancelled from the root and dropped"},
    {"sync", "Mutex, RWMutex, Once, Cond, WaitGroup"},
    {"locked", "lock_os_thread goroutines doing blocking calls, sleeps, receives, allocation"},
    {"blocking", "gort::blocking sleeps and pipe reads/writes"},
    {"procs", "GOMAXPROCS set to 1..8 every few milliseconds"},
    {"gc", "managed lists and gc::Slice appends built, mutated and verified"},
    {"collect", "concurrent gc::collect() callers"},
    {"finalizer", "objects with finalizers checking their object"},
    {"gc-captures", "finalizer and after_func closures capturing managed objects"},
    {"memstats", "read_mem_stats checked against itself and the Node count"},
    {"trace", "trace::start/stop windows, each validated by trace-viewer"},
};

#if defined(GORT_TSAN) || defined(GORT_ASAN)
// Sanitizer builds switch fibers ~10x slower: fewer goroutines per round.
constexpr int kDivisor = 4;
#else
constexpr int kDivisor = 1;
#endif

/// n scaled down for sanitizer builds (never below 1).
int scaled(int n) { return std::max(1, n / kDivisor); }

struct Options {
  double seconds = 10;
  uint64_t seed = 0;
  bool enabled[kNumComponents];
  double stall_seconds = 15;
  int gogc = 10;
  int max_procs = 8;
  std::string trace_viewer =
#ifdef GORT_TRACE_VIEWER
      GORT_TRACE_VIEWER;
#else
      "";
#endif
  std::string trace_dir = "/tmp";
  double status_every = 0;  // seconds between status lines; 0 = none
};

Options opt;

// ---------------------------------------------------------------------------
// Failure reporting, lanes and the watchdog

std::atomic<bool> g_stop{false};
std::atomic<uint64_t> g_ops[kNumComponents];

[[noreturn]] void fail(Component c, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

void fail(Component c, const char* fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "combinations: FAIL [%s]: %s (seed=%" PRIu64 ")\n", kComponents[c].name, msg, opt.seed);
  std::fflush(stderr);
  std::_Exit(1);
}

#define CHECK(comp, cond, ...)        \
  do {                                \
    if (!(cond)) fail(comp, __VA_ARGS__); \
  } while (0)

/// One goroutine's progress, read by the watchdog.
struct Lane {
  Component comp;
  int index;
  std::atomic<uint64_t> progress{0};
  std::atomic<bool> done{false};
  // Watchdog-private.
  uint64_t seen = 0;
  Clock::time_point seen_at{};
};

/// All lanes, created before the run starts and never resized afterwards.
std::vector<std::unique_ptr<Lane>> g_lanes;

Lane* add_lane(Component c, int index) {
  g_lanes.push_back(std::make_unique<Lane>());
  g_lanes.back()->comp = c;
  g_lanes.back()->index = index;
  return g_lanes.back().get();
}

/// Counts one operation of lane l's component and shows the lane is alive.
inline void tick(Lane* l, uint64_t n = 1) {
  l->progress.fetch_add(1, std::memory_order_relaxed);
  g_ops[l->comp].fetch_add(n, std::memory_order_relaxed);
}

inline bool stopping() { return g_stop.load(std::memory_order_relaxed); }

std::atomic<bool> g_watchdog_quit{false};

/// Prints the lanes that stopped making progress and asks the runtime for a
/// goroutine dump (SIGQUIT, which exits 2); exits 3 if the dump never ends.
[[noreturn]] void report_stall(const char* why, Clock::time_point now) {
  std::fprintf(stderr, "combinations: STALL: %s (seed=%" PRIu64 "); lanes:\n", why, opt.seed);
  for (auto& l : g_lanes) {
    const double idle = std::chrono::duration<double>(now - l->seen_at).count();
    std::fprintf(stderr, "  %-13s #%d progress=%-10" PRIu64 " %s\n", kComponents[l->comp].name, l->index,
                 l->progress.load(), l->done.load() ? "done" : (idle >= opt.stall_seconds ? "STALLED" : "running"));
    if (!l->done.load() && idle >= opt.stall_seconds) {
      std::fprintf(stderr, "      no progress for %.1f s\n", idle);
    }
  }
  std::fprintf(stderr, "combinations: sending SIGQUIT for a goroutine dump\n");
  std::fflush(stderr);
  kill(getpid(), SIGQUIT);
  std::this_thread::sleep_for(15s);
  std::fprintf(stderr, "combinations: no goroutine dump within 15 s of SIGQUIT; exiting\n");
  std::fflush(stderr);
  std::_Exit(3);
}

/// The watchdog thread: every 200 ms compares each lane's progress with what
/// it saw before.  SIGQUIT is blocked here so the kernel delivers the dump
/// request to a runtime thread.
void watchdog(Clock::time_point start) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGQUIT);
  sigaddset(&set, SIGURG);
  sigaddset(&set, SIGPROF);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  for (auto& l : g_lanes) l->seen_at = start;
  const auto hard_end = start + std::chrono::duration<double>(opt.seconds + 2 * opt.stall_seconds + 30);
  auto next_status = start + std::chrono::duration<double>(opt.status_every);
  while (!g_watchdog_quit.load()) {
    std::this_thread::sleep_for(200ms);
    const auto now = Clock::now();
    bool stalled = false;
    for (auto& l : g_lanes) {
      const uint64_t p = l->progress.load(std::memory_order_relaxed);
      if (p != l->seen || l->done.load()) {
        l->seen = p;
        l->seen_at = now;
      } else if (now - l->seen_at >= std::chrono::duration<double>(opt.stall_seconds)) {
        stalled = true;
      }
    }
    if (stalled) report_stall("lanes stopped making progress", now);
    if (now > hard_end) report_stall("the run did not end", now);
    if (opt.status_every > 0 && now >= next_status) {
      next_status += std::chrono::duration<double>(opt.status_every);
      std::string line;
      for (int c = 0; c < kNumComponents; ++c) {
        if (!opt.enabled[c]) continue;
        line += " " + std::string(kComponents[c].name) + "=" + std::to_string(g_ops[c].load());
      }
      std::fprintf(stderr, "combinations: t=%.0fs%s\n", std::chrono::duration<double>(now - start).count(),
                   line.c_str());
    }
  }
}

// ---------------------------------------------------------------------------
// Shared helpers

uint64_t mix(uint64_t x) {  // splitmix64's finaliser: a checksum of an id
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

using Rng = std::mt19937_64;

/// A lane's random source, reproducible from the seed and the lane.
Rng rng_for(const Lane* l) { return Rng(mix(opt.seed ^ mix(l->comp * 1000 + l->index))); }

int64_t rand_in(Rng& r, int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(r); }

long gettid_now() { return syscall(SYS_gettid); }

/// A goroutine group joined before its scope ends (captures released first).
using Group = gort::test::Goroutines;

// ---------------------------------------------------------------------------
// Managed objects

constexpr uint64_t kAlive = 0xA11CE5EEDC0FFEE1ULL;
constexpr uint64_t kDead = 0xDEADDEADDEADDEADULL;

std::atomic<uint64_t> g_nodes_made{0};
std::atomic<uint64_t> g_nodes_destroyed{0};

/// A managed node: canary, id and checksum of the id; the destructor poisons
/// the canary, so a node freed while reachable is seen (and reuse of its
/// memory shows as a wrong id or checksum).
struct Node {
  uint64_t canary = kAlive;
  uint64_t id;
  uint64_t check;
  std::atomic<int> finalized{0};
  gort::gc::Ptr<Node> next;
  gort::gc::Ptr<Node> other;

  explicit Node(uint64_t i) : id(i), check(mix(i)) { g_nodes_made.fetch_add(1, std::memory_order_relaxed); }
  ~Node() {
    *const_cast<volatile uint64_t*>(&canary) = kDead;
    *const_cast<volatile uint64_t*>(&check) = 0;
    g_nodes_destroyed.fetch_add(1, std::memory_order_relaxed);
  }
  void trace(gort::gc::Tracer& t) const {
    t.visit(next);
    t.visit(other);
  }
};

using NodeRef = gort::gc::Ref<Node>;

/// Fails unless n is a live node with id expect.
void verify_node(Component c, const Node* n, uint64_t expect, const char* where) {
  CHECK(c, n != nullptr, "%s: null node where id %" PRIu64 " was expected", where, expect);
  const uint64_t canary = *const_cast<const volatile uint64_t*>(&n->canary);
  CHECK(c, canary == kAlive, "%s: node %p (id %" PRIu64 " expected) damaged: canary %#" PRIx64 "%s", where,
        static_cast<const void*>(n), expect, canary, canary == kDead ? " (destroyed while reachable)" : "");
  CHECK(c, n->id == expect && n->check == mix(n->id),
        "%s: node %p has id %" PRIu64 " check %#" PRIx64 ", expected id %" PRIu64, where,
        static_cast<const void*>(n), n->id, n->check, expect);
}

/// Allocates n short-lived objects (so freed memory is reused quickly).
void churn(int n) {
  for (int i = 0; i < n; ++i) {
    auto g = gort::gc::make<Node>(~uint64_t{0});
    (void)g;
  }
}

/// Builds a list of ids base..base+n-1, with `other` links to earlier nodes.
NodeRef build_list(Rng& r, uint64_t base, int n) {
  NodeRef head;
  NodeRef tail;
  for (int i = 0; i < n; ++i) {
    NodeRef x = gort::gc::make<Node>(base + i);
    if (!head) {
      head = x;
    } else {
      tail->next = x;
      if (rand_in(r, 0, 3) == 0) x->other = head;
    }
    tail = x;
  }
  return head;
}

/// Walks a list built by build_list, checking every node and its length.
void verify_list(Component c, const Node* head, uint64_t base, int n, const char* where) {
  int i = 0;
  for (const Node* p = head; p != nullptr; p = p->next.get(), ++i) {
    CHECK(c, i < n, "%s: list longer than %d", where, n);
    verify_node(c, p, base + i, where);
    if (p->other) verify_node(c, p->other.get(), p->other->id, where);
  }
  CHECK(c, i == n, "%s: list has %d nodes, expected %d", where, i, n);
}

// ---------------------------------------------------------------------------
// sched: spawn storms, chains, gosched, runnext ping-pong

void lane_sched(Lane* l) {
  Rng r = rng_for(l);
  while (!stopping()) {
    // A storm of short goroutines yielding a few times.
    const int n = static_cast<int>(rand_in(r, 10, scaled(200)));
    std::atomic<int> ran{0};
    {
      Group g;
      for (int i = 0; i < n; ++i) {
        const int yields = static_cast<int>(rand_in(r, 0, 3));
        g.go([&ran, yields] {
          for (int y = 0; y < yields; ++y) gort::gosched();
          ran.fetch_add(1);
        });
      }
    }
    CHECK(kSched, ran.load() == n, "storm: %d of %d goroutines ran", ran.load(), n);
    tick(l, n);
    // A chain: each goroutine starts the next; the last one reports.
    const int depth = static_cast<int>(rand_in(r, 1, 64));
    auto done = gort::make_chan<int>(1);
    struct Chain {
      static void step(gort::Chan<int> out, int left, int hops) {
        if (left == 0) {
          out.send(hops);
          return;
        }
        gort::go([out, left, hops] { step(out, left - 1, hops + 1); });
      }
    };
    Chain::step(done, depth, 0);
    const int hops = done.recv();
    CHECK(kSched, hops == depth, "chain of %d ended after %d hops", depth, hops);
    tick(l, depth);
    // Ping-pong over unbuffered channels: every hand-off readies the peer
    // into runnext.
    auto ping = gort::make_chan<uint64_t>();
    auto pong = gort::make_chan<uint64_t>();
    const int rounds = static_cast<int>(rand_in(r, 100, scaled(2000)));
    {
      Group g;
      g.go([ping, pong, rounds] {
        for (int i = 0; i < rounds; ++i) pong.send(ping.recv() + 1);
      });
      uint64_t v = 0;
      for (int i = 0; i < rounds; ++i) {
        ping.send(v);
        const uint64_t w = pong.recv();
        CHECK(kSched, w == v + 1, "ping-pong: sent %" PRIu64 ", got back %" PRIu64, v, w);
        v = w + 1;
        if (i % 64 == 0) tick(l, 64);
      }
    }
    CHECK(kSched, gort::num_goroutine() > 0, "num_goroutine() is %d", gort::num_goroutine());
  }
}

// ---------------------------------------------------------------------------
// timer: sleep, Timer, Ticker, after

/// The latest a sleep or Timer fired past its due time, in µs (reported, not
/// checked: lateness depends on the machine's load).
std::atomic<int64_t> g_timer_max_late_us{0};

void note_lateness(Clock::duration late) {
  const int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(late).count();
  int64_t cur = g_timer_max_late_us.load();
  while (us > cur && !g_timer_max_late_us.compare_exchange_weak(cur, us)) {
  }
}

void lane_timer(Lane* l) {
  Rng r = rng_for(l);
  while (!stopping()) {
    switch (rand_in(r, 0, 4)) {
      case 0: {  // sleep never returns early
        const auto d = std::chrono::microseconds(rand_in(r, 0, 500));
        const auto t0 = Clock::now();
        gort::sleep(d);
        const auto took = Clock::now() - t0;
        CHECK(kTimer, took >= d, "sleep(%lld us) returned after %lld ns", static_cast<long long>(d.count()),
              static_cast<long long>(std::chrono::nanoseconds(took).count()));
        note_lateness(took - d);
        break;
      }
      case 1: {  // a Timer fires once, not early; stop afterwards reports it fired
        const auto d = std::chrono::microseconds(rand_in(r, 0, 300));
        const auto t0 = Clock::now();
        gort::Timer t(d);
        const gort::TimePoint fired = t.c().recv();
        CHECK(kTimer, fired >= t0 + d, "Timer(%lld us) fired %lld ns early", static_cast<long long>(d.count()),
              static_cast<long long>(std::chrono::nanoseconds(t0 + d - fired).count()));
        note_lateness(fired - (t0 + d));
        CHECK(kTimer, !t.stop(), "stop() of a fired Timer returned true");
        CHECK(kTimer, !t.c().try_recv(), "a fired Timer delivered a second value");
        break;
      }
      case 2: {  // stopped before firing, then re-armed: exactly one tick
        gort::Timer t(1h);
        CHECK(kTimer, t.stop(), "stop() of an armed Timer returned false");
        CHECK(kTimer, !t.reset(std::chrono::microseconds(rand_in(r, 0, 200))),
              "reset() of a stopped Timer reported it armed");
        t.c().recv();
        CHECK(kTimer, !t.stop(), "stop() after the reset's tick returned true");
        CHECK(kTimer, !t.c().try_recv(), "a reset Timer delivered two values");
        break;
      }
      case 3: {  // Ticker: ticks in order, reset to a new period, stop
        gort::Ticker tk(std::chrono::microseconds(rand_in(r, 50, 300)));
        gort::TimePoint last{};
        for (int i = 0; i < 4; ++i) {
          const auto at = tk.c().recv();
          CHECK(kTimer, at >= last, "Ticker ticks out of order");
          last = at;
        }
        tk.reset(std::chrono::microseconds(rand_in(r, 50, 300)));
        for (int i = 0; i < 2; ++i) {
          const auto at = tk.c().recv();
          CHECK(kTimer, at >= last, "Ticker ticks out of order after reset");
          last = at;
        }
        tk.stop();
        break;
      }
      default: {  // after() as a select timeout against a channel nobody sends on
        gort::Chan<int> never = gort::make_chan<int>();
        const auto d = std::chrono::microseconds(rand_in(r, 0, 300));
        const auto t0 = Clock::now();
        const int which = gort::select(gort::on_recv(never, [](int) {}), gort::on_recv(gort::after(d), [] {}));
        CHECK(kTimer, which == 1, "select chose a channel nobody sent on");
        CHECK(kTimer, Clock::now() - t0 >= d, "after(%lld us) fired early", static_cast<long long>(d.count()));
        break;
      }
    }
    tick(l);
  }
}

// ---------------------------------------------------------------------------
// timer-shared: one Timer reset and stopped from several goroutines

void lane_timer_shared(Lane* l) {
  Rng r = rng_for(l);
  while (!stopping()) {
    gort::Timer t(1h);
    const int k = static_cast<int>(rand_in(r, 2, 8));
    const int resets = scaled(500);
    {
      std::atomic<bool> drain_stop{false};
      Group g;
      g.go([&] {  // drains ticks meanwhile, as a handler's select would
        while (!drain_stop.load()) {
          (void)t.c().try_recv();
          gort::gosched();
        }
      });
      {
        Group resetters;
        for (int i = 0; i < k; ++i) {
          const uint64_t s = r();
          resetters.go([&t, l, s, resets] {
            Rng rr(s);
            for (int j = 0; j < resets; ++j) {
              const int64_t op = rand_in(rr, 0, 9);
              if (op == 0) {
                t.stop();
              } else {
                t.reset(op < 3 ? std::chrono::nanoseconds(1h) : std::chrono::nanoseconds(rand_in(rr, 0, 50'000)));
              }
              if (j % 32 == 0) tick(l, 32);
            }
          });
        }
      }
      drain_stop.store(true);
    }
    // Quiet again: stop, drain, re-arm: exactly one tick.  A stop that finds
    // the timer fired returns while the firing's send may still be on its way
    // (Go 1.19's Stop does not wait for sendTime either), so drain only once
    // every arming has ended: its send finished, or it was stopped or reset.
    t.stop();
    while (gort::detail::timer_references(t) != 1) gort::gosched();
    while (t.c().try_recv()) {
    }
    CHECK(kTimerShared, !t.reset(std::chrono::microseconds(rand_in(r, 0, 200))),
          "reset after stop reported the Timer armed");
    t.c().recv();
    CHECK(kTimerShared, !t.stop(), "stop() after the tick returned true");
    CHECK(kTimerShared, !t.c().try_recv(), "the re-armed shared Timer delivered two values");
    tick(l);
  }
}

// ---------------------------------------------------------------------------
// chan: producers and consumers of checksummed messages

struct Msg {
  uint64_t producer = 0;
  uint64_t seq = 0;
  uint64_t sum = 0;
};

Msg make_msg(uint64_t p, uint64_t s) { return Msg{p, s, mix(p * 1'000'003 + s)}; }

void lane_chan(Lane* l) {
  Rng r = rng_for(l);
  constexpr int kCaps[] = {0, 1, 16, 256};
  while (!stopping()) {
    const int cap = kCaps[rand_in(r, 0, 3)];
    const int producers = static_cast<int>(rand_in(r, 1, 4));
    const int consumers = static_cast<int>(rand_in(r, 1, 3));
    const int per = static_cast<int>(rand_in(r, 1, scaled(2000)));
    auto c = gort::make_chan<Msg>(cap);
    std::atomic<uint64_t> received{0};
    std::atomic<uint64_t> seq_total{0};
    {
      gort::WaitGroup sent;
      Group g;
      sent.add(producers);
      for (int p = 0; p < producers; ++p) {
        const uint64_t s = r();
        g.go([c, p, per, s, l, &sent] {
          Rng rr(s);
          for (int i = 0; i < per; ++i) {
            Msg m = make_msg(p, i);
            switch (rand_in(rr, 0, 5)) {
              case 0:  // try_send, yielding until it goes through
                while (!c.try_send(m)) gort::gosched();
                break;
              case 1: {  // select with a timeout, retried
                bool done = false;
                while (!done) {
                  gort::select(gort::on_send(c, m, [&] { done = true; }),
                               gort::on_recv(gort::after(std::chrono::microseconds(rand_in(rr, 1, 100))), [] {}));
                }
                break;
              }
              default:
                c.send(m);
            }
            if (i % 64 == 0) tick(l, 64);
          }
          sent.done();
        });
      }
      g.go([c, &sent] {  // closes once every producer is done, as Go's closer goroutine
        sent.wait();
        c.close();
      });
      for (int k = 0; k < consumers; ++k) {
        g.go([c, producers, &received, &seq_total] {
          std::vector<int64_t> last(producers, -1);
          for (Msg m : c) {
            CHECK(kChan, m.producer < static_cast<uint64_t>(producers), "message from unknown producer %" PRIu64,
                  m.producer);
            CHECK(kChan, m.sum == make_msg(m.producer, m.seq).sum,
                  "message %" PRIu64 "/%" PRIu64 " has a wrong checksum", m.producer, m.seq);
            CHECK(kChan, static_cast<int64_t>(m.seq) > last[m.producer],
                  "producer %" PRIu64 ": seq %" PRIu64 " after %" PRId64 " (reordered or duplicated)", m.producer,
                  m.seq, last[m.producer]);
            last[m.producer] = static_cast<int64_t>(m.seq);
            received.fetch_add(1);
            seq_total.fetch_add(m.seq);
          }
          auto [v, ok] = c.recv2();
          CHECK(kChan, !ok, "a closed, drained channel delivered a value");
          (void)v;
        });
      }
    }
    const uint64_t want = static_cast<uint64_t>(producers) * per;
    const uint64_t want_sum = static_cast<uint64_t>(producers) * (static_cast<uint64_t>(per) * (per - 1) / 2);
    CHECK(kChan, received.load() == want, "cap %d: received %" PRIu64 " of %" PRIu64 " messages", cap,
          received.load(), want);
    CHECK(kChan, seq_total.load() == want_sum, "cap %d: sequence sum %" PRIu64 ", expected %" PRIu64, cap,
          seq_total.load(), want_sum);
    tick(l);
  }
}

// ---------------------------------------------------------------------------
// select: fan-in of three channels, with timeouts and default

void lane_select(Lane* l) {
  Rng r = rng_for(l);
  while (!stopping()) {
    const int per = static_cast<int>(rand_in(r, 1, scaled(1000)));
    gort::Chan<Msg> in[3] = {gort::make_chan<Msg>(rand_in(r, 0, 8)), gort::make_chan<Msg>(0),
                             gort::make_chan<Msg>(rand_in(r, 0, 64))};
    Group g;
    for (int p = 0; p < 3; ++p) {
      g.go([c = in[p], p, per] {
        for (int i = 0; i < per; ++i) c.send(make_msg(p, i));
        c.close();
      });
    }
    int64_t next[3] = {0, 0, 0};
    int open = 3;
    gort::Chan<Msg> live[3] = {in[0], in[1], in[2]};
    uint64_t timeouts = 0;
    uint64_t defaults = 0;
    while (open > 0) {
      auto on = [&](int k) {
        return [&, k](Msg m, bool ok) {
          if (!ok) {
            live[k] = gort::Chan<Msg>();  // a nil channel is never ready, as in Go
            --open;
            return;
          }
          CHECK(kSelect, m.producer == static_cast<uint64_t>(k) && m.sum == make_msg(k, m.seq).sum,
                "case %d received a message of producer %" PRIu64 " seq %" PRIu64, k, m.producer, m.seq);
          CHECK(kSelect, static_cast<int64_t>(m.seq) == next[k], "channel %d: seq %" PRIu64 ", expected %" PRId64, k,
                m.seq, next[k]);
          ++next[k];
        };
      };
      if (rand_in(r, 0, 7) == 0) {
        gort::select(gort::on_recv(live[0], on(0)), gort::on_recv(live[1], on(1)), gort::on_recv(live[2], on(2)),
                     gort::on_default([&] { ++defaults; }));
      } else {
        gort::select(gort::on_recv(live[0], on(0)), gort::on_recv(live[1], on(1)), gort::on_recv(live[2], on(2)),
                     gort::on_recv(gort::after(std::chrono::microseconds(rand_in(r, 1, 200))), [&] { ++timeouts; }));
      }
      if ((next[0] + next[1] + next[2]) % 64 == 0) tick(l, 64);
    }
    for (int k = 0; k < 3; ++k) {
      CHECK(kSelect, next[k] == per, "channel %d delivered %" PRId64 " of %d", k, next[k], per);
    }
    g.join();
    tick(l);
  }
}

// ---------------------------------------------------------------------------
// gc-chan: managed objects through channels

void lane_gc_chan(Lane* l) {
  Rng r = rng_for(l);
  constexpr int kCaps[] = {0, 1, 64, 1000};
  const uint64_t lane_base = static_cast<uint64_t>(l->index + 1) << 48;
  while (!stopping()) {
    const int cap = kCaps[rand_in(r, 0, 3)];
    const int producers = static_cast<int>(rand_in(r, 1, 3));
    const int per = static_cast<int>(rand_in(r, 1, scaled(3000)));
    auto c = gort::make_chan<NodeRef>(cap);
    gort::WaitGroup sent;
    Group g;
    sent.add(producers);
    for (int p = 0; p < producers; ++p) {
      const uint64_t s = r();
      g.go([c, p, per, s, l, lane_base, &sent] {
        Rng rr(s);
        for (int i = 0; i < per; ++i) {
          NodeRef n = gort::gc::make<Node>(lane_base + (static_cast<uint64_t>(p) << 32) + i);
          if (rand_in(rr, 0, 3) == 0) n->next = gort::gc::make<Node>(n->id ^ 1);  // carried along
          if (rand_in(rr, 0, 5) == 0) {
            bool done = false;
            while (!done) {
              gort::select(gort::on_send(c, n, [&] { done = true; }),
                           gort::on_recv(gort::after(std::chrono::microseconds(50)), [] {}));
            }
          } else {
            c.send(n);
          }
          if (i % 16 == 0) churn(static_cast<int>(rand_in(rr, 0, 64)));
          if (i % 64 == 0) tick(l, 64);
        }
        sent.done();
      });
    }
    g.go([c, &sent] {
      sent.wait();
      c.close();
    });
    std::vector<uint64_t> next(producers, 0);
    uint64_t got = 0;
    for (NodeRef n : c) {
      CHECK(kGcChan, n.get() != nullptr, "received a null gc::Ref");
      const uint64_t p = (n->id - lane_base) >> 32;
      CHECK(kGcChan, p < static_cast<uint64_t>(producers) && (n->id >> 48) == static_cast<uint64_t>(l->index + 1),
            "received a node with a foreign id %" PRIu64 " (canary %#" PRIx64 ")", n->id, n->canary);
      verify_node(kGcChan, n.get(), lane_base + (p << 32) + next[p], "gc-chan receive");
      if (n->next) verify_node(kGcChan, n->next.get(), n->id ^ 1, "gc-chan carried node");
      ++next[p];
      ++got;
      if (got % 256 == 0) churn(32);
    }
    CHECK(kGcChan, got == static_cast<uint64_t>(producers) * per, "received %" PRIu64 " of %d nodes", got,
          producers * per);
    g.join();
    tick(l);
  }
}

// ---------------------------------------------------------------------------
// context: trees with cancels, deadlines, values, waiters and after_func

const gort::ContextKey<uint64_t> kDepthKey{"depth"};

/// True if done() of ctx is closed (receivable without blocking).
bool is_done(const gort::Context& ctx) {
  return gort::select(gort::on_recv(ctx.done()), gort::on_default()) == 0;
}

void lane_context(Lane* l) {
  Rng r = rng_for(l);
  while (!stopping()) {
    struct Entry {
      gort::Context ctx;
      gort::CancelFunc cancel;
      int depth;
    };
    std::vector<Entry> tree;
    const bool root_deadline = rand_in(r, 0, 1) == 0;
    {
      auto [ctx, cancel] = root_deadline ? gort::with_timeout(gort::background(), std::chrono::microseconds(rand_in(r, 0, 2000)))
                                         : gort::with_cancel(gort::background());
      tree.push_back({ctx, cancel, 0});
    }
    const int n = static_cast<int>(rand_in(r, 10, scaled(300)));
    for (int i = 1; i < n; ++i) {
      const Entry& parent = tree[rand_in(r, std::max<int64_t>(0, static_cast<int64_t>(tree.size()) - 8), tree.size() - 1)];
      const int depth = parent.depth + 1;
      switch (rand_in(r, 0, 3)) {
        case 0: {
          auto [c, f] = gort::with_timeout(parent.ctx, std::chrono::microseconds(rand_in(r, 0, 3000)));
          tree.push_back({c, f, depth});
          break;
        }
        case 1:
          tree.push_back({gort::with_value(parent.ctx, kDepthKey, static_cast<uint64_t>(depth)), {}, depth});
          break;
        default: {
          auto [c, f] = gort::with_cancel(parent.ctx);
          tree.push_back({c, f, depth});
        }
      }
    }
    // after_func registrations: some stopped again; the rest must run once.
    struct Reg {
      std::atomic<int> ran{0};
      gort::StopFunc stop;
      bool stopped = false;
    };
    const int regs = static_cast<int>(rand_in(r, 1, 20));
    std::vector<std::unique_ptr<Reg>> reg;
    gort::WaitGroup ran_wg;
    for (int i = 0; i < regs; ++i) {
      reg.push_back(std::make_unique<Reg>());
      Reg* rg = reg.back().get();
      const gort::Context& c = tree[rand_in(r, 0, n - 1)].ctx;
      ran_wg.add(1);
      rg->stop = gort::after_func(c, [rg, c, &ran_wg] {
        CHECK(kContext, c.err() != nullptr, "after_func ran before its context was done");
        CHECK(kContext, rg->ran.fetch_add(1) == 0, "after_func ran twice");
        ran_wg.done();
      });
      if (rand_in(r, 0, 3) == 0 && rg->stop()) {
        rg->stopped = true;
        ran_wg.done();
      }
    }
    // Waiters on random nodes' done channels.
    {
      Group waiters;
      const int w = static_cast<int>(rand_in(r, 1, 8));
      for (int i = 0; i < w; ++i) {
        gort::Context c = tree[rand_in(r, 0, n - 1)].ctx;
        waiters.go([c, l] {
          c.done().recv();
          CHECK(kContext, c.err() != nullptr, "done() closed but err() is null");
          tick(l);
        });
      }
      if (!root_deadline || rand_in(r, 0, 1) == 0) {
        tree[0].cancel();
      } else {
        tree[0].ctx.done().recv();  // the root's deadline ends the tree
      }
    }
    ran_wg.wait();
    for (auto& rg : reg) {
      CHECK(kContext, rg->ran.load() == (rg->stopped ? 0 : 1), "after_func ran %d times (stopped: %d)",
            rg->ran.load(), rg->stopped);
    }
    for (const Entry& e : tree) {
      // Done, if not at once: a context being cancelled by its own deadline
      // timer returns from a second cancel before its children are cancelled,
      // as in Go.  A context that never becomes done stalls the lane.
      if (!is_done(e.ctx)) e.ctx.done().recv();
      const std::exception_ptr err = e.ctx.err();
      CHECK(kContext, gort::is_canceled(err) || gort::is_deadline_exceeded(err),
            "context at depth %d done with a foreign error", e.depth);
      if (const uint64_t* v = e.ctx.value(kDepthKey)) {
        CHECK(kContext, *v <= static_cast<uint64_t>(e.depth), "value lookup returned %" PRIu64 " at depth %d", *v,
              e.depth);
      }
    }
    for (Entry& e : tree) e.cancel();
    tick(l, n);
  }
}

// ---------------------------------------------------------------------------
// context-deep: chains thousands deep

void lane_context_deep(Lane* l) {
  Rng r = rng_for(l);
  while (!stopping()) {
    const int depth = static_cast<int>(rand_in(r, 1000, 10000));
    auto [root, cancel_root] = gort::with_cancel(gort::background());
    gort::Context leaf = root;
    std::vector<gort::CancelFunc> cancels;
    for (int i = 0; i < depth; ++i) {
      auto [c, f] = gort::with_cancel(leaf);
      leaf = c;
      cancels.push_back(f);
      if (i % 256 == 0) tick(l);
    }
    Group g;
    g.go([leaf] { leaf.done().recv(); });
    if (rand_in(r, 0, 1) == 0) {
      cancel_root();
      CHECK(kContextDeep, gort::is_canceled(leaf.err()), "leaf of a %d-deep chain not cancelled", depth);
    } else {
      // Dropped from the leaf up after cancelling only the leaf: the chain's
      // destructors run without a cancellation walking it.
      cancels.back()();
      cancel_root();
    }
    g.join();
    cancels.clear();
    leaf = gort::Context();
    tick(l);
  }
}

// ---------------------------------------------------------------------------
// sync: Mutex, RWMutex, Once, Cond, WaitGroup

void lane_sync(Lane* l) {
  Rng r = rng_for(l);
  while (!stopping()) {
    {  // Mutex: an unsynchronised counter guarded by it stays exact
      gort::Mutex mu;
      int64_t counter = 0;
      const int k = static_cast<int>(rand_in(r, 2, 8));
      const int per = scaled(500);
      {
        Group g;
        for (int i = 0; i < k; ++i) {
          g.go([&, i] {
            for (int j = 0; j < per; ++j) {
              std::lock_guard<gort::Mutex> lock(mu);
              const int64_t v = counter;
              if ((j + i) % 50 == 0) gort::gosched();  // hold it across a yield now and then
              counter = v + 1;
            }
            tick(l, per);
          });
        }
      }
      CHECK(kSync, counter == static_cast<int64_t>(k) * per, "Mutex counter %" PRId64 ", expected %d", counter,
            k * per);
    }
    {  // RWMutex: readers never see a half-done write
      gort::RWMutex rw;
      int64_t a = 0, b = 0;
      std::atomic<bool> writers_done{false};
      Group g;
      {
        Group writers;
        for (int w = 0; w < 2; ++w) {
          writers.go([&] {
            for (int j = 0; j < scaled(300); ++j) {
              std::lock_guard<gort::RWMutex> lock(rw);
              ++a;
              if (j % 16 == 0) gort::gosched();
              ++b;
            }
          });
        }
        for (int rd = 0; rd < 4; ++rd) {
          g.go([&] {
            while (!writers_done.load()) {
              std::shared_lock<gort::RWMutex> lock(rw);
              CHECK(kSync, a == b, "RWMutex reader saw a=%" PRId64 " b=%" PRId64, a, b);
              gort::gosched();
            }
          });
        }
      }
      writers_done.store(true);
      g.join();
      CHECK(kSync, a == 2 * scaled(300) && b == a, "RWMutex writers: a=%" PRId64 " b=%" PRId64, a, b);
    }
    {  // Once: one call among many concurrent callers, visible to all
      gort::Once once;
      std::atomic<int> calls{0};
      int value = 0;
      Group g;
      for (int i = 0; i < 8; ++i) {
        g.go([&] {
          once.call([&] {
            gort::gosched();
            value = 42;
            calls.fetch_add(1);
          });
          CHECK(kSync, value == 42, "Once.call returned before the function finished");
        });
      }
      g.join();
      CHECK(kSync, calls.load() == 1, "Once ran %d times", calls.load());
    }
    {  // Cond: a bounded FIFO between a producer and a consumer
      gort::Mutex mu;
      gort::Cond not_full(mu), not_empty(mu);
      std::vector<uint64_t> q;
      const int n = scaled(2000);
      Group g;
      g.go([&] {
        for (int i = 0; i < n; ++i) {
          std::unique_lock<gort::Mutex> lock(mu);
          while (q.size() >= 4) not_full.wait();
          q.push_back(mix(i));
          not_empty.signal();
        }
      });
      for (int i = 0; i < n; ++i) {
        std::unique_lock<gort::Mutex> lock(mu);
        while (q.empty()) not_empty.wait();
        CHECK(kSync, q.front() == mix(i), "Cond queue: element %d out of order", i);
        q.erase(q.begin());
        not_full.broadcast();
      }
      g.join();
    }
    tick(l);
  }
}

// ---------------------------------------------------------------------------
// locked: goroutines wired to their threads

void lane_locked(Lane* l) {
  Rng r = rng_for(l);
  auto feed = gort::make_chan<uint64_t>(rand_in(r, 0, 4));
  Group g;
  g.go([feed] {  // an ordinary goroutine feeding the locked one
    for (uint64_t i = 0; !stopping(); ++i) {
      gort::select(gort::on_send(feed, i), gort::on_recv(gort::after(1ms), [] {}));
    }
    feed.close();
  });
  uint64_t next = 0;
  gort::lock_os_thread();
  long tid = gettid_now();
  bool open = true;
  while (open) {
    const int op = static_cast<int>(rand_in(r, 0, 5));
    if (op == 0) {
      gort::blocking([&] { ::usleep(static_cast<useconds_t>(rand_in(r, 10, 100))); });
    } else if (op == 1) {
      gort::sleep(std::chrono::microseconds(rand_in(r, 0, 100)));
    } else if (op == 2) {
      auto [v, ok] = feed.recv2();
      if (ok) {
        CHECK(kLocked, v >= next, "locked receiver got %" PRIu64 " after %" PRIu64, v, next);
        next = v + 1;
      }
      open = ok;
    } else if (op == 3) {
      const int n = static_cast<int>(rand_in(r, 1, 200));
      NodeRef h = build_list(r, 7, n);
      churn(16);
      verify_list(kLocked, h.get(), 7, n, "locked goroutine's list");
    } else if (op == 4) {
      gort::gosched();
    } else {
      // Unlock and lock again: afterwards wired to whatever thread runs it.
      gort::unlock_os_thread();
      gort::gosched();
      gort::lock_os_thread();
      tid = gettid_now();
    }
    CHECK(kLocked, gettid_now() == tid, "locked goroutine moved from thread %ld to %ld (op %d)", tid, gettid_now(),
          op);
    tick(l);
  }
  gort::unlock_os_thread();
  g.join();
}

// ---------------------------------------------------------------------------
// blocking: gort::blocking sleeps and pipe hand-offs

void lane_blocking(Lane* l) {
  Rng r = rng_for(l);
  while (!stopping()) {
    if (rand_in(r, 0, 1) == 0) {
      const int us = static_cast<int>(rand_in(r, 0, 300));
      const int got = gort::blocking([us] {
        ::usleep(static_cast<useconds_t>(us));
        return us * 3;
      });
      CHECK(kBlocking, got == us * 3, "blocking returned %d, expected %d", got, us * 3);
    } else {
      int fds[2];
      CHECK(kBlocking, ::pipe(fds) == 0, "pipe: %s", std::strerror(errno));
      const uint64_t word = r();
      Group g;
      g.go([fd = fds[1], word] {
        gort::sleep(std::chrono::microseconds(50));
        const ssize_t n = gort::blocking([&] { return ::write(fd, &word, sizeof word); });
        CHECK(kBlocking, n == sizeof word, "pipe write returned %zd", n);
      });
      uint64_t got = 0;
      const ssize_t n = gort::blocking([&] { return ::read(fds[0], &got, sizeof got); });
      CHECK(kBlocking, n == sizeof got && got == word, "pipe read returned %zd bytes, word %#" PRIx64 " for %#" PRIx64,
            n, got, word);
      g.join();
      ::close(fds[0]);
      ::close(fds[1]);
    }
    tick(l);
  }
}

// ---------------------------------------------------------------------------
// procs: GOMAXPROCS moving between 1 and --max-procs

void lane_procs(Lane* l) {
  Rng r = rng_for(l);
  const int original = gort::gomaxprocs();
  while (!stopping()) {
    gort::sleep(std::chrono::microseconds(rand_in(r, 500, 5000)));
    const int n = static_cast<int>(rand_in(r, 1, opt.max_procs));
    gort::gomaxprocs(n);
    CHECK(kProcs, gort::gomaxprocs() == n, "gomaxprocs() is %d after setting %d", gort::gomaxprocs(), n);
    tick(l);
  }
  gort::gomaxprocs(original);
}

// ---------------------------------------------------------------------------
// gc: managed lists and slices, built, mutated and verified

void lane_gc(Lane* l) {
  Rng r = rng_for(l);
  // A long-lived list, reachable only from a Root, mutated segment by segment.
  const int kept_len = scaled(2000);
  const uint64_t kept_base = static_cast<uint64_t>(l->index + 1) << 40;
  gort::gc::Root<Node> kept = build_list(r, kept_base, kept_len);
  while (!stopping()) {
    switch (rand_in(r, 0, 3)) {
      case 0: {  // a fresh list held only by this stack
        const int n = static_cast<int>(rand_in(r, 1, scaled(3000)));
        const uint64_t base = r() >> 8;
        NodeRef h = build_list(r, base, n);
        churn(static_cast<int>(rand_in(r, 0, 256)));
        verify_list(kGc, h.get(), base, n, "fresh list");
        tick(l, n);
        break;
      }
      case 1: {  // replace a segment of the kept list with fresh nodes of the same ids
        const int at = static_cast<int>(rand_in(r, 1, kept_len - 2));
        const int len = static_cast<int>(rand_in(r, 1, std::min(64, kept_len - 1 - at)));
        Node* prev = kept.get();
        for (int i = 1; i < at; ++i) prev = prev->next.get();
        NodeRef seg = build_list(r, kept_base + at, len);
        Node* seg_tail = seg.get();
        while (seg_tail->next) seg_tail = seg_tail->next.get();
        Node* after = prev->next.get();
        for (int i = 0; i < len; ++i) after = after->next.get();
        seg_tail->next = NodeRef::from_raw(after);
        prev->next = seg;
        churn(static_cast<int>(rand_in(r, 0, 128)));
        verify_list(kGc, kept.get(), kept_base, kept_len, "kept list");
        tick(l, len);
        break;
      }
      case 2: {  // a slice of managed pointers grown by append
        const int n = static_cast<int>(rand_in(r, 1, scaled(2000)));
        gort::gc::Slice<gort::gc::Ptr<Node>> s;
        for (int i = 0; i < n; ++i) {
          s = gort::gc::append(s, gort::gc::Ptr<Node>(gort::gc::make<Node>(i)));
          if (i % 128 == 0) churn(32);
        }
        CHECK(kGc, s.len() == static_cast<std::size_t>(n), "slice len %zu after %d appends", s.len(), n);
        for (int i = 0; i < n; ++i) verify_node(kGc, s[i].get(), i, "slice element");
        tick(l, n);
        break;
      }
      default: {  // a slice of plain words
        const int n = static_cast<int>(rand_in(r, 1, scaled(20000)));
        gort::gc::Slice<uint64_t> s;
        for (int i = 0; i < n; ++i) s = gort::gc::append(s, mix(i));
        churn(64);
        for (int i = 0; i < n; ++i) CHECK(kGc, s[i] == mix(i), "word slice element %d damaged", i);
        tick(l, n);
      }
    }
  }
  verify_list(kGc, kept.get(), kept_base, kept_len, "kept list at the end");
}

// ---------------------------------------------------------------------------
// collect: concurrent gc::collect callers

void lane_collect(Lane* l) {
  Rng r = rng_for(l);
  while (!stopping()) {
    gort::gc::collect();
    gort::sleep(std::chrono::microseconds(rand_in(r, 0, 3000)));
    tick(l);
  }
}

// ---------------------------------------------------------------------------
// finalizer: objects whose finalizers check them

std::atomic<uint64_t> g_finalizers_set{0};
std::atomic<uint64_t> g_finalizers_ran{0};

void lane_finalizer(Lane* l) {
  Rng r = rng_for(l);
  while (!stopping()) {
    const int n = static_cast<int>(rand_in(r, 1, 32));
    for (int i = 0; i < n; ++i) {
      const uint64_t id = r() >> 8;
      NodeRef x = gort::gc::make<Node>(id);
      x->next = gort::gc::make<Node>(id + 1);  // reachable from the finalized object
      gort::gc::set_finalizer<Node>(x, [id](Node* p) {
        verify_node(kFinalizer, p, id, "finalized object");
        verify_node(kFinalizer, p->next.get(), id + 1, "object reachable from a finalized one");
        CHECK(kFinalizer, p->finalized.fetch_add(1) == 0, "finalizer ran twice");
        g_finalizers_ran.fetch_add(1);
      });
      g_finalizers_set.fetch_add(1);
    }
    churn(static_cast<int>(rand_in(r, 0, 512)));
    gort::sleep(std::chrono::microseconds(rand_in(r, 0, 1000)));
    tick(l, n);
  }
}

// ---------------------------------------------------------------------------
// gc-captures: closures the runtime stores, capturing managed objects

void lane_gc_captures(Lane* l) {
  Rng r = rng_for(l);
  while (!stopping()) {
    std::atomic<int> pending{0};
    const int n = static_cast<int>(rand_in(r, 1, 16));
    std::vector<std::pair<gort::Context, gort::CancelFunc>> ctxs;
    for (int i = 0; i < n; ++i) {
      const uint64_t id = r() >> 8;
      NodeRef captured = gort::gc::make<Node>(id);
      if (rand_in(r, 0, 1) == 0) {
        // after_func from a deadline's timer, capturing a node.
        auto [ctx, cancel] = gort::with_timeout(gort::background(), std::chrono::microseconds(rand_in(r, 0, 2000)));
        pending.fetch_add(1);
        gort::after_func(ctx, [captured, id, &pending] {
          verify_node(kGcCaptures, captured.get(), id, "after_func capture");
          pending.fetch_sub(1);
        });
        ctxs.emplace_back(ctx, cancel);
      } else {
        // A finalizer capturing another node.
        NodeRef x = gort::gc::make<Node>(id + 1);
        gort::gc::set_finalizer<Node>(x, [captured, id](Node*) {
          verify_node(kGcCaptures, captured.get(), id, "finalizer capture");
        });
      }
    }
    churn(static_cast<int>(rand_in(r, 64, 1024)));
    while (pending.load() > 0) {
      gort::sleep(100us);
      tick(l, 0);
    }
    for (auto& [ctx, cancel] : ctxs) cancel();
    tick(l, n);
  }
}

// ---------------------------------------------------------------------------
// memstats: MemStats consistent with itself and with the Node count

void lane_memstats(Lane* l) {
  Rng r = rng_for(l);
  gort::MemStats prev = gort::read_mem_stats();
  while (!stopping()) {
    gort::sleep(std::chrono::microseconds(rand_in(r, 5000, 50000)));
    // The Node counters cannot be read inside read_mem_stats' stop, so they
    // are read on either side of it: made_before - destroyed_after Nodes at
    // least were alive at the snapshot, and the counts before it were reached.
    const uint64_t made_before = g_nodes_made.load();
    const uint64_t destroyed_before = g_nodes_destroyed.load();
    const gort::MemStats m = gort::read_mem_stats();
    const uint64_t destroyed_after = g_nodes_destroyed.load();
    const uint64_t alive_at_least = made_before > destroyed_after ? made_before - destroyed_after : 0;
    CHECK(kMemstats, m.HeapObjects == m.Mallocs - m.Frees,
          "HeapObjects %" PRIu64 " != Mallocs %" PRIu64 " - Frees %" PRIu64, m.HeapObjects, m.Mallocs, m.Frees);
    CHECK(kMemstats, m.HeapAlloc <= m.HeapInuse, "HeapAlloc %" PRIu64 " > HeapInuse %" PRIu64, m.HeapAlloc,
          m.HeapInuse);
    CHECK(kMemstats, m.HeapAlloc < (uint64_t{1} << 40), "HeapAlloc %" PRIu64 " (an underflow?)", m.HeapAlloc);
    CHECK(kMemstats, m.NumGC >= prev.NumGC && m.Mallocs >= prev.Mallocs && m.Frees >= prev.Frees &&
                         m.TotalAlloc >= prev.TotalAlloc,
          "cumulative counters went backwards (NumGC %u->%u, Mallocs %" PRIu64 "->%" PRIu64 ")", prev.NumGC, m.NumGC,
          prev.Mallocs, m.Mallocs);
    CHECK(kMemstats, alive_at_least <= m.HeapObjects,
          "at least %" PRIu64 " Nodes not destroyed but HeapObjects is %" PRIu64, alive_at_least, m.HeapObjects);
    CHECK(kMemstats, made_before <= m.Mallocs && destroyed_before <= m.Frees,
          "Nodes made %" PRIu64 " / destroyed %" PRIu64 " exceed Mallocs %" PRIu64 " / Frees %" PRIu64, made_before,
          destroyed_before, m.Mallocs, m.Frees);
    prev = m;
    tick(l);
  }
}

// ---------------------------------------------------------------------------
// trace: windows of execution tracing, each validated

std::atomic<uint64_t> g_traces_validated{0};

/// Runs `trace-viewer validate path` under a timeout (a validation takes well
/// under a second).  Runs inside gort::blocking: it calls nothing of gort.
gort::ProcessResult run_validator(const std::string& path) {
  gort::ProcessOptions o;
  o.timeout_ms = 60'000;
  return gort::run_process({opt.trace_viewer, "validate", path}, o);
}

void lane_trace(Lane* l) {
  Rng r = rng_for(l);
  int window = 0;
  while (!stopping()) {
    gort::sleep(std::chrono::milliseconds(rand_in(r, 10, 200)));
    if (stopping()) break;
    const std::string path = opt.trace_dir + "/combinations-" + std::to_string(getpid()) + "-" +
                             std::to_string(window++) + ".trace";
    gort::trace::start(path);
    {
      gort::trace::Task task("combinations-window");
      gort::trace::log(task, "window", std::to_string(window));
      gort::sleep(std::chrono::milliseconds(rand_in(r, 50, 400)));
    }
    gort::trace::stop();
    tick(l, 0);
    const gort::ProcessResult v = gort::blocking([&] { return run_validator(path); });
    if (v.exit_code != 0) {
      std::fprintf(stderr, "combinations: trace-viewer validate %s:%s\n%s%s\n", path.c_str(),
                   v.timed_out ? " (timed out)" : "", v.error.c_str(), (v.out + v.err).c_str());
      fail(kTrace, "trace window %d failed validation (status %d); trace kept at %s", window, v.exit_code,
           path.c_str());
    }
    ::unlink(path.c_str());
    g_traces_validated.fetch_add(1);
    tick(l);
  }
}

// ---------------------------------------------------------------------------
// Lanes per component and the run

struct LaneSpec {
  Component comp;
  int count;
  void (*fn)(Lane*);
};

const LaneSpec kLaneSpecs[] = {
    {kSched, 2, lane_sched},         {kTimer, 3, lane_timer},         {kTimerShared, 1, lane_timer_shared},
    {kChan, 2, lane_chan},           {kSelect, 1, lane_select},       {kGcChan, 2, lane_gc_chan},
    {kContext, 2, lane_context},     {kContextDeep, 1, lane_context_deep}, {kSync, 2, lane_sync},
    {kLocked, 2, lane_locked},       {kBlocking, 2, lane_blocking},   {kProcs, 1, lane_procs},
    {kGc, 3, lane_gc},               {kCollect, 2, lane_collect},     {kFinalizer, 1, lane_finalizer},
    {kGcCaptures, 1, lane_gc_captures}, {kMemstats, 1, lane_memstats}, {kTrace, 1, lane_trace},
};

int component_by_name(const std::string& s) {
  for (int c = 0; c < kNumComponents; ++c) {
    if (s == kComponents[c].name) return c;
  }
  return -1;
}

bool parse_list(const char* arg, bool value) {
  std::stringstream ss(arg);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) continue;
    const int c = component_by_name(item);
    if (c < 0) {
      std::fprintf(stderr, "combinations: unknown component '%s' (--list names them)\n", item.c_str());
      return false;
    }
    opt.enabled[c] = value;
  }
  return true;
}

void usage(FILE* f) {
  std::fprintf(f,
               "usage: gort_combinations [--seconds N] [--seed S] [--without a,b] [--only a,b]\n"
               "         [--stall-seconds N] [--gogc N] [--max-procs N] [--trace-viewer PATH]\n"
               "         [--trace-dir DIR] [--status-every N] [--list]\n"
               "Runs every component together for N seconds (default 10), checking invariants;\n"
               "exit 0 with a summary line, 1 on a failed invariant, 2 from a goroutine dump\n"
               "after a stall, 3 if the dump itself never came.  GODEBUG defaults to\n"
               "gccheckmark=1 when unset.\n");
}

bool parse_args(int argc, char** argv) {
  std::fill(std::begin(opt.enabled), std::end(opt.enabled), true);
  opt.seed = static_cast<uint64_t>(Clock::now().time_since_epoch().count()) & 0xffffffff;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "combinations: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--seconds") {
      opt.seconds = std::atof(value());
    } else if (a == "--seed") {
      opt.seed = std::strtoull(value(), nullptr, 0);
    } else if (a == "--without") {
      if (!parse_list(value(), false)) return false;
    } else if (a == "--only") {
      std::fill(std::begin(opt.enabled), std::end(opt.enabled), false);
      if (!parse_list(value(), true)) return false;
    } else if (a == "--stall-seconds") {
      opt.stall_seconds = std::atof(value());
    } else if (a == "--gogc") {
      opt.gogc = std::atoi(value());
    } else if (a == "--max-procs") {
      opt.max_procs = std::max(1, std::atoi(value()));
    } else if (a == "--trace-viewer") {
      opt.trace_viewer = value();
    } else if (a == "--trace-dir") {
      opt.trace_dir = value();
    } else if (a == "--status-every") {
      opt.status_every = std::atof(value());
    } else if (a == "--list") {
      for (const auto& c : kComponents) std::printf("%-13s %s\n", c.name, c.what);
      std::exit(0);
    } else if (a == "--help" || a == "-h") {
      usage(stdout);
      std::exit(0);
    } else {
      usage(stderr);
      return false;
    }
  }
  if (opt.seconds <= 0 || opt.stall_seconds <= 0) {
    std::fprintf(stderr, "combinations: --seconds and --stall-seconds must be positive\n");
    return false;
  }
  if (opt.enabled[kTrace] && opt.trace_viewer.empty()) {
    std::fprintf(stderr, "combinations: the trace component needs --trace-viewer PATH\n");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (!parse_args(argc, argv)) return 2;
  setenv("GODEBUG", "gccheckmark=1", 0);  // unless the caller chose otherwise
  std::string on;
  for (int c = 0; c < kNumComponents; ++c) {
    if (opt.enabled[c]) on += std::string(on.empty() ? "" : ",") + kComponents[c].name;
  }
  std::fprintf(stderr, "combinations: seed=%" PRIu64 " seconds=%g GODEBUG=%s components=%s\n", opt.seed, opt.seconds,
               std::getenv("GODEBUG"), on.c_str());

  for (const LaneSpec& s : kLaneSpecs) {
    if (!opt.enabled[s.comp]) continue;
    for (int i = 0; i < s.count; ++i) add_lane(s.comp, i);
  }

  uint32_t gc_cycles = 0;
  const auto start = Clock::now();
  std::thread dog(watchdog, start);
  gort::run([&] {
    gort::gc::set_gc_percent(opt.gogc);
    if (opt.enabled[kTrace] && gort::trace::is_enabled()) {
      std::fprintf(stderr, "combinations: GORTTRACE is tracing the whole run; trace windows are off\n");
    }
    {
      Group all;
      std::size_t li = 0;
      for (const LaneSpec& s : kLaneSpecs) {
        if (!opt.enabled[s.comp]) continue;
        for (int i = 0; i < s.count; ++i, ++li) {
          Lane* l = g_lanes[li].get();
          if (s.comp == kTrace && gort::trace::is_enabled()) {
            l->done.store(true);
            continue;
          }
          all.go([l, fn = s.fn] {
            fn(l);
            l->done.store(true);
          });
        }
      }
      gort::sleep(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(opt.seconds)));
      g_stop.store(true);
    }
    gc_cycles = gort::read_mem_stats().NumGC;
  });
  g_watchdog_quit.store(true);
  dog.join();

  std::string line;
  for (int c = 0; c < kNumComponents; ++c) {
    if (!opt.enabled[c]) continue;
    line += " " + std::string(kComponents[c].name) + "=" + std::to_string(g_ops[c].load());
  }
  std::printf("combinations: ok seconds=%g seed=%" PRIu64 " ops:%s gc_cycles=%u gomaxprocs_changes=%" PRIu64
              " traces_validated=%" PRIu64 " finalizers=%" PRIu64 "/%" PRIu64 " nodes=%" PRIu64
              " timer_max_late_us=%" PRId64 "\n",
              opt.seconds, opt.seed, line.c_str(), gc_cycles, g_ops[kProcs].load(), g_traces_validated.load(),
              g_finalizers_ran.load(), g_finalizers_set.load(), g_nodes_made.load(), g_timer_max_late_us.load());
  return 0;
}
