// reader_fuzz.cpp — libFuzzer target: arbitrary bytes through the whole
// trace-viewer pipeline (reader, ordering, validation, timeline, every
// analysis, the summary, the Chrome export, the view model and the page).
// A malformed input must end in a TraceError; anything else that escapes —
// another exception, a crash, a sanitizer report, a hang — is a bug.  The
// outputs are checked too: the exports must parse as JSON and every
// goroutine's slices in the view model must be contiguous.
//
// Built with clang (-fsanitize=fuzzer,address,undefined) by scripts/run_libfuzzer.sh; the
// seed corpus (corpus/) holds small valid traces from tests/trace_builder.
#include "analysis/blocking.hpp"
#include "analysis/gc.hpp"
#include "analysis/goroutines.hpp"
#include "analysis/mmu.hpp"
#include "analysis/sched_latency.hpp"
#include "export_chrome.hpp"
#include "html.hpp"
#include "order.hpp"
#include "pprof_export.hpp"
#include "reader.hpp"
#include "summary.hpp"
#include "timeline.hpp"
#include "view_model.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>

using namespace gort::viewer;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "reader_fuzz: %s\n", what);
  std::abort();
}

void check_view_model(const std::string& text, const Timeline& tl) {
  nlohmann::json vm = nlohmann::json::parse(text);  // throws (a bug) if invalid
  for (const auto& g : vm.at("goroutines")) {
    const auto& s = g.at("slices");
    const auto& start = s.at("start");
    const auto& dur = s.at("dur");
    if (start.size() != dur.size() || start.size() != s.at("state").size()) fail("unequal slice columns");
    for (size_t i = 0; i + 1 < start.size(); i++) {
      if (start[i].get<int64_t>() + dur[i].get<int64_t>() != start[i + 1].get<int64_t>()) fail("gap in slices");
    }
    for (const auto& d : dur) {
      if (d.get<int64_t>() <= 0) fail("empty slice");
    }
  }
  for (const Goroutine& g : tl.goroutines) {
    if (g.slices.empty()) continue;
    if (g.slices.front().start != g.start || g.slices.back().end != g.end) fail("slices do not cover a life");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    Trace trace = Trace::parse(std::vector<uint8_t>(data, data + size));
    Ordered ordered = order(trace);
    Validation v = validate(trace, ordered);
    if (!v.ok) fail("validate rejects an ordered stream");
    Timeline tl = build_timeline(trace, ordered);
    (void)analyze_goroutines(trace, tl);
    const BlockingAnalysis blocking = analyze_blocking(trace, tl);
    for (TraceProfileKind k : {TraceProfileKind::Net, TraceProfileKind::Sync, TraceProfileKind::Syscall,
                               TraceProfileKind::Sched}) {
      if (trace_profile_proto(trace, trace_profile(blocking, k)).size() < 20) fail("a profile without a gzip frame");
    }
    (void)analyze_gc(trace, tl);
    (void)analyze_mmu(tl);
    (void)scheduler_latency(tl);
    std::ostringstream summary, chrome, html;
    write_summary(summary, trace, ordered, tl, SummaryOptions{"fuzz", 5});
    write_chrome_json(chrome, trace, tl);
    (void)nlohmann::json::parse(chrome.str());
    const std::string vm = view_model_json(trace, tl, "fuzz");
    check_view_model(vm, tl);
    write_html(html, trace, tl, "fuzz");
  } catch (const TraceError&) {
  }
  return 0;
}
