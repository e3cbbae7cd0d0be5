// serve.hpp — `trace-viewer serve FILE [--addr HOST:PORT]`: the web page of
// `trace-viewer html`, served over gort::http with the trace's data sent in
// time windows, as `go tool trace` serves its viewer.  The model is in
// serve.cpp's opening comment.
#pragma once

#include "reader.hpp"
#include "timeline.hpp"
#include "window.hpp"

#include <gort/http.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace gort::viewer {

/// Columns of the overview, the page's first data.
inline constexpr int64_t kOverviewPx = 2000;
/// The most columns a window request may ask for.
inline constexpr int64_t kMaxWindowPx = 16384;

/// What `trace-viewer serve` answers for one trace: the page at "/" and
/// windows of the view model at "/data?from=NS&to=NS&px=N[&rest=N]".
class TraceSite {
 public:
  /// Builds the page, with the overview embedded; trace and timeline must outlive the site.
  TraceSite(const Trace& trace, const Timeline& timeline, std::string title);

  /// Answers one request: "/" the page, "/data" a window (400 for a bad query), anything else 404.
  /// Safe for concurrent use.
  void operator()(gort::http::ResponseWriter& w, gort::http::Request& r) const;

  /// The view model reduced for w (reduce_timeline), with meta.window describing it.
  std::string window_json(const Window& w) const;

  /// The page served at "/".
  const std::string& page() const { return page_; }

 private:
  const Trace& trace_;
  const Timeline& timeline_;
  std::string title_;
  std::string page_;
};

/// The window a "/data" query asks for ("from=0&to=5000&px=800", optionally
/// "&rest=2000"), `to` cut at the trace's end; std::invalid_argument, with the
/// text of the 400, when it is malformed.
Window parse_window_query(std::string_view query, int64_t duration);

/// Whether addr has the form HOST:PORT (a name, an IPv4 address or [IPv6], port 0-65535).
bool valid_listen_addr(std::string_view addr);

/// Runs `trace-viewer serve` for a loaded trace: listens on addr, prints
/// "trace-viewer: serving http://ADDR/" and serves until SIGINT or SIGTERM;
/// returns the exit status (2 for an address that cannot be listened on).
/// Precondition: not inside gort::run.
int serve_command(const Trace& trace, const Timeline& timeline, const std::string& title, const std::string& addr);

}  // namespace gort::viewer
