// root.cpp — gc::Root registration (the collector's "globals": what Go finds in
// the data and bss segments, gort finds in this list).
//
// Every Root owns one RootNode linked into a global doubly-linked list under a
// spin lock; the mark walks the list with the world stopped.  Registration is
// O(1); a Root's value is read by the mark without the lock because the world
// is stopped (no mutator can be assigning it), except for threads that are not
// goroutines, which hold a NoCollectionScope while they touch managed objects.
#include <gort/gc/object.hpp>

#include <mutex>

#include "collector.hpp"

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

}  // namespace gort::gc::detail
