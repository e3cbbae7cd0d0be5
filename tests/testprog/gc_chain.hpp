// gc_chain.hpp — the managed linked list the test programs build and check.
#pragma once

#include <gort/gc.hpp>

namespace gort::testprog {

struct Node {
  gc::Ptr<Node> next;
  long value = 0;
  void trace(gc::Tracer& t) const { t.visit(next); }
};

/// Builds a chain of n nodes valued 0..n-1 from the tail.  Precondition:
/// called from a goroutine.
inline gc::Ref<Node> chain(int n) {
  gc::Ref<Node> head;
  for (int i = 0; i < n; ++i) {
    auto node = gc::make<Node>();
    node->value = i;
    node->next = head;
    head = node;
  }
  return head;
}

/// True when the chain built by chain(n) is intact.
inline bool chain_intact(const gc::Ref<Node>& head, int n) {
  const Node* p = head.get();
  for (int i = n - 1; i >= 0; --i, p = p->next.get()) {
    if (p == nullptr || p->value != i) return false;
  }
  return p == nullptr;
}

}  // namespace gort::testprog
