// gort/context.hpp — Go's package context (Go 1.21 API): cancellation signals,
// deadlines and request-scoped values carried across API boundaries.
//
//   auto [ctx, cancel] = gort::with_timeout(gort::background(), 100ms);
//   gort::select(gort::on_recv(ctx.done(), [] { /* cancelled or timed out */ }),
//                gort::on_recv(results, [](Result r) { ... }));
//   if (gort::is_deadline_exceeded(ctx.err())) ...
//   cancel();  // always, as `defer cancel()` in Go: releases the timer and the registration
//
// A Context is a cheap copyable handle on an immutable node; each derived
// context points at its parent, so copying a handle never copies a tree.
// background() (and todo()) is the empty root: never cancelled, no deadline,
// no values, and its done() is the nil channel, as in Go.
//
// Errors are exceptions.  err() returns a null std::exception_ptr while the
// context is not done, afterwards always the same exception_ptr holding a
// ContextCanceled ("context canceled") or a DeadlineExceeded ("context deadline
// exceeded"); both derive from ContextError, so one catch takes either, and
// is_canceled / is_deadline_exceeded play the part of Go's errors.Is.  A cancel
// function may carry a cause (Go's CancelCauseFunc); cause(ctx) returns it.
//
// Values are keyed by ContextKey<T> objects, compared by address (Go's
// unexported-key-type idiom made type-safe): with_value(ctx, key, v) stores a T
// and ctx.value(key) returns `const T*`, null when no context on the chain
// carries that key; the nearest one wins (shadowing).
//
// Contexts are a closed set of node kinds (Go's Context is an interface that
// programs may implement; gort's is a concrete type), so propagation never
// needs Go's fallback goroutine for foreign parents.  The algorithms and their
// invariants are described in chan/src/context.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include <gort/chan.hpp>
#include <gort/runtime/internal/root_range.hpp>

namespace gort {

/// Common base of the two errors a Context reports; catch it to take either.
class ContextError : public std::runtime_error {
 public:
  /// Creates an error with Go's message text.
  explicit ContextError(const char* message) : std::runtime_error(message) {}
};

/// The error of a context cancelled by a cancel function or a cancelled
/// ancestor (Go's context.Canceled): what() is "context canceled".
class ContextCanceled : public ContextError {
 public:
  ContextCanceled() : ContextError("context canceled") {}
};

/// The error of a context whose deadline passed (Go's
/// context.DeadlineExceeded): what() is "context deadline exceeded".
class DeadlineExceeded : public ContextError {
 public:
  DeadlineExceeded() : ContextError("context deadline exceeded") {}
};

/// The one exception_ptr every cancelled context's err() returns (Go's
/// Canceled variable: err() == canceled_error() holds).  Any thread.
const std::exception_ptr& canceled_error();

/// The one exception_ptr every timed-out context's err() returns (Go's
/// DeadlineExceeded variable).  Any thread.
const std::exception_ptr& deadline_exceeded_error();

/// True if e holds a ContextCanceled (Go's errors.Is(err, context.Canceled));
/// false for a null e.  Any thread.
bool is_canceled(const std::exception_ptr& e);

/// True if e holds a DeadlineExceeded (Go's errors.Is(err,
/// context.DeadlineExceeded)); false for a null e.  Any thread.
bool is_deadline_exceeded(const std::exception_ptr& e);

/// Names one context value of type T.  Declare one object per slot, usually a
/// namespace-scope constant (`inline const gort::ContextKey<User> kUserKey{"user"};`);
/// keys compare by address, so two keys never collide, like Go's values of
/// distinct unexported key types.  Must outlive every context carrying it.
template <class T>
class ContextKey {
 public:
  /// A key; name is only for diagnostics.
  explicit constexpr ContextKey(const char* name = "") noexcept : name_(name) {}
  ContextKey(const ContextKey&) = delete;
  ContextKey& operator=(const ContextKey&) = delete;

  /// The name given at construction.
  constexpr const char* name() const noexcept { return name_; }

 private:
  /// Diagnostic name; identity is the object's address.
  const char* name_;
};

namespace detail {
struct ContextNode;
class CancelState;
class AfterFuncState;
struct ContextAccess;
}  // namespace detail

/// A context handle (Go's context.Context).  Copyable and cheap to copy; all
/// methods are const and safe from any goroutine concurrently.
class Context {
 public:
  /// The type done() returns: a channel that is only ever closed (Go's <-chan struct{}).
  using DoneChan = Chan<std::monostate>;

  /// The empty context, same as background().
  Context() noexcept = default;

  /// A channel closed when this context is cancelled or its deadline passes,
  /// usable in gort::select; the nil channel (never ready) for a context that
  /// can never be cancelled (background, without_cancel, values over them).
  /// Every call returns the same channel.
  DoneChan done() const;

  /// Null while done() is open; once it is closed, canceled_error() or
  /// deadline_exceeded_error(), the same on every call.  Precondition: called
  /// from a goroutine (it may wait for a cancellation in progress to close
  /// done(), as Go's Err does).
  std::exception_ptr err() const;

  /// The time at which this context is cancelled by a deadline, if any (the
  /// earliest deadline on its chain of ancestors).
  std::optional<std::chrono::steady_clock::time_point> deadline() const;

  /// The value the nearest context on the chain stored under key, or null.
  /// The pointee lives as long as any handle on a context that carries it.
  template <class T>
  const T* value(const ContextKey<T>& key) const {
    return static_cast<const T*>(lookup(&key));
  }

 private:
  friend struct detail::ContextAccess;
  explicit Context(std::shared_ptr<const detail::ContextNode> node) noexcept : node_(std::move(node)) {}

  /// The value stored under the key at address key on the chain, or null.
  const void* lookup(const void* key) const;

  /// The node, or null for the empty (background) context.
  std::shared_ptr<const detail::ContextNode> node_;
};

/// Cancels the context it was returned with (Go's CancelFunc, and with a cause
/// its CancelCauseFunc): closes done(), cancels every descendant, stops the
/// deadline timer and unregisters the context from its parent.  Only the first
/// cancellation of a context counts (later calls, and the cause they carry,
/// are ignored).  Copyable; callable from any goroutine, concurrently; a
/// default-constructed CancelFunc does nothing.
class CancelFunc {
 public:
  CancelFunc() noexcept = default;

  /// Cancels with err() == canceled_error() and cause(ctx) == err().
  void operator()() const { (*this)(nullptr); }

  /// Cancels with err() == canceled_error() and cause(ctx) == cause (Go's
  /// WithCancelCause); a null cause means canceled_error().
  void operator()(std::exception_ptr cause) const;

 private:
  friend struct detail::ContextAccess;
  explicit CancelFunc(std::shared_ptr<detail::CancelState> state) noexcept : state_(std::move(state)) {}

  /// The cancellation state of the context; null for the no-op function.
  std::shared_ptr<detail::CancelState> state_;
};

/// Stops an after_func registration (Go's stop func() bool).  Copyable; any
/// goroutine, concurrently.
class StopFunc {
 public:
  StopFunc() noexcept = default;

  /// Unregisters the function; returns true if that kept it from running,
  /// false if it was already started or stopped.  Does not wait for a
  /// started function to finish.
  bool operator()() const;

 private:
  friend struct detail::ContextAccess;
  explicit StopFunc(std::shared_ptr<detail::AfterFuncState> state) noexcept : state_(std::move(state)) {}

  /// The registration; null for a default-constructed StopFunc (stops nothing).
  std::shared_ptr<detail::AfterFuncState> state_;
};

/// The empty root context: never cancelled, no deadline, no values (Go's
/// context.Background).  Any thread.
Context background() noexcept;

/// The same empty context, for code not yet given one (Go's context.TODO;
/// Go tells the two apart only in String()).  Any thread.
Context todo() noexcept;

/// A child of parent with its own done channel, closed by the returned
/// CancelFunc or when parent is cancelled, whichever comes first (Go's
/// WithCancel and WithCancelCause).  The caller must eventually call the
/// CancelFunc (or cancel an ancestor): until then parent keeps the child
/// registered.  Precondition: called from a goroutine.
std::pair<Context, CancelFunc> with_cancel(const Context& parent);

/// A child of parent cancelled at d at the latest (Go's WithDeadline): if
/// parent's deadline is earlier, this is with_cancel(parent); a deadline
/// already past returns a context cancelled with DeadlineExceeded.
/// Precondition: called from a goroutine.
std::pair<Context, CancelFunc> with_deadline(const Context& parent, std::chrono::steady_clock::time_point d);

/// with_deadline whose expiry sets cause(ctx) to cause (Go 1.21's
/// WithDeadlineCause; a null cause means deadline_exceeded_error()).
/// Precondition: called from a goroutine.
std::pair<Context, CancelFunc> with_deadline_cause(const Context& parent, std::chrono::steady_clock::time_point d,
                                                   std::exception_ptr cause);

/// with_deadline(parent, now + timeout) (Go's WithTimeout); the sum saturates.
/// Precondition: called from a goroutine.
std::pair<Context, CancelFunc> with_timeout(const Context& parent, std::chrono::nanoseconds timeout);

namespace detail {
/// d rounded up to whole nanoseconds, saturating where nanoseconds overflow.
template <class Rep, class Period>
std::chrono::nanoseconds saturating_nanoseconds(std::chrono::duration<Rep, Period> d) {
  using Wide = std::chrono::duration<long double, std::nano>;
  if (Wide(d) >= Wide(std::chrono::nanoseconds::max())) return std::chrono::nanoseconds::max();
  if (Wide(d) <= Wide(std::chrono::nanoseconds::min())) return std::chrono::nanoseconds::min();
  return std::chrono::ceil<std::chrono::nanoseconds>(d);
}
}  // namespace detail

/// with_timeout for any std::chrono duration (rounded up to whole nanoseconds).
template <class Rep, class Period>
std::pair<Context, CancelFunc> with_timeout(const Context& parent, std::chrono::duration<Rep, Period> timeout) {
  return with_timeout(parent, detail::saturating_nanoseconds(timeout));
}

/// with_timeout whose expiry sets cause(ctx) to cause (Go 1.21's
/// WithTimeoutCause).  Precondition: called from a goroutine.
std::pair<Context, CancelFunc> with_timeout_cause(const Context& parent, std::chrono::nanoseconds timeout,
                                                  std::exception_ptr cause);

/// with_timeout_cause for any std::chrono duration.
template <class Rep, class Period>
std::pair<Context, CancelFunc> with_timeout_cause(const Context& parent, std::chrono::duration<Rep, Period> timeout,
                                                  std::exception_ptr cause) {
  return with_timeout_cause(parent, detail::saturating_nanoseconds(timeout), std::move(cause));
}

/// A child of parent that keeps parent's values but is never cancelled and
/// has no deadline (Go 1.21's WithoutCancel); cause() of it is null.  Any thread.
Context without_cancel(const Context& parent);

namespace detail {
/// with_value's type-erased part: a child of parent carrying value under key.
Context context_with_value(const Context& parent, const void* key, std::shared_ptr<const void> value);

/// How many contexts and after_func registrations are registered with the
/// cancellation state ctx uses (0 when it has none); for tests and
/// diagnostics.  Any goroutine.
std::size_t registered_children(const Context& ctx);
}  // namespace detail

/// A child of parent in which value(key) is a T constructed from v (Go's
/// WithValue); every other lookup goes on to parent.  A T that holds managed
/// pointers (runtime::holds_managed_pointers_v) keeps its objects alive while
/// any context carries it, as Go's context values do.  Any thread.
template <class T, class V>
Context with_value(const Context& parent, const ContextKey<T>& key, V&& v) {
  static_assert(std::is_constructible_v<T, V&&>, "with_value: the value must construct the key's type T");
  if constexpr (runtime::holds_managed_pointers_v<T>) {
    // A value holding managed pointers is a root range while a context carries it.
    auto box = std::make_shared<const runtime::Rooted<T>>(std::in_place, std::forward<V>(v));
    const T* value = &box->get();
    return detail::context_with_value(parent, &key, std::shared_ptr<const void>(std::move(box), value));
  } else {
    return detail::context_with_value(parent, &key, std::make_shared<const T>(std::forward<V>(v)));
  }
}

/// Why c was cancelled (Go 1.21's context.Cause): the cause passed to the
/// first cancellation of c or of the ancestor that cancelled it, else err();
/// null while c is not done.  Precondition: called from a goroutine.
std::exception_ptr cause(const Context& c);

namespace detail {
/// after_func's type-erased part; fn is a runtime::Rooted closure.
StopFunc after_func_rooted(const Context& ctx, std::function<void()> fn);
}  // namespace detail

/// Arranges for fn to run in its own goroutine once ctx is done — at once if
/// it already is (Go 1.21's AfterFunc), also when a deadline fires.  Calls on
/// one context are independent.  An exception escaping fn ends the program
/// like any goroutine's.  The returned StopFunc unregisters fn.  The managed
/// objects fn captured stay alive until it has run or been stopped (in Go the
/// closure is reachable from the context): fn is kept as a runtime::Rooted.
/// Precondition: called from a goroutine; fn is a copyable callable taking no
/// arguments (a lambda, not a std::function, whose captures the collector
/// could not see).
template <class F>
StopFunc after_func(const Context& ctx, F&& fn) {
  static_assert(std::is_invocable_v<std::decay_t<F>&>, "after_func: fn must be callable with no arguments");
  return detail::after_func_rooted(ctx, runtime::rooted(std::forward<F>(fn)));
}

}  // namespace gort
