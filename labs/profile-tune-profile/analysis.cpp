// analysis.cpp — go tool pprof -top and trace-viewer's analyses (see
// analysis.hpp).
#include "analysis.hpp"

#include <fmt/format.h>
#include <lab/go_twin.hpp>

#include <algorithm>
#include <regex>
#include <sstream>

#include "analysis/gc.hpp"
#include "analysis/mmu.hpp"
#include "analysis/sched_latency.hpp"
#include "order.hpp"
#include "reader.hpp"
#include "timeline.hpp"

namespace ptp {

namespace {

/// The service's functions whose cumulative share the report follows: the
/// handler, the decoding, the document encoder (price_order + encode_into)
/// and the fix (price_and_encode_direct); gort's http server loop for scale;
/// and the Go twin's counterparts (encodeDocument = price_order + encode_into,
/// its json.Encoder.Encode the encoding part).
const char* const kFocusFunctions[] = {"pool_lab::::handle_order",
                                       "pool_lab::::decode_order",
                                       "pool_lab::::price_order",
                                       "pool_lab::::encode_into",
                                       "pool_lab::::price_and_encode_direct",
                                       "gort::http::detail::::serve_conn",
                                       "main.respond",
                                       "main.encodeDocument",
                                       "encoding/json.(*Encoder).Encode",
                                       "main.encodeDirect"};

/// A pprof duration ("1.25s", "340ms", "12us", "0") in seconds.
double pprof_seconds(const std::string& v) {
  double x = std::strtod(v.c_str(), nullptr);
  if (v.ends_with("ms")) return x / 1e3;
  if (v.ends_with("us") || v.ends_with("µs")) return x / 1e6;
  if (v.ends_with("ns")) return x / 1e9;
  if (v.ends_with("min")) return x * 60;
  if (v.ends_with("hrs")) return x * 3600;
  return x;
}

/// name without pprof's " (inline)" / " (partial-inline)" suffix.
std::string bare_name(std::string name) {
  for (const char* suffix : {" (inline)", " (partial-inline)"}) {
    if (name.ends_with(suffix)) name.erase(name.size() - std::string(suffix).size());
  }
  return name;
}

}  // namespace

std::string frame_owner(const std::string& name) {
  const auto has = [&](const char* s) { return name.find(s) != std::string::npos; };
  const auto starts = [&](const char* s) { return name.rfind(s, 0) == 0; };
  if (starts("gort::runtime::") || starts("gort::gc::") || starts("gort::net::") || starts("gort::sync") ||
      has("make_fcontext") || has("jump_fcontext") || starts("gort::chan") || starts("gort::go")) {
    return "gort runtime";
  }
  if (starts("gort::http::") || starts("gort::pprof::")) return "gort library (net/http, pprof)";
  if (starts("pool_lab::") || starts("ptp::")) return "program";
  if (has("nlohmann::")) return "program (nlohmann_json)";
  if (starts("runtime.") || starts("runtime/")) return "Go runtime";
  if (starts("main.")) return "program";
  if (starts("syscall.") || starts("internal/poll.")) return "Go standard library (syscall)";
  if (name.find('.') != std::string::npos && name.find("::") == std::string::npos && !starts("[") &&
      !starts("_")) {
    return "Go standard library";
  }
  if (has("send") || has("read") || has("write") || has("syscall") || has("epoll") || has("io_uring")) {
    return "libc system call (kernel time)";
  }
  if (starts("[")) return "shared library without symbols";
  return "C/C++ library (libc, libstdc++, allocator)";
}

void read_cpu_top(const std::string& binary, int n, CpuProfileResult* out) {
  if (!out->error.empty()) return;
  // -nodefraction=0 and -nodecount large: every function is listed, so the
  // focus functions' cumulative shares are found even when small.
  std::vector<std::string> argv{"go", "tool", "pprof", "-top", "-nodefraction=0", "-nodecount=100000"};
  if (!binary.empty()) argv.push_back(binary);
  argv.push_back(out->path);
  std::string why;
  auto r = lab::run_program(argv, {}, &why);
  if (!r) {
    out->error = "go tool pprof could not be started: " + why;
    return;
  }
  if (r->exit_code != 0) {
    out->error = fmt::format("go tool pprof exited with status {}: {}", r->exit_code, r->err);
    return;
  }
  // Rows: "     0.81s 23.34% 23.34%      0.81s 23.34%  __libc_send (inline)".
  static const std::regex row(R"(^\s*([\d.]+[a-zµ]*)\s+([\d.]+)%\s+[\d.]+%\s+([\d.]+[a-zµ]*)\s+([\d.]+)%\s+(.+)$)");
  std::istringstream lines(r->out);
  bool in_table = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("flat%") != std::string::npos) {
      in_table = true;
      continue;
    }
    std::smatch m;
    if (!in_table || !std::regex_match(line, m, row)) continue;
    TopFunction f;
    f.name = m[5];
    f.flat_seconds = pprof_seconds(m[1]);
    f.flat_percent = std::strtod(m[2].str().c_str(), nullptr);
    f.cum_percent = std::strtod(m[4].str().c_str(), nullptr);
    f.owner = frame_owner(f.name);
    const std::string bare = bare_name(f.name);
    for (const char* focus : kFocusFunctions) {
      if (bare == focus) {
        auto it = std::find_if(out->focus.begin(), out->focus.end(), [&](const auto& p) { return p.first == focus; });
        if (it == out->focus.end()) {
          out->focus.emplace_back(focus, f.cum_percent);
        } else {
          it->second = std::max(it->second, f.cum_percent);
        }
      }
    }
    if (static_cast<int>(out->top.size()) < n) out->top.push_back(std::move(f));
  }
  if (out->top.empty()) out->error = "go tool pprof listed no functions:\n" + r->out;
}

double estimate_fix_saving(const CpuProfileResult& before) {
  double price = 0, encode = 0, go_document = 0, go_encode = 0;
  for (const auto& [name, cum] : before.focus) {
    if (name == "pool_lab::::price_order") price = cum;
    if (name == "pool_lab::::encode_into") encode = cum;
    if (name == "main.encodeDocument") go_document = cum;
    if (name == "encoding/json.(*Encoder).Encode") go_encode = cum;
  }
  if (go_document > 0) return go_document - go_encode / 2;  // Go's twin: the document is built and encoded in one function
  return price + encode / 2;
}

void analyze_trace(TraceFindings* out) {
  namespace tv = gort::viewer;
  try {
    const tv::Trace trace = tv::Trace::read_file(out->path);
    const tv::Ordered ordered = tv::order(trace);
    const tv::Timeline tl = tv::build_timeline(trace, ordered);
    const tv::GCAnalysis gc = tv::analyze_gc(trace, tl);
    const tv::Distribution sched = tv::scheduler_latency(tl);
    out->duration_ms = static_cast<double>(tl.duration) / 1e6;
    out->gc_cycles = static_cast<int64_t>(gc.cycles.size());
    out->pauses = static_cast<int64_t>(gc.pauses.size());
    out->pause_total_us = static_cast<double>(gc.pause_total) / 1e3;
    for (const tv::PauseInfo& p : gc.pauses) {
      const double us = static_cast<double>(p.end - p.start) / 1e3;
      if (us > out->pause_max_us) {
        out->pause_max_us = us;
        out->pause_max_reason = p.reason;
      }
    }
    out->assist_total_us = static_cast<double>(gc.assist_total) / 1e3;
    out->gc_active_percent = tl.duration > 0 ? 100.0 * static_cast<double>(gc.gc_total) / static_cast<double>(tl.duration) : 0;
    out->sched_p50_us = static_cast<double>(sched.p50) / 1e3;
    out->sched_p99_us = static_cast<double>(sched.p99) / 1e3;
    out->sched_max_us = static_cast<double>(sched.max) / 1e3;
    for (const tv::MMUPoint& p : tv::analyze_mmu(tl)) {
      if (p.window == 1'000'000) out->mmu_1ms = p.mmu;
      if (p.window == 10'000'000) out->mmu_10ms = p.mmu;
    }
  } catch (const std::exception& e) {
    out->error = e.what();
  }
}

}  // namespace ptp
