// gort/chan.hpp — Go channels: gort::Chan<T> and gort::make_chan.
//
// A Chan<T> is a handle, like a Go channel value: copying it copies the
// reference (the channel lives until its last handle is gone), and a
// default-constructed Chan is the nil channel, on which send and receive block
// forever.  Operations are const: they act on the channel, not on the handle,
// so a lambda that captured a handle by copy can use it without `mutable`.  Operations park the calling goroutine, never its OS thread.  The
// algorithms are Go's (chan/src/chan.cpp); elements are moved, never copied,
// so move-only types work.
#pragma once

#include <gort/detail/chan_core.hpp>

#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

namespace gort {

namespace detail {

/// Raw storage for one T, constructed only when a receive delivers a value.
template <class T>
union ElemSlot {
  ElemSlot() {}
  ~ElemSlot() {}
  T value;

  /// Moves the received value out and destroys the slot's copy.
  /// Precondition: the slot holds a value.
  T take() noexcept(std::is_nothrow_move_constructible_v<T>) {
    T out(std::move(value));
    value.~T();
    return out;
  }
};

}  // namespace detail

template <class T>
class Chan {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "channel elements move between goroutines: T needs a noexcept move (or copy) constructor");
  static_assert(!std::is_reference_v<T> && !std::is_const_v<T>, "channel elements are values");

 public:
  using value_type = T;

  /// The nil channel.
  Chan() noexcept = default;
  Chan(const Chan& o) noexcept : c_(o.c_) {
    if (c_ != nullptr) detail::chan_retain(c_);
  }
  Chan(Chan&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
  Chan& operator=(Chan o) noexcept {
    std::swap(c_, o.c_);
    return *this;
  }
  ~Chan() {
    if (c_ != nullptr) detail::chan_release(c_);
  }

  /// Sends v (c <- v): blocks until a receiver takes it or buffer space frees.
  /// Panics "send on closed channel" (also if the channel is closed while
  /// waiting); blocks forever on the nil channel.  Precondition: called from a
  /// goroutine.
  void send(T&& v) const { detail::chansend(c_, std::addressof(v), true); }
  /// Sends a copy of v; see send(T&&).
  void send(const T& v) const {
    T copy(v);
    detail::chansend(c_, std::addressof(copy), true);
  }

  /// Receives a value (<-c), blocking until one is available; on a closed and
  /// drained channel returns T{} at once.  Precondition: called from a
  /// goroutine; T is default-constructible.
  T recv() const { return recv2().first; }

  /// Receives a value and whether it came from a send (v, ok := <-c): ok is
  /// false, with T{}, once the channel is closed and drained.  Precondition:
  /// called from a goroutine; T is default-constructible.
  std::pair<T, bool> recv2() const {
    detail::ElemSlot<T> slot;
    const detail::RecvResult r = detail::chanrecv(c_, std::addressof(slot.value), true);
    if (!r.received) return {T{}, false};
    return {slot.take(), true};
  }

  /// Sends v if that can be done without blocking (select with a default);
  /// returns whether it was sent (v is left untouched if not).  Panics "send
  /// on closed channel".  Precondition: called from a goroutine.
  bool try_send(T&& v) const { return detail::chansend(c_, std::addressof(v), false); }
  /// Sends a copy of v if that can be done without blocking; see try_send(T&&).
  bool try_send(const T& v) const {
    T copy(v);
    return detail::chansend(c_, std::addressof(copy), false);
  }

  /// Receives a value if one is available without blocking, else nullopt —
  /// also on a closed and drained channel; use recv2 or select to tell a closed
  /// channel apart.  Precondition: called from a goroutine.
  std::optional<T> try_recv() const {
    detail::ElemSlot<T> slot;
    const detail::RecvResult r = detail::chanrecv(c_, std::addressof(slot.value), false);
    if (!r.received) return std::nullopt;
    return std::optional<T>(slot.take());
  }

  /// Closes the channel (close(c)): receivers drain the buffer and then see
  /// ok == false; waiting senders panic.  Panics "close of nil channel" or
  /// "close of closed channel".
  void close() const { detail::closechan(c_); }

  /// Number of buffered elements (len(c)); 0 for the nil channel.
  int len() const noexcept { return detail::chanlen(c_); }

  /// Buffer capacity (cap(c)); 0 for the nil channel.
  int cap() const noexcept { return detail::chancap(c_); }

  /// True unless this is the nil channel.
  explicit operator bool() const noexcept { return c_ != nullptr; }

  /// True when both handles name the same channel (Go's == on channels).
  friend bool operator==(const Chan& a, const Chan& b) noexcept { return a.c_ == b.c_; }

  /// Input iterator of `for (T v : c)`, receiving until the channel is closed
  /// and drained.  Dereferencing yields the received value as an rvalue (it
  /// is the loop's to keep), so move-only elements work.
  class iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    T&& operator*() { return std::move(*current_); }
    iterator& operator++() {
      receive();
      return *this;
    }
    void operator++(int) { receive(); }
    bool operator==(std::default_sentinel_t) const { return !current_.has_value(); }

   private:
    friend class Chan;
    explicit iterator(detail::hchan* c) : c_(c) { receive(); }
    void receive() {
      detail::ElemSlot<T> slot;
      current_.reset();
      if (detail::chanrecv(c_, std::addressof(slot.value), true).received) current_.emplace(slot.take());
    }
    detail::hchan* c_ = nullptr;
    std::optional<T> current_;
  };

  /// Starts a range loop: receives the first value (blocking).  Precondition:
  /// called from a goroutine; the channel outlives the loop.
  iterator begin() const { return iterator(c_); }
  std::default_sentinel_t end() const noexcept { return {}; }

  /// The type-erased channel, for select.  Borrowed: valid while this handle is.
  detail::hchan* raw() const noexcept { return c_; }

 private:
  template <class U>
  friend Chan<U> make_chan(int64_t capacity);
  explicit Chan(detail::hchan* c) noexcept : c_(c) {}

  /// The channel, or null for the nil channel.  One counted reference.
  detail::hchan* c_ = nullptr;
};

/// Creates a channel of T with room for capacity buffered elements (make(chan
/// T, capacity)); 0 makes an unbuffered channel.  Panics "makechan: size out
/// of range" if capacity is negative or too large.
template <class T>
Chan<T> make_chan(int64_t capacity = 0) {
  return Chan<T>(detail::makechan(&detail::elem_ops_for<T>, capacity));
}

}  // namespace gort
