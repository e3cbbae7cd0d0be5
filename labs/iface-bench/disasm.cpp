// disasm.cpp — running the disassemblers and reading their listings (see
// disasm.hpp).
#include "disasm.hpp"

#include <fmt/format.h>
#include <lab/go_twin.hpp>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>

namespace ifacebench {

namespace {

/// s with runs of blanks collapsed to one space and the ends trimmed.
std::string collapse_blanks(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool blank = c == ' ' || c == '\t';
    if (blank) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

/// The mnemonic (first word) of an instruction's text.
std::string mnemonic(const std::string& text) { return text.substr(0, text.find(' ')); }

/// The operands (everything after the mnemonic), or "".
std::string operands(const std::string& text) {
  const std::size_t space = text.find(' ');
  return space == std::string::npos ? std::string() : text.substr(space + 1);
}

/// Parses a hexadecimal number with or without "0x"; nullopt if s is not one.
std::optional<uint64_t> parse_hex(std::string s) {
  if (s.rfind("0x", 0) == 0) s = s.substr(2);
  if (s.empty() || s.size() > 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    if (d < 0) return std::nullopt;
    v = v * 16 + static_cast<uint64_t>(d);
  }
  return v;
}

/// How an instruction calls.
enum class CallKind { None, Direct, Indirect };

/// Classes a GNU (AT&T) instruction of function `symbol`: `call *...` is
/// indirect, `call <addr> <sym>` direct; a `jmp` out of the function is a
/// tail call, classed the same way.
CallKind gnu_call_kind(const std::string& text, const std::string& symbol) {
  const std::string m = mnemonic(text);
  const std::string op = operands(text);
  if (m == "jmp" || m == "jmpq") {
    if (op.rfind('*', 0) == 0) return CallKind::Indirect;
    const std::size_t open = op.find('<');
    const bool own = open != std::string::npos && op.compare(open + 1, symbol.size(), symbol) == 0 &&
                     (op[open + 1 + symbol.size()] == '+' || op[open + 1 + symbol.size()] == '>');
    return own ? CallKind::None : CallKind::Direct;
  }
  if (m != "call" && m != "callq") return CallKind::None;
  return op.rfind('*', 0) == 0 ? CallKind::Indirect : CallKind::Direct;
}

/// Classes a Go instruction: `CALL sym(SB)` is direct, a register or memory
/// operand indirect.
CallKind go_call_kind(const std::string& text) {
  if (mnemonic(text) != "CALL") return CallKind::None;
  const std::string op = operands(text);
  return op.size() >= 4 && op.compare(op.size() - 4, 4, "(SB)") == 0 ? CallKind::Direct : CallKind::Indirect;
}

/// The target address of a jump with an address operand, or nullopt.
std::optional<uint64_t> jump_target(const std::string& text, bool go_syntax) {
  const std::string m = mnemonic(text);
  if (m.empty() || (go_syntax ? m[0] != 'J' : m[0] != 'j')) return std::nullopt;
  const std::string op = operands(text);
  return parse_hex(op.substr(0, op.find(' ')));  // GNU: "12340 <sym+0x10>"
}

/// A call's target symbol as listed ("<foo>" or "foo(SB)").
std::string call_target(const std::string& text) { return operands(text); }

/// Go's stack-growth call, which is not part of any loop's work.
bool is_morestack(const std::string& text) { return text.find("runtime.morestack") != std::string::npos; }

}  // namespace

std::vector<Instruction> parse_gnu_listing(const std::string& text) {
  std::vector<Instruction> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    // "   12340:\tcall   *0x10(%rax)"
    const std::size_t colon = line.find(":\t");
    if (colon == std::string::npos) continue;
    const auto address = parse_hex(collapse_blanks(line.substr(0, colon)));
    if (!address) continue;
    const std::string body = collapse_blanks(line.substr(colon + 2));
    if (body.empty() || body == "...") continue;
    out.push_back({*address, body, {}});
  }
  return out;
}

std::vector<std::pair<std::string, std::vector<Instruction>>> parse_go_listing(const std::string& text) {
  std::vector<std::pair<std::string, std::vector<Instruction>>> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("TEXT ", 0) == 0) {
      // "TEXT main.benchGeneric[go.shape.*uint8_0](SB) /path/paths.go"
      std::string symbol = line.substr(5);
      const std::size_t sb = symbol.rfind("(SB)");
      if (sb != std::string::npos) symbol = symbol.substr(0, sb);
      out.emplace_back(symbol, std::vector<Instruction>{});
      continue;
    }
    if (out.empty()) continue;
    // "  paths.go:60\t\t0x4a3b20\t\tffd7\t\t\tCALL DI\t\t": source, address, bytes, text.
    std::vector<std::string> fields;
    std::string field;
    std::istringstream cells(line);
    while (std::getline(cells, field, '\t')) {
      field = collapse_blanks(field);
      if (!field.empty()) fields.push_back(field);
    }
    if (fields.size() < 4) continue;
    const auto address = parse_hex(fields[1]);
    if (!address) continue;
    std::string body = fields[3];
    for (std::size_t i = 4; i < fields.size(); ++i) body += " " + fields[i];
    out.back().second.push_back({*address, body, fields[0]});
  }
  return out;
}

FunctionDisasm analyse_function(const DisasmTarget& target, const std::vector<Instruction>& code, bool go_syntax) {
  FunctionDisasm f;
  f.target = target;
  if (code.empty()) {
    f.error = "symbol " + target.symbol + " not found in the listing";
    return f;
  }
  const auto kind = [go_syntax, &target](const Instruction& i) {
    return go_syntax ? go_call_kind(i.text) : gnu_call_kind(i.text, target.symbol);
  };
  // Candidate regions: [target, jump] for every backward jump inside the function.
  struct Region {
    std::size_t first, last;
  };
  std::vector<Region> loops;
  for (std::size_t j = 0; j < code.size(); ++j) {
    const auto to = jump_target(code[j].text, go_syntax);
    if (!to || *to > code[j].address || *to < code.front().address) continue;
    std::size_t first = j;
    while (first > 0 && code[first - 1].address >= *to) --first;
    loops.push_back({first, j});
  }
  const auto calls_in = [&](const Region& r, CallKind want) {
    int n = 0;
    for (std::size_t i = r.first; i <= r.last; ++i) n += kind(code[i]) == want && !is_morestack(code[i].text) ? 1 : 0;
    return n;
  };
  // The loop that calls (indirectly first); else, when the function calls
  // outside any loop (the handlers), the whole function; else the longest loop.
  const Region whole{0, code.size() - 1};
  const auto score = [&](const Region& r) {
    return calls_in(r, CallKind::Indirect) > 0 ? 2 : calls_in(r, CallKind::Direct) > 0 ? 1 : 0;
  };
  std::optional<Region> best;
  for (const Region& r : loops) {
    const bool better = !best || score(r) > score(*best) ||
                        (score(r) == score(*best) && r.last - r.first > best->last - best->first);
    if (better) best = r;
  }
  Region region = whole;
  f.region = "function";
  if (best && (score(*best) > 0 || score(whole) == 0)) {
    region = *best;
    f.region = "loop";
  }
  for (std::size_t i = region.first; i <= region.last; ++i) {
    const Instruction& ins = code[i];
    std::string line = fmt::format("{:x}: {}", ins.address, ins.text);
    if (!ins.source.empty()) line = ins.source + " " + line;
    const CallKind k = is_morestack(ins.text) ? CallKind::None : kind(ins);
    if (k == CallKind::Indirect) {
      ++f.indirect_calls;
      f.indirect_lines.push_back(line);
      line += "    <-- indirect call";
    } else if (k == CallKind::Direct) {
      ++f.direct_calls;
      f.direct_targets.push_back(call_target(ins.text));
      line += "    <-- direct call";
    }
    f.lines.push_back(line);
  }
  f.verdict = f.indirect_calls > 0 ? "indirect call" : f.direct_calls > 0 ? "direct call" : "inlined";
  return f;
}

Disassembly disassemble_self(const std::string& objdump, const std::vector<DisasmTarget>& targets) {
  Disassembly d;
  d.tool = objdump + " -d --no-show-raw-insn --disassemble=<symbol>";
  std::error_code ec;
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) {
    d.error = "cannot find this program's binary: " + ec.message();
    return d;
  }
  for (const DisasmTarget& t : targets) {
    std::string why;
    auto run = lab::run_program({objdump, "-d", "--no-show-raw-insn", "--disassemble=" + t.symbol, self}, {}, &why);
    if (!run) {
      d.error = fmt::format("{} could not be run ({}); install binutils", objdump, why);
      d.functions.clear();
      return d;
    }
    if (run->exit_code != 0) {
      d.error = fmt::format("{} exited with status {}: {}", objdump, run->exit_code, collapse_blanks(run->err));
      d.functions.clear();
      return d;
    }
    d.functions.push_back(analyse_function(t, parse_gnu_listing(run->out), false));
  }
  return d;
}

Disassembly disassemble_go(const std::string& binary, const std::vector<DisasmTarget>& targets) {
  Disassembly d;
  // The course's `go tool objdump -s 'main\.benchInterface'`, widened to
  // every loop and handler of the twin.
  const std::string pattern = "^main\\.(bench|handle)";
  d.tool = "go tool objdump -s '" + pattern + "'";
  std::string why;
  auto run = lab::run_program({"go", "tool", "objdump", "-s", pattern, binary}, {}, &why);
  if (!run) {
    d.error = "go could not be run (" + why + "); install golang-go";
    return d;
  }
  if (run->exit_code != 0) {
    d.error = fmt::format("go tool objdump exited with status {}: {}", run->exit_code, collapse_blanks(run->err));
    return d;
  }
  const auto listing = parse_go_listing(run->out);
  for (const DisasmTarget& t : targets) {
    const auto it = std::find_if(listing.begin(), listing.end(), [&t](const auto& e) { return e.first == t.symbol; });
    d.functions.push_back(analyse_function(t, it == listing.end() ? std::vector<Instruction>{} : it->second, true));
  }
  return d;
}

void to_json(nlohmann::json& j, const FunctionDisasm& f) {
  j = {{"group", f.target.group},
       {"name", f.target.name},
       {"symbol", f.target.symbol},
       {"region", f.region},
       {"verdict", f.verdict},
       {"indirect_calls", f.indirect_calls},
       {"direct_calls", f.direct_calls},
       {"direct_targets", f.direct_targets},
       {"indirect_lines", f.indirect_lines},
       {"lines", f.lines},
       {"error", f.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.error)}};
}

void to_json(nlohmann::json& j, const Disassembly& d) {
  j = {{"tool", d.tool},
       {"error", d.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.error)},
       {"functions", d.functions}};
}

}  // namespace ifacebench
