// gort/pool.hpp — gort::Pool<T>, Go's sync.Pool (mirrors src/sync/pool.go and
// poolCleanup's hook into the collector).
//
// A cache of reusable values with per-P storage: each P has a private slot and
// a shared list; get takes the caller's P's private value, else the newest of
// its shared list, else steals the oldest from another P, else looks in the
// victim caches, else calls the New function.  Every collection moves each
// pool's caches to its victim caches and drops the previous victims (Go 1.13's
// victim cache), so a value survives at most two cycles unused, and a pool
// never keeps memory alive that the program stopped asking for.
//
// Differences from Go, and why: Go pins the goroutine to its P and uses a
// lock-free chain for the shared list; here each P's slot has its own runtime
// lock (uncontended on the owner's path, about the cost of Go's pin + atomics),
// because a C++ value's move constructor may be arbitrary code, and the same
// lock lets the collector's cleanup run while a thread without a P (which
// uses slot 0) is mid-operation.  A get that misses looks at GOMAXPROCS slots.  T's moves must
// not allocate managed memory or park.  The pool's storage is not scanned: a
// Pool of a type that holds managed pointers (runtime::holds_managed_pointers_v)
// does not compile; a pool of managed objects holds gc::Root<U>.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include <gort/runtime/internal/gc_support.hpp>
#include <gort/runtime/internal/lock.hpp>
#include <gort/runtime/internal/root_range.hpp>

namespace gort {

namespace detail {

/// What the collector needs of every pool: drop victims, demote primaries.
class PoolBase {
 public:
  /// Moves primary caches to victim, dropping old victims (mirrors poolCleanup).
  /// Precondition: the world is stopped; no pool operation is in progress.
  virtual void cleanup() = 0;

 protected:
  PoolBase() = default;
  ~PoolBase() = default;
  /// Adds/removes this pool from the collector's list (gc/src/pool.cpp).
  void register_pool();
  void unregister_pool();
};

}  // namespace detail

/// The most Ps a pool has slots for (the runtime's GOMAXPROCS limit).
inline constexpr std::size_t kPoolMaxSlots = 1024;

/// sync.Pool for values of type T.  All methods are safe from any goroutine or thread.
template <class T>
class Pool : detail::PoolBase {
  static_assert(!runtime::holds_managed_pointers_v<T>,
                "gort::Pool<T>: T holds managed pointers, which the pool's C++ storage would hide from the "
                "collector; pool gc::Root<U> values instead");

 public:
  /// A pool whose get() returns an empty optional when nothing is cached.
  Pool() { register_pool(); }
  /// A pool whose get_or_new() calls new_fn when nothing is cached (Pool.New).
  explicit Pool(std::function<T()> new_fn) : new_fn_(std::move(new_fn)) { register_pool(); }
  ~Pool() {
    unregister_pool();
    for (auto& slot : slots_) delete slot.load(std::memory_order_relaxed);
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Adds v to the pool (Pool.Put): into the caller's P's private slot if free,
  /// else at the head of its shared list.
  void put(T v) {
    Local& l = local(slot_index());
    l.lock.lock();
    if (!l.primary.private_value) {
      l.primary.private_value.emplace(std::move(v));
    } else {
      l.primary.shared.push_back(std::move(v));
    }
    l.lock.unlock();
  }

  /// Removes and returns a cached value, or nullopt (Pool.Get without New):
  /// own private, own shared (newest), other Ps' shared (oldest), then the same
  /// in the victim caches (mirrors Pool.Get and getSlow).
  std::optional<T> get() {
    const std::size_t self = slot_index();
    if (auto v = take(self, &Local::primary)) return v;
    return take(self, &Local::victim);
  }

  /// Returns a cached value or, when none, new_fn() (Pool.Get with New).
  /// Precondition: the pool was built with a New function.
  T get_or_new() {
    if (auto v = get()) return std::move(*v);
    return new_fn_();
  }

  /// Values currently cached, primary and victim (for tests and diagnostics).
  std::size_t cached() {
    std::size_t n = 0;
    for (auto& slot : slots_) {
      Local* l = slot.load(std::memory_order_acquire);
      if (l == nullptr) continue;
      l->lock.lock();
      n += l->primary.size() + l->victim.size();
      l->lock.unlock();
    }
    return n;
  }

  void cleanup() override {
    for (auto& slot : slots_) {
      Local* l = slot.load(std::memory_order_acquire);
      if (l == nullptr) continue;
      l->lock.lock();
      l->victim = std::move(l->primary);
      l->primary = Cache{};
      l->lock.unlock();
    }
  }

 private:
  /// One generation of one P's values (mirrors poolLocalInternal).
  struct Cache {
    std::optional<T> private_value;
    std::vector<T> shared;
    std::size_t size() const { return (private_value ? 1 : 0) + shared.size(); }
  };
  /// One P's slot (mirrors poolLocal), primary and victim generations together;
  /// 64-byte aligned so Ps do not share cache lines.
  struct alignas(64) Local {
    runtime::Lock lock;
    Cache primary;
    Cache victim;
  };

  /// The caller's P id, or slot 0 for a thread without a P.
  static std::size_t slot_index() {
    const int32_t id = runtime::current_p_id_or_none();
    return id < 0 ? 0 : static_cast<std::size_t>(id) % kPoolMaxSlots;
  }

  /// P i's slot, created on first use (mirrors pinSlow's lazy allocation).
  Local& local(std::size_t i) {
    Local* l = slots_[i].load(std::memory_order_acquire);
    if (l != nullptr) return *l;
    auto* fresh = new Local();
    if (slots_[i].compare_exchange_strong(l, fresh, std::memory_order_acq_rel)) return *fresh;
    delete fresh;
    return *l;
  }

  /// Takes a value from generation `gen` of the slots, starting with self's.
  std::optional<T> take(std::size_t self, Cache Local::*gen) {
    const int32_t procs = runtime::gc_gomaxprocs();
    const std::size_t n = procs < 1 ? 1 : (static_cast<std::size_t>(procs) > kPoolMaxSlots ? kPoolMaxSlots : procs);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = (self + k) % n;
      Local* l = slots_[i].load(std::memory_order_acquire);
      if (l == nullptr) continue;
      l->lock.lock();
      Cache& c = l->*gen;
      std::optional<T> out;
      if (k == 0 && c.private_value) {
        out.swap(c.private_value);
      } else if (!c.shared.empty()) {
        if (k == 0) {
          out.emplace(std::move(c.shared.back()));
          c.shared.pop_back();
        } else {
          out.emplace(std::move(c.shared.front()));
          c.shared.erase(c.shared.begin());
        }
      }
      l->lock.unlock();
      if (out) return out;
    }
    return std::nullopt;
  }

  std::function<T()> new_fn_;
  /// Per-P slots, indexed by P id; null until that P first puts.
  std::atomic<Local*> slots_[kPoolMaxSlots] = {};
};

}  // namespace gort
