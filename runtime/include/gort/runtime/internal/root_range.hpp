// gort/runtime/internal/root_range.hpp — program values the runtime keeps in C++ heap
// memory, made visible to the garbage collector: root ranges, the barrier for
// values moved in and out of them, and the compile-time test for "may hold a
// managed pointer".
//
// Go's runtime keeps a program's values in its own heap (channel buffers,
// closures, panic values, finalizer closures), where the collector finds them
// like any other object.  gort keeps them in C++ heap memory (a channel's
// buffer, a std::function's storage, an exception object), which the collector
// does not scan.  A root range is such a block registered while it holds
// values: the collector scans it conservatively, word by word, with the
// gc::Roots (Go's data and bss roots).  The rule for every place gort stores
// a program's values is in runtime/HACKING.md ("Program values held by the
// runtime").
//
// Barrier.  Ranges are scanned once per mark, like stacks, so a value that
// enters or leaves a range while a mark runs must be shaded, exactly as Go's
// hybrid barrier shades a heap slot's old and new pointee: registering and
// unregistering a range shade its contents (a range born during a mark holds
// values from a stack that may already be scanned; a range dropped during a
// mark may have handed its values to such a stack before its own scan), and
// code that moves values in or out of a registered range in place (a channel
// buffer) calls shade_root_range on the value first (Go's typedmemmove /
// typedmemclr bulk barrier).  Outside a mark all of this costs one load.
//
// The runtime knows nothing of the heap: the collector installs the shading
// function and walks the ranges (gc/src/root.cpp).
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

namespace gort::gc {
class Tracer;
}

namespace gort::runtime {

/// A block of C++ memory [lo, lo + bytes) that may hold managed pointers,
/// linked into the registry while registered.
struct RootRange {
  const void* lo = nullptr;
  std::size_t bytes = 0;
  /// Links in the registry (guarded by its lock).
  RootRange* prev = nullptr;
  RootRange* next = nullptr;
};

/// Registers r: the collector scans [r->lo, r->lo + r->bytes) at every mark
/// until r is unregistered; while a mark runs, the contents are shaded first.
/// Precondition: r is not registered; its memory stays valid while it is.
/// Any thread; takes the registry lock (never parks).
void register_root_range(RootRange* r) noexcept;

/// Unregisters r, shading its contents while a mark runs.  Precondition: r is
/// registered.  Any thread; takes the registry lock (never parks).
void unregister_root_range(RootRange* r) noexcept;

/// The barrier for a value moved into or out of a registered range in place:
/// while a mark runs, shades every managed object [lo, lo + bytes) points to;
/// otherwise does nothing.  Any thread, any lock held but the registry's.
void shade_root_range(const void* lo, std::size_t bytes) noexcept;

/// Calls fn(lo, hi, arg) for every registered range, holding the registry lock
/// (mirrors the data/bss jobs of markroot); returns the bytes reported.  For
/// the collector: fn must not register or unregister ranges.
std::size_t for_each_root_range(void (*fn)(const void* lo, const void* hi, void* arg), void* arg);

/// Specialised true by gc/ for its pointer types (gc::Ref, gc::Ptr, gc::Slice,
/// gc::String), whose headers do the specialising, so the answer never
/// depends on what else a translation unit included.
template <class T>
inline constexpr bool is_managed_pointer_type_v = false;

namespace detail {
template <class T>
struct HoldsManagedPointers;
}

/// True when a T may hold a managed pointer the collector must see: gort's
/// pointer types, types with a trace() (as gc::make requires of them), and
/// std::optional, pair, tuple, array and variant of those.  gc::Root is not
/// one: it keeps its object alive wherever it is stored.
template <class T>
inline constexpr bool holds_managed_pointers_v = detail::HoldsManagedPointers<std::remove_cv_t<T>>::value;

namespace detail {
template <class T>
struct HoldsManagedPointers
    : std::bool_constant<is_managed_pointer_type_v<T> ||
                         requires(const T& value, gc::Tracer& tracer) { value.trace(tracer); }> {};
template <class T>
struct HoldsManagedPointers<std::optional<T>> : std::bool_constant<holds_managed_pointers_v<T>> {};
template <class A, class B>
struct HoldsManagedPointers<std::pair<A, B>>
    : std::bool_constant<holds_managed_pointers_v<A> || holds_managed_pointers_v<B>> {};
template <class... Ts>
struct HoldsManagedPointers<std::tuple<Ts...>> : std::bool_constant<(false || ... || holds_managed_pointers_v<Ts>)> {};
template <class... Ts>
struct HoldsManagedPointers<std::variant<Ts...>> : std::bool_constant<(false || ... || holds_managed_pointers_v<Ts>)> {};
template <class T, std::size_t N>
struct HoldsManagedPointers<std::array<T, N>> : std::bool_constant<holds_managed_pointers_v<T>> {};
template <class T, std::size_t N>
struct HoldsManagedPointers<T[N]> : std::bool_constant<holds_managed_pointers_v<T>> {};
}  // namespace detail

/// A T kept in C++ memory whose bytes are a root range for as long as the
/// Rooted lives: how gort stores a program's closures (finalizers, after_func
/// callbacks) and other values whose type it cannot inspect.  Copies and moves
/// register their own bytes.  Calling a Rooted calls the T (so a Rooted
/// closure fits a std::function), and the range stays registered while it runs.
/// Only the T's own bytes are scanned: a managed pointer it keeps in memory of
/// its own (a std::vector, a std::function) is not seen.
template <class T>
class Rooted {
 public:
  /// Constructs the T from args and registers its bytes.
  template <class... Args>
    requires std::is_constructible_v<T, Args&&...>
  explicit Rooted(std::in_place_t, Args&&... args) : value_(std::forward<Args>(args)...) {
    enroll();
  }
  Rooted(const Rooted& o) : value_(o.value_) { enroll(); }
  Rooted(Rooted&& o) noexcept(std::is_nothrow_move_constructible_v<T>) : value_(std::move(o.value_)) { enroll(); }
  Rooted& operator=(const Rooted&) = delete;
  ~Rooted() { unregister_root_range(&range_); }

  /// The value.
  T& get() noexcept { return value_; }
  const T& get() const noexcept { return value_; }

  /// Calls the T.
  template <class... Args>
  decltype(auto) operator()(Args&&... args) {
    return value_(std::forward<Args>(args)...);
  }

 private:
  void enroll() noexcept {
    range_.lo = std::addressof(value_);
    range_.bytes = sizeof(T);
    register_root_range(&range_);
  }

  RootRange range_;
  T value_;
};

/// True for std::function types, which keep their callable in memory of their own.
template <class F>
inline constexpr bool is_std_function_v = false;
template <class Sig>
inline constexpr bool is_std_function_v<std::function<Sig>> = true;

/// Wraps the closure fn in a Rooted: its captures stay alive while gort holds
/// it (set_finalizer, after_func).  A std::function is refused: its captures
/// are out of the Rooted's reach.
template <class F>
Rooted<std::decay_t<F>> rooted(F&& fn) {
  static_assert(!is_std_function_v<std::decay_t<F>>,
                "gort keeps this callback where the collector scans it: pass the lambda itself, not a "
                "std::function, which keeps its captures in C++ heap memory the collector cannot scan");
  return Rooted<std::decay_t<F>>(std::in_place, std::forward<F>(fn));
}

}  // namespace gort::runtime
