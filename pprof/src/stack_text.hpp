// stack_text.hpp — stacks in the legacy text profiles (debug=1), as Go's
// printStackRecord (golang/go src/runtime/pprof/pprof.go) writes them.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace gort::pprof::detail {

/// Appends "@ 0x<pc> 0x<pc> ..." (the raw return addresses, Go's stack key).
void append_stack_key(std::string* out, std::span<const uintptr_t> stk);

/// Appends one "#\t0x<pc>\t<function>+0x<offset>\t<file>:<line>" line per
/// logical frame of stk (inlined calls expanded; pc is the return address
/// minus one, the offset from the physical function's start), then a blank
/// line.  Leading runtime frames are left out unless all_frames or nothing
/// else would show (Go hides leading runtime.* frames); a frame the
/// symbolizer cannot name is "#\t0x<pc>".  Takes the symbolizer lock.
void append_stack_record(std::string* out, std::span<const uintptr_t> stk, bool all_frames = false);

}  // namespace gort::pprof::detail
