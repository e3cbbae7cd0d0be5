// gort/gc/slice.hpp — managed arrays: gc::Slice<T> (Go's []T) and gc::String
// (Go's string), mirroring makeslice/growslice in slice.go.
//
// A backing array is one managed object: a length word and the elements, or,
// for elements without managed pointers and without a destructor (bytes, ints,
// floats, plain structs), the elements alone, with no header: exactly Go's
// size.  Its span class is noscan when T holds no managed pointers, so such
// arrays are never scanned, as in Go; an array that is scanned and larger than
// 128 KiB is scanned in oblets (trace_range), as Go scans any object that
// large.  A Slice is a value (pointer to its first element, length, capacity) that lives
// on a stack or inside a managed object (whose trace visits it); its pointer is
// interior to the backing array, which keeps the whole array alive.
#pragma once

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include <gort/gc/tracer.hpp>
#include <gort/panic.hpp>

namespace gort::gc {

namespace detail {

/// The managed object behind a slice: the element count, then the elements.
template <class T>
struct ArrayStorage {
  /// Elements constructed (the capacity).
  std::size_t length;
  /// Elements start here (over-allocated past the struct).
  T* elements() { return reinterpret_cast<T*>(reinterpret_cast<char*>(this) + elements_offset()); }
  const T* elements() const { return const_cast<ArrayStorage*>(this)->elements(); }
  static constexpr std::size_t elements_offset() {
    return (sizeof(std::size_t) + alignof(T) - 1) / alignof(T) * alignof(T);
  }

  /// Visits every element that holds managed pointers.
  void trace(Tracer& t) const { visit_elements(t, 0, length); }
  /// Visits the elements whose first byte lies in [lo, hi) bytes from this
  /// storage: the share of one oblet when the collector scans a large array
  /// piece by piece (HasTraceRange), each element in exactly one piece.
  void trace_range(Tracer& t, std::size_t lo, std::size_t hi) const {
    visit_elements(t, first_element_at(lo), std::min(first_element_at(hi), length));
  }
  /// The index of the first element starting at or after byte b of the storage.
  static constexpr std::size_t first_element_at(std::size_t b) {
    return b <= elements_offset() ? 0 : (b - elements_offset() + sizeof(T) - 1) / sizeof(T);
  }
  /// Visits elements [from, to).
  void visit_elements(Tracer& t, std::size_t from, std::size_t to) const {
    if constexpr (Traceable<T>) {
      const T* e = elements();
      for (std::size_t i = from; i < to; ++i) t.visit(e[i]);
    }
  }
  /// Destroys the elements (only declared for element types that need it, so
  /// arrays of trivially destructible elements skip the sweeper's destructor pass).
  ~ArrayStorage()
    requires(!std::is_trivially_destructible_v<T>)
  {
    T* e = elements();
    for (std::size_t i = 0; i < length; ++i) e[i].~T();
  }
  ~ArrayStorage() = default;
};

/// True when an array of T needs no header and no length word: its elements
/// hold no managed pointers and need no destructor, so the collector never reads
/// the array (a []byte of 1,024 bytes is then a 1,024-byte object, as in Go).
template <class T>
inline constexpr bool bare_array_v = !Traceable<T> && std::is_trivially_destructible_v<T>;

/// TypeInfo of ArrayStorage<T>: scan only when T is Traceable.
template <class T>
const TypeInfo* array_type_info() {
  using A = ArrayStorage<T>;
  static const TypeInfo info{Traceable<T> ? trace_fn_of<A>() : nullptr,
                             Traceable<T> ? trace_range_fn_of<A>() : nullptr, destroy_fn_of<A>(), typeid(A).name(),
                             header_bytes(alignof(T))};
  return &info;
}

/// Bytes the allocator gives a request of n bytes (mirrors roundupsize).
std::size_t round_up_alloc_size(std::size_t n);

/// Panics with Go's "index out of range [i] with length n".
[[noreturn]] void panic_index(std::size_t i, std::size_t n);
/// Panics with Go's "slice bounds out of range [...]" for s[lo:hi] of capacity cap.
[[noreturn]] void panic_slice(std::size_t lo, std::size_t hi, std::size_t cap);
/// Panics with Go's "makeslice: len out of range" / "cap out of range".
[[noreturn]] void panic_makeslice(bool cap);

/// TypeInfo of a bare array of T (no header: pointer-free, nothing to destroy).
template <class T>
const TypeInfo* bare_array_type_info() {
  static const TypeInfo info{nullptr, nullptr, nullptr, typeid(T[]).name(), 0};
  return &info;
}

/// Allocates an array of cap value-initialised Ts; returns its first element.
template <class T>
T* new_array(std::size_t cap) {
  using A = ArrayStorage<T>;
  if (cap == 0) return nullptr;
  if (cap > (std::size_t{1} << 40) / sizeof(T)) panic_makeslice(true);
  if constexpr (bare_array_v<T>) {
    T* e = static_cast<T*>(allocate_object(cap * sizeof(T), bare_array_type_info<T>()));
    if constexpr (!std::is_trivially_default_constructible_v<T>) {
      for (std::size_t i = 0; i < cap; ++i) ::new (&e[i]) T();
    }
    return e;  // zeroed memory: value-initialised trivially constructible Ts
  }
  const TypeInfo* ti = array_type_info<T>();
  void* mem = allocate_object(A::elements_offset() + cap * sizeof(T), ti);
  auto* a = static_cast<A*>(mem);
  a->length = 0;
  T* e = a->elements();
  for (std::size_t i = 0; i < cap; ++i) {
    ::new (&e[i]) T();
    a->length = i + 1;
  }
  publish_object(a, ti);
  return e;
}

}  // namespace detail

namespace detail {

/// True for gc::Ptr<U>: an element type arrays of which are copied as pointer
/// words through one bulk barrier.
template <class T>
inline constexpr bool is_managed_pointer_v = false;
template <class U>
inline constexpr bool is_managed_pointer_v<Ptr<U>> = true;

/// Copies n elements from src to dst (ranges may overlap, as Go's copy): arrays
/// of gc::Ptr as words through one bulk barrier, anything else element-wise.
template <class T>
void copy_elements(T* dst, const T* src, std::size_t n) {
  if (n == 0 || dst == src) return;
  if constexpr (is_managed_pointer_v<T>) {
    static_assert(sizeof(T) == sizeof(void*));
    copy_pointers(reinterpret_cast<void**>(dst), reinterpret_cast<void* const*>(src), n);
  } else if (dst < src) {
    std::copy(src, src + n, dst);
  } else {
    std::copy_backward(src, src + n, dst + n);
  }
}

}  // namespace detail

/// Go's []T over a managed backing array.  Copying a Slice copies the view, not
/// the elements, as in Go.  Its array pointer is stored through the write
/// barrier, so a Slice may live in a managed object's field like a gc::Ptr.
template <class T>
class Slice {
 public:
  /// A nil slice (len 0, cap 0).
  Slice() = default;
  Slice(const Slice& o) noexcept : len_(o.len_), cap_(o.cap_) { set_data(o.data()); }
  Slice& operator=(const Slice& o) noexcept {
    set_data(o.data());
    len_ = o.len_;
    cap_ = o.cap_;
    return *this;
  }

  /// Number of elements (len(s)).
  std::size_t len() const { return len_; }
  std::size_t size() const { return len_; }
  /// Capacity (cap(s)).
  std::size_t cap() const { return cap_; }
  bool empty() const { return len_ == 0; }
  /// True for a slice with no backing array (s == nil).
  bool is_nil() const { return data_ == nullptr; }

  /// Element i; panics with Go's message when i >= len.
  T& operator[](std::size_t i) const {
    if (i >= len_) detail::panic_index(i, len_);
    return data_[i];
  }
  T* begin() const { return data(); }
  T* end() const { return data() + len_; }
  /// The first element (the array pointer a concurrent marker may read).
  T* data() const { return detail::load_pointer(&data_); }

  /// s[lo:hi] (Go's slice expression); panics when out of range.
  Slice slice(std::size_t lo, std::size_t hi) const {
    if (hi > cap_ || lo > hi) detail::panic_slice(lo, hi, cap_);
    // A zero-capacity result keeps no pointer past the array (Go does the same).
    if (cap_ - lo == 0) return Slice(data_ == nullptr ? nullptr : data_, 0, 0);
    return Slice(data_ + lo, hi - lo, cap_ - lo);
  }
  /// s[lo:] .
  Slice slice(std::size_t lo) const { return slice(lo, len_); }

  /// Builds a view (make_slice and append use it).
  Slice(T* data, std::size_t len, std::size_t cap) : len_(len), cap_(cap) { set_data(data); }

 private:
  void set_data(T* d) {
    detail::store_pointer(reinterpret_cast<void**>(const_cast<std::remove_const_t<T>**>(&data_)),
                          const_cast<std::remove_const_t<T>*>(d));
  }
  T* data_ = nullptr;
  std::size_t len_ = 0;
  std::size_t cap_ = 0;
};

template <class T>
void trace_field(Tracer& t, const Slice<T>& s) {
  t.visit_pointer(s.data());
}

/// make([]T, len, cap): a new zero-valued backing array.
template <class T>
Slice<T> make_slice(std::size_t len, std::size_t cap) {
  if (len > cap) detail::panic_makeslice(false);
  return Slice<T>(detail::new_array<T>(cap), len, cap);
}
/// make([]T, len).
template <class T>
Slice<T> make_slice(std::size_t len) {
  return make_slice<T>(len, len);
}

/// append(s, v): appends in place when capacity allows, else copies into a
/// larger array grown as Go 1.19's growslice grows it (double below 256
/// elements, then by 1.25x + 192, rounded up to the size class), so the
/// capacities match Go's for the same element size.
template <class T>
Slice<T> append(const Slice<T>& s, T v) {
  if (s.len() < s.cap()) {
    Slice<T> out(s.data(), s.len() + 1, s.cap());
    out[s.len()] = std::move(v);
    return out;
  }
  const std::size_t need = s.len() + 1;
  std::size_t newcap = s.cap();
  const std::size_t doublecap = newcap + newcap;
  if (need > doublecap) {
    newcap = need;
  } else if (s.cap() < 256) {
    newcap = doublecap;
  } else {
    while (newcap < need) newcap += (newcap + 3 * 256) / 4;
  }
  // Capacity as Go computes it (roundupsize of the elements alone), so append
  // grows exactly like Go's; the header then rides in the same or the next class.
  newcap = detail::round_up_alloc_size(newcap * sizeof(T)) / sizeof(T);
  Slice<T> out(detail::new_array<T>(newcap), need, newcap);
  detail::copy_elements(out.begin(), s.begin(), s.len());
  out[s.len()] = std::move(v);
  return out;
}

/// copy(dst, src): copies min(len(dst), len(src)) elements, overlapping ranges
/// allowed (Go's copy builtin; arrays of gc::Ptr through one bulk barrier).
/// Returns the number copied.
template <class T>
std::size_t copy(const Slice<T>& dst, const Slice<T>& src) {
  const std::size_t n = std::min(dst.len(), src.len());
  detail::copy_elements(dst.begin(), src.begin(), n);
  return n;
}

/// Go's string: immutable bytes in a noscan managed array.
class String {
 public:
  /// The empty string.
  String() = default;
  String(const String& o) noexcept : len_(o.len_) { set_data(o.data()); }
  String& operator=(const String& o) noexcept {
    set_data(o.data());
    len_ = o.len_;
    return *this;
  }
  /// Copies s into the managed heap.
  explicit String(std::string_view s) {
    if (s.empty()) return;
    char* p = detail::new_array<char>(s.size());
    std::memcpy(p, s.data(), s.size());
    set_data(p);
    len_ = s.size();
  }
  std::string_view view() const { return {data(), len_}; }
  operator std::string_view() const { return view(); }
  std::string str() const { return std::string(view()); }
  std::size_t size() const { return len_; }
  bool empty() const { return len_ == 0; }
  /// Byte i; panics with Go's message when out of range.
  char operator[](std::size_t i) const {
    if (i >= len_) detail::panic_index(i, len_);
    return data()[i];
  }
  /// s[lo:hi], sharing the bytes.
  String substr(std::size_t lo, std::size_t hi) const {
    if (hi > len_ || lo > hi) detail::panic_slice(lo, hi, len_);
    String out;
    if (hi > lo) {
      out.set_data(data() + lo);
      out.len_ = hi - lo;
    }
    return out;
  }
  friend bool operator==(const String& a, const String& b) { return a.view() == b.view(); }
  friend String operator+(const String& a, const String& b) {
    std::string joined;
    joined.reserve(a.size() + b.size());
    joined.append(a.view()).append(b.view());
    return String(joined);
  }
  /// The bytes (the pointer a concurrent marker may read).
  const char* data() const { return detail::load_pointer(&data_); }

 private:
  /// Strings are stored through the write barrier, like any managed pointer.
  void set_data(const char* d) {
    detail::store_pointer(reinterpret_cast<void**>(const_cast<char**>(&data_)), const_cast<char*>(d));
  }
  const char* data_ = nullptr;
  std::size_t len_ = 0;
};

inline void trace_field(Tracer& t, const String& s) { t.visit_pointer(s.data()); }

}  // namespace gort::gc

namespace gort::runtime {
/// Slices and strings hold managed pointers (gort/runtime/internal/root_range.hpp).
template <class T>
inline constexpr bool is_managed_pointer_type_v<gc::Slice<T>> = true;
template <>
inline constexpr bool is_managed_pointer_type_v<gc::String> = true;
}  // namespace gort::runtime
