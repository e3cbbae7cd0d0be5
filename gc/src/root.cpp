// root.cpp — gc::Root registration and the runtime's root ranges (the
// collector's "globals": what Go finds in the data and bss segments, gort finds
// in this list and in the root ranges of gort/runtime/internal/root_range.hpp).
//
// Every Root owns one RootNode linked into a global doubly-linked list under a
// spin lock; the mark walks the list with the world stopped.  Registration is
// O(1); a Root's value is read by the mark without the lock because the world
// is stopped (no mutator can be assigning it), except for threads that are not
// goroutines, which hold a NoCollectionScope while they touch managed objects.
//
// Root ranges (channel buffers of managed pointers, rooted closures, exception
// objects: C++ memory holding a program's values) are scanned conservatively,
// like stacks, once at the start of the mark, and once more at mark
// termination with the world stopped: values the barrier of root_range.hpp
// shades cover what enters and leaves a range, and the second scan covers what
// was stored into a range in place without one (an exception object is
// constructed after it is registered).  If that scan greys anything the mark
// resumes, as after a write-barrier flush.
#include <gort/gc/object.hpp>
#include <gort/runtime/internal/root_range.hpp>

#include <mutex>

#include "mark.hpp"
#include "root.hpp"

namespace gort::gc::detail {

namespace {

/// The root list: a sentinel-headed ring.
struct RootList {
  std::mutex lock;
  RootNode head;
  std::size_t count = 0;
  RootList() { head.prev = head.next = &head; }
};

RootList& roots() {
  static auto* list = new RootList();  // never destroyed: Roots may outlive main
  return *list;
}

}  // namespace

void register_root(RootNode* node) {
  RootList& l = roots();
  std::lock_guard<std::mutex> guard(l.lock);
  node->next = l.head.next;
  node->prev = &l.head;
  l.head.next->prev = node;
  l.head.next = node;
  ++l.count;
}

void unregister_root(RootNode* node) {
  RootList& l = roots();
  std::lock_guard<std::mutex> guard(l.lock);
  node->prev->next = node->next;
  node->next->prev = node->prev;
  node->next = node->prev = nullptr;
  --l.count;
}

std::size_t mark_registered_roots(MarkState& state) {
  RootList& l = roots();
  std::lock_guard<std::mutex> guard(l.lock);
  for (RootNode* n = l.head.next; n != &l.head; n = n->next) {
    state.mark_address(reinterpret_cast<uintptr_t>(load_pointer(&n->object)));
  }
  return l.count;
}

namespace {
void scan_root_range(const void* lo, const void* hi, void* state) {
  static_cast<MarkState*>(state)->scan_conservative(lo, hi);
}
}  // namespace

std::size_t mark_root_ranges(MarkState& state) { return runtime::for_each_root_range(&scan_root_range, &state); }

}  // namespace gort::gc::detail
