// disasm.hpp — the loops as the machine runs them: this program's functions
// through GNU objdump, the Go twin's through `go tool objdump -s`, and the
// call in each loop found by reading the listing, not by eye.
//
// A function's listing is cut to its hot region: the loop closed by a
// backward jump (the one whose body holds a call, if any; else the longest),
// or the whole function when it has no loop (the logger handlers).  Each call
// in the region is classed as indirect — GNU `call *<operand>`, Go `CALL
// <register or memory>`: the target comes from a register or memory, a
// vtable slot, an itab, a closure or a dictionary — or direct (`call <addr>
// <symbol>`, `CALL sym(SB)`).  No call at all means the callee was inlined.
// Go's stack-growth check (CALL runtime.morestack_noctxt) lies outside every
// loop and is not counted in a whole function either.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ifacebench {

/// One instruction of a listing.
struct Instruction {
  uint64_t address = 0;
  /// Mnemonic and operands, whitespace collapsed ("call *0x10(%rax)", "CALL DI").
  std::string text;
  /// Go: "paths.go:60"; GNU objdump without -l: empty.
  std::string source;
};

/// A function to find in a listing, and what it is in the report.
struct DisasmTarget {
  /// "three-way" or "logger".
  std::string group;
  /// The variant's name in its group.
  std::string name;
  /// The symbol as the disassembler prints it.
  std::string symbol;
};

/// What one function's listing says.
struct FunctionDisasm {
  DisasmTarget target;
  /// "loop" or "function" (no backward jump: the whole function).
  std::string region;
  /// The region's instructions as "address: text", indirect calls marked.
  std::vector<std::string> lines;
  /// Calls in the region by kind; the direct calls' targets.
  int indirect_calls = 0;
  int direct_calls = 0;
  std::vector<std::string> direct_targets;
  /// The indirect call instructions, as listed.
  std::vector<std::string> indirect_lines;
  /// "indirect call", "direct call" or "inlined" (no call in the region);
  /// empty when the symbol was not found (then `error` says so).
  std::string verdict;
  std::string error;
};

/// A disassembler's findings for one binary.
struct Disassembly {
  /// The command's first words ("objdump -d --no-show-raw-insn", "go tool objdump").
  std::string tool;
  /// Why nothing could be listed (tool missing, binary unreadable); empty on success.
  std::string error;
  std::vector<FunctionDisasm> functions;
};

/// Parses GNU objdump -d output (AT&T syntax) into instructions, in order.
std::vector<Instruction> parse_gnu_listing(const std::string& text);

/// Parses `go tool objdump` output into each TEXT symbol's instructions.
std::vector<std::pair<std::string, std::vector<Instruction>>> parse_go_listing(const std::string& text);

/// Finds the hot region of a function's instructions and classes its calls.
/// `go_syntax` selects Go's assembler syntax.  Precondition: none (an empty
/// listing gives an error).
FunctionDisasm analyse_function(const DisasmTarget& target, const std::vector<Instruction>& code, bool go_syntax);

/// Lists each target of this program's own binary with `objdump` (a program
/// name or path); every target's symbol is an extern "C" function.
Disassembly disassemble_self(const std::string& objdump, const std::vector<DisasmTarget>& targets);

/// Lists each target of the Go binary at `binary` with `go tool objdump -s`.
Disassembly disassemble_go(const std::string& binary, const std::vector<DisasmTarget>& targets);

void to_json(nlohmann::json& j, const FunctionDisasm& f);
void to_json(nlohmann::json& j, const Disassembly& d);

}  // namespace ifacebench
