// symbolize.hpp — turns pcs and stacks into text through the trace's Frame
// records, and names goroutine groups.
//
// Mirrors what Go's src/cmd/trace does with a stack's frames (function,
// file:line) and how its goroutine analysis groups goroutines by start
// function (src/internal/trace/summary.go: the goroutine's "Name").  gort
// groups by the `go` call site instead when it can, because in C++ every
// goroutine starts in the runtime's invoke_closure<...> and lambdas are only
// told apart by their enclosing function and line:
//   1. the creation stack's first frame outside the runtime:
//      "func (file:line)"
//   2. else the start stack's first frame: "func"
//   3. else "goroutine created at pc 0x..." (no Frame records)
//   4. goroutines alive when the trace started: "(existing at trace start)".
#pragma once

#include "reader.hpp"

#include <string>
#include <vector>

namespace gort::viewer {

inline constexpr const char* kExistingGroup = "(existing at trace start)";

/// "func (file:line)" for a pc with a Frame record, else "0x...".
std::string describe_pc(const Trace& trace, uint64_t pc);

/// True for a frame of the runtime's own machinery (gort::go<...>,
/// gort::runtime::..., Boost.Context's fcontext entry points), which the
/// call-site grouping and the Chrome export's stacks skip.
bool is_runtime_function(std::string_view func);

/// A stack's frames as text (describe_pc), without runtime frames unless
/// every frame is one.
std::vector<std::string> user_frames(const Trace& trace, uint64_t stack);

/// The group a goroutine belongs to (see the file comment).
std::string group_name(const Trace& trace, bool existed_at_start, uint64_t create_stack, uint64_t start_stack);

}  // namespace gort::viewer
