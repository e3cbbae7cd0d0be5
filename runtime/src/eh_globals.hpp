// eh_globals.hpp — the C++ runtime's per-thread exception state, carried by
// goroutines across threads.
//
// The C++ runtime keeps, per thread, the stack of exceptions being handled
// (for `throw;` and std::current_exception) and the count of exceptions in
// flight (std::uncaught_exceptions): __cxa_eh_globals, whose layout the Itanium
// C++ ABI fixes (section 2.2.2).  A goroutine that parks inside a catch block,
// or in a destructor run during unwinding, can resume on another thread, where
// that state belongs to someone else: `throw;` would rethrow the wrong
// exception, and ending the catch would corrupt the other thread's list.  So
// every goroutine switch saves the leaving goroutine's state and installs the
// resuming one's (proc.cpp switch_to), as each goroutine had a thread of its own.
#pragma once

namespace gort::runtime {

struct EhGlobals {
  void* caught_exceptions = nullptr;
  unsigned int uncaught_exceptions = 0;
};

/// The calling thread's exception state (__cxa_get_globals).
EhGlobals* thread_eh_globals();

}  // namespace gort::runtime
