// snippet_c_goroutine_capture.cpp — course snippet C: a goroutine capturing a
// local (a closure held past its frame).
//
//   func C() { x := 7; go func() { fmt.Println(x) }() }
//
// The goroutine outlives C's frame, so Go allocates the closure (the func
// value holding its copy of x) on the heap: "func literal escapes to heap".  A
// func value is a type-erased callable; C++'s is std::function, and the
// translation hands one to gort::go.  std::function keeps a callable in its
// own 16 bytes only when it is trivially copyable and fits; this one also
// captures the channel that tells the benchmark the goroutine is done (a
// refcounted handle, not trivially copyable), so it goes to the C++ heap, as
// any closure with real captures does.
//
// The refactor passes the lambda itself to gort::go.  gort::go is a template:
// it moves the closure, captures and all, into the new goroutine's own stack
// (below its G record; runtime.hpp's kMaxClosureBytes), so nothing is boxed.
// Go cannot do that (newproc takes a *funcval), which is why the Go twin's
// refactor is different: a long-lived worker goroutine fed x over a channel.
//
// Both versions print x to the discarding sink (Go: fmt.Fprintln(io.Discard,
// x)) and signal `done`; the benchmark waits for it, so one operation is one
// goroutine started, run and finished.
#include <gort/gort.hpp>

#include <functional>

#include "measure.hpp"
#include "sink.hpp"
#include "snippets.hpp"

namespace escape {
namespace {

/// The translation: the closure is a func value (std::function) given to go.
[[gnu::noinline]] void go_with_func_value(const gort::Chan<int>& done) {
  int x = 7;
  std::function<void()> fn = [x, done] {
    discard_value(x);
    done.send(1);
  };
  gort::go(std::move(fn));
}

/// The refactor: the lambda goes to gort::go as it is, onto the new stack.
[[gnu::noinline]] void go_with_closure_on_new_stack(const gort::Chan<int>& done) {
  int x = 7;
  gort::go([x, done] {
    discard_value(x);
    done.send(1);
  });
}

/// Runs start(done) then waits for the goroutine's signal, once per iteration.
void bench_spawn(benchmark::State& state, void (*start)(const gort::Chan<int>&)) {
  auto done = gort::make_chan<int>(0);
  measure_loop(state, [&] {
    start(done);
    done.recv();
  });
}

/// Benchmark of the translation: a goroutine started from a std::function per iteration.
void bench_before(benchmark::State& state) { bench_spawn(state, &go_with_func_value); }

/// Benchmark of the refactor: a goroutine started from the lambda itself per iteration.
void bench_after(benchmark::State& state) { bench_spawn(state, &go_with_closure_on_new_stack); }

}  // namespace

Snippet snippet_c() {
  Snippet s;
  s.id = "C";
  s.title = "a goroutine capturing a local";
  s.go_code = "func C() { x := 7; go func() { fmt.Println(x) }() }";
  s.translation_note =
      "Go boxes the closure because the goroutine outlives C; C++'s boxed closure is std::function, "
      "which keeps a closure in its 16 in-object bytes only if it is trivially copyable: this one "
      "captures the done channel, a refcounted handle, so it goes to the C++ heap.";
  s.refactor_note =
      "gort::go is a template: the lambda is moved into the new goroutine's own stack, so the "
      "closure is never boxed. (Go's newproc needs a *funcval; the Go twin's refactor is a "
      "long-lived worker fed over a channel instead.)";
  s.go_refactor = "worker := func() { for x := range work { fmt.Fprintln(io.Discard, x); done <- struct{}{} } }";
  s.before = {"std::function<void()> fn = [x, done] {...}; gort::go(std::move(fn));", {Place::CxxHeap, 1},
              &bench_before};
  s.after = {"gort::go([x, done] {...});", {Place::Stack, 0}, &bench_after};
  return s;
}

}  // namespace escape
