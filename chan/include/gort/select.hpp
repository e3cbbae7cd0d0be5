// gort/select.hpp — Go's select statement: gort::select with on_recv, on_send
// and on_default cases.
//
//   int i = gort::select(
//       gort::on_recv(c, [](int v, bool ok) { ... }),   // or (int v), or ()
//       gort::on_send(out, 42, [] { ... }),             // callback optional
//       gort::on_default([] { ... }));                  // at most one
//
// Exactly one case runs: a ready case chosen uniformly at random, else the
// default, else the goroutine parks until a case can proceed.  Its callback
// runs after every channel lock is released; select returns that case's
// position in the argument list.  A nil channel's case is never chosen; a
// select with no cases (gort::select()) blocks forever.  The algorithm is Go's
// selectgo (chan/src/select.cpp).
#pragma once

#include <gort/chan.hpp>

#include <cstddef>
#include <functional>
#include <type_traits>
#include <utility>

namespace gort {

namespace detail {

/// A callback that does nothing (the default for on_send and on_default).
struct NoAction {
  void operator()() const noexcept {}
};

template <class T, class F>
struct RecvCase {
  static constexpr bool kIsDefault = false;
  /// The channel, borrowed from the caller's handle for the select's duration.
  hchan* c;
  /// Called as fn(v, ok), fn(v) or fn() with the received value.
  F fn;
  /// Where selectgo receives into.
  ElemSlot<T> slot;

  void fill(SelectCase* out) { *out = {c, std::addressof(slot.value), false}; }

  void complete(bool received) {
    if constexpr (std::is_invocable_v<F&, T, bool>) {
      if (received) {
        std::invoke(fn, slot.take(), true);
      } else {
        std::invoke(fn, T{}, false);
      }
    } else if constexpr (std::is_invocable_v<F&, T>) {
      std::invoke(fn, received ? slot.take() : T{});
    } else {
      static_assert(std::is_invocable_v<F&>, "on_recv callback must take (T, bool), (T) or ()");
      if (received) slot.take();  // the value is dropped, as in `case <-c:`
      std::invoke(fn);
    }
  }
};

template <class T, class F>
struct SendCase {
  static constexpr bool kIsDefault = false;
  /// The channel, borrowed from the caller's handle.
  hchan* c;
  /// The value to send; moved out only if this case is chosen.
  T value;
  /// Called with no arguments after the send.
  F fn;

  void fill(SelectCase* out) { *out = {c, std::addressof(value), true}; }
  void complete(bool) { std::invoke(fn); }
};

template <class F>
struct DefaultCase {
  static constexpr bool kIsDefault = true;
  /// Called when no other case is ready.
  F fn;
};

template <class C>
inline constexpr bool is_default_case_v = std::remove_reference_t<C>::kIsDefault;

}  // namespace detail

/// A receive case (case v, ok := <-c).  fn takes (T v, bool ok), (T v) or ().
template <class T, class F = detail::NoAction>
detail::RecvCase<T, std::decay_t<F>> on_recv(const Chan<T>& c, F&& fn = {}) {
  return {c.raw(), std::forward<F>(fn), {}};
}

/// A send case (case c <- v): v is moved into the case and sent only if the
/// case is chosen; fn (no arguments) runs after the send.
template <class T, class V, class F = detail::NoAction>
detail::SendCase<T, std::decay_t<F>> on_send(const Chan<T>& c, V&& v, F&& fn = {}) {
  return {c.raw(), T(std::forward<V>(v)), std::forward<F>(fn)};
}

/// The default case: runs when no other case can proceed without blocking.
template <class F = detail::NoAction>
detail::DefaultCase<std::decay_t<F>> on_default(F&& fn = {}) {
  return {std::forward<F>(fn)};
}

/// Runs one select statement over the cases (see the top of this file) and
/// returns the position of the case that ran.  At most one on_default.
/// Panics "send on closed channel" if a chosen send case's channel is closed.
/// Precondition: called from a goroutine; the channels outlive the call.
template <class... Cases>
int select(Cases&&... cases) {
  constexpr int kDefaults = (0 + ... + (detail::is_default_case_v<Cases> ? 1 : 0));
  constexpr int kChannelCases = static_cast<int>(sizeof...(Cases)) - kDefaults;
  static_assert(kDefaults <= 1, "select: more than one on_default case");

  detail::SelectCase scases[kChannelCases > 0 ? kChannelCases : 1];
  {
    int k = 0;
    [[maybe_unused]] auto fill = [&](auto& cas) {
      if constexpr (!detail::is_default_case_v<decltype(cas)>) cas.fill(&scases[k++]);
    };
    (fill(cases), ...);
  }
  const detail::SelectResult r = detail::selectgo(scases, kChannelCases, kDefaults == 0);

  // Run the chosen case: r.index counts channel cases only; map it back to
  // the argument position (the default case is chosen when r.index < 0).
  int position = 0;
  int channel_index = 0;
  int ran = -1;
  [[maybe_unused]] auto dispatch = [&](auto& cas) {
    if constexpr (detail::is_default_case_v<decltype(cas)>) {
      if (r.index < 0) {
        ran = position;
        std::invoke(cas.fn);
      }
    } else {
      if (channel_index++ == r.index) {
        ran = position;
        cas.complete(r.received);
      }
    }
    ++position;
  };
  (dispatch(cases), ...);
  return ran;
}

}  // namespace gort
