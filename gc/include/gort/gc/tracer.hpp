// gort/gc/tracer.hpp — gc::Tracer, what T::trace(gc::Tracer&) reports managed
// fields to (mirrors the role of greyobject/scanobject's pointer walk in
// mgcmark.go, driven by the type's own trace method instead of a heap bitmap).
#pragma once

#include <gort/gc/object.hpp>

namespace gort::gc {

namespace detail {
class MarkState;
}

/// The marker's view of one object's fields.  T::trace calls visit on each
/// managed field; the collector marks what they point to.  A Tracer exists only
/// while the collector runs; trace must not store it, allocate or park.
class Tracer {
 public:
  /// Visits a managed field: a Ptr, Ref, gc::Slice, gc::String, or a value whose
  /// type has trace() (a struct embedded by value).  Null fields are fine.
  template <class T>
  void visit(const T& field) {
    if constexpr (HasTrace<T>) {
      field.trace(*this);
    } else {
      trace_field(*this, field);  // found by argument-dependent lookup
    }
  }

  /// Marks the managed object containing address p (interior pointers allowed);
  /// null and addresses outside the heap are ignored.
  void visit_pointer(const void* p);

  /// The marker this tracer feeds (collector internal).
  explicit Tracer(detail::MarkState* state) : state_(state) {}

 private:
  detail::MarkState* state_;
};

/// Managed-pointer fields: mark the pointee.
template <class T>
void trace_field(Tracer& t, const Ptr<T>& p) {
  t.visit_pointer(p.get());
}
template <class T>
void trace_field(Tracer& t, const Ref<T>& p) {
  t.visit_pointer(p.get());
}

/// True when values of T hold managed pointers the collector must visit.
template <class T>
concept Traceable = HasTrace<T> || requires(Tracer& t, const T& v) { trace_field(t, v); };

namespace detail {
template <class T>
void trace_thunk(const void* obj, Tracer& tracer) {
  static_cast<const T*>(obj)->trace(tracer);
}
template <class T>
void trace_range_thunk(const void* obj, Tracer& tracer, std::size_t lo, std::size_t hi) {
  static_cast<const T*>(obj)->trace_range(tracer, lo, hi);
}
}  // namespace detail

}  // namespace gort::gc
