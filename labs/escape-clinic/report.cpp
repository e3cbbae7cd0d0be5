// report.cpp — the Markdown report (see report.hpp).
#include "report.hpp"

#include <cmath>

#include <fmt/format.h>
#include <lab/report.hpp>

#include "snippets.hpp"

namespace escape {
namespace {

/// Allocations per op as go test prints them ("1"), followed by the stray
/// fraction truncation dropped when there is one ("1 (+0.004)").
std::string format_allocs(double per_op) {
  const std::string whole = std::to_string(whole_allocs(per_op));
  const double stray = stray_allocs(per_op);
  if (stray == 0) return whole;
  return fmt::format("{} (+{})", whole, lab::format_sig3(stray));
}

/// Bytes per op as go test prints them (truncated), with a unit.
std::string format_bytes_per_op(double per_op) { return lab::format_bytes(std::floor(per_op)); }

/// Both heaps' allocations per op together.
double total_allocs(const Measurement& m) { return m.managed_allocs_per_op + m.cxx_allocs_per_op; }

/// Both heaps' bytes per op together.
double total_bytes(const Measurement& m) { return m.managed_bytes_per_op + m.cxx_bytes_per_op; }

/// "a → b".
std::string arrow(const std::string& before, const std::string& after) { return before + " → " + after; }

/// How many times faster after is than before ("13.4×").
std::string win(const Measurement& before, const Measurement& after) {
  if (after.ns_per_op <= 0) return "–";
  return lab::format_sig3(before.ns_per_op / after.ns_per_op) + "×";
}

/// A prediction as the tables print it ("managed heap, 1/op").
std::string describe(const Prediction& p) {
  return fmt::format("{}, {}/op", place_name(p.place), p.allocs_per_op);
}

/// A measurement's place and allocations there, as the tables print it.
std::string describe_measured(const Prediction& p, const Measurement& m) {
  return fmt::format("{}, {}/op", measured_place(m), measured_allocs_in(p.place, m));
}

/// The variant of snippet s named by v (kVariantBefore or kVariantAfter).
const Variant& variant_of(const Snippet& s, const std::string& v) { return v == kVariantBefore ? s.before : s.after; }

/// The snippet of a measurement, or null for the harness.
const Snippet* snippet_of(const Measurement& m) {
  for (const Snippet& s : all_snippets())
    if (s.id == m.snippet) return &s;
  return nullptr;
}

/// The table of every gort benchmark against its prediction.
std::string predictions_table(const RuntimeResults& gort) {
  lab::MarkdownTable t({"Snippet", "Variant", "Predicted", "Measured", "managed allocs/op:", "managed B/op:",
                        "C++ allocs/op:", "C++ B/op:", "ns/op:", "Verdict"});
  for (const Measurement& m : gort.measurements) {
    const Snippet* s = snippet_of(m);
    if (s == nullptr) continue;
    const Prediction& p = variant_of(*s, m.variant).prediction;
    t.add_row({s->id + " " + s->title, m.variant, describe(p), describe_measured(p, m),
               format_allocs(m.managed_allocs_per_op), format_bytes_per_op(m.managed_bytes_per_op),
               format_allocs(m.cxx_allocs_per_op), format_bytes_per_op(m.cxx_bytes_per_op), lab::format_sig3(m.ns_per_op),
               prediction_holds(p, m) ? "as predicted" : "**contradicted**"});
  }
  return t.str();
}

/// The before/after table of one runtime.
std::string before_after_table(const RuntimeResults& r) {
  lab::MarkdownTable t({"Snippet", "allocs/op before → after", "B/op before → after", "ns/op before → after", "win:"});
  for (const Snippet& s : all_snippets()) {
    const Measurement* before = r.find(s.id, kVariantBefore);
    const Measurement* after = r.find(s.id, kVariantAfter);
    if (before == nullptr || after == nullptr) continue;
    t.add_row({s.id + " " + s.title, arrow(format_allocs(total_allocs(*before)), format_allocs(total_allocs(*after))),
               arrow(format_bytes_per_op(total_bytes(*before)), format_bytes_per_op(total_bytes(*after))),
               arrow(lab::format_sig3(before->ns_per_op), lab::format_sig3(after->ns_per_op)), win(*before, *after)});
  }
  return t.str();
}

/// gort and Go side by side, per snippet.
std::string side_by_side_table(const RuntimeResults& gort, const RuntimeResults& go) {
  lab::MarkdownTable t({"Snippet", "gort allocs/op", "Go allocs/op", "gort ns/op", "Go ns/op", "gort win:", "Go win:"});
  for (const Snippet& s : all_snippets()) {
    const Measurement* gb = gort.find(s.id, kVariantBefore);
    const Measurement* ga = gort.find(s.id, kVariantAfter);
    const Measurement* ob = go.find(s.id, kVariantBefore);
    const Measurement* oa = go.find(s.id, kVariantAfter);
    if (!gb || !ga || !ob || !oa) continue;
    t.add_row({s.id + " " + s.title, arrow(format_allocs(total_allocs(*gb)), format_allocs(total_allocs(*ga))),
               arrow(format_allocs(total_allocs(*ob)), format_allocs(total_allocs(*oa))),
               arrow(lab::format_sig3(gb->ns_per_op), lab::format_sig3(ga->ns_per_op)),
               arrow(lab::format_sig3(ob->ns_per_op), lab::format_sig3(oa->ns_per_op)), win(*gb, *ga), win(*ob, *oa)});
  }
  return t.str();
}

/// The harness line: what the empty loop counted (Go has one heap, gort two).
std::string harness_line(const RuntimeResults& r) {
  const Measurement* m = r.find(kHarnessSnippet, kVariantEmpty);
  if (m == nullptr) return "";
  const std::string counted =
      r.runtime == "go" ? fmt::format("{} heap", format_allocs(m->managed_allocs_per_op))
                        : fmt::format("{} managed and {} C++", format_allocs(m->managed_allocs_per_op),
                                      format_allocs(m->cxx_allocs_per_op));
  return fmt::format("Harness check ({}): an empty loop in the same counting window counted {} allocations per op "
                     "over {} iterations{}.  \n",
                     r.runtime, counted, m->iterations,
                     whole_allocs(total_allocs(*m)) == 0 ? "" : " — **the window itself allocates**");
}

/// One snippet's section: the Go code, both C++ versions, the notes, and the
/// Go compiler's decisions when known.
std::string snippet_section(const Snippet& s, const ReportContext& ctx) {
  std::string out = fmt::format("### {} — {}\n\n", s.id, s.title);
  out += fmt::format("Go (course): `{}`  \n", s.go_code);
  out += fmt::format("gort before: `{}` — predicted {}.  \n{}  \n", s.before.code, describe(s.before.prediction),
                     s.translation_note);
  out += fmt::format("gort after: `{}` — predicted {}.  \n{}  \n", s.after.code, describe(s.after.prediction),
                     s.refactor_note);
  out += fmt::format("Go twin's refactor: `{}`\n", s.go_refactor);
  auto it = ctx.go_decisions.find(s.id);
  if (it != ctx.go_decisions.end()) {
    out += "\nGo compiler (`go build -gcflags=-m`):\n\n";
    for (const auto& line : it->second) out += "    " + line + "\n";
  }
  return out + "\n";
}

}  // namespace

std::vector<std::string> contradicted_predictions(const RuntimeResults& gort) {
  std::vector<std::string> out;
  for (const Measurement& m : gort.measurements) {
    const Snippet* s = snippet_of(m);
    if (s == nullptr) continue;
    const Prediction& p = variant_of(*s, m.variant).prediction;
    if (prediction_holds(p, m)) continue;
    out.push_back(fmt::format("{} {}: predicted {}; measured {} (managed {}/op, C++ {}/op)", s->id, m.variant,
                              describe(p), describe_measured(p, m), format_allocs(m.managed_allocs_per_op),
                              format_allocs(m.cxx_allocs_per_op)));
  }
  return out;
}

std::string markdown_report(const ReportContext& ctx, const RuntimeResults& gort,
                            const std::optional<RuntimeResults>& go) {
  std::string out = "# escape-clinic — Lab 4.3 Escape Forensics on gort\n\n";
  out += fmt::format("Command: `{}`  \nMachine: {}  \n", ctx.command, ctx.machine);
  out += fmt::format(
      "Each benchmark ran with -benchtime {} and -count {} (ns/op: the median run, wall clock). "
      "Allocations are counted, not estimated: managed objects by gort::read_mem_stats().Mallocs, C++ heap "
      "allocations by this program's replacement operator new, both over the timed loop and divided by its "
      "iterations, as go test -benchmem does. allocs/op and B/op are truncated as go test truncates them; a "
      "fraction in parentheses counts allocations that did not happen on every operation (in gort: the managed "
      "heap's own page bookkeeping, which it keeps on the C++ heap, allocated when spans are taken from or "
      "returned to the page heap and when the heap grows).\n\n",
      gort.benchtime, gort.count);
  out += harness_line(gort);
  if (go) out += harness_line(*go);
  out += "\n## Predictions against the counts (gort)\n\n";
  out += "Each prediction was written in the snippet's source before the lab first ran.\n\n";
  out += predictions_table(gort);
  const auto contradicted = contradicted_predictions(gort);
  out += "\nPredictions the measurements contradict: ";
  if (contradicted.empty()) {
    out += "none.\n";
  } else {
    out += fmt::format("{}.\n\n", contradicted.size());
    for (const auto& line : contradicted) out += "- " + line + "\n";
  }
  out += "\n## Before and after the refactor (gort)\n\n" + before_after_table(gort);
  if (go) {
    out += "\n## Before and after the refactor (Go twin)\n\n" + before_after_table(*go);
    out += "\n## gort next to Go\n\nallocs/op and ns/op before → after; win = ns/op before / ns/op after.\n\n";
    out += side_by_side_table(gort, *go);
  } else if (!ctx.go_note.empty()) {
    out += "\nGo twin not run: " + ctx.go_note + "\n";
  }
  out += "\n## The snippets\n\n";
  for (const Snippet& s : all_snippets())
    if (gort.find(s.id, kVariantBefore) != nullptr) out += snippet_section(s, ctx);
  return out;
}

}  // namespace escape
