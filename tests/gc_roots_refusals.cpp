// gc_roots_refusals.cpp — the places gort refuses managed pointers at compile
// time (runtime/HACKING.md, "Program values held by the runtime"): compiled
// once per case by ctest (tests/CMakeLists.txt), each compile must fail with
// the static_assert message that names what to use instead.  The last case
// compiles what those messages recommend.
#include <gort/gort.hpp>

#include <functional>

namespace {

struct Node {
  gort::gc::Ptr<Node> next;
  void trace(gort::gc::Tracer& t) const { t.visit(next); }
};

[[maybe_unused]] void refused() {
#if defined(REFUSE_POOL)
  gort::Pool<gort::gc::Ref<Node>> pool;
#elif defined(REFUSE_SINGLEFLIGHT)
  gort::SingleFlight<int, gort::gc::Slice<int>> flights;
#elif defined(REFUSE_FINALIZER_STD_FUNCTION)
  const std::function<void(Node*)> fn = [](Node*) {};
  gort::gc::set_finalizer(gort::gc::make<Node>(), fn);
#elif defined(REFUSE_AFTER_FUNC_STD_FUNCTION)
  const std::function<void()> fn = [] {};
  gort::after_func(gort::background(), fn);
#else
  gort::Pool<gort::gc::Root<Node>> pool;
  gort::SingleFlight<int, gort::gc::Root<Node>> flights;
  gort::gc::set_finalizer(gort::gc::make<Node>(), [](Node*) {});
  gort::after_func(gort::background(), [] {});
#endif
}

}  // namespace
