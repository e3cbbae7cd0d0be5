// gort/detail/chan_core.hpp — the type-erased channel (Go's hchan) behind
// gort::Chan<T> and gort::select.  Not for direct use: include <gort/chan.hpp>.
//
// Like Go's runtime, which has one chansend/chanrecv for every element type
// and moves elements with typedmemmove, gort has one implementation of the
// channel algorithms (chan/src/chan.cpp, select.cpp) working on raw element
// addresses; the template layer only supplies an ElemOps table saying how to
// move and destroy a T.  One implementation keeps the subtle code in one place
// and out of every user's compile; the cost is an indirect call per element
// moved, and none at all for trivially copyable elements (memcpy).
//
// Elements that may hold managed pointers (runtime::holds_managed_pointers_v:
// gc::Ref, Ptr, Slice, String, types with trace(), and std containers of
// fixed shape over them) keep their objects alive as Go's channels do: the
// buffer is a root range the collector scans, and every element moved while
// a mark runs is shaded first (chan.cpp explains the barrier).  The test is
// made at compile time, so channels of other types pay nothing.
#pragma once

#include <gort/runtime/internal/root_range.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>

namespace gort::detail {

/// How the channel moves and destroys elements of one type.
struct ElemOps {
  /// sizeof(T) and alignof(T).
  std::size_t size;
  std::size_t align;
  /// True when T is trivially copyable and holds no managed pointers:
  /// elements move with memcpy and need no destruction or barrier.
  bool trivial;
  /// True when T may hold managed pointers: the buffer is a root range and
  /// moves are shaded during a mark.
  bool scan;
  /// Move-constructs a T into raw storage dst from the live T at src (which
  /// stays alive, moved-from).  Must not throw.
  void (*move_construct)(void* dst, void* src) noexcept;
  /// Destroys the T at p.
  void (*destroy)(void* p) noexcept;
};

template <class T>
void elem_move_construct(void* dst, void* src) noexcept {
  ::new (dst) T(std::move(*static_cast<T*>(src)));
}

template <class T>
void elem_destroy(void* p) noexcept {
  static_cast<T*>(p)->~T();
}

/// The one ElemOps table of T (an inline variable: one address per program).
template <class T>
inline constexpr ElemOps elem_ops_for{sizeof(T),
                                      alignof(T),
                                      std::is_trivially_copyable_v<T> && !runtime::holds_managed_pointers_v<T>,
                                      runtime::holds_managed_pointers_v<T>,
                                      &elem_move_construct<T>,
                                      &elem_destroy<T>};

/// The channel object (defined in chan/src/hchan.hpp); user code holds it only
/// through Chan<T>, which counts references to it.
struct hchan;

/// Creates a channel of elements described by ops with room for capacity
/// buffered elements (0: unbuffered) and one reference (mirrors makechan).
/// Panics "makechan: size out of range" if capacity is negative or too large.
hchan* makechan(const ElemOps* ops, int64_t capacity);

/// Adds a reference to c.  Precondition: c is non-null and referenced.
void chan_retain(hchan* c) noexcept;

/// Drops a reference to c; the last one destroys the buffered elements and
/// frees c.  Precondition: c is non-null and referenced.
void chan_release(hchan* c) noexcept;

/// Sends the element at ep (mirrors chansend): moves it into a waiting
/// receiver or the buffer, or, if block, parks until it can.  Returns whether
/// it was sent (false only when !block).  A nil c blocks forever (or returns
/// false if !block).  Panics "send on closed channel".  Precondition: called
/// from a goroutine; ep is a live element.
bool chansend(hchan* c, void* ep, bool block);

/// What a receive did (mirrors chanrecv's two results).
struct RecvResult {
  /// The operation completed (always true when blocking).
  bool selected;
  /// An element was moved into the destination; false with selected means the
  /// channel was closed and drained (the caller supplies the zero value).
  bool received;
};

/// Receives into the raw storage at ep (mirrors chanrecv): from a waiting
/// sender, the buffer, or, if block, after parking.  A nil c blocks forever (or
/// returns {false, false} if !block).  Precondition: called from a goroutine;
/// ep is storage for one element, constructed only when received is true.
RecvResult chanrecv(hchan* c, void* ep, bool block);

/// Closes c (mirrors closechan): wakes every waiting receiver (they see the
/// channel closed) and every waiting sender (they panic).  Panics "close of
/// nil channel" or "close of closed channel".
void closechan(hchan* c);

/// Number of elements buffered in c (0 for nil); a racy snapshot, as in Go.
int chanlen(const hchan* c) noexcept;

/// Buffer capacity of c (0 for nil).
int chancap(const hchan* c) noexcept;

/// One non-default case of a select, as selectgo sees it (mirrors scase).
struct SelectCase {
  /// The channel; nil cases are never chosen.
  hchan* c;
  /// Send: the live element to send.  Receive: raw storage to receive into.
  void* elem;
  /// True for a send case.
  bool is_send;
};

/// Result of selectgo: the index of the chosen case (-1: none ready and
/// !block) and, for a receive, whether an element was received.
struct SelectResult {
  int index;
  bool received;
};

/// Runs a select over cases[0..n) (mirrors selectgo): picks a ready case in a
/// random order, else (if block) parks on every channel until one is ready.
/// With n == 0 and block it parks forever ("select (no cases)").
/// Precondition: called from a goroutine; n <= kMaxSelectCases.
SelectResult selectgo(SelectCase* cases, int n, bool block);

/// Upper bound on the cases of one select (Go's limit is 65536, from uint16 indices).
inline constexpr int kMaxSelectCases = 65536;

}  // namespace gort::detail
