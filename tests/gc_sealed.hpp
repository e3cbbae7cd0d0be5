// gc_sealed.hpp — the identity the collector tests' nodes carry, so a node the
// collector freed while it was still reachable is found dead instead of read
// as garbage.
#pragma once

#include <cstdint>

namespace gort::test {

/// An id and a seal derived from it, set by the constructor and overwritten by
/// the destructor (which the sweep runs when it frees the object).  Both are
/// read and written atomically: the stress tests publish nodes between
/// goroutines through racy stores, as Go programs may, and TSAN should check
/// the collector, not the test.  Derive a managed node type from it.
class Sealed {
 public:
  explicit Sealed(uint64_t id) {
    __atomic_store_n(&id_, id, __ATOMIC_RELAXED);
    __atomic_store_n(&seal_, seal_of(id), __ATOMIC_RELAXED);
  }
  ~Sealed() { __atomic_store_n(&seal_, kDead, __ATOMIC_RELAXED); }
  Sealed(const Sealed&) = delete;
  Sealed& operator=(const Sealed&) = delete;

  /// The id given to the constructor.
  uint64_t ident() const { return __atomic_load_n(&id_, __ATOMIC_RELAXED); }
  /// False once the destructor ran (or the memory was reused by another object).
  bool intact() const { return __atomic_load_n(&seal_, __ATOMIC_RELAXED) == seal_of(ident()); }

 private:
  /// What the destructor leaves: never a seal_of(id) for the ids the tests use.
  static constexpr uint64_t kDead = 0xdeaddeaddeaddeadULL;
  /// Fibonacci hashing's multiplier: a seal unlike its id and unlike zeroed memory.
  static uint64_t seal_of(uint64_t id) { return id * 0x9e3779b97f4a7c15ULL; }

  uint64_t id_;
  uint64_t seal_;
};

/// True for null or an intact node (a free slot that reached a list is not).
template <class N>
bool intact(const N* n) {
  return n == nullptr || n->intact();
}

}  // namespace gort::test
