// gort/errgroup.hpp — golang.org/x/sync/errgroup: a WaitGroup whose goroutines
// can fail, with the first failure cancelling a shared context.
//
//   gort::ErrGroup g(ctx);                        // errgroup.WithContext(ctx)
//   for (auto& url : urls)
//     g.go([url](const gort::Context& c) { fetch(c, url); });   // throws on failure
//   g.wait();                                     // rethrows the first failure
//
// Errors are exceptions: an exception escaping a function passed to go() is
// that goroutine's failure (Go's non-nil error return).  The first failure is
// kept, cancels the group's context (with the failure as its cause), and is
// rethrown by wait(); later failures are dropped, as in Go.
#pragma once

#include <cstdint>
#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

#include <gort/chan.hpp>
#include <gort/context.hpp>
#include <gort/once.hpp>
#include <gort/runtime.hpp>
#include <gort/waitgroup.hpp>

namespace gort {

/// A collection of goroutines working on subtasks of one task (errgroup.Group).
/// Not copyable or movable: its goroutines refer to it.
class ErrGroup {
 public:
  /// A group with no context of its own (Go's zero Group): no limit, and a
  /// failure cancels nothing; context() is background().
  ErrGroup() = default;

  /// A group whose context() derives from parent and is cancelled by the first
  /// failure or by wait(), whichever comes first (errgroup.WithContext).
  /// Precondition: called from a goroutine.
  explicit ErrGroup(const Context& parent);

  ErrGroup(const ErrGroup&) = delete;
  ErrGroup& operator=(const ErrGroup&) = delete;

  /// Goroutines must not outlive the group: the destructor cancels the group's
  /// context and waits for any still running (a failure not collected by
  /// wait() is dropped).  Go needs no such rule: its collector keeps a Group
  /// alive while its goroutines run.  Precondition: called from a goroutine.
  ~ErrGroup();

  /// The group's context, passed to functions that take one.
  const Context& context() const noexcept { return ctx_; }

  /// Runs fn() — or fn(context()) if fn takes a const Context& — in a new
  /// goroutine, first blocking until that stays within the limit (Go's Go).
  /// Precondition: called from a goroutine; fn is movable.
  template <class F>
  void go(F&& fn) {
    if (limit_) limit_.send(std::monostate{});
    start(std::forward<F>(fn));
  }

  /// Like go(), but only if that stays within the limit now; returns whether
  /// the goroutine was started (Go's TryGo).  Precondition: called from a goroutine.
  template <class F>
  bool try_go(F&& fn) {
    // Note: as in Go, this allows barging if channels in general allow barging.
    if (limit_ && !limit_.try_send(std::monostate{})) return false;
    start(std::forward<F>(fn));
    return true;
  }

  /// Blocks until every goroutine started by go/try_go has returned, cancels
  /// the group's context, and rethrows the first failure if any (Go's Wait).
  /// Precondition: called from a goroutine.
  void wait();

  /// Limits the goroutines active at once to n; negative means no limit (Go's
  /// SetLimit).  Changing the limit while goroutines are active throws
  /// Panic("errgroup: modify limit while N goroutines in the group are still
  /// active"), as Go panics — when a limit was set; like Go, nothing checks
  /// when there was none.  Precondition: not concurrent with go/try_go.
  void set_limit(int n);

 private:
  /// Counts the goroutine and starts it running fn (Go's goroutine body).
  template <class F>
  void start(F&& fn) {
    using Fn = std::decay_t<F>;
    static_assert(std::is_invocable_v<Fn&, const Context&> || std::is_invocable_v<Fn&>,
                  "ErrGroup::go: fn must be callable as fn() or fn(const gort::Context&)");
    wg_.add(1);
    gort::go([this, f = Fn(std::forward<F>(fn))]() mutable {
      run(std::move(f));
      done();
    });
  }

  /// Calls fn and records its failure; fn (and what it captured) is destroyed
  /// on return, before done() lets wait() return.
  template <class Fn>
  void run(Fn fn) {
    try {
      if constexpr (std::is_invocable_v<Fn&, const Context&>) {
        fn(static_cast<const Context&>(ctx_));
      } else {
        fn();
      }
    } catch (...) {
      fail(std::current_exception());
    }
  }

  /// Records error if it is the group's first failure and cancels the context
  /// (Go's errOnce.Do).  Precondition: called from a goroutine.
  void fail(std::exception_ptr error);

  /// Releases the goroutine's limit token and counts it out (Go's done).
  void done();

  /// Counts the running goroutines (Go's wg).
  WaitGroup wg_;
  /// Limit tokens, one buffered per active goroutine; nil when unlimited (Go's sem).
  Chan<std::monostate> limit_;
  /// Makes the first failure the only one recorded (Go's errOnce).
  Once first_failure_;
  /// The first failure; written once under first_failure_, read after wg_.wait().
  std::exception_ptr err_;
  /// The group's context; background() for a group without one.
  Context ctx_;
  /// Cancels ctx_; a no-op for a group without a context (Go's nil cancel).
  CancelFunc cancel_;
};

}  // namespace gort
