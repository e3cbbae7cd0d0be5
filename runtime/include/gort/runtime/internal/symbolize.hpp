// gort/runtime/internal/symbolize.hpp — the runtime's symbolizer as data: the
// logical frames (inlined calls expanded) at a code address, for the profilers
// of pprof/ (Go's runtime.CallersFrames over pclntab, which runtime/pprof's
// proto.go calls once per address).  The same libdw symbolizer names the frames
// of tracebacks (runtime/src/symbolize.cpp); this is its structured entry point.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gort::runtime {

/// One logical frame at an address (mirrors runtime.Frame).
struct SymbolizedFrame {
  std::string function;  // demangled name; empty when unknown
  std::string file;      // source file; empty when unknown
  int line = 0;          // line of the address in file; 0 when unknown
  int start_line = 0;    // the function's declaration line (Go's Func.startLine); 0 when unknown
  uintptr_t entry = 0;   // start of the physical function holding the address; 0 when unknown
  bool runtime = false;  // a frame tracebacks hide as the runtime's (gort::runtime, channel and go-statement internals)
};

/// Appends the logical frames at code address pc to *out, innermost first: the
/// calls inlined at pc, then the physical function.  pc is looked up as given:
/// for a return address pass pc-1 (Go's tracepc).  Appends at least one frame
/// (with an empty name when pc is in no known function).  Takes the symbolizer
/// lock and allocates: not for signal handlers.
void symbolize_frames(uintptr_t pc, std::vector<SymbolizedFrame>* out);

}  // namespace gort::runtime
