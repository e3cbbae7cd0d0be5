// stack_text.cpp — stacks in the legacy text profiles (mirrors
// printStackRecord in golang/go src/runtime/pprof/pprof.go).  Frames come from
// the runtime's symbolizer (symbolize_frames), one line per logical frame.
// Go writes through a tabwriter whose padding is itself a tab; the fields
// here are separated by one tab, which every reader of the format splits on.
#include "stack_text.hpp"

#include <cinttypes>
#include <cstdio>
#include <vector>

#include <gort/runtime/internal/symbolize.hpp>

namespace gort::pprof::detail {

void append_stack_key(std::string* out, std::span<const uintptr_t> stk) {
  char buf[32];
  out->push_back('@');
  for (uintptr_t pc : stk) {
    std::snprintf(buf, sizeof buf, " 0x%" PRIxPTR, pc);
    out->append(buf);
  }
}

void append_stack_record(std::string* out, std::span<const uintptr_t> stk, bool all_frames) {
  bool show = all_frames;
  const std::size_t at = out->size();
  std::vector<runtime::SymbolizedFrame> frames;
  char buf[64];
  for (uintptr_t pc : stk) {
    const uintptr_t addr = pc - 1;
    frames.clear();
    runtime::symbolize_frames(addr, &frames);
    for (const runtime::SymbolizedFrame& f : frames) {
      if (f.function.empty()) {
        show = true;
        std::snprintf(buf, sizeof buf, "#\t0x%" PRIxPTR "\n", addr);
        out->append(buf);
      } else if (show || !f.runtime) {
        show = true;
        std::snprintf(buf, sizeof buf, "#\t0x%" PRIxPTR "\t", addr);
        out->append(buf);
        out->append(f.function);
        std::snprintf(buf, sizeof buf, "+0x%" PRIxPTR "\t", f.entry != 0 ? addr - f.entry : 0);
        out->append(buf);
        out->append(f.file.empty() ? "?" : f.file);
        std::snprintf(buf, sizeof buf, ":%d\n", f.line);
        out->append(buf);
      }
    }
  }
  if (!show) {
    // Nothing but runtime frames: print them all (as Go does).
    out->resize(at);
    append_stack_record(out, stk, true);
    return;
  }
  out->push_back('\n');
}

}  // namespace gort::pprof::detail
