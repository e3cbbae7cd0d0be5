// hchan.hpp — the channel record and its wait queues (mirrors hchan and waitq
// in chan.go), shared by chan.cpp and select.cpp.
#pragma once

#include <gort/detail/chan_core.hpp>
#include <gort/runtime/internal/lock.hpp>
#include <gort/runtime/internal/mprof.hpp>
#include <gort/runtime/internal/root_range.hpp>
#include <gort/runtime/internal/sudog.hpp>
#include <gort/runtime/internal/wait_reason.hpp>

#include <atomic>
#include <cstdint>
#include <cstring>

namespace gort::detail {

using runtime::Sudog;

/// A FIFO of sudogs waiting on one channel (mirrors waitq).
struct WaitQueue {
  Sudog* first = nullptr;
  Sudog* last = nullptr;

  /// Appends sg.  Precondition: the channel lock is held.
  void enqueue(Sudog* sg) {
    sg->next = nullptr;
    sg->prev = last;
    if (last == nullptr) {
      first = sg;
    } else {
      last->next = sg;
    }
    last = sg;
  }

  /// Removes and returns the first sudog whose goroutine can still be woken
  /// through it (mirrors waitq.dequeue): a select sudog whose goroutine another
  /// waker already claimed is dropped and skipped (that goroutine removes its
  /// other sudogs itself).  Precondition: the channel lock is held.
  Sudog* dequeue() {
    for (;;) {
      Sudog* sg = first;
      if (sg == nullptr) return nullptr;
      Sudog* y = sg->next;
      if (y == nullptr) {
        first = last = nullptr;
      } else {
        y->prev = nullptr;
        first = y;
        sg->next = nullptr;
      }
      if (sg->is_select) {
        uint32_t expected = 0;
        if (!sg->wait->select_done.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) continue;
      }
      return sg;
    }
  }

  /// Removes sg if it is still queued (mirrors waitq.dequeueSudoG): a select
  /// taking back its losing sudogs.  Precondition: the channel lock is held.
  void remove(Sudog* sg) {
    Sudog* x = sg->prev;
    Sudog* y = sg->next;
    if (x != nullptr) {
      x->next = y;
      if (y != nullptr) {
        y->prev = x;
      } else {
        last = x;
      }
    } else if (y != nullptr) {
      y->prev = nullptr;
      first = y;
    } else if (first == sg) {  // the only element, or already dequeued
      first = last = nullptr;
    }
    sg->next = sg->prev = nullptr;
  }
};

/// The channel (mirrors hchan).  Allocated in one block with its buffer.
struct hchan {
  /// Protects every field below except those marked atomic, and the sudogs on
  /// recvq/sendq.  Must not be held while readying a goroutine (ready after
  /// unlock, as Go does, so the woken goroutine never spins on it at once).
  runtime::Lock lock;
  /// Elements in the buffer; written under lock, read without it by len() and
  /// the non-blocking fast paths.
  std::atomic<uint32_t> qcount{0};
  /// Buffer capacity in elements (0 = unbuffered).
  uint32_t dataqsiz = 0;
  /// Set once by close, under lock; read without it by the fast paths.
  std::atomic<uint32_t> closed{0};
  /// Next buffer slot to send into / receive from.
  uint32_t sendx = 0;
  uint32_t recvx = 0;
  /// Goroutines blocked receiving / sending.
  WaitQueue recvq;
  WaitQueue sendq;
  /// How to move and destroy elements.
  const ElemOps* ops = nullptr;
  /// Start of the ring buffer of dataqsiz elements (raw storage; the slots in
  /// [recvx, recvx + qcount) hold live elements; for ops->scan, the others
  /// are zero bytes).
  unsigned char* buf = nullptr;
  /// The buffer as a root range, registered while the channel exists when
  /// ops->scan and dataqsiz > 0.
  runtime::RootRange buf_range;
  /// References from Chan<T> handles (and select cases in flight do not count:
  /// they borrow the caller's handle).
  std::atomic<int64_t> refs{1};

  /// Address of buffer slot i.
  void* slot(uint32_t i) const { return buf + std::size_t(i) * ops->size; }

  /// Move-constructs the element at src into raw dst (Go's typedmemmove).
  /// Every move of a scan element is a value leaving src (a stack or a buffer
  /// slot) for dst (a buffer slot or another goroutine's stack), so shading
  /// src while a mark runs is the barrier for both sides (Go's
  /// bulkBarrierPreWrite in typedmemmove, typeBitsBulkBarrier in sendDirect).
  void move_elem(void* dst, void* src) const {
    if (!ops->trivial) {
      move_elem_slow(dst, src);
      return;
    }
    // Word-sized elements (ints, pointers, small structs: most channels) are
    // copied inline; a memcpy call of run-time size costs as much as the rest
    // of a buffered send.
    switch (ops->size) {
      case 8:
        std::memcpy(dst, src, 8);
        break;
      case 4:
        std::memcpy(dst, src, 4);
        break;
      case 16:
        std::memcpy(dst, src, 16);
        break;
      case 0:
        break;
      default:
        std::memcpy(dst, src, ops->size);
    }
  }

  /// Moves the element at buffer slot src into raw dst and destroys the one
  /// at src; a scan slot is then zeroed, so the buffer's scan finds only live
  /// elements (Go's typedmemclr of the slot).
  void relocate_elem(void* dst, void* src) const {
    move_elem(dst, src);
    if (!ops->trivial) vacate_slot(src);
  }

  /// move_elem for elements that are not trivial: the barrier of scan
  /// elements, then T's move constructor.  Out of line, like vacate_slot, so
  /// that the inline paths of trivial elements keep their size and registers
  /// (channels of plain values pay nothing for the barrier).
  void move_elem_slow(void* dst, void* src) const;

  /// Destroys the element at buffer slot p and, for scan elements, zeroes it.
  void vacate_slot(void* p) const;

  /// True when a send could not complete now (mirrors full()).
  /// Precondition: c's lock is held.
  bool full() const {
    if (dataqsiz == 0) return recvq.first == nullptr;
    return qcount.load(std::memory_order_relaxed) == dataqsiz;
  }

  /// True when a receive could not complete now (mirrors empty()).
  /// Precondition: c's lock is held.
  bool empty() const {
    if (dataqsiz == 0) return sendq.first == nullptr;
    return qcount.load(std::memory_order_relaxed) == 0;
  }
};

/// Throws Go's "send on closed channel" panic.
[[noreturn]] void panic_send_on_closed();

/// Parks the calling goroutine forever with `reason` (a nil channel operation,
/// an empty select).  Precondition: called from a goroutine.
[[noreturn]] void block_forever(runtime::WaitReason reason);

/// Unlocks c; the unlockf of a goroutine parking on one channel.
bool unlock_chan_after_park(runtime::G* gp, void* c);

/// Asks sg's waker for a release time when the block profile is on (Go's
/// `mysg.releasetime = -1` in chansend, chanrecv, selectgo) and returns the
/// block's start time, 0 when off.
inline int64_t block_profile_start(Sudog* sg) {
  if (runtime::block_profile_rate() <= 0) return 0;
  sg->releasetime = -1;
  return runtime::prof_nanotime();
}

/// The waker's half: stamps the time sg's goroutine is readied, when asked
/// (the releasetime stores of send, recv and closechan).  Holds c's lock.
inline void set_release_time(Sudog* sg) {
  if (sg->releasetime != 0) sg->releasetime = runtime::prof_nanotime();
}

/// Moves the element at ep into the waiting receiver sg and marks it woken by
/// a communication (the first half of Go's send); returns its goroutine, which
/// the caller readies after releasing the channel lock(s).  Precondition: the
/// lock of sg's channel is held and sg was just dequeued from its recvq.
runtime::G* give_to_receiver(Sudog* sg, hchan* c, void* ep);

/// Receives into ep from the waiting sender sg (the first half of Go's recv):
/// unbuffered, the sender's element; buffer full, the buffer's head, with the
/// sender's element appended in its place.  Returns the sender's goroutine, to
/// be readied after unlocking.  Precondition: c's lock is held and sg was just
/// dequeued from c's sendq.
runtime::G* take_from_sender(Sudog* sg, hchan* c, void* ep);

/// Moves the element at ep into the next free buffer slot.  Precondition: c's
/// lock is held and the buffer is not full.
void buffer_put(hchan* c, void* ep);

/// Moves the oldest buffered element into ep.  Precondition: c's lock is held
/// and the buffer is not empty.
void buffer_take(hchan* c, void* ep);

}  // namespace gort::detail
