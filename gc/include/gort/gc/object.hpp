// gort/gc/object.hpp — the managed object model: gc::make, gc::Ref, gc::Ptr,
// gc::Root, T::trace(gc::Tracer&), finalizers.
//
// Model.  A managed object is a C++ object placed in the collected heap by
// gc::make<T>(args...).  The collector learns where its managed pointers are
// from T::trace, which lists them (t.visit(left_); t.visit(right_);) — precise,
// like Go's per-type pointer bitmaps and cppgc's Trace methods.  A type whose
// objects can be large may also list the fields of a byte range (trace_range,
// see HasTraceRange; gc::Slice's arrays do), so the collector scans such an
// object in 128 KiB pieces and a marker can stop between them (Go's oblets).
// A type without trace() is pointer-free: it is allocated in a noscan span and
// never scanned (Go's noscan span classes).  Pointers held by running code (locals,
// temporaries, registers) need no declaration: goroutine stacks and saved
// registers are scanned conservatively, interior pointers included.
//
//   Ref<T>   a pointer-sized handle for locals and return values (stack-scanned);
//   Ptr<T>   the field type for managed pointers inside managed objects: every
//            store runs the write barrier (one load and branch while the
//            collector is not marking; Go's hybrid barrier while it marks);
//   Root<T>  a handle from memory the collector does not scan (globals, C++
//            containers, threads that are not goroutines).
//
// Each object that has a trace() or a destructor is preceded by an 8-byte
// header (16 for 16-byte-aligned types) holding its TypeInfo: which trace
// function, which destructor.  The header is null while the constructor runs;
// the collector then scans the object's memory conservatively, so a
// constructor that allocates cannot lose the children it already stored.
// Pointer-free, trivially destructible objects (and arrays of them: byte
// slices, strings) have no header: the collector never needs to read one.
//
// Destruction.  When the collector finds an object unreachable, the sweeper runs
// its destructor (when it has a non-trivial one) before reusing its memory, so a
// managed object may own ordinary C++ resources (a std::string, a file).  A
// destructor runs on whichever thread sweeps; it must not touch other managed
// objects (they may already be gone), allocate managed memory, or park.  Go's
// runtime.SetFinalizer is here too (set_finalizer): a finalizer runs on a
// goroutine after the object became unreachable, receives the object (alive
// again for that call), and may do anything a goroutine may; the object is freed
// by a later cycle if nothing kept it.  Destructors serve resource cleanup in
// C++'s idiom, finalizers serve Go's (and observing death from a test).
#pragma once

#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include <gort/runtime/internal/root_range.hpp>

namespace gort::gc {

class Tracer;
template <class T>
class Ref;
template <class T>
class Ptr;

/// True when T lists its managed fields with `void trace(gc::Tracer&) const`.
template <class T>
concept HasTrace = requires(const T& value, Tracer& tracer) { value.trace(tracer); };

/// True when T can also list only the managed fields whose first byte lies
/// in [lo, hi) bytes from its start, with `void trace_range(gc::Tracer&,
/// std::size_t lo, std::size_t hi) const` (the backing arrays of gc::Slice do).
/// The collector then scans an object of T larger than 128 KiB piece by piece
/// (Go's oblets), calling trace_range once per piece with ranges that together
/// cover the object; a field reported by two pieces is harmless, one reported
/// by none is lost.  Objects of other types are traced whole.
template <class T>
concept HasTraceRange = HasTrace<T> && requires(const T& value, Tracer& tracer, std::size_t lo, std::size_t hi) {
  value.trace_range(tracer, lo, hi);
};

/// What the collector knows about a managed type (Go's _type, reduced to what
/// marking and sweeping need).  One static instance per type.
struct TypeInfo {
  /// Lists the managed pointers of the object at obj; null for pointer-free types.
  void (*trace)(const void* obj, Tracer& tracer);
  /// Lists those whose first byte lies in [lo, hi) bytes from obj (see
  /// HasTraceRange); null when the type is traced only whole.
  void (*trace_range)(const void* obj, Tracer& tracer, std::size_t lo, std::size_t hi);
  /// Runs the destructor of the object at obj; null when trivially destructible.
  void (*destroy)(void* obj);
  /// The mangled type name (demangled in diagnostics).
  const char* name;
  /// Bytes from the allocation's base (the header) to the object.
  uint32_t offset;
};

namespace detail {

/// The word at an allocation's base: the object's TypeInfo, or null while its
/// constructor runs (the object is then scanned conservatively).
struct ObjectHeader {
  const TypeInfo* type;
};

/// Header bytes before an object of alignment `align` (8, or 16 for 16-byte types).
constexpr uint32_t header_bytes(std::size_t align) { return align > 8 ? 16 : 8; }

/// Returns memory for an object of `object_bytes` of type ti, placed after its
/// header (header left null), zeroed.  May start a GC cycle first (mirrors
/// mallocgc).  Precondition: not called from a destructor run by the sweeper.
void* allocate_object(std::size_t object_bytes, const TypeInfo* ti);

/// Publishes the constructed object at obj: its header now names ti.
inline void publish_object(void* obj, const TypeInfo* ti) {
  auto* header = reinterpret_cast<ObjectHeader*>(static_cast<char*>(obj) - ti->offset);
  __atomic_store_n(&header->type, ti, __ATOMIC_RELEASE);
}

/// True while the collector is marking: stores of managed pointers must shade.
extern std::atomic<bool> write_barrier_enabled;

/// The barrier's slow path (mirrors gcWriteBarrier / wbBuf): shades the old and
/// the new pointee of *slot.  Called only while write_barrier_enabled.
void write_barrier_slow(void* const* slot, const void* new_value);

/// The barrier for copying n pointers from src to dst (src null: clearing
/// them): shades every old and new pointee in one call (mirrors
/// bulkBarrierPreWrite).  Called only while write_barrier_enabled.
void bulk_barrier_pre_write(void* const* dst, void* const* src, std::size_t n);

/// Stores value into *slot through the write barrier (mirrors writebarrierptr).
/// The store is atomic: a concurrent marker may be reading the slot, as Go's
/// markers read pointer words.  It is a release store and load_pointer an
/// acquire load (plain moves on x86-64), so an object published through a
/// managed pointer is seen fully constructed by whoever loads that pointer.
inline void store_pointer(void** slot, void* value) {
  if (__builtin_expect(write_barrier_enabled.load(std::memory_order_relaxed), 0)) write_barrier_slow(slot, value);
  __atomic_store_n(slot, value, __ATOMIC_RELEASE);
}

/// Reads a managed pointer a concurrent marker or mutator may be writing.
template <class T>
inline T* load_pointer(T* const* slot) {
  return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}

/// Pointers copied between two safe points of a large copy (copy_pointers).
/// With the barrier on, a copy costs up to ~19 ns a pointer on Machine A (one
/// 843,776-pointer append took 15.7 ms, NOTES.md §13), so 4,096 pointers
/// (32 KiB) keep a stop-the-world's wait for the copier under ~80 µs; the check
/// between chunks is one load.  Go copies without safe points, but clears
/// large objects in chunks with a preemption check between them
/// (memclrNoHeapPointersChunked); this is that rule applied to copies.
inline constexpr std::size_t kCopyChunkPointers = 4096;

/// copy_pointers for more than kCopyChunkPointers pointers: chunk by chunk, each
/// through its own bulk barrier, with a safe point between chunks (object.cpp).
void copy_pointers_chunked(void** dst, void* const* src, std::size_t n);
/// How many times a chunked copy yielded at one of its safe points, process-wide.
uint64_t chunked_copy_yields();

/// Copies n pointers, ranges overlapping or not, in memmove's direction; no barrier.
inline void move_pointer_words(void** dst, void* const* src, std::size_t n) {
  if (dst < src) {
    for (std::size_t i = 0; i < n; ++i) __atomic_store_n(dst + i, load_pointer(src + i), __ATOMIC_RELEASE);
  } else {
    for (std::size_t i = n; i-- > 0;) __atomic_store_n(dst + i, load_pointer(src + i), __ATOMIC_RELEASE);
  }
}

/// Copies n managed pointers from src to dst (ranges may overlap) through the
/// bulk barrier (mirrors typedmemmove's bulkBarrierPreWrite + memmove).  A copy
/// of more than kCopyChunkPointers may yield between chunks: the caller holds
/// nothing that belongs to its thread.
inline void copy_pointers(void** dst, void* const* src, std::size_t n) {
  if (n > kCopyChunkPointers) return copy_pointers_chunked(dst, src, n);
  if (__builtin_expect(write_barrier_enabled.load(std::memory_order_relaxed), 0)) bulk_barrier_pre_write(dst, src, n);
  move_pointer_words(dst, src, n);
}

template <class T>
void trace_thunk(const void* obj, Tracer& tracer);
template <class T>
void trace_range_thunk(const void* obj, Tracer& tracer, std::size_t lo, std::size_t hi);
template <class T>
void destroy_thunk(void* obj) {
  static_cast<T*>(obj)->~T();
}

/// T's trace thunk, or null when T has no trace() (a noscan type).
template <class T>
constexpr auto trace_fn_of() -> void (*)(const void*, Tracer&) {
  if constexpr (HasTrace<T>) {
    return &trace_thunk<T>;
  } else {
    return nullptr;
  }
}

/// T's ranged trace thunk, or null when T is traced only whole.
template <class T>
constexpr auto trace_range_fn_of() -> void (*)(const void*, Tracer&, std::size_t, std::size_t) {
  if constexpr (HasTraceRange<T>) {
    return &trace_range_thunk<T>;
  } else {
    return nullptr;
  }
}

/// T's destructor thunk, or null when T is trivially destructible.
template <class T>
constexpr auto destroy_fn_of() -> void (*)(void*) {
  if constexpr (std::is_trivially_destructible_v<T>) {
    return nullptr;
  } else {
    return &destroy_thunk<T>;
  }
}

/// True when the collector ever needs T's header: to trace it or to destroy it.
/// A pointer-free, trivially destructible object is never read by the collector
/// (noscan spans are not scanned, and the sweeper reads headers only to run
/// destructors), so it is allocated without one, exactly Go's size.
template <class T>
inline constexpr bool needs_header_v = HasTrace<T> || !std::is_trivially_destructible_v<T>;

/// The TypeInfo of T (one per type).
template <class T>
const TypeInfo* type_info() {
  static const TypeInfo info{trace_fn_of<T>(), trace_range_fn_of<T>(), destroy_fn_of<T>(), typeid(T).name(),
                             needs_header_v<T> ? header_bytes(alignof(T)) : 0};
  return &info;
}

/// Registers/unregisters a root slot (root.cpp); slot must stay valid while registered.
struct RootNode {
  /// The managed object held, or null.
  void* object = nullptr;
  /// Links in the global root list (guarded by its lock).
  RootNode* prev = nullptr;
  RootNode* next = nullptr;
};
void register_root(RootNode* node);
void unregister_root(RootNode* node);

/// Installs fn as the finalizer of the managed object at obj, or removes it when
/// fn is empty (mirrors SetFinalizer); a second finalizer is a fatal error.
/// fn's captures are scanned only if it is a runtime::Rooted (set_finalizer
/// makes it one).  Precondition: obj is a managed object.
void set_finalizer_raw(const void* obj, std::function<void(void*)> fn);

}  // namespace detail

/// A local handle to a managed object: a plain pointer the conservative stack
/// scan finds.  Store a Ref only where the collector looks: on a goroutine's
/// stack, in a Ptr field (via assignment), in a Root, or in a place gort
/// keeps alive (a channel, a captured value of set_finalizer or after_func, a
/// context value, an exception: runtime/HACKING.md).  Keeping one in a
/// std::vector or any other C++ heap memory of the program's own does not
/// keep the object alive.
template <class T>
class Ref {
 public:
  /// A null handle.
  Ref() = default;
  Ref(std::nullptr_t) {}
  /// Converts a handle to a derived type.
  template <class U>
    requires std::convertible_to<U*, T*>
  Ref(const Ref<U>& other) : p_(other.get()) {}
  /// A handle to what a field points to.
  template <class U>
    requires std::convertible_to<U*, T*>
  Ref(const Ptr<U>& field) : p_(field.get()) {}

  /// The object, or null.
  T* get() const { return p_; }
  T* operator->() const { return p_; }
  T& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }
  template <class U>
  bool operator==(const Ref<U>& o) const {
    return p_ == o.get();
  }
  bool operator==(std::nullptr_t) const { return p_ == nullptr; }

  /// Wraps a pointer to a managed object (from gc::make, a Ptr or a Root).
  /// Precondition: p is null or points to a managed object of type T.
  static Ref from_raw(T* p) {
    Ref r;
    r.p_ = p;
    return r;
  }

 private:
  T* p_ = nullptr;
};

/// A managed pointer field inside a managed object.  Every store goes through
/// the write barrier; T::trace must visit it.
template <class T>
class Ptr {
 public:
  Ptr() = default;
  Ptr(std::nullptr_t) {}
  /// Initialises the field (through the barrier, as Go's initialising stores are).
  template <class U>
    requires std::convertible_to<U*, T*>
  Ptr(const Ref<U>& r) {
    set(r.get());
  }
  Ptr(const Ptr& o) noexcept { set(o.get()); }
  Ptr& operator=(const Ptr& o) noexcept {
    set(o.get());
    return *this;
  }
  template <class U>
    requires std::convertible_to<U*, T*>
  Ptr& operator=(const Ref<U>& r) {
    set(r.get());
    return *this;
  }
  Ptr& operator=(std::nullptr_t) {
    set(nullptr);
    return *this;
  }

  /// The object, or null.
  T* get() const { return detail::load_pointer(&p_); }
  T* operator->() const { return get(); }
  T& operator*() const { return *get(); }
  explicit operator bool() const { return get() != nullptr; }
  bool operator==(std::nullptr_t) const { return get() == nullptr; }
  template <class U>
  bool operator==(const Ptr<U>& o) const {
    return get() == o.get();
  }
  template <class U>
  bool operator==(const Ref<U>& o) const {
    return get() == o.get();
  }

 private:
  void set(T* v) {
    detail::store_pointer(reinterpret_cast<void**>(const_cast<std::remove_const_t<T>**>(&p_)),
                          const_cast<std::remove_const_t<T>*>(v));
  }
  T* p_ = nullptr;
};

}  // namespace gort::gc

namespace gort::runtime {
/// Ref and Ptr hold managed pointers (gort/runtime/internal/root_range.hpp).
template <class T>
inline constexpr bool is_managed_pointer_type_v<gc::Ref<T>> = true;
template <class T>
inline constexpr bool is_managed_pointer_type_v<gc::Ptr<T>> = true;
}  // namespace gort::runtime

namespace gort::gc {

/// A root: keeps an object alive from memory the collector does not scan.
/// Creating, copying, moving and destroying one takes the root-list lock;
/// reading does not.
template <class T>
class Root {
 public:
  Root() { detail::register_root(&node_); }
  Root(std::nullptr_t) : Root() {}
  template <class U>
    requires std::convertible_to<U*, T*>
  Root(const Ref<U>& r) : Root() {
    set(r.get());
  }
  Root(const Root& o) : Root() { set(o.get()); }
  /// Takes o's object, leaving o null: a Root moves wherever a movable value
  /// is expected (a channel element, a std::vector slot).
  Root(Root&& o) noexcept : Root() {
    set(o.get());
    o.set(nullptr);
  }
  Root& operator=(const Root& o) {
    set(o.get());
    return *this;
  }
  Root& operator=(Root&& o) noexcept {
    if (this != &o) {
      set(o.get());
      o.set(nullptr);
    }
    return *this;
  }
  template <class U>
    requires std::convertible_to<U*, T*>
  Root& operator=(const Ref<U>& r) {
    set(r.get());
    return *this;
  }
  ~Root() {
    set(nullptr);  // a deletion, shaded while marking like any other
    detail::unregister_root(&node_);
  }

  /// The object held, or null.
  T* get() const { return static_cast<T*>(detail::load_pointer(&node_.object)); }
  T* operator->() const { return get(); }
  T& operator*() const { return *get(); }
  explicit operator bool() const { return get() != nullptr; }
  /// A local handle to the object.
  Ref<T> ref() const { return Ref<T>::from_raw(get()); }
  operator Ref<T>() const { return ref(); }
  /// Drops the object.
  void reset() { set(nullptr); }

 private:
  /// Roots are globals to the collector: their stores take the write barrier.
  void set(const T* v) { detail::store_pointer(&node_.object, const_cast<std::remove_const_t<T>*>(v)); }

  detail::RootNode node_;
};

/// Allocates and constructs a T in the managed heap (Go's new(T) / &T{...}).
/// May run a collection first.  T's alignment must not exceed 16 bytes.
/// Precondition: not called from a managed object's destructor.
template <class T, class... Args>
Ref<T> make(Args&&... args) {
  static_assert(alignof(T) <= 16, "gc::make: alignment above 16 bytes is not supported");
  static_assert(!std::is_array_v<T>, "gc::make: use gc::make_slice for arrays");
  const TypeInfo* ti = detail::type_info<T>();
  void* mem = detail::allocate_object(sizeof(T), ti);
  T* obj = ::new (mem) T(std::forward<Args>(args)...);
  if constexpr (detail::needs_header_v<T>) detail::publish_object(obj, ti);
  return Ref<T>::from_raw(obj);
}

/// Sets fn as obj's finalizer (runtime.SetFinalizer): when the collector finds obj
/// unreachable, fn(obj) runs on a goroutine and obj is freed by a later cycle if
/// fn did not make it reachable again.  Objects reachable from a finalized
/// object stay alive until it is freed, and so do the managed objects fn
/// captured, until fn has run (Go marks the finalizer's closure): fn is kept
/// as a runtime::Rooted.  A second finalizer for obj is a fatal error, as in
/// Go ("runtime.SetFinalizer: finalizer already set"); set_finalizer(obj,
/// nullptr) removes one.  Precondition: obj is non-null; fn is callable as fn(T*).
template <class T, class F>
void set_finalizer(const Ref<T>& obj, F&& fn) {
  using Fn = std::decay_t<F>;
  if constexpr (std::is_null_pointer_v<Fn>) {
    detail::set_finalizer_raw(obj.get(), {});
  } else {
    static_assert(!runtime::is_std_function_v<Fn>,
                  "gc::set_finalizer: pass the lambda itself, not a std::function, which keeps its captures in "
                  "C++ heap memory the collector cannot scan");
    static_assert(std::is_invocable_v<Fn&, T*>, "gc::set_finalizer: fn must be callable as fn(T*)");
    detail::set_finalizer_raw(obj.get(), runtime::rooted([f = Fn(std::forward<F>(fn))](void* p) mutable {
                                f(static_cast<T*>(p));
                              }));
  }
}

}  // namespace gort::gc
