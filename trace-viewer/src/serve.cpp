// serve.cpp — `trace-viewer serve`: the trace page over HTTP, its data sent
// in time windows (Go: src/cmd/trace/main.go serves its viewer the same way,
// and splits a big trace into time ranges so that no one page holds it all).
//
// The model.  The trace is read, ordered and laid out once, at start; the
// Timeline stays in memory and every request reads it (nothing is written
// after start, so handlers run concurrently without locks).
//
//  * GET /  — the page `trace-viewer html` writes (same template, same
//    script), with an *overview* embedded instead of the whole trace: the
//    view model reduced to kOverviewPx columns over the whole trace
//    (window.hpp).  Its meta carries "window": {from, to, px, ...}; that
//    member is how the page knows it is served and may ask for more.
//  * GET /data?from=NS&to=NS&px=N — the view model restricted to what
//    overlaps the window [from, to), reduced to N columns (the page asks with
//    N = its lane width in pixels).  Every P and goroutine lane is listed, in
//    the same order as in the overview, even when it has nothing in the
//    window.  With &rest=M the rest of the trace comes too, reduced to M
//    columns over the whole trace: the page asks for that, for a window
//    wider than what it shows, and swaps the answer in whole — one model at
//    a time, the same lanes in the same order, so its layout, filter and
//    scroll stay, and a pan never shows a blank lane while the next answer is
//    on its way.  meta.window says what was merged and dropped.  A malformed
//    query gets 400 and a one-line reason.
//
// How the size is bounded.  In each lane a slice shorter than its column is
// merged with its neighbours in that column, so a lane holds at most two
// slices per column: a response is O(lanes · (N + M)) whatever the number of
// events, and the page's draw never sees more than that.  Counters keep two
// samples per column, regions shorter than a column are dropped, one log
// entry per goroutine and column is kept.  A restricted request finds its
// first slice per lane by binary search; one with the rest, or spanning the
// trace, costs a pass over the timeline's slices (0.5 s for 51 million on
// Machine A, trace-viewer/README.md "Large traces").
//
// Alternatives not taken.  Sending the whole view model, as `html` does: a
// trace of tens of millions of events is gigabytes of JSON the browser cannot
// parse.  Go's way, cutting the trace into fixed time ranges the user picks
// from a list: the page would lose its zoom across the cut, and a range is
// still bounded by events, not pixels.  Windows only, spliced into the
// overview by the page: the same bytes, but the splice (every column of every
// lane, counters, regions, logs) would be a second model builder in the page.
// Per-lane requests for the lanes in view: fewer bytes for traces with
// thousands of busy goroutines, but one request per scroll and a page that
// draws from many models; not needed yet.
//
// Stopping.  SIGINT and SIGTERM are blocked before the runtime starts (every
// thread inherits the mask; both get a handler first, so that one ignored at
// start is not dropped) and taken by a goroutine in sigwait (as a
// blocking call, gort::blocking), which shuts the server down
// (http::Server::shutdown, 10 s for requests in flight); serve then returns
// and the command exits 0.
#include "serve.hpp"

#include "html.hpp"
#include "assets.hpp"
#include "view_model.hpp"

#include <gort/context.hpp>
#include <gort/net.hpp>
#include <gort/runtime.hpp>
#include <gort/waitgroup.hpp>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

namespace gort::viewer {

namespace {

/// The decimal integer text, or nullopt.
std::optional<int64_t> parse_int(std::string_view text) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

TraceSite::TraceSite(const Trace& trace, const Timeline& timeline, std::string title)
    : trace_(trace), timeline_(timeline), title_(std::move(title)) {
  const Window overview{0, std::max<int64_t>(1, timeline.duration), kOverviewPx, 0};
  page_ = fill_template(assets::viewer_html(), assets::viewer_css(), assets::viewer_js(),
                        escape_json_for_html(window_json(overview)));
}

std::string TraceSite::window_json(const Window& w) const {
  WindowStats st;
  const Timeline reduced = reduce_timeline(timeline_, w, &st);
  const std::string meta = fmt::format(
      "\"window\":{{\"from\":{},\"to\":{},\"px\":{},\"rest_px\":{},\"slices_in\":{},\"slices_out\":{},"
      "\"regions_dropped\":{},\"logs_dropped\":{},\"samples_dropped\":{}}}",
      w.from, w.to, w.px, w.rest_px, st.slices_in, st.slices_out, st.regions_dropped, st.logs_dropped,
      st.samples_dropped);
  return view_model_json(trace_, reduced, title_, meta);
}

void TraceSite::operator()(http::ResponseWriter& w, http::Request& r) const {
  if (r.method != "GET" && r.method != "HEAD") {
    w.set_header("Allow", "GET, HEAD");
    http::error(w, "405 method not allowed", 405);
    return;
  }
  const std::string path = r.path();
  const std::string* body = nullptr;
  std::string data;
  if (path == "/") {
    w.set_header("Content-Type", "text/html; charset=utf-8");
    body = &page_;
  } else if (path == "/data") {
    Window win;
    try {
      win = parse_window_query(r.query(), timeline_.duration);
    } catch (const std::invalid_argument& e) {
      http::error(w, e.what(), 400);
      return;
    }
    data = window_json(win);
    w.set_header("Content-Type", "application/json");
    body = &data;
  } else {
    http::not_found(w, r);
    return;
  }
  w.set_header("Cache-Control", "no-store");
  w.set_header("Content-Length", std::to_string(body->size()));
  if (r.method == "GET") w.write(*body);
}

Window parse_window_query(std::string_view query, int64_t duration) {
  std::optional<int64_t> from, to, px, rest;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const size_t eq = part.find('=');
    const std::string_view key = part.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1);
    std::optional<int64_t>* slot = key == "from" ? &from
                                   : key == "to" ? &to
                                   : key == "px" ? &px
                                   : key == "rest" ? &rest
                                                   : nullptr;
    if (!slot) continue;  // other parameters are ignored, as Go's handlers do
    *slot = parse_int(value);
    if (!*slot) throw std::invalid_argument(fmt::format("{}=\"{}\": not an integer", key, value));
  }
  const char* usage = " (want /data?from=NS&to=NS&px=COLUMNS[&rest=COLUMNS])";
  if (!from) throw std::invalid_argument(std::string("missing from") + usage);
  if (!to) throw std::invalid_argument(std::string("missing to") + usage);
  if (!px) throw std::invalid_argument(std::string("missing px") + usage);
  if (*from < 0) throw std::invalid_argument(fmt::format("from={}: negative", *from));
  if (*to <= *from) throw std::invalid_argument(fmt::format("to={} is not after from={}", *to, *from));
  if (*px < 1 || *px > kMaxWindowPx) {
    throw std::invalid_argument(fmt::format("px={}: want 1 to {} columns", *px, kMaxWindowPx));
  }
  if (rest && (*rest < 0 || *rest > kMaxWindowPx)) {
    throw std::invalid_argument(fmt::format("rest={}: want 0 to {} columns", *rest, kMaxWindowPx));
  }
  const int64_t end = std::max<int64_t>(1, duration);
  if (*from >= end) throw std::invalid_argument(fmt::format("from={}: the trace ends at {} ns", *from, end));
  return Window{*from, std::min(*to, end), *px, rest.value_or(0)};
}

bool valid_listen_addr(std::string_view addr) {
  const size_t colon = addr.rfind(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view host = addr.substr(0, colon);
  const std::optional<int64_t> port = parse_int(addr.substr(colon + 1));
  if (!port || *port < 0 || *port > 65535) return false;
  if (host.find(':') != std::string_view::npos) return host.size() > 2 && host.front() == '[' && host.back() == ']';
  return host.find_first_of("[]/ ") == std::string_view::npos;
}

int serve_command(const Trace& trace, const Timeline& timeline, const std::string& title, const std::string& addr) {
  const TraceSite site(trace, timeline, title);

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  // A signal ignored when the program started (SIGINT under `cmd &` in a
  // script) may be discarded instead of waited for (POSIX leaves it open;
  // Linux queues a blocked one anyway): give both a handler first, as Go's
  // signal.Notify does.  Blocked, the handler never runs.
  struct sigaction act {};
  act.sa_handler = [](int) {};
  sigemptyset(&act.sa_mask);
  sigaction(SIGINT, &act, nullptr);
  sigaction(SIGTERM, &act, nullptr);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // before gort::run: its threads inherit the mask

  return gort::run([&]() -> int {
    net::Listener ln;
    try {
      ln = net::listen("tcp", addr);
    } catch (const net::Error& e) {
      fmt::print(stderr, "trace-viewer: --addr {}: {}\n", addr, e.what());
      return 2;
    }
    http::Server srv([&site](http::ResponseWriter& w, http::Request& r) { site(w, r); });
    WaitGroup stopped;
    stopped.add(1);
    gort::go([&] {
      int sig = 0;
      gort::blocking([&] { sigwait(&stop_signals, &sig); });
      auto [ctx, cancel] = with_timeout(background(), std::chrono::seconds(10));
      try {
        srv.shutdown(ctx);
      } catch (const std::exception& e) {
        fmt::print(stderr, "trace-viewer: shutdown: {}\n", e.what());
      }
      cancel();
      stopped.done();
    });
    fmt::print("trace-viewer: serving http://{}/\n", ln.addr());
    std::fflush(stdout);
    try {
      srv.serve(ln);
    } catch (const net::Error& e) {
      fmt::print(stderr, "trace-viewer: serve: {}\n", e.what());
      return 1;  // the signal goroutine is abandoned at exit
    }
    stopped.wait();
    return 0;
  });
}

}  // namespace gort::viewer
