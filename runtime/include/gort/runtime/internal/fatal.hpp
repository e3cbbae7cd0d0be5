// gort/runtime/internal/fatal.hpp — unrecoverable errors raised by library code (sync).
//
// Go has two ways for the runtime to kill a program without a panic: throw, for
// the runtime's own broken state, and fatal (panic.go, Go 1.19), for misuse by
// the program that must not be recoverable, such as unlocking an unlocked
// sync.Mutex.  This is fatal: no exception is thrown, so no catch can ignore it.
// The runtime's throw is gothrow (runtime/src/crash.hpp: `throw` is a C++
// keyword); both print "fatal error: <msg>" as Go's do.
#pragma once

namespace gort::runtime {

/// Prints "fatal error: <msg>", then the calling goroutine's traceback and every
/// other goroutine (at the GOTRACEBACK level; runtime frames hidden unless
/// system), and exits with status 2 (aborts under GOTRACEBACK=crash), as Go's
/// fatal does.  May be called from any goroutine, holding no runtime lock.
[[noreturn]] void fatal(const char* msg);

}  // namespace gort::runtime
