// report.cpp — the Markdown report and the plot (see report.hpp).
#include "report.hpp"

#include <fmt/format.h>
#include <lab/report.hpp>

#include <thread>

#include "boxing.hpp"
#include "handler.hpp"
#include "loops.hpp"

namespace ifacebench {

namespace {

/// Ten debug calls per request (handler.hpp, go/logger.go).
constexpr int64_t kLogCallsPerRequest = 10;

/// "gort" or "Go (go1.19.8)".
std::string runtime_name(const RuntimeResults& r) {
  return r.runtime == "go" ? "Go (" + r.version + ")" : std::string("gort");
}

/// An allocation rate: "0" when none, else three significant digits.
std::string per_op(double v) { return v == 0 ? "0" : lab::format_sig3(v); }

/// The function of group/name in a disassembly, or null.
const FunctionDisasm* find_function(const std::optional<Disassembly>& d, const std::string& group,
                                    const std::string& name) {
  if (!d) return nullptr;
  for (const FunctionDisasm& f : d->functions) {
    if (f.target.group == group && f.target.name == name) return &f;
  }
  return nullptr;
}

/// The disassembly's verdict for a report cell: "indirect call (`call *0x10(%rax)`)".
std::string verdict_cell(const FunctionDisasm* f) {
  if (f == nullptr) return "—";
  if (!f->error.empty()) return "not found";
  if (f->verdict == "indirect call") {
    const std::string& l = f->indirect_lines.front();
    const std::size_t colon = l.find(": ");
    return fmt::format("{} indirect call{} (`{}`)", f->indirect_calls, f->indirect_calls > 1 ? "s" : "",
                       colon == std::string::npos ? l : l.substr(colon + 2));
  }
  if (f->verdict == "direct call") return fmt::format("direct call ({})", f->direct_targets.front());
  return "inlined (no call)";
}

/// ns/op of m over ns/op of the group's `base` variant, as "1.23×", or "—".
std::string ratio_to(const RuntimeResults& r, const Measurement& m, const std::string& base) {
  const Measurement* b = find_measurement(r, m.group, base);
  if (b == nullptr || ns_per_op(*b) <= 0) return "—";
  return lab::format_sig3(ns_per_op(m) / ns_per_op(*b)) + "×";
}

/// The runtimes of the run with their disassemblies.
std::vector<std::pair<const RuntimeResults*, const std::optional<Disassembly>*>> runtimes(
    const LabRun& run, const std::optional<Disassembly>& gort_disassembly) {
  std::vector<std::pair<const RuntimeResults*, const std::optional<Disassembly>*>> out{
      {&run.gort, &gort_disassembly}};
  if (run.go) out.emplace_back(&*run.go, &run.go_disassembly);
  return out;
}

/// One group's table: each variant's ns/op, allocs/op, ratio to `base` and
/// the call its loop makes, per runtime.
std::string group_table(const LabRun& run, const std::optional<Disassembly>& gort_disassembly,
                        const std::string& group, const std::string& base, const std::string& unit) {
  std::vector<std::string> titles{"variant"};
  const auto rts = runtimes(run, gort_disassembly);
  for (const auto& [r, d] : rts) {
    const std::string n = runtime_name(*r);
    titles.insert(titles.end(), {n + " ns/" + unit + ":", n + " min:", n + " allocs/" + unit + ":",
                                 n + " vs " + base + ":", n + " calls (disassembly)"});
  }
  lab::MarkdownTable t(titles);
  bool any = false;
  for (const Measurement& m : run.gort.measurements) {
    if (m.group != group) continue;
    any = true;
    std::vector<std::string> row{m.name};
    for (const auto& [r, d] : rts) {
      const Measurement* x = find_measurement(*r, group, m.name);
      if (x == nullptr) {
        row.insert(row.end(), {"—", "—", "—", "—", "—"});
        continue;
      }
      row.insert(row.end(), {lab::format_sig3(ns_per_op(*x)), lab::format_sig3(min_ns_per_op(*x)),
                             per_op(allocs_per_op(*x)), ratio_to(*r, *x, base),
                             verdict_cell(find_function(*d, group, m.name))});
    }
    t.add_row(row);
  }
  return any ? t.str() : std::string("None of this group's variants was run.\n");
}

/// The names of a disassembly's functions of `group` with `verdict`, as "a, b".
std::string names_with(const Disassembly& d, const std::string& group, const std::string& verdict) {
  std::string out;
  for (const FunctionDisasm& f : d.functions) {
    if (f.target.group == group && f.verdict == verdict) out += (out.empty() ? "" : ", ") + f.target.name;
  }
  return out.empty() ? "none" : out;
}

/// The disassembly section of one binary: a summary sentence, then each
/// three-way loop quoted with its calls marked, then the handlers' counts.
std::string disassembly_section(const std::string& heading, const std::optional<Disassembly>& d) {
  std::string out = "### " + heading + "\n\n";
  if (!d) return out + "Not disassembled.\n\n";
  if (!d->error.empty()) return out + "Not disassembled: " + d->error + ". The measurements above still stand.\n\n";
  out += fmt::format("`{}`. Indirect call in the loop: **{}**. Direct call: {}. Inlined, no call: {}.\n\n", d->tool,
                     names_with(*d, "three-way", "indirect call"), names_with(*d, "three-way", "direct call"),
                     names_with(*d, "three-way", "inlined"));
  for (const FunctionDisasm& f : d->functions) {
    if (f.target.group != "three-way") continue;
    out += fmt::format("**{}** — `{}`: ", f.target.name, f.target.symbol);
    if (!f.error.empty()) {
      out += f.error + "\n\n";
      continue;
    }
    out += fmt::format("{} in the {} ({} instructions).\n\n```\n", verdict_cell(&f), f.region, f.lines.size());
    for (const std::string& l : f.lines) out += l + "\n";
    out += "```\n\n";
  }
  lab::MarkdownTable t({"handler", "symbol", "indirect calls:", "direct calls:", "verdict"});
  bool any = false;
  for (const FunctionDisasm& f : d->functions) {
    if (f.target.group != "logger") continue;
    any = true;
    t.add_row({f.target.name, "`" + f.target.symbol + "`", std::to_string(f.indirect_calls),
               std::to_string(f.direct_calls), f.error.empty() ? f.verdict : f.error});
  }
  if (any) out += "The logger handlers, whole functions (no loop):\n\n" + t.str() + "\n";
  return out;
}

/// The setup line of one runtime.
std::string setup_line(const RuntimeResults& r) {
  std::string ops;
  for (const char* group : {"three-way", "logger", "boxing"}) {
    for (const Measurement& m : r.measurements) {
      if (m.group == group) {
        ops += fmt::format("{}{}: {} ops", ops.empty() ? "" : ", ", group, m.ops);
        break;
      }
    }
  }
  return fmt::format("{}: GOMAXPROCS={}, {} timed runs per variant ({} per run), logger level {}.\n",
                     runtime_name(r), r.gomaxprocs, r.runs, ops, r.log_level);
}

/// The boxing table of one runtime.
std::string boxing_table(const RuntimeResults& r) {
  lab::MarkdownTable t({"variant", "ns/op:", "min:", "C++ heap allocs/op:", "managed allocs/op:", "bytes/op:", "what"});
  int n = 0;
  const BoxingVariant* variants = boxing_variants(&n);
  for (const Measurement& m : r.measurements) {
    if (m.group != "boxing") continue;
    std::string what;
    for (int i = 0; i < n; ++i) {
      if (m.name == variants[i].name) what = fmt::format("`{}`: {}", variants[i].code, variants[i].what);
    }
    if (r.runtime == "go") {
      if (m.name == "fmt-any") what = "`fmt.Fprintln(io.Discard, x)`: x boxed into `any` (convT64)";
      if (m.name == "fmt-itoa") what = "`fmt.Fprintln(io.Discard, strconv.Itoa(x))`: the course's refactor";
      if (m.name == "append-int") what = "`strconv.AppendInt(buf[:0], x, 10)`, written to io.Discard";
    }
    t.add_row({m.name, lab::format_sig3(ns_per_op(m)), lab::format_sig3(min_ns_per_op(m)), r.runtime == "go" ? "—" : per_op(cxx_allocs_per_op(m)),
               per_op(managed_allocs_per_op(m)), per_op(bytes_per_op(m)), what});
  }
  return t.str();
}

/// What this machine's figures rest on.
std::string machine_reading(const LabRun& run) {
  return fmt::format(
      "This machine has {} CPUs and the load average was {} before the runs; every variant runs on one "
      "goroutine, so other load shows as noise between runs (compare min and median in the JSON), not as a "
      "bias of one variant: rounds interleave the variants.\n\n",
      std::thread::hardware_concurrency(), run.load_before);
}

}  // namespace

std::vector<std::string> consistency_failures(const RuntimeResults& r) {
  std::vector<std::string> out;
  for (const char* group : {"three-way", "logger"}) {
    const Measurement* first = nullptr;
    for (const Measurement& m : r.measurements) {
      if (m.group != group) continue;
      if (first == nullptr) first = &m;
      if (m.result != first->result) {
        out.push_back(fmt::format("{}: {} computed {}, {} computed {}", runtime_name(r), m.name, m.result,
                                  first->name, first->result));
      }
    }
  }
  for (const Measurement& m : r.measurements) {
    if (m.group != "logger") continue;
    const int64_t expected = r.log_level == "debug"
                                 ? kLogCallsPerRequest * static_cast<int64_t>(m.ops) * static_cast<int64_t>(m.run_ns.size())
                                 : 0;
    if (m.logged_lines != expected) {
      out.push_back(fmt::format("{}: logger {} recorded {} lines, expected {}", runtime_name(r), m.name,
                                m.logged_lines, expected));
    }
  }
  return out;
}

std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error) {
  const std::optional<Disassembly> gort_disassembly = run.gort_disassembly;
  std::string out = "# iface-bench: concrete, interface and generic calls; a Logger refactor; boxing\n\n";
  out += fmt::format("Command: `{}`  \nMachine: {}; load average before the runs {}.\n\n", run.command, run.machine,
                     run.load_before);

  out += "## 1. Setup\n\n";
  out +=
      "Every variant does a fixed number of operations per timed run, interleaved round by round after an "
      "untimed warm-up; ns/op is the median run's wall time over its operations, *min* the fastest run's (on a "
      "shared machine, the run least disturbed). allocs/op is counted, not "
      "estimated: the managed heap's Mallocs (gort::read_mem_stats, Go's runtime.MemStats) and, in C++, every "
      "operator new (labs/common's alloc counter), before and after each run, after a collection — what "
      "testing.B's -benchmem reports. The loops are extern \"C\" never-inlined functions (Go: //go:noinline), so "
      "each has a symbol the disassembler prints whole.\n\n";
  out += setup_line(run.gort);
  if (run.go) out += setup_line(*run.go);
  out += "\n" + machine_reading(run);

  out += "## 2. Three ways to call one method\n\n";
  out +=
      "`x = s.step(x)` in a loop: x*mul + add, a dependency chain of about four cycles that nothing can "
      "vectorise. *concrete*: the type itself; *interface*: a virtual call through Stepper& whose one "
      "implementation is in another translation unit (the type is decided at run time, out of the loop's "
      "sight); *function*: std::function (Go: a func value); *generic*: a template instantiated with the "
      "concrete type (Go: a generic instantiated with *affine); *generic-iface*: the same template with the "
      "interface as type argument (Go: with Stepper); *devirtualised*: a virtual call on an object built in "
      "the loop's own function. *calls*: what the disassembly of the loop shows (section 3).\n\n";
  out += group_table(run, gort_disassembly, "three-way", "concrete", "op") + "\n";

  out += "## 3. Disassembly of each loop\n\n";
  out +=
      "Each loop as the machine runs it, the indirect call found by reading the listing: GNU `call *<operand>` "
      "or Go `CALL <register>` takes its target from a vtable slot, an itab, a closure or a generic's "
      "dictionary. A loop with no call had its callee inlined; a loop whose source makes a virtual call but "
      "shows none was devirtualised.\n\n";
  out += disassembly_section("gort (this binary, objdump)", gort_disassembly);
  if (run.go) out += disassembly_section("Go (the twin, go tool objdump)", run.go_disassembly);

  out += "## 4. A Logger called ten times in the hot path\n\n";
  out += fmt::format(
      "A request handler does ten steps of work with a `debug` call after each; the logger's level is {}, so "
      "{}. *interface*: the handler takes the Logger interface; *concrete*: the final LevelLogger; *generic*: a "
      "template over the logger type (Go: a generic handler instantiated with *levelLogger). Per request, so "
      "ten log calls per op.\n\n",
      run.gort.log_level,
      run.gort.log_level == "debug" ? "every call records a line" : "every call is a level check that returns");
  out += group_table(run, gort_disassembly, "logger", "interface", "request") + "\n";

  out += "## 5. Boxing: an int to a formatting call\n\n";
  out +=
      "Values from 1000 up (above Go's staticuint64s and strconv's small-number table), formatted with a newline "
      "and dropped as io.Discard drops them (the course prints with fmt.Println; a benchmark cannot print "
      "millions of lines, the boxing is the same).\n\n### gort\n\n";
  out += boxing_table(run.gort) + "\n";
  if (run.go) {
    out += "### " + runtime_name(*run.go) + "\n\n" + boxing_table(*run.go) + "\n";
    out += "`go build -gcflags=-m` on the twin, the lines about boxing and devirtualising:\n\n```\n";
    for (const std::string& l : run.go_escape_lines) out += l + "\n";
    out += "```\n\n";
  }
  if (!run.go_error.empty()) out += "Go twin: " + run.go_error + "\n\n";

  out += "## 6. Checks\n\n";
  std::vector<std::string> failures = consistency_failures(run.gort);
  if (run.go) {
    for (std::string& f : consistency_failures(*run.go)) failures.push_back(std::move(f));
  }
  if (failures.empty()) {
    out +=
        "Every three-way path computed the same x and every handler version the same sum; the loggers recorded "
        "the lines their level allows.\n\n";
  } else {
    for (const std::string& f : failures) out += "- **FAILED**: " + f + "\n";
    out += "\n";
  }

  out += "## 7. Plot\n\n";
  if (svg_path.empty()) {
    out += "No plot requested.\n";
  } else if (svg_error) {
    out += fmt::format("Plot not drawn ({}).\n", *svg_error);
  } else {
    out += fmt::format("Plot: `{}` (ns/op of every timed run, log scale; Go dashed).\n", svg_path);
  }
  return out;
}

lab::Plot runs_plot(const LabRun& run) {
  lab::Plot p;
  p.title = "iface-bench: ns per op, every timed run";
  p.xlabel = "run";
  p.ylabel = "ns/op";
  p.logy = true;
  for (const RuntimeResults* r : {&run.gort, run.go ? &*run.go : nullptr}) {
    if (r == nullptr) continue;
    for (const Measurement& m : r->measurements) {
      lab::Series s{runtime_name(*r) + " " + m.group + " " + m.name, {}, {}, false, r->runtime == "go"};
      for (std::size_t i = 0; i < m.run_ns.size(); ++i) {
        s.x.push_back(static_cast<double>(i + 1));
        s.y.push_back(static_cast<double>(m.run_ns[i]) / static_cast<double>(m.ops));
      }
      p.series.push_back(std::move(s));
    }
  }
  return p;
}

}  // namespace ifacebench
