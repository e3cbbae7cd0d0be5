// trace_viewer_export_test.cpp — the Chrome trace-event export, the web view
// model and the self-contained HTML page: all parse back as JSON with the
// expected structure.
#include "trace_builder.hpp"

#include "assets.hpp"
#include "export_chrome.hpp"
#include "html.hpp"
#include "order.hpp"
#include "reader.hpp"
#include "timeline.hpp"
#include "view_model.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

namespace gort::viewer {
namespace {

using json = nlohmann::json;
using test::TraceBuilder;
using E = tf::Ev;

const std::string kNasty = "</script><script>alert(\"x\")</script><!-- \\ \x01 \xff";

using test::Analysed;
using test::analyse;

/// Two Ps.  G1 (existing) creates G2 and G3; G2 blocks on a channel and is
/// woken by G3; a GC cycle with two pauses, a mark worker and an assist;
/// nested user regions, a task, and a log message full of HTML.
std::vector<uint8_t> rich_trace() {
  TraceBuilder b;
  const uint64_t site = b.site(0x1000, "main::{lambda()#1}", "labs/x.cpp", 57);
  b.gomaxprocs(1, 0, 2);
  b.proc_running(1, 0, 0, 1);
  b.ev(1, 0, E::ProcStatus, {1, 0, 0});
  b.go_running(1, 0, 1, 1);
  b.ev(1, 50, E::HeapAlloc, {1000});
  b.ev(1, 50, E::HeapGoal, {4000});
  b.go_create(1, 100, 2, site);
  b.go_create(1, 150, 3, site);
  b.ev(1, 200, E::UserTaskBegin, {1, 0, b.str("job")});
  b.ev(1, 210, E::UserRegionBegin, {1, b.str("outer")});
  b.ev(1, 220, E::UserRegionBegin, {1, b.str("inner")});
  b.ev(1, 230, E::UserLog, {1, b.str("cat")}, kNasty);
  b.ev(1, 240, E::UserRegionEnd, {1, b.str("inner")});
  b.ev(1, 250, E::UserRegionEnd, {1, b.str("outer")});
  b.go_block(1, 300, "chan receive");
  b.go_start(1, 310, 2);
  b.go_block(1, 400, "chan receive");
  b.proc_start(2, 320, 1);
  b.go_start(2, 330, 3);
  b.go_unblock(2, 500, 2);
  b.go_destroy(2, 600);
  b.go_start(1, 700, 2);
  b.ev(1, 800, E::STWBegin, {b.str("GC sweep termination")});
  b.ev(1, 800, E::GCBegin, {1});
  b.ev(1, 850, E::STWEnd);
  b.ev(1, 900, E::GCMarkAssistBegin);
  b.ev(1, 950, E::GCMarkAssistEnd);
  b.ev(2, 900, E::GCWorkerBegin, {1});
  b.ev(2, 1400, E::GCWorkerEnd);
  b.ev(1, 1500, E::STWBegin, {b.str("GC mark termination")});
  b.ev(1, 1550, E::STWEnd);
  b.ev(1, 1550, E::GCEnd, {1});
  b.ev(1, 1560, E::HeapAlloc, {700});
  b.ev(1, 1560, E::HeapGoal, {2000});
  b.go_destroy(1, 1600);
  b.ev(2, 1700, E::UserTaskEnd, {1});
  return b.bytes(2000);
}

int64_t ns(const json& us) { return std::llround(us.get<double>() * 1000.0); }

/// Slices of one thread nest or do not overlap.
void expect_nested(std::vector<std::pair<int64_t, int64_t>> slices, const std::string& where) {
  std::sort(slices.begin(), slices.end(), [](auto a, auto b) {
    return a.first != b.first ? a.first < b.first : a.second > b.second;
  });
  std::vector<int64_t> open;  // ends
  for (auto [s, e] : slices) {
    while (!open.empty() && open.back() <= s) open.pop_back();
    if (!open.empty()) {
      EXPECT_LE(e, open.back()) << where << ": slice [" << s << ", " << e << ") overlaps its neighbour";
    }
    open.push_back(e);
  }
}

TEST(TraceViewerExport, ChromeJsonParsesWithNamedNestedTracks) {
  Analysed a = analyse(rich_trace());
  std::ostringstream out;
  write_chrome_json(out, a.trace, a.timeline);
  json doc = json::parse(out.str());
  ASSERT_TRUE(doc.is_object());
  EXPECT_TRUE(doc["displayTimeUnit"].is_string());
  ASSERT_TRUE(doc["traceEvents"].is_array());

  std::map<int, std::string> processes;
  std::map<std::pair<int, uint64_t>, std::string> threads;
  std::map<std::pair<int, uint64_t>, std::vector<std::pair<int64_t, int64_t>>> slices;
  std::map<std::pair<int, uint64_t>, std::vector<std::string>> names;
  std::set<std::string> counters;
  std::vector<json> instants;
  for (const json& e : doc["traceEvents"]) {
    const std::string ph = e.at("ph");
    const int pid = e.at("pid");
    const uint64_t tid = e.value("tid", uint64_t(0));
    if (ph == "M" && e["name"] == "process_name") processes[pid] = e["args"]["name"];
    if (ph == "M" && e["name"] == "thread_name") threads[{pid, tid}] = e["args"]["name"];
    if (ph == "X") {
      ASSERT_TRUE(e["ts"].is_number());
      ASSERT_GT(e["dur"].get<double>(), 0);
      slices[{pid, tid}].emplace_back(ns(e["ts"]), ns(e["ts"]) + ns(e["dur"]));
      names[{pid, tid}].push_back(e["name"]);
    }
    if (ph == "C") counters.insert(e["name"].get<std::string>());
    if (ph == "i") instants.push_back(e);
  }
  EXPECT_EQ(processes[kPidProcs], "Procs");
  EXPECT_EQ(processes[kPidGoroutines], "Goroutines");
  EXPECT_EQ(processes[kPidGC], "GC");
  EXPECT_EQ(processes[kPidRegions], "User regions");
  EXPECT_EQ(processes[kPidTasks], "User tasks");
  EXPECT_EQ((threads[{kPidProcs, 0}]), "P0");
  EXPECT_EQ((threads[{kPidProcs, 1}]), "P1");
  EXPECT_EQ((threads[{kPidGoroutines, 1}]), "G1 (existing at trace start)");
  EXPECT_EQ((threads[{kPidGoroutines, 2}]), "G2 main::{lambda()#1} (labs/x.cpp:57)");
  EXPECT_EQ((threads[{kPidGC, 1}]), "GC cycles");
  EXPECT_EQ((threads[{kPidGC, 2}]), "Stop-the-world");

  // P0 ran G1 (0-300), G2 (310-400), G2 (700-1600); P1 G3, then a mark worker.
  EXPECT_EQ((names[{kPidProcs, 0}]),
            (std::vector<std::string>{"G1 (existing at trace start)", "G2 main::{lambda()#1} (labs/x.cpp:57)",
                                      "G2 main::{lambda()#1} (labs/x.cpp:57)"}));
  EXPECT_EQ((names[{kPidProcs, 1}]),
            (std::vector<std::string>{"G3 main::{lambda()#1} (labs/x.cpp:57)", "GC mark worker (fractional)"}));
  // G2: runnable, running, blocked, runnable, running, GC assist, running.
  EXPECT_EQ((names[{kPidGoroutines, 2}]), (std::vector<std::string>{"runnable", "running", "blocked", "runnable",
                                                                      "running", "GC assist", "running"}));
  EXPECT_EQ((slices[{kPidGC, 1}].size()), 1u);
  EXPECT_EQ((slices[{kPidGC, 2}].size()), 2u);
  EXPECT_EQ((slices[{kPidRegions, 1}].size()), 2u);
  EXPECT_EQ((slices[{kPidTasks, 1}].size()), 1u);
  EXPECT_EQ(counters, (std::set<std::string>{"HeapAlloc", "HeapGoal", "Goroutines", "Runnable"}));
  ASSERT_EQ(instants.size(), 1u);
  EXPECT_EQ(instants[0]["args"]["category"], "cat");
  for (auto& [track, s] : slices) {
    expect_nested(s, "pid " + std::to_string(track.first) + " tid " + std::to_string(track.second));
  }
  // The blocked slice says why.
  bool found = false;
  for (const json& e : doc["traceEvents"]) {
    if (e["ph"] == "X" && e["pid"] == kPidGoroutines && e["name"] == "blocked") {
      EXPECT_EQ(e["args"]["reason"], "chan receive");
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

std::set<std::string> keys(const json& j) {
  std::set<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.insert(it.key());
  return out;
}

/// An object of equal-length integer arrays, sorted by `order_key`.
size_t expect_columns(const json& j, const std::set<std::string>& want, const std::string& order_key,
                      const std::string& where) {
  EXPECT_TRUE(j.is_object()) << where;
  EXPECT_EQ(keys(j), want) << where;
  size_t n = j.begin()->size();
  for (auto it = j.begin(); it != j.end(); ++it) {
    EXPECT_TRUE(it->is_array()) << where << "." << it.key();
    EXPECT_EQ(it->size(), n) << where << "." << it.key();
    for (const json& v : *it) EXPECT_TRUE(v.is_number_integer()) << where << "." << it.key();
  }
  const json& o = j.at(order_key);
  for (size_t i = 1; i < o.size(); i++) EXPECT_LE(o[i - 1].get<int64_t>(), o[i].get<int64_t>()) << where;
  return n;
}

TEST(TraceViewerExport, ViewModelHasTheExactSchema) {
  Analysed a = analyse(rich_trace());
  json vm = json::parse(view_model_json(a.trace, a.timeline, "rich.trace"));
  EXPECT_EQ(keys(vm), (std::set<std::string>{"version", "meta", "strings", "procs", "goroutines", "gc", "stw",
                                             "counters", "regions", "logs"}));
  EXPECT_EQ(vm["version"], 1);
  EXPECT_EQ(keys(vm["meta"]), (std::set<std::string>{"title", "duration_ns", "procs", "goroutines", "events",
                                                     "threads", "gc_cycles"}));
  EXPECT_EQ(vm["meta"]["title"], "rich.trace");
  EXPECT_EQ(vm["meta"]["duration_ns"], 2000);
  EXPECT_EQ(vm["meta"]["procs"], 2);
  EXPECT_EQ(vm["meta"]["goroutines"], 3);
  EXPECT_EQ(vm["meta"]["gc_cycles"], 1);
  EXPECT_EQ(vm["meta"]["events"], a.trace.event_count());
  const json& strings = vm["strings"];
  ASSERT_TRUE(strings.is_array());
  ASSERT_FALSE(strings.empty());
  EXPECT_EQ(strings[0], "");
  auto str = [&](const json& idx) -> std::string {
    EXPECT_TRUE(idx.is_number_integer());
    size_t i = idx.get<size_t>();
    EXPECT_LT(i, strings.size());
    return i < strings.size() ? strings[i].get<std::string>() : std::string();
  };

  ASSERT_EQ(vm["procs"].size(), 2u);
  for (const json& p : vm["procs"]) {
    EXPECT_EQ(keys(p), (std::set<std::string>{"id", "name", "slices"}));
    EXPECT_EQ(p["name"], "P" + std::to_string(p["id"].get<int>()));
    expect_columns(p["slices"], {"start", "dur", "g", "kind"}, "start", "procs.slices");
    for (const json& k : p["slices"]["kind"]) EXPECT_TRUE(k == 0 || k == 1 || k == 2);
  }
  EXPECT_EQ(vm["procs"][1]["slices"]["kind"], json({0, 1}));  // G3, then the mark worker

  ASSERT_EQ(vm["goroutines"].size(), 3u);
  for (const json& g : vm["goroutines"]) {
    EXPECT_EQ(keys(g), (std::set<std::string>{"id", "name", "group_str", "slices"}));
    const uint64_t id = g["id"];
    EXPECT_EQ(g["name"], "G" + std::to_string(id));
    const json& s = g["slices"];
    const size_t n = expect_columns(s, {"start", "dur", "state", "reason_str"}, "start", "goroutines.slices");
    ASSERT_GT(n, 0u);
    const Goroutine* tg = a.timeline.goroutine(id);
    ASSERT_NE(tg, nullptr);
    // No gaps, no overlaps: from creation (or 0) to end (or the trace end).
    EXPECT_EQ(s["start"][0], tg->start);
    for (size_t i = 0; i + 1 < n; i++) {
      EXPECT_EQ(s["start"][i].get<int64_t>() + s["dur"][i].get<int64_t>(), s["start"][i + 1].get<int64_t>())
          << "G" << id << " slice " << i;
    }
    EXPECT_EQ(s["start"][n - 1].get<int64_t>() + s["dur"][n - 1].get<int64_t>(), tg->end);
    for (size_t i = 0; i < n; i++) {
      const int state = s["state"][i];
      EXPECT_TRUE(state >= 0 && state <= 4);
      if (state == 2) {
        EXPECT_EQ(str(s["reason_str"][i]), "chan receive");
      }
    }
  }
  EXPECT_EQ(str(vm["goroutines"][0]["group_str"]), "(existing at trace start)");
  EXPECT_EQ(str(vm["goroutines"][1]["group_str"]), "main::{lambda()#1} (labs/x.cpp:57)");
  EXPECT_EQ(vm["goroutines"][0]["slices"]["start"][0], 0);
  EXPECT_EQ(vm["goroutines"][1]["slices"]["start"][0], 100);

  EXPECT_EQ(expect_columns(vm["gc"], {"start", "dur", "cycle"}, "start", "gc"), 1u);
  EXPECT_EQ(expect_columns(vm["stw"], {"start", "dur", "reason_str"}, "start", "stw"), 2u);
  EXPECT_EQ(str(vm["stw"]["reason_str"][1]), "GC mark termination");
  EXPECT_EQ(expect_columns(vm["regions"], {"g", "start", "dur", "name_str"}, "start", "regions"), 2u);
  EXPECT_EQ(str(vm["regions"]["name_str"][0]), "outer");
  EXPECT_EQ(expect_columns(vm["logs"], {"t", "g", "category_str", "message_str"}, "t", "logs"), 1u);
  EXPECT_EQ(str(vm["logs"]["category_str"][0]), "cat");
  EXPECT_EQ(str(vm["logs"]["message_str"][0]).substr(0, 9), "</script>");

  ASSERT_EQ(vm["counters"].size(), 4u);
  std::vector<std::string> cnames;
  for (const json& c : vm["counters"]) {
    EXPECT_EQ(keys(c), (std::set<std::string>{"name", "unit", "t", "v"}));
    cnames.push_back(c["name"]);
    ASSERT_EQ(c["t"].size(), c["v"].size());
    for (size_t i = 1; i < c["t"].size(); i++) EXPECT_LE(c["t"][i - 1].get<int64_t>(), c["t"][i].get<int64_t>());
  }
  EXPECT_EQ(cnames, (std::vector<std::string>{"HeapAlloc", "HeapGoal", "Goroutines", "Runnable"}));
  EXPECT_EQ(vm["counters"][0]["unit"], "bytes");
  EXPECT_EQ(vm["counters"][2]["unit"], "count");
  EXPECT_EQ(vm["counters"][0]["v"], json({1000, 700}));
  // Goroutines: G1 at the start, G2 and G3 created, G3 ends at 600, G2 at 1600 (G1 stays blocked).
  EXPECT_EQ(vm["counters"][2]["v"], json({1, 2, 3, 2, 1}));
}

TEST(TraceViewerExport, HtmlEmbedsEscapedData) {
  Analysed a = analyse(rich_trace());
  std::ostringstream out;
  write_html(out, a.trace, a.timeline, "rich.trace");
  const std::string page = out.str();
  const std::string open = "<script type=\"application/json\" id=\"trace-data\">";
  const size_t at = page.find(open);
  ASSERT_NE(at, std::string::npos);
  const size_t from = at + open.size();
  const size_t to = page.find("</script>", from);
  ASSERT_NE(to, std::string::npos);
  const std::string data = page.substr(from, to - from);
  std::string lower = data;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  EXPECT_EQ(lower.find("</script"), std::string::npos);
  EXPECT_EQ(data.find("<!--"), std::string::npos);
  EXPECT_NE(data.find("<\\/script>"), std::string::npos);
  EXPECT_EQ(data, escape_json_for_html(view_model_json(a.trace, a.timeline, "rich.trace")));
  // The escaped text is the same JSON.
  EXPECT_EQ(json::parse(data), json::parse(view_model_json(a.trace, a.timeline, "rich.trace")));
  // The assets are inlined and the placeholders are gone.
  EXPECT_NE(page.find(std::string(assets::viewer_js()).substr(0, 40)), std::string::npos);
  EXPECT_NE(page.find(std::string(assets::viewer_css()).substr(0, 40)), std::string::npos);
  for (const char* p : {"/*GORT_CSS*/", "/*GORT_JS*/", "/*GORT_DATA*/"}) EXPECT_EQ(page.find(p), std::string::npos) << p;
}

TEST(TraceViewerExport, EscapingAndTemplate) {
  EXPECT_EQ(escape_json_for_html(R"(["</script>","<!--x-->","a<b","<","</"])"),
            R"(["<\/script>","\u003C!--x-->","a<b","<","<\/"])");
  EXPECT_EQ(fill_template("<style>/*GORT_CSS*/</style><script>/*GORT_JS*/</script><x>/*GORT_DATA*/</x>",
                          "/*GORT_JS*/", "js", "{}"),
            "<style>/*GORT_JS*/</style><script>js</script><x>{}</x>");
  EXPECT_THROW(fill_template("<style>/*GORT_CSS*/</style>", "", "", ""), std::runtime_error);
  // The embedded template has every placeholder.
  EXPECT_NO_THROW(fill_template(assets::viewer_html(), "", "", "{}"));
}

TEST(TraceViewerExport, SeedTracesExport) {
  for (const auto& [name, bytes] : test::seed_traces()) {
    Analysed a = analyse(bytes);
    std::ostringstream chrome, html;
    write_chrome_json(chrome, a.trace, a.timeline);
    EXPECT_NO_THROW(json::parse(chrome.str())) << name;
    EXPECT_NO_THROW(json::parse(view_model_json(a.trace, a.timeline, name))) << name;
    write_html(html, a.trace, a.timeline, name);
    EXPECT_GT(html.str().size(), 100u);
  }
}

}  // namespace
}  // namespace gort::viewer
