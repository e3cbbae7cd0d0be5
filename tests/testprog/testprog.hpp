// testprog.hpp — the registry of gort_testprog, the program the crash, hang
// and subprocess tests run, as Go's runtime tests run testdata/testprog.
//
// Each file of tests/testprog/ registers small gort programs by name:
//
//   GORT_TESTPROG(Deadlock) { return gort::run([] { ... }); }
//
// and a test runs one with gort::test::run_testprog("Deadlock", env) (tests/
// test_util.hpp), which runs `gort_testprog Deadlock` under a timeout.  The
// function's return value is the exit status; a program that ends badly on
// purpose never returns.  `gort_testprog --list` prints every name; an
// unknown name exits 2 with the list, as a malformed command line does in Go.
//
// One binary for every program, as in Go: gort is linked once for all of
// them instead of once per suite's helper (five links of 0.3 to 1.2 s each in
// the sanitizer builds), one target is built before the tests, and the
// suites' programs can share code.  Names are Go's
// style (CamelCase, what the program does), and the function carries the
// name, so a traceback in a report names the program.
#pragma once

namespace gort::testprog {

/// A registered program: returns the process's exit status.
using Func = int (*)();

/// Registers f under name; a duplicate name is a fatal mistake (reported at
/// start-up, exit 2).  Called from static initialisers (GORT_TESTPROG).
bool register_testprog(const char* name, Func f);

}  // namespace gort::testprog

/// Defines int Name() and registers it as the program "Name".
#define GORT_TESTPROG(Name)                                                                \
  int Name();                                                                              \
  [[maybe_unused]] const bool Name##_registered = ::gort::testprog::register_testprog(#Name, Name); \
  int Name()
