// gort/panic.hpp — Go panics as C++ exceptions.
//
// A Go panic that nobody recovers ends the program with "panic: <message>", a
// traceback and exit status 2.  In gort a panic is a C++ exception derived from
// gort::Panic; `recover` is an ordinary try/catch.  An exception of any type that
// escapes a goroutine's function ends the program the way an unrecovered panic
// does (runtime/src/crash.cpp).
#pragma once

#include <stdexcept>
#include <string>

namespace gort {

/// A Go panic carrying Go's message text (e.g. "send on closed channel").
class Panic : public std::runtime_error {
 public:
  /// Creates a panic whose message is printed after "panic: ".
  explicit Panic(const std::string& message) : std::runtime_error(message) {}
};

/// A panic raised by the runtime itself (Go's runtime.Error); printed with Go's
/// "[recovered]"-free format exactly like a user panic.
class RuntimeError : public Panic {
 public:
  /// Creates a runtime error with Go's message text.
  explicit RuntimeError(const std::string& message) : Panic(message) {}
};

}  // namespace gort
