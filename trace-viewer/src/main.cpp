// main.cpp — the trace-viewer command: reads a gort execution trace and
// summarises it, exports it for Perfetto, builds a self-contained web page,
// serves that page over HTTP, or validates it.  Go's counterpart is `go tool trace` (src/cmd/trace/main.go).
//
//   trace-viewer summary  FILE [--top N]
//   trace-viewer export   FILE -o out.json
//   trace-viewer html     FILE -o out.html
//   trace-viewer serve    FILE [--addr HOST:PORT]
//   trace-viewer validate FILE
//   trace-viewer pprof    FILE --type net|sync|syscall|sched -o out.pb.gz
//
// Exit status: 0 done; 1 the trace (or an output file) could not be read or
// written — one line on stderr naming the file, the byte offset and what was
// expected; 2 bad command line (CLI11's message) or an address `serve` cannot
// listen on.
#include "export_chrome.hpp"
#include "html.hpp"
#include "analysis/blocking.hpp"
#include "order.hpp"
#include "pprof_export.hpp"
#include "reader.hpp"
#include "serve.hpp"
#include "summary.hpp"
#include "timeline.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

namespace {

using namespace gort::viewer;

struct Loaded {
  Trace trace;
  Ordered ordered;
  Timeline timeline;
};

Loaded load(const std::string& path) {
  Trace t = Trace::read_file(path);
  Ordered o = order(t);
  Timeline tl = build_timeline(t, o);
  return Loaded{std::move(t), std::move(o), std::move(tl)};
}

std::string title_of(const std::string& path) { return std::filesystem::path(path).filename().string(); }

/// Writes through a temporary file renamed into place, so a failed run
/// leaves no half-written output.
template <class F>
void write_output(const std::string& path, F&& fill) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(fmt::format("{}: cannot create: {}", tmp, std::strerror(errno)));
    fill(out);
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      throw std::runtime_error(fmt::format("{}: write failed", tmp));
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw std::runtime_error(fmt::format("{}: cannot write: {}", path, ec.message()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Reads gort execution traces: summary, Chrome/Perfetto export, self-contained web page, a web "
               "server for the page, validation, pprof profiles."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "trace-viewer (gort) format v" + std::to_string(gort::trace::format::kVersion));

  std::string file, output;
  size_t top = 10;

  CLI::App* summary = app.add_subcommand("summary", "Print a Markdown report: goroutines, scheduler latency, "
                                                    "blocking profiles, GC, MMU");
  summary->add_option("file", file, "Trace file")->required();
  summary->add_option("--top", top, "Rows per table and stacks per profile (0: all)")->capture_default_str();

  CLI::App* exp = app.add_subcommand("export", "Write Chrome trace-event JSON (opens in Perfetto)");
  exp->add_option("file", file, "Trace file")->required();
  exp->add_option("-o,--output", output, "Output JSON file")->required();

  CLI::App* html = app.add_subcommand("html", "Write a self-contained HTML page with the trace");
  html->add_option("file", file, "Trace file")->required();
  html->add_option("-o,--output", output, "Output HTML file")->required();

  CLI::App* serve = app.add_subcommand("serve", "Serve the web page over HTTP, the trace sent in time windows "
                                                "(for traces too big for one page); stop with Ctrl-C");
  std::string addr = "127.0.0.1:0";
  serve->add_option("file", file, "Trace file")->required();
  serve->add_option("--addr", addr, "HOST:PORT to listen on (port 0: a free one)")->capture_default_str();

  CLI::App* val = app.add_subcommand("validate", "Check the trace; print event counts and \"ok\"");
  val->add_option("file", file, "Trace file")->required();

  CLI::App* pprof = app.add_subcommand("pprof", "Write a pprof profile derived from the trace, as go tool trace "
                                                "-pprof=TYPE (read it with go tool pprof)");
  std::string pprof_type;
  pprof->add_option("file", file, "Trace file")->required();
  pprof->add_option("--type", pprof_type,
                    "net: network wait, sync: channels/select/sync, syscall: blocking calls, "
                    "sched: runnable time")
      ->required()
      ->check(CLI::IsMember({"net", "sync", "syscall", "sched"}));
  pprof->add_option("-o,--output", output, "Output profile (gzipped profile.proto)")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (*serve && !valid_listen_addr(addr)) {
    fmt::print(stderr, "trace-viewer: --addr {}: want HOST:PORT, e.g. 127.0.0.1:8080 (port 0: any free port)\n",
               addr);
    return 2;
  }

  try {
    if (*summary) {
      Loaded l = load(file);
      SummaryOptions opt;
      opt.title = title_of(file);
      opt.top = top;
      write_summary(std::cout, l.trace, l.ordered, l.timeline, opt);
    } else if (*exp) {
      Loaded l = load(file);
      write_output(output, [&](std::ostream& out) { write_chrome_json(out, l.trace, l.timeline); });
    } else if (*html) {
      Loaded l = load(file);
      write_output(output, [&](std::ostream& out) { write_html(out, l.trace, l.timeline, title_of(file)); });
    } else if (*serve) {
      Loaded l = load(file);
      l.ordered = Ordered{};  // the timeline is all a server reads: the event stream's memory goes back
      return serve_command(l.trace, l.timeline, title_of(file), addr);
    } else if (*pprof) {
      Loaded l = load(file);
      const BlockingAnalysis blocking = analyze_blocking(l.trace, l.timeline);
      const std::string bytes =
          trace_profile_proto(l.trace, trace_profile(blocking, *parse_trace_profile_kind(pprof_type)));
      write_output(output, [&](std::ostream& out) { out.write(bytes.data(), std::streamsize(bytes.size())); });
    } else if (*val) {
      Trace t = Trace::read_file(file);
      Ordered o = order(t);
      Validation v = validate(t, o);
      fmt::print("{}: format v{}, {} bytes, {} ns\n", file, t.version(), t.file_size(), t.end_ns());
      fmt::print("  {} events ({} definitions), {} threads, {} Ps, {} goroutines ({} still blocked at the end)\n",
                 v.events + v.definitions, v.definitions, v.threads, v.procs, v.goroutines, v.blocked_at_end);
      for (const auto& [name, n] : v.counts) fmt::print("  {:<20} {}\n", name, n);
      if (o.adjusted) {
        fmt::print("  {} events ran later than stamped (by at most {} ns)\n", o.adjusted, o.max_adjust_ns);
      }
      if (!v.ok) {
        std::cout.flush();
        for (const std::string& p : v.problems) fmt::print(stderr, "trace-viewer: {}: {}\n", file, p);
        return 1;
      }
      fmt::print("ok\n");
    }
  } catch (const TraceError& e) {
    std::cout.flush();
    fmt::print(stderr, "trace-viewer: {}: {}\n", file, e.what());
    return 1;
  } catch (const std::exception& e) {
    std::cout.flush();
    fmt::print(stderr, "trace-viewer: {}\n", e.what());
    return 1;
  }
  return 0;
}
