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

namespace {

/// The qualified name of a demangled function, without its return type and
/// parameter list: "void gort::go<F>(F&&)" -> "gort::go<F>".
std::string bare_name(std::string_view func) {
  std::string f(func);
  for (size_t at; (at = f.find("(anonymous namespace)")) != std::string::npos;) f.replace(at, 21, "{anon}");
  int depth = 0;
  size_t name_start = 0, end = f.size();
  for (size_t i = 0; i < f.size(); i++) {
    const char c = f[i];
    if (c == '<' || c == '{') {
      depth++;
    } else if ((c == '>' || c == '}') && depth > 0) {
      depth--;
    } else if (depth == 0 && c == ' ') {
      name_start = i + 1;  // what came before was a return type
    } else if (depth == 0 && c == '(') {
      end = i;
      break;
    }
  }
  return name_start < end ? f.substr(name_start, end - name_start) : f;
}

}  // namespace

bool is_runtime_function(std::string_view func) {
  const std::string n = bare_name(func);
  return n.starts_with("gort::runtime::") || n.starts_with("gort::go<") || n == "gort::go" ||
         n.starts_with("make_fcontext") || n.starts_with("jump_fcontext") || n.starts_with("ontop_fcontext");
}

std::vector<std::string> user_frames(const Trace& trace, uint64_t stack) {
  std::vector<std::string> out;
  auto pcs = trace.stack(stack);
  for (uint64_t pc : pcs) {
    const FrameInfo* f = trace.frame(pc);
    if (f != nullptr && is_runtime_function(trace.string(f->func))) continue;
    out.push_back(describe_pc(trace, pc));
  }
  if (out.empty()) {
    for (uint64_t pc : pcs) out.push_back(describe_pc(trace, pc));
  }
  return out;
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
