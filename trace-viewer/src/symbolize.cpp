// symbolize.cpp — see symbolize.hpp.
#include "symbolize.hpp"

#include <fmt/format.h>

namespace gort::viewer {

std::string describe_pc(const Trace& trace, uint64_t pc) {
  const FrameInfo* f = trace.frame(pc);
  if (f == nullptr) return fmt::format("0x{:x}", pc);
  std::string_view func = trace.string(f->func);
  std::string_view file = trace.string(f->file);
  std::string out = func.empty() ? fmt::format("0x{:x}", pc) : std::string(func);
  if (!file.empty()) out += fmt::format(" ({}:{})", file, f->line);
  return out;
}

bool is_runtime_function(std::string_view func) {
  // Demangled names may carry a return type first ("void gort::go<...>(...)").
  return func.find("gort::runtime::") != std::string_view::npos ||
         func.find("gort::go<") != std::string_view::npos || func.starts_with("gort::go(") ||
         func.find(" gort::go(") != std::string_view::npos;
}

std::string group_name(const Trace& trace, bool existed_at_start, uint64_t create_stack, uint64_t start_stack) {
  if (existed_at_start) return kExistingGroup;
  auto site = trace.stack(create_stack);
  const FrameInfo* first_known = nullptr;
  for (uint64_t pc : site) {
    const FrameInfo* f = trace.frame(pc);
    if (f == nullptr || trace.string(f->func).empty()) continue;
    if (first_known == nullptr) first_known = f;
    if (is_runtime_function(trace.string(f->func))) continue;
    first_known = f;
    break;
  }
  if (first_known != nullptr) {
    std::string_view file = trace.string(first_known->file);
    if (file.empty()) return std::string(trace.string(first_known->func));
    return fmt::format("{} ({}:{})", trace.string(first_known->func), file, first_known->line);
  }
  auto start = trace.stack(start_stack);
  if (!start.empty()) {
    const FrameInfo* f = trace.frame(start[0]);
    if (f != nullptr && !trace.string(f->func).empty()) return std::string(trace.string(f->func));
  }
  if (!site.empty()) return fmt::format("goroutine created at pc 0x{:x}", site[0]);
  if (!start.empty()) return fmt::format("goroutine started at pc 0x{:x}", start[0]);
  return "(unknown creation site)";
}

}  // namespace gort::viewer
