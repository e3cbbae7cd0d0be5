// gc.cpp — gort_testprog programs for the collector's subprocess tests
// (gc_crash_test.cpp, gc_roots_test.cpp): gctrace output, checkmark failures,
// misuse that must end the program with a clear message.
#include <gort/gort.hpp>
#include <gort/gc/span.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "../../gc/src/mark.hpp"

#include "gc_chain.hpp"
#include "testprog.hpp"

namespace gc = gort::gc;

namespace {

using gort::testprog::chain;
using gort::testprog::Node;

/// The object the checkmark test unmarks after the first mark.
gc::Root<Node>* victim_root = nullptr;

void unmark_victim() {
  gc::Span* s = nullptr;
  uint32_t idx = 0;
  if (gc::detail::find_object(reinterpret_cast<uintptr_t>(victim_root->get()->next.get()), s, idx)) {
    s->mark_bits[idx / 64] &= ~(uint64_t{1} << (idx % 64));
  }
}

struct AllocatesInDestructor {
  ~AllocatesInDestructor() { gc::make<Node>(); }
};

// GODEBUG=gctrace=1: heap-triggered cycles, then one forced.
GORT_TESTPROG(GCTrace) {
  return gort::run([] {
    gc::Root<Node> keep = chain(1000);
    for (int i = 0; i < 200000; ++i) chain(10);
    gc::collect();
  });
}

/// One pointer-free 1 KiB buffer (Go's [1024]byte), as the gctrace worked
/// example retains them.
struct Buffer {
  std::array<char, 1024> bytes;
};

// The gctrace worked example under a memory limit below its live heap
// (gc_crash_test.cpp sets GOMEMLIMIT): RETAIN_MIB (default 24) MiB of 1 KiB
// buffers appended to one slice and kept; prints how many it kept.
GORT_TESTPROG(RetainPastTheMemoryLimit) {
  return gort::run([] {
    const char* mib = std::getenv("RETAIN_MIB");
    const int buffers = (mib != nullptr ? std::atoi(mib) : 24) * 1024;
    gc::Slice<gc::Ptr<Buffer>> sink;
    for (int i = 0; i < buffers; ++i) {
      gc::Ref<Buffer> b = gc::make<Buffer>();
      b->bytes[0] = static_cast<char>(i);
      sink = gc::append(sink, gc::Ptr<Buffer>(b));
    }
    std::printf("retained %zu\n", static_cast<std::size_t>(sink.len()));
  });
}

// GODEBUG=gccheckmark=1 with a reachable object unmarked on purpose after the
// first mark: the checkmark pass must catch it.
GORT_TESTPROG(CheckmarkMiss) {
  return gort::run([] {
    gc::Root<Node> keep = chain(3);
    victim_root = &keep;
    gc::detail::after_mark_hook = &unmark_victim;
    gc::collect();
  });
}

GORT_TESTPROG(AllocInDestructor) {
  return gort::run([] {
    for (int i = 0; i < 10; ++i) gc::make<AllocatesInDestructor>();
    gc::collect();
  });
}

// A std::thread allocating while the runtime runs, without a scope.
GORT_TESTPROG(ForeignAlloc) {
  return gort::run([] {
    std::thread t([] { gc::make<Node>(); });
    t.join();
  });
}

// The same with a NoCollectionScope and a Root: fine, and survives cycles.
GORT_TESTPROG(ForeignAllocScoped) {
  return gort::run([] {
    gc::Root<Node>* kept = nullptr;
    std::thread t([&] {
      gc::NoCollectionScope scope;
      kept = new gc::Root<Node>(chain(100));
    });
    t.join();
    for (int i = 0; i < 3; ++i) gc::collect();
    long sum = 0;
    for (Node* n = kept->get(); n != nullptr; n = n->next.get()) sum += n->value;
    delete kept;
    std::printf("sum %ld\n", sum);
  });
}

GORT_TESTPROG(CollectOutsideRun) {
  gc::collect();  // not inside gort::run
  return 0;
}

// Go 1.19: "fatal error: runtime.SetFinalizer: finalizer already set", exit 2.
GORT_TESTPROG(SetFinalizerTwice) {
  return gort::run([] {
    auto n = gc::make<Node>();
    gc::set_finalizer(n, [](Node*) {});
    gc::set_finalizer(n, [](Node*) {});
    std::printf("second finalizer accepted\n");
  });
}

}  // namespace
