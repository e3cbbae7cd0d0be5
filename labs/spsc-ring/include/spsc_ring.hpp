// spsc_ring.hpp — a lock-free single-producer single-consumer ring buffer
// (the course's Appendix B.1, week 10), shared by the spsc-ring and chan-bench labs.
//
// Design, as B.1 sketches it for Go:
//   - a backing array of `capacity` slots, capacity a power of two;
//   - two free-running 64-bit indices: `tail` (next slot the producer writes,
//     written only by the producer) and `head` (next slot the consumer reads,
//     written only by the consumer); the ring holds tail - head values;
//   - the producer loads its own tail relaxed, loads head with acquire to check
//     for room, writes the slot, then publishes it with a release store of
//     tail + 1; the consumer is symmetric.  No CAS, no read-modify-write, no
//     lock: each side is wait-free (try_push/try_pop finish in a bounded number
//     of steps whatever the other side does).
//
// Why acquire/release is enough.  The producer's release store of tail = t+1
// comes after its write of slot t; the consumer's acquire load that sees t+1
// therefore sees the slot's value (happens-before through tail).  Likewise the
// consumer's release store of head = h+1 comes after its read of slot h, and
// the producer's acquire load that sees h+1 orders its next write of that slot
// (h + capacity) after the read: a slot is never overwritten while it is read.
// Each index has one writer, so no store is ever lost and no CAS is needed.
//
// The layout is the lab's subject.  Ring<T, IndexLayout::kPadded> keeps head
// and tail on cache lines of their own (the course's [7]uint64 padding);
// Ring<T, IndexLayout::kSharedLine> is the `withoutPad` ablation: both indices
// on one line, so every store by one side invalidates the line the other side
// keeps reading (false sharing), and each push or pop moves that line between
// the two cores.  In both layouts the fields read by both sides and written by
// neither (mask, slot pointer, capacity) sit on a line of their own, so the
// index placement is the only difference between the two.
//
// B.1's ring reads the other side's index on every push and pop, so the index
// lines cross between the cores on every message whatever the padding.  The
// usual refinement (folly's ProducerConsumerQueue, Rigtorp's SPSCQueue) keeps
// a private copy of the other side's index next to one's own and reloads the
// shared one only when the copy says full (producer) or empty (consumer):
// OtherIndex::kCached.  Then a side's line stays in its own cache between
// those reloads, unless false sharing (kSharedLine) drags it across.
//
// The ring knows nothing of goroutines: try_push/try_pop never block, and
// push/pop take the caller's wait policy (the lab passes gort::gosched).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace spsc {

/// Bytes per cache line on x86-64 (and most ARM64 cores): the unit the cache
/// coherence protocol moves between cores, so two variables written by
/// different cores must be at least this far apart to never share one.  The
/// course's Go pads with [7]uint64 after a uint64, i.e. to 64 bytes; we keep its
/// figure rather than std::hardware_destructive_interference_size, whose value
/// GCC warns may change between compiler versions (-Winterference-size).
/// (Intel's adjacent-line prefetcher pulls lines in pairs, which is why some
/// libraries pad to 128 on x86; the lab measures the course's 64.)
inline constexpr std::size_t kCacheLineBytes = 64;

/// Where head and tail live relative to each other.
enum class IndexLayout {
  /// head and tail each on a cache line of its own (the course's padded ring).
  kPadded,
  /// head and tail side by side on one cache line (the course's withoutPad).
  kSharedLine,
};

/// How a side learns the other side's index.
enum class OtherIndex {
  /// Loads it on every push and pop (B.1's ring).
  kReadEveryTime,
  /// Keeps a private copy and reloads the shared index only when the copy says
  /// full or empty.
  kCached,
};

namespace detail {

/// The two indices and each side's private copy of the other's, laid out as
/// the layout says: head and cached_tail belong to the consumer, tail and
/// cached_head to the producer (each written by its owner only; the copies are
/// unused with OtherIndex::kReadEveryTime).
template <IndexLayout L>
struct Indices;

template <>
struct Indices<IndexLayout::kPadded> {
  /// Next index the consumer reads (values consumed so far).
  alignas(kCacheLineBytes) std::atomic<std::uint64_t> head{0};
  /// The consumer's copy of tail, on the consumer's line.
  std::uint64_t cached_tail = 0;
  /// Next index the producer writes (values produced so far).
  alignas(kCacheLineBytes) std::atomic<std::uint64_t> tail{0};
  /// The producer's copy of head, on the producer's line.
  std::uint64_t cached_head = 0;
};

template <>
struct Indices<IndexLayout::kSharedLine> {
  /// Next index the consumer reads (values consumed so far).
  alignas(kCacheLineBytes) std::atomic<std::uint64_t> head{0};
  /// Next index the producer writes: 8 bytes after head, on the same line.
  std::atomic<std::uint64_t> tail{0};
  /// The consumer's copy of tail, on the same line.
  std::uint64_t cached_tail = 0;
  /// The producer's copy of head, on the same line.
  std::uint64_t cached_head = 0;
};

static_assert(offsetof(Indices<IndexLayout::kPadded>, tail) == kCacheLineBytes);
static_assert(offsetof(Indices<IndexLayout::kSharedLine>, tail) == sizeof(std::uint64_t));
static_assert(sizeof(Indices<IndexLayout::kSharedLine>) == kCacheLineBytes);

}  // namespace detail

/// A bounded lock-free queue for exactly one producer and one consumer.
/// T must be default-constructible and nothrow copy/move-assignable (slots are
/// created once and then assigned).
template <class T, IndexLayout L = IndexLayout::kPadded, OtherIndex R = OtherIndex::kReadEveryTime>
class Ring {
  static_assert(std::is_default_constructible_v<T>, "ring slots are default-constructed once");
  static_assert(std::is_nothrow_move_assignable_v<T> && std::is_nothrow_copy_assignable_v<T>,
                "a slot assignment must not throw between the slot write and the index store");

 public:
  /// The index layout this ring was built with.
  static constexpr IndexLayout kLayout = L;
  /// How each side reads the other's index.
  static constexpr OtherIndex kOtherIndex = R;

  /// Makes an empty ring of `capacity` slots (all allocated here, never on
  /// push or pop).  `start_index` is where both indices begin: 0 normally; a
  /// test passes a value near 2^64 to run the indices through their wrap.
  /// Precondition: capacity is a power of two, at least 1 and at most 2^32
  /// (throws std::invalid_argument otherwise).  A power of two makes the slot
  /// of an index `index & mask` (one AND, no division) and keeps that mapping
  /// continuous when the 64-bit index wraps, since 2^64 is a multiple of it.
  explicit Ring(std::size_t capacity, std::uint64_t start_index = 0)
      : shared_{checked_capacity(capacity) - 1, std::make_unique<T[]>(capacity), capacity} {
    indices_.head.store(start_index, std::memory_order_relaxed);
    indices_.tail.store(start_index, std::memory_order_relaxed);
    indices_.cached_head = start_index;
    indices_.cached_tail = start_index;
  }

  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  /// Appends v if there is room; returns false (and leaves v unused) when the
  /// ring is full.  Precondition: called by the ring's one producer only.
  bool try_push(const T& v) noexcept {
    const std::uint64_t tail = indices_.tail.load(std::memory_order_relaxed);  // ours: no other writer
    if constexpr (R == OtherIndex::kCached) {
      if (tail - indices_.cached_head == shared_.capacity) {
        indices_.cached_head = indices_.head.load(std::memory_order_acquire);  // as below, only when needed
        if (tail - indices_.cached_head == shared_.capacity) return false;
      }
    } else {
      const std::uint64_t head = indices_.head.load(std::memory_order_acquire);  // orders after the consumer's read
      if (tail - head == shared_.capacity) return false;
    }
    shared_.slots[tail & shared_.mask] = v;
    indices_.tail.store(tail + 1, std::memory_order_release);  // publishes the slot
    return true;
  }

  /// Removes the oldest value into *out; returns false (leaving *out alone)
  /// when the ring is empty.  Precondition: called by the ring's one consumer
  /// only; out is not null.
  bool try_pop(T* out) noexcept {
    const std::uint64_t head = indices_.head.load(std::memory_order_relaxed);  // ours: no other writer
    if constexpr (R == OtherIndex::kCached) {
      if (head == indices_.cached_tail) {
        indices_.cached_tail = indices_.tail.load(std::memory_order_acquire);  // as below, only when needed
        if (head == indices_.cached_tail) return false;
      }
    } else {
      const std::uint64_t tail = indices_.tail.load(std::memory_order_acquire);  // sees the producer's slot write
      if (head == tail) return false;
    }
    *out = std::move(shared_.slots[head & shared_.mask]);
    indices_.head.store(head + 1, std::memory_order_release);  // hands the slot back
    return true;
  }

  /// Appends v, calling wait() each time the ring is found full, and returns
  /// how many times it waited.  Precondition: producer only; wait() lets the
  /// consumer make progress (yields, or the consumer runs on another core).
  template <class Wait>
  std::uint64_t push(const T& v, Wait&& wait) {
    std::uint64_t waits = 0;
    while (!try_push(v)) {
      wait();
      ++waits;
    }
    return waits;
  }

  /// Removes the oldest value into *out, calling wait() each time the ring is
  /// found empty, and returns how many times it waited.  Precondition:
  /// consumer only; out is not null; wait() lets the producer make progress.
  template <class Wait>
  std::uint64_t pop(T* out, Wait&& wait) {
    std::uint64_t waits = 0;
    while (!try_pop(out)) {
      wait();
      ++waits;
    }
    return waits;
  }

  /// Number of slots.
  std::size_t capacity() const noexcept { return shared_.capacity; }

  /// Values in the ring at some moment during the call (exact when neither
  /// side runs concurrently).  Any thread may call it.
  std::size_t size() const noexcept {
    const std::uint64_t head = indices_.head.load(std::memory_order_acquire);
    const std::uint64_t tail = indices_.tail.load(std::memory_order_acquire);
    return static_cast<std::size_t>(tail - head);
  }

  /// Address of the head index (for reports and tests of the layout).
  const void* head_address() const noexcept { return &indices_.head; }
  /// Address of the tail index (for reports and tests of the layout).
  const void* tail_address() const noexcept { return &indices_.tail; }

 private:
  /// Largest capacity accepted: 2^32 slots (beyond any lab's need, and far from
  /// the 2^63 where tail - head could no longer tell full from empty).
  static constexpr std::size_t kMaxCapacity = std::size_t{1} << 32;

  /// Returns capacity if it is a power of two in [1, kMaxCapacity]; throws
  /// std::invalid_argument otherwise.
  static std::size_t checked_capacity(std::size_t capacity) {
    if (capacity == 0 || capacity > kMaxCapacity || (capacity & (capacity - 1)) != 0) {
      throw std::invalid_argument("spsc::Ring capacity must be a power of two in [1, 2^32], not " +
                                  std::to_string(capacity));
    }
    return capacity;
  }

  /// What both sides read and neither writes after construction, on a line of
  /// its own so it shares no line with an index.
  struct alignas(kCacheLineBytes) Shared {
    /// capacity - 1: an index's slot is index & mask.
    std::size_t mask;
    /// The capacity slots.
    std::unique_ptr<T[]> slots;
    /// Number of slots (a power of two).
    std::size_t capacity;
  };

  /// head, tail and the private copies, padded or not as L says.
  detail::Indices<L> indices_;
  /// mask, slots and capacity.
  Shared shared_;
};

}  // namespace spsc
