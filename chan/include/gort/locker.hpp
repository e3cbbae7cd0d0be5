// gort/locker.hpp — sync.Locker: anything that can be locked and unlocked.
//
// Go's Cond takes its lock as the interface Locker.  gort::Locker is a small
// non-owning reference to any BasicLockable (gort::Mutex, gort::RWMutex, a
// std::mutex, an RWMutex's read side via RWMutex::rlocker()): two function
// pointers and the object's address, copyable, no allocation.
#pragma once

#include <type_traits>

namespace gort {

class Locker {
 public:
  /// Refers to l, whose lock() and unlock() the Locker calls.  l must outlive
  /// the Locker and every copy of it.
  template <class L, class = std::enable_if_t<!std::is_same_v<std::remove_cv_t<L>, Locker>>>
  Locker(L& l)  // NOLINT(google-explicit-constructor): Cond c(mu) reads as Go's sync.NewCond(&mu)
      : object_(&l),
        lock_([](void* p) { static_cast<L*>(p)->lock(); }),
        unlock_([](void* p) { static_cast<L*>(p)->unlock(); }) {}

  /// Refers to object through explicit lock and unlock functions (for adapters
  /// such as RWMutex::rlocker()).  Precondition: object outlives the Locker.
  Locker(void* object, void (*lock)(void*), void (*unlock)(void*))
      : object_(object), lock_(lock), unlock_(unlock) {}

  /// Locks the referenced object.
  void lock() const { lock_(object_); }
  /// Unlocks the referenced object.  Precondition: as the object's unlock.
  void unlock() const { unlock_(object_); }

 private:
  /// The lockable object referred to (not owned).
  void* object_;
  /// Its lock and unlock operations.
  void (*lock_)(void*);
  void (*unlock_)(void*);
};

}  // namespace gort
