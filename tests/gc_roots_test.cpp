// gc_roots_test.cpp — managed objects held where gort itself stores a
// program's values (runtime/HACKING.md, "Program values held by the
// runtime"): channel buffers and values in flight, select cases, finalizer
// closures, after_func callbacks, context values, exceptions in flight and
// being handled.  Each case is written as a Go programmer would write it; the
// objects' destructors poison them, a burst of allocation reuses whatever was
// freed, and then every object is checked.  A second set_finalizer is fatal.
#include <gort/gort.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../gc/src/mark.hpp"
#include "gc_stack_util.hpp"
#include "test_util.hpp"

namespace {

namespace gc = gort::gc;
using gort::test::scaled;

constexpr long kAlive = 0x600d0b1ec7;
constexpr long kDead = 0xdeadbeef;

/// Destructions of Victims so far.
std::atomic<long> victims_destroyed{0};

/// An object a test must find intact: its destructor poisons it.
struct Victim {
  long magic = kAlive;
  long id;
  gc::Ptr<Victim> next;  // makes it a scan object, like most program objects
  explicit Victim(long i) : id(i) {}
  ~Victim() {
    magic = kDead;
    id = -1;
    ++victims_destroyed;
  }
  void trace(gc::Tracer& t) const { t.visit(next); }
};

/// True when v is the live Victim number id.
bool intact(const Victim* v, long id) { return v != nullptr && v->magic == kAlive && v->id == id; }

/// A struct holding managed pointers by value, as a channel element.
struct Pair {
  gc::Ptr<Victim> first;
  gc::Slice<long> numbers;
  void trace(gc::Tracer& t) const {
    t.visit(first);
    t.visit(numbers);
  }
};

using gort::test::on_own_stack;

/// Two full collections, then allocation that reuses any memory they freed
/// (Victims of other ids and long arrays of a poison value, in the size
/// classes of the objects under test), all on stacks of their own.
void collect_and_churn() {
  on_own_stack([] {
    gc::collect();
    gc::collect();
  });
  on_own_stack([] {
    for (int i = 0; i < 20'000; ++i) {
      gc::make<Victim>(-2);
      auto s = gc::make_slice<long>(4);
      for (long& x : s) x = kDead;
    }
  });
}

template <class F>
void run_test(F body) {
  gort::run([&] {
    const int prev = gc::set_gc_percent(100);
    body();
    gc::set_gc_percent(prev);
  });
}

// ---- channels ----

TEST(GcRoots, BufferedChanOfRefKeepsItsObjects) {
  run_test([] {
    const int n = 1000;
    auto c = gort::make_chan<gc::Ref<Victim>>(n);
    on_own_stack([&] {
      for (int i = 0; i < n; ++i) c.send(gc::make<Victim>(i));
    });
    collect_and_churn();
    int damaged = 0;
    for (int i = 0; i < n; ++i) damaged += intact(c.recv().get(), i) ? 0 : 1;
    EXPECT_EQ(damaged, 0) << "of " << n << " objects in the buffer";
  });
}

TEST(GcRoots, ChanOfSlicesAndOfStructsKeepTheirObjects) {
  run_test([] {
    const int n = 300;
    auto slices = gort::make_chan<gc::Slice<long>>(n);
    auto pairs = gort::make_chan<Pair>(n);
    on_own_stack([&] {
      for (int i = 0; i < n; ++i) {
        auto s = gc::make_slice<long>(4);
        for (long& x : s) x = i;
        slices.send(s);
        Pair p;
        p.first = gc::make<Victim>(i);
        p.numbers = gc::make_slice<long>(3);
        p.numbers[2] = i;
        pairs.send(std::move(p));
      }
    });
    collect_and_churn();
    int damaged = 0;
    for (int i = 0; i < n; ++i) {
      const gc::Slice<long> s = slices.recv();
      for (long x : s) damaged += x == i ? 0 : 1;
      const Pair p = pairs.recv();
      damaged += intact(p.first.get(), i) && p.numbers[2] == i ? 0 : 1;
    }
    EXPECT_EQ(damaged, 0);
  });
}

TEST(GcRoots, ChanOfRootCompilesAndKeepsItsObjects) {
  static_assert(std::is_nothrow_move_constructible_v<gc::Root<Victim>>);
  run_test([] {
    const int n = 200;
    auto c = gort::make_chan<gc::Root<Victim>>(n);
    on_own_stack([&] {
      for (int i = 0; i < n; ++i) c.send(gc::Root<Victim>(gc::make<Victim>(i)));
    });
    collect_and_churn();
    int damaged = 0;
    for (int i = 0; i < n; ++i) damaged += intact(c.recv().get(), i) ? 0 : 1;
    EXPECT_EQ(damaged, 0);
  });
}

TEST(GcRoots, ChannelsOfPlainValuesAreNotScanned) {
  static_assert(!gort::runtime::holds_managed_pointers_v<int>);
  static_assert(!gort::runtime::holds_managed_pointers_v<std::string>);
  static_assert(!gort::runtime::holds_managed_pointers_v<gc::Root<Victim>>);
  static_assert(gort::runtime::holds_managed_pointers_v<gc::Ref<Victim>>);
  static_assert(gort::runtime::holds_managed_pointers_v<gc::String>);
  static_assert(gort::runtime::holds_managed_pointers_v<Pair>);
  static_assert(gort::runtime::holds_managed_pointers_v<std::pair<int, gc::Ref<Victim>>>);
  static_assert(gort::runtime::holds_managed_pointers_v<std::optional<gc::Slice<int>>>);
  EXPECT_TRUE(gort::detail::elem_ops_for<long>.trivial);
  EXPECT_FALSE(gort::detail::elem_ops_for<long>.scan);
  EXPECT_TRUE(gort::detail::elem_ops_for<gc::Ref<Victim>>.scan);
  EXPECT_FALSE(gort::detail::elem_ops_for<gc::Ref<Victim>>.trivial);
}

// Values in flight: senders blocked on an unbuffered channel, select cases on
// it and on a small buffer that fills (senders then wait on it too), while
// another goroutine runs collections under GODEBUG=gccheckmark=1 (which
// re-marks every cycle with the world stopped and stops the program on any
// object the concurrent mark missed).  Every value is made by its sender just
// before the send, so only the channel machinery holds it until it arrives.
TEST(GcRoots, ValuesInFlightSurviveConcurrentCollections) {
  ::setenv("GODEBUG", "gccheckmark=1", 1);
  run_test([] {
    const int senders = 4;
    const int cycles = scaled(40);
    auto unbuffered = gort::make_chan<gc::Ref<Victim>>(0);
    auto small = gort::make_chan<gc::Ref<Victim>>(2);
    std::atomic<bool> stop{false};
    std::atomic<long> damaged{0}, received{0};
    gort::test::Goroutines g;
    g.go([&] {
      for (int c = 0; c < cycles; ++c) {
        gc::collect();
        for (int i = 0; i < 2000; ++i) gc::make<Victim>(-2);
      }
      stop.store(true);
    });
    for (int s = 0; s < senders; ++s) {
      g.go([&, s] {
        for (long i = 0; !stop.load(); ++i) {
          const long id = long{s} << 32 | i;
          if (i % 2 == 0) {
            unbuffered.send(gc::make<Victim>(id));
          } else {
            gort::select(gort::on_send(unbuffered, gc::make<Victim>(id)), gort::on_send(small, gc::make<Victim>(id)));
          }
        }
        unbuffered.send(nullptr);  // this sender is done
      });
    }
    g.go([&] {
      for (int done = 0; done < senders;) {
        gc::Ref<Victim> v;
        if (received.load() % 3 == 0) gort::gosched();  // let the buffer fill and senders wait
        gort::select(gort::on_recv(unbuffered, [&](gc::Ref<Victim> x) { v = x; }),
                     gort::on_recv(small, [&](gc::Ref<Victim> x) { v = x; }));
        if (v == nullptr) {
          ++done;
          continue;
        }
        received.fetch_add(1);
        if (v->magic != kAlive || v->id < 0 || (v->id >> 32) >= senders) damaged.fetch_add(1);
      }
      while (auto v = small.try_recv()) {
        received.fetch_add(1);
        if ((*v)->magic != kAlive) damaged.fetch_add(1);
      }
    });
    g.join();
    EXPECT_EQ(damaged.load(), 0) << "of " << received.load() << " received";
    EXPECT_GT(received.load(), 0);
  });
  ::unsetenv("GODEBUG");
}

// ---- closures ----

TEST(GcRoots, FinalizerCapturesLiveUntilItRan) {
  run_test([] {
    const int n = 200;
    auto ran = gort::make_chan<int>(n);
    std::atomic<int> damaged{0};
    on_own_stack([&] {
      for (int i = 0; i < n; ++i) {
        auto owner = gc::make<Victim>(-3);
        auto captured = gc::make<Victim>(i);
        gc::set_finalizer(owner, [captured, i, ran, &damaged](Victim*) {
          if (!intact(captured.get(), i)) damaged.fetch_add(1);
          ran.send(1);
        });
      }
    });
    int finalized = 0;
    for (int attempt = 0; attempt < 10 && finalized < n; ++attempt) {
      collect_and_churn();
      while (ran.try_recv()) ++finalized;
    }
    EXPECT_EQ(finalized, n) << "finalizers run";
    EXPECT_EQ(damaged.load(), 0) << "captures destroyed before their finalizer ran";
  });
}

TEST(GcRoots, AfterFuncCapturesLiveUntilItRuns) {
  run_test([] {
    const int n = 200;
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    auto ran = gort::make_chan<int>(n);
    std::atomic<int> damaged{0};
    on_own_stack([&, ctx = ctx] {
      for (int i = 0; i < n; ++i) {
        gort::after_func(ctx, [v = gc::make<Victim>(i), i, ran, &damaged] {
          if (!intact(v.get(), i)) damaged.fetch_add(1);
          ran.send(1);
        });
      }
    });
    collect_and_churn();
    cancel();
    for (int i = 0; i < n; ++i) ran.recv();
    EXPECT_EQ(damaged.load(), 0);
  });
}

const gort::ContextKey<gc::Ref<Victim>> kVictimKey{"victim"};

TEST(GcRoots, ContextValuesKeepTheirObjects) {
  run_test([] {
    const int n = 200;
    std::vector<gort::Context> contexts;
    on_own_stack([&] {
      for (int i = 0; i < n; ++i) contexts.push_back(gort::with_value(gort::background(), kVictimKey, gc::make<Victim>(i)));
    });
    collect_and_churn();
    int damaged = 0;
    for (int i = 0; i < n; ++i) damaged += intact(contexts[static_cast<std::size_t>(i)].value(kVictimKey)->get(), i) ? 0 : 1;
    EXPECT_EQ(damaged, 0);
    contexts.clear();
  });
}

// ---- exceptions ----

/// A panic value carrying a managed object.
struct VictimError : std::runtime_error {
  gc::Ref<Victim> victim;
  explicit VictimError(gc::Ref<Victim> v) : std::runtime_error("victim"), victim(v) {}
};

__attribute__((noinline)) void throw_victim(long id) { throw VictimError(gc::make<Victim>(id)); }

TEST(GcRoots, ExceptionBeingHandledKeepsItsObject) {
  run_test([] {
    const int n = 200;
    int damaged = 0;
    on_own_stack([&] {
      for (int i = 0; i < n; ++i) {
        try {
          throw_victim(i);
        } catch (const VictimError& e) {
          // The handler runs while collections free and reuse memory.
          if (i % 4 == 0) collect_and_churn();
          damaged += intact(e.victim.get(), i) ? 0 : 1;
        }
      }
    });
    EXPECT_EQ(damaged, 0);
  });
}

// An exception_ptr (how ErrGroup and SingleFlight keep a failure) holds the
// exception object, and so its managed objects, until the last copy is gone.
TEST(GcRoots, ExceptionPtrKeepsItsObject) {
  run_test([] {
    const int n = 100;
    std::vector<std::exception_ptr> errors;
    on_own_stack([&] {
      for (int i = 0; i < n; ++i) {
        try {
          throw_victim(i);
        } catch (...) {
          errors.push_back(std::current_exception());
        }
      }
    });
    collect_and_churn();
    int damaged = 0;
    for (int i = 0; i < n; ++i) {
      try {
        std::rethrow_exception(errors[static_cast<std::size_t>(i)]);
      } catch (const VictimError& e) {
        damaged += intact(e.victim.get(), i) ? 0 : 1;
      }
    }
    EXPECT_EQ(damaged, 0);
    errors.clear();
  });
}

// ---- misuse ----

TEST(GcRoots, SecondSetFinalizerIsFatal) {
  const auto r = gort::test::run_testprog("SetFinalizerTwice");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("fatal error: runtime.SetFinalizer: finalizer already set\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("goroutine 1 [running]:"), std::string::npos) << r.err;
}

}  // namespace
