// trace_viewer_serve_test.cpp — `trace-viewer serve`'s site over real
// loopback HTTP (gort::http inside gort::run): the page, time windows that
// hold only what overlaps them, responses bounded by the columns asked for
// on a trace of a hundred thousand slices, and 400 for bad queries; plus the
// reduction itself (window.hpp): merged goroutine slices still cover a life
// without gaps, and a window at one ns per column keeps every slice as it is.
#include "trace_builder.hpp"

#include "serve.hpp"
#include "window.hpp"

#include <gort/gort.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace gort::viewer {
namespace {

using json = nlohmann::json;
using test::Analysed;
using test::TraceBuilder;

/// One P, two goroutines handing a token back and forth `rounds` times, every
/// 100 ns: G1 blocks, G2 runs and wakes G1, G2 blocks, G1 runs and wakes G2.
/// Six events and some eight slices per round, each 10-50 ns long.
Analysed ping_pong(int rounds) {
  TraceBuilder b;
  b.gomaxprocs(1, 0, 1);
  b.proc_running(1, 0, 0, 1);
  b.go_running(1, 0, 1, 1);
  b.go_create(1, 1, 2);
  for (int i = 0; i < rounds; i++) {
    const int64_t t = 100 + int64_t(i) * 100;
    b.go_block(1, t + 10, "chan receive");
    b.go_start(1, t + 20, 2);
    b.go_unblock(1, t + 30, 1);
    b.go_block(1, t + 40, "chan send");
    b.go_start(1, t + 50, 1);
    b.go_unblock(1, t + 60, 2);
    if (i % 1000 == 999) b.cut(1);
  }
  return test::analyse(b.bytes(200 + int64_t(rounds) * 100));
}

/// Every P and goroutine slice of a view model: (lane, start, dur).
struct Slice {
  std::string lane;
  int64_t start, dur;
};
std::vector<Slice> slices_of(const json& vm) {
  std::vector<Slice> out;
  for (const json& p : vm["procs"]) {
    for (size_t i = 0; i < p["slices"]["start"].size(); i++) {
      out.push_back({p["name"], p["slices"]["start"][i], p["slices"]["dur"][i]});
    }
  }
  for (const json& g : vm["goroutines"]) {
    for (size_t i = 0; i < g["slices"]["start"].size(); i++) {
      out.push_back({g["name"], g["slices"]["start"][i], g["slices"]["dur"][i]});
    }
  }
  return out;
}

/// The most slices any one P or goroutine lane holds.
size_t widest_lane(const json& vm) {
  size_t n = 0;
  for (const char* kind : {"procs", "goroutines"}) {
    for (const json& lane : vm[kind]) n = std::max(n, lane["slices"]["start"].size());
  }
  return n;
}

/// Runs fn(base URL) inside gort::run with site served on 127.0.0.1:0, then shuts the server down.
template <class F>
void with_site(const TraceSite& site, F fn) {
  gort::run([&] {
    http::Server srv([&site](http::ResponseWriter& w, http::Request& r) { site(w, r); });
    net::Listener ln = net::listen("tcp", "127.0.0.1:0");
    const std::string base = "http://" + ln.addr();
    WaitGroup served;
    served.add(1);
    gort::go([&] {
      srv.serve(ln);
      served.done();
    });
    fn(base);
    srv.shutdown(background());
    served.wait();
  });
}

TEST(TraceViewerServe, PageAndWindowHoldOnlyWhatOverlapsIt) {
  const Analysed a = ping_pong(2000);  // 200 µs
  const TraceSite site(a.trace, a.timeline, "pp.gtrace");
  with_site(site, [&](const std::string& base) {
    const http::Response page = http::get(base + "/");
    EXPECT_EQ(page.status_code, 200);
    EXPECT_EQ(page.header.get("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("id=\"trace-data\""), std::string::npos);
    EXPECT_NE(page.body.find("\"window\":{\"from\":0,"), std::string::npos) << "the page's model is the overview";
    EXPECT_EQ(page.body.find("/*GORT_DATA*/"), std::string::npos);

    const int64_t from = 50'000, to = 60'000;
    const http::Response r =
        http::get(base + "/data?from=" + std::to_string(from) + "&to=" + std::to_string(to) + "&px=10000");
    ASSERT_EQ(r.status_code, 200) << r.body;
    EXPECT_EQ(r.header.get("Content-Type"), "application/json");
    const json vm = json::parse(r.body);
    EXPECT_EQ(vm["meta"]["window"]["from"], from);
    EXPECT_EQ(vm["meta"]["window"]["to"], to);
    EXPECT_EQ(vm["procs"].size(), a.timeline.procs.size()) << "every lane is listed";
    EXPECT_EQ(vm["goroutines"].size(), a.timeline.goroutines.size());
    const std::vector<Slice> got = slices_of(vm);
    for (const Slice& s : got) {
      EXPECT_TRUE(s.start < to && s.start + s.dur > from) << s.lane << " [" << s.start << ", +" << s.dur << ")";
    }
    // One ns per column: nothing is merged, so the window holds exactly the
    // timeline's non-empty slices that overlap it.
    size_t want = 0;
    for (const Proc& p : a.timeline.procs) {
      for (const PSlice& s : p.slices) want += s.end > s.start && s.start < to && s.end > from;
    }
    for (const Goroutine& g : a.timeline.goroutines) {
      for (const GSlice& s : g.slices) want += s.end > s.start && s.start < to && s.end > from;
    }
    EXPECT_GT(want, 300u);
    EXPECT_EQ(got.size(), want);
  });
}

TEST(TraceViewerServe, WindowSizeIsBoundedByColumnsNotEvents) {
  const Analysed a = ping_pong(25'000);  // 150,000 events, 2.5 ms
  const TraceSite site(a.trace, a.timeline, "big.gtrace");
  with_site(site, [&](const std::string& base) {
    // The whole trace at 100 columns: every slice is shorter than a column.
    const http::Response whole = http::get(base + "/data?from=0&to=" + std::to_string(a.timeline.duration) + "&px=100");
    ASSERT_EQ(whole.status_code, 200) << whole.body;
    const json vm = json::parse(whole.body);
    EXPECT_GT(vm["meta"]["window"]["slices_in"].get<uint64_t>(), 200'000u);
    EXPECT_LE(widest_lane(vm), 2u * 100 + 2);
    EXPECT_LT(whole.body.size(), 64u * 1024) << "bytes grow with columns, not with events";

    // A narrow window with the rest of the trace, coarse.
    const http::Response part = http::get(base + "/data?from=1000000&to=1010000&px=50&rest=100");
    ASSERT_EQ(part.status_code, 200) << part.body;
    const json pv = json::parse(part.body);
    EXPECT_LE(widest_lane(pv), 2u * (50 + 100) + 4);
    bool before = false, after = false;
    for (const Slice& s : slices_of(pv)) {
      before |= s.start + s.dur <= 1'000'000;
      after |= s.start >= 1'010'000;
    }
    EXPECT_TRUE(before && after) << "rest=N keeps the trace outside the window";

    // The overview embedded in the page is bounded the same way.
    EXPECT_LT(http::get(base + "/").body.size(), 400u * 1024);
  });
}

TEST(TraceViewerServe, BadQueriesGet400WithAReason) {
  const Analysed a = ping_pong(10);
  const TraceSite site(a.trace, a.timeline, "small.gtrace");
  with_site(site, [&](const std::string& base) {
    const std::pair<const char*, const char*> cases[] = {
        {"/data", "missing from"},
        {"/data?from=0&to=100", "missing px"},
        {"/data?from=x&to=100&px=10", "from=\"x\": not an integer"},
        {"/data?from=0&to=100&px=10abc", "px=\"10abc\": not an integer"},
        {"/data?from=-5&to=100&px=10", "negative"},
        {"/data?from=100&to=100&px=10", "not after"},
        {"/data?from=0&to=100&px=0", "px=0"},
        {"/data?from=0&to=100&px=100000", "px=100000"},
        {"/data?from=0&to=100&px=10&rest=-1", "rest=-1"},
        {"/data?from=99999999&to=999999999&px=10", "the trace ends at"},
    };
    for (const auto& [path, message] : cases) {
      const http::Response r = http::get(base + path);
      EXPECT_EQ(r.status_code, 400) << path;
      EXPECT_NE(r.body.find(message), std::string::npos) << path << ": " << r.body;
    }
    EXPECT_EQ(http::get(base + "/nothing").status_code, 404);
    EXPECT_EQ(http::get(base + "/data?from=0&to=100&px=10").status_code, 200);
  });
}

TEST(TraceViewerServe, MergedGoroutineSlicesStillCoverTheLife) {
  const Analysed a = ping_pong(3000);
  for (const Window w : {Window{0, a.timeline.duration, 37, 0}, Window{100'000, 200'000, 64, 500}}) {
    WindowStats st;
    const Timeline r = reduce_timeline(a.timeline, w, &st);
    EXPECT_LT(st.slices_out, st.slices_in);
    ASSERT_EQ(r.goroutines.size(), a.timeline.goroutines.size());
    for (const Goroutine& g : r.goroutines) {
      ASSERT_FALSE(g.slices.empty()) << "G" << g.id;
      for (size_t i = 1; i < g.slices.size(); i++) {
        EXPECT_EQ(g.slices[i].start, g.slices[i - 1].end) << "G" << g.id << " slice " << i;
      }
      if (w.rest_px > 0) {
        EXPECT_EQ(g.slices.front().start, a.timeline.goroutine(g.id)->slices.front().start);
        EXPECT_EQ(g.slices.back().end, a.timeline.goroutine(g.id)->slices.back().end);
      }
    }
  }
  // A window at one ns per column merges nothing.
  WindowStats st;
  const Timeline same = reduce_timeline(a.timeline, Window{0, a.timeline.duration, a.timeline.duration, 0}, &st);
  EXPECT_EQ(st.slices_in, st.slices_out);
  EXPECT_EQ(same.goroutines[0].slices.size(), a.timeline.goroutines[0].slices.size());
}

TEST(TraceViewerServe, ListenAddressesAreChecked) {
  EXPECT_TRUE(valid_listen_addr("127.0.0.1:0"));
  EXPECT_TRUE(valid_listen_addr("localhost:8080"));
  EXPECT_TRUE(valid_listen_addr("[::1]:65535"));
  EXPECT_TRUE(valid_listen_addr(":8080"));
  EXPECT_FALSE(valid_listen_addr("127.0.0.1"));
  EXPECT_FALSE(valid_listen_addr("127.0.0.1:65536"));
  EXPECT_FALSE(valid_listen_addr("127.0.0.1:http"));
  EXPECT_FALSE(valid_listen_addr("::1:80"));
  EXPECT_FALSE(valid_listen_addr("a b:80"));
}

}  // namespace
}  // namespace gort::viewer
