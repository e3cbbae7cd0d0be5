// current.hpp — the current M, G and P of the calling thread.
//
// Pitfall (GCC PR 26461): a compiler may compute the address of a thread_local
// once and reuse it across a call.  A goroutine can leave its M in any runtime
// call and resume on another thread, so a cached TLS address would name the old
// thread's M.  current_m() is therefore an out-of-line function defined in
// current.cpp, marked noinline/noipa and containing a compiler barrier, so every
// call re-reads %fs on the thread that is running now.  Never cache its result
// across a call that may switch goroutines (park, gosched, go, ready, sema ops).
#pragma once

namespace gort::runtime {

struct M;
struct G;
struct P;

/// Returns the M of the calling OS thread, or nullptr on a thread outside the runtime.
M* current_m();

/// Binds the calling OS thread to mp (nullptr to unbind).
void set_current_m(M* mp);

/// The TLS slot behind current_m(), for out-of-line leaf functions that never
/// switch goroutines between reading it and returning (Lock::lock/unlock).
/// Reading it directly saves a call; it must never be read in a function that
/// can park, yield or be inlined into one that can.  constinit tells every
/// reader the slot has no dynamic initializer, so the compiler reads %fs
/// directly instead of first testing for (and calling) a TLS init function.
extern thread_local constinit M* tls_current_m __attribute__((tls_model("initial-exec")));

}  // namespace gort::runtime
