// http_handler.cpp — gort::http::pprof_handler (mirrors golang/go
// src/net/http/pprof/pprof.go: Index, Profile, Trace, Cmdline, handler.ServeHTTP).
//
// Each profile is written the way a program writes it to a file — through
// gort::pprof's own writers, into a temporary file that is read back and
// removed — so the bytes served are exactly the files gort's tests read with
// go tool pprof.  The timed ones (profile, trace) record for the requested
// seconds while the handler's goroutine sleeps; a client that goes away ends
// the wait early through the request's context, as Go's handler does with
// r.Context().Done().  Errors are Go's: a profile that is already running is
// a 500 "Could not enable CPU profiling: cpu profiling already in use", an
// unknown name a 404 "Unknown profile", a bad seconds value a 400.
#include <gort/http_pprof.hpp>

#include <gort/gc/collector.hpp>
#include <gort/pprof.hpp>
#include <gort/runtime.hpp>
#include <gort/select.hpp>
#include <gort/time.hpp>
#include <gort/trace.hpp>

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace gort::http {

namespace {

/// The value of name in a query string ("a=1&b=2"), "" when absent.
std::string query_value(const std::string& query, std::string_view name) {
  std::size_t at = 0;
  while (at <= query.size()) {
    std::size_t end = query.find('&', at);
    if (end == std::string::npos) end = query.size();
    const std::string_view pair(query.data() + at, end - at);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
    at = end + 1;
  }
  return {};
}

/// A non-negative integer query parameter, or fallback when absent; nullopt when malformed.
std::optional<int64_t> int_param(const Request& r, std::string_view name, int64_t fallback) {
  const std::string v = query_value(r.query(), name);
  if (v.empty()) return fallback;
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < 0) return std::nullopt;
  return n;
}

/// A temporary file's path, removed when the object goes.
class TempFile {
 public:
  TempFile() {
    const char* dir = std::getenv("TMPDIR");
    std::string tmpl = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/gort-pprof-XXXXXX";
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0) throw std::runtime_error("cannot create a temporary file in " + tmpl);
    ::close(fd);
    path_ = tmpl;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }
  std::string read() const {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::string path_;
};

/// Serves a profile's bytes as a download named name, or as text.
void serve_bytes(ResponseWriter& w, const std::string& name, bool text, const std::string& bytes) {
  w.set_header("X-Content-Type-Options", "nosniff");
  if (text) {
    w.set_header("Content-Type", "text/plain; charset=utf-8");
  } else {
    w.set_header("Content-Type", "application/octet-stream");
    w.set_header("Content-Disposition", "attachment; filename=\"" + name + "\"");
  }
  w.write(bytes);
}

/// Serves what write(path) writes into a temporary file.
void serve_written(ResponseWriter& w, const std::string& name, bool text,
                   const std::function<void(const std::string&)>& write) {
  TempFile f;
  try {
    write(f.path());
  } catch (const std::exception& e) {
    error(w, std::string("Could not write profile: ") + e.what(), 500);
    return;
  }
  serve_bytes(w, name, text, f.read());
}

/// Waits d, or until the client goes away (true if it went).
bool wait_or_client_gone(Request& r, std::chrono::seconds d) {
  bool gone = false;
  select(on_recv(r.ctx.done(), [&] { gone = true; }), on_recv(after(d)));
  return gone;
}

/// A recording of the next ?seconds (default_seconds when absent) served as the file
/// `name`: start(path) and stop() are the recorder's; `what` names it in the 500 Go answers
/// when it cannot start.  Nothing is served to a client that went away meanwhile.
void serve_recording(ResponseWriter& w, Request& r, const char* name, int64_t default_seconds, const char* what,
                     void (*start)(const std::string&), void (*stop)()) {
  const auto seconds = int_param(r, "seconds", default_seconds);
  if (!seconds || *seconds == 0) {
    error(w, "Bad Request: invalid seconds", 400);
    return;
  }
  TempFile f;
  try {
    start(f.path());
  } catch (const std::exception& e) {
    error(w, std::string("Could not enable ") + what + ": " + e.what(), 500);
    return;
  }
  const bool gone = wait_or_client_gone(r, std::chrono::seconds(*seconds));
  stop();
  if (gone) return;
  serve_bytes(w, name, false, f.read());
}

// mirrors Profile in net/http/pprof
void serve_cpu_profile(ResponseWriter& w, Request& r) {
  serve_recording(w, r, "profile", 30, "CPU profiling", &pprof::start_cpu_profile, &pprof::stop_cpu_profile);
}

// mirrors Trace in net/http/pprof
void serve_trace(ResponseWriter& w, Request& r) {
  serve_recording(w, r, "trace", 1, "tracing", &trace::start, &trace::stop);
}

// mirrors Cmdline: the arguments separated by NUL bytes
void serve_cmdline(ResponseWriter& w) {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  std::string args = s.str();
  if (!args.empty() && args.back() == '\0') args.pop_back();
  w.set_header("X-Content-Type-Options", "nosniff");
  w.set_header("Content-Type", "text/plain; charset=utf-8");
  w.write(args);
}

// mirrors Index: the profiles with their counts, and links
void serve_index(ResponseWriter& w) {
  std::string html =
      "<html>\n<head>\n<title>/debug/pprof/</title>\n</head>\n<body>\n/debug/pprof/<br>\n<br>\n"
      "Types of profiles available:\n<table>\n<thead><td>Count</td><td>Profile</td></thead>\n";
  for (const pprof::Profile& p : pprof::profiles()) {
    html += "<tr><td>" + std::to_string(p.count()) + "</td><td><a href='" + p.name() + "?debug=1'>" + p.name() +
            "</a></td></tr>\n";
  }
  html +=
      "<tr><td></td><td><a href='cmdline'>cmdline</a></td></tr>\n"
      "<tr><td></td><td><a href='profile'>profile</a></td></tr>\n"
      "<tr><td></td><td><a href='trace?seconds=1'>trace</a></td></tr>\n"
      "</table>\n<a href=\"goroutine?debug=2\">full goroutine stack dump</a>\n</body>\n</html>\n";
  w.set_header("X-Content-Type-Options", "nosniff");
  w.set_header("Content-Type", "text/html; charset=utf-8");
  w.write(html);
}

}  // namespace

Handler pprof_handler() {
  return [](ResponseWriter& w, Request& r) {
    const std::string path = r.path();
    const std::size_t at = path.find("/debug/pprof/");
    const std::string name = at == std::string::npos ? std::string() : path.substr(at + 13);
    if (name.empty()) return serve_index(w);
    if (name == "profile") return serve_cpu_profile(w, r);
    if (name == "trace") return serve_trace(w, r);
    if (name == "cmdline") return serve_cmdline(w);
    const pprof::Profile p = pprof::lookup(name);
    if (!p) {
      error(w, "Unknown profile", 404);
      return;
    }
    const auto debug = int_param(r, "debug", 0);
    const auto gc = int_param(r, "gc", 0);
    if (!debug || !gc) {
      error(w, "Bad Request: invalid debug or gc value", 400);
      return;
    }
    if (name == "heap" && *gc > 0) gc::collect();
    serve_written(w, name, *debug > 0,
                  [&](const std::string& file) { p.write_to(file, static_cast<int>(*debug)); });
  };
}

}  // namespace gort::http
