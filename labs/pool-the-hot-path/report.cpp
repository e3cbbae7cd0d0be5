// report.cpp — Markdown, plot, JSON and the Go twin's results (see report.hpp).
#include "report.hpp"

#include <fmt/format.h>
#include <lab/go_twin_json.hpp>
#include <lab/report.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace pool_lab {

void to_json(nlohmann::json& j, const ProfileSite& s) {
  j = {{"function", s.function}, {"flat", s.flat}, {"flat_percent", s.flat_percent}};
}
void from_json(const nlohmann::json& j, ProfileSite& s) {
  j.at("function").get_to(s.function);
  j.at("flat").get_to(s.flat);
  j.at("flat_percent").get_to(s.flat_percent);
}

void to_json(nlohmann::json& j, const VariantResult& v) {
  j = {{"variant", v.variant},
       {"load", v.load},
       {"connections", v.connections},
       {"requests", v.requests},
       {"errors", v.errors},
       {"seconds", v.seconds},
       {"requests_per_second", v.requests_per_second},
       {"p50_us", v.p50_us},
       {"p90_us", v.p90_us},
       {"p99_us", v.p99_us},
       {"max_us", v.max_us},
       {"allocs_per_op", v.allocs_per_op},
       {"bytes_per_op", v.bytes_per_op},
       {"cxx_allocs_per_op", v.cxx_allocs_per_op},
       {"cxx_bytes_per_op", v.cxx_bytes_per_op},
       {"gc_cycles", v.gc_cycles},
       {"profile_requests", v.profile_requests},
       {"profile_path", v.profile_path},
       {"top_objects", v.top_objects},
       {"top_space", v.top_space},
       {"profile_error", v.profile_error},
       {"latency_sample_us", v.latency_sample_us}};
}

void from_json(const nlohmann::json& j, VariantResult& v) {
  j.at("variant").get_to(v.variant);
  j.at("load").get_to(v.load);
  j.at("connections").get_to(v.connections);
  j.at("requests").get_to(v.requests);
  j.at("errors").get_to(v.errors);
  j.at("seconds").get_to(v.seconds);
  j.at("requests_per_second").get_to(v.requests_per_second);
  j.at("p50_us").get_to(v.p50_us);
  j.at("p90_us").get_to(v.p90_us);
  j.at("p99_us").get_to(v.p99_us);
  j.at("max_us").get_to(v.max_us);
  j.at("allocs_per_op").get_to(v.allocs_per_op);
  j.at("bytes_per_op").get_to(v.bytes_per_op);
  j.at("gc_cycles").get_to(v.gc_cycles);
  j.at("profile_requests").get_to(v.profile_requests);
  j.at("profile_path").get_to(v.profile_path);
  if (j.contains("latency_sample_us") && !j["latency_sample_us"].is_null()) {
    j.at("latency_sample_us").get_to(v.latency_sample_us);
  }
}

void to_json(nlohmann::json& j, const RuntimeResult& r) {
  j = {{"runtime", r.runtime}, {"procs", r.procs}, {"variants", r.variants}};
}
void from_json(const nlohmann::json& j, RuntimeResult& r) {
  j.at("runtime").get_to(r.runtime);
  j.at("procs").get_to(r.procs);
  j.at("variants").get_to(r.variants);
}

void to_json(nlohmann::json& j, const MisuseResult& m) {
  j = {{"runtime", m.runtime},
       {"mode", m.mode},
       {"ran", m.ran},
       {"exit_code", m.exit_code},
       {"attempts", m.attempts},
       {"caught", m.caught},
       {"message", m.message},
       {"first_response_bytes", m.first_response_bytes},
       {"last_response_bytes", m.last_response_bytes},
       {"how_to_run", m.how_to_run}};
}

void to_json(nlohmann::json& j, const LabRun& r) {
  j = {{"lab", "pool-the-hot-path"}, {"command", r.command}, {"machine", r.machine},
       {"load_before", r.load_before}, {"gort", r.gort},     {"misuse", r.misuse}};
  j["tsan_build"] = r.tsan_build;
  if (r.go) j["go"] = *r.go;
  if (!r.go_error.empty()) j["go_error"] = r.go_error;
}

std::string json_text(const LabRun& run) { return nlohmann::json(run).dump(1); }

void run_go_twin(const Config& c, const std::string& profile_dir, LabRun* run) {
  std::string variants;
  for (Variant v : c.variants) variants += (variants.empty() ? "" : ",") + std::string(variant_name(v));
  std::vector<std::string> args{"-json",
                                "-variant=" + variants,
                                std::string("-load=") + (c.use_wrk ? "wrk" : "inproc"),
                                fmt::format("-duration={}s", std::chrono::duration_cast<std::chrono::seconds>(
                                                                 c.duration)
                                                                 .count()),
                                fmt::format("-requests={}", c.requests),
                                fmt::format("-connections={}", c.connections),
                                fmt::format("-threads={}", c.threads),
                                fmt::format("-profile-requests={}", c.profile_requests),
                                fmt::format("-warmup={}", c.warmup_requests),
                                fmt::format("-procs={}", c.procs),
                                "-profile-dir=" + profile_dir};
  lab::run_go_twin_into("pool-the-hot-path", args, &run->go, &run->go_error);
}

namespace {

/// The runtimes of a run, gort first.
std::vector<const RuntimeResult*> runtimes(const LabRun& run) {
  std::vector<const RuntimeResult*> rs{&run.gort};
  if (run.go) rs.push_back(&*run.go);
  return rs;
}

/// "gort" or "Go".
std::string runtime_name(const RuntimeResult& r) { return r.runtime == "go" ? "Go" : "gort"; }

/// A latency in µs as Go prints a duration.
std::string us(double v) { return lab::format_duration_ns(v * 1e3); }

/// Requests per second with a unit ("41.2k/s").
std::string rate(double per_sec) {
  if (per_sec >= 1e3) return lab::format_sig3(per_sec / 1e3) + "k/s";
  return lab::format_sig3(per_sec) + "/s";
}

/// "12.0" for a per-request figure; "—" when not measured (negative).
std::string per_op(double v) { return v < 0 ? "—" : fmt::format("{:.1f}", v); }

/// The variant called name in r, or null.
const VariantResult* find_variant(const RuntimeResult& r, const std::string& name) {
  for (const VariantResult& v : r.variants) {
    if (v.variant == name) return &v;
  }
  return nullptr;
}

/// "-42%" from before to after.
std::string change(double before, double after) {
  if (before <= 0) return "—";
  return fmt::format("{:+.0f}%", (after - before) / before * 100);
}

/// Collections per 10,000 requests served: the GC work the allocations cause,
/// comparable across variants that served different numbers of requests.
double gc_per_10k(const VariantResult& v) {
  return v.requests > 0 ? 1e4 * static_cast<double>(v.gc_cycles) / static_cast<double>(v.requests) : 0;
}

void load_section(const LabRun& run, std::string* out) {
  lab::MarkdownTable t({"runtime", "variant", "load", "conns:", "requests:", "errors:", "req/s:", "p50:", "p90:",
                        "p99:", "max:", "allocs/op:", "B/op:", "C++ allocs/op:", "C++ B/op:", "GC cycles:"});
  for (const RuntimeResult* r : runtimes(run)) {
    for (const VariantResult& v : r->variants) {
      t.add_row({runtime_name(*r), v.variant, v.load, std::to_string(v.connections), std::to_string(v.requests),
                 std::to_string(v.errors), rate(v.requests_per_second), us(v.p50_us), us(v.p90_us), us(v.p99_us),
                 us(v.max_us), per_op(v.allocs_per_op), per_op(v.bytes_per_op), per_op(v.cxx_allocs_per_op),
                 per_op(v.cxx_bytes_per_op), std::to_string(v.gc_cycles)});
    }
  }
  *out += "## 1. The service under load\n\n";
  *out += "POST /order: the JSON body is decoded (nlohmann_json; Go: encoding/json) into an order of managed objects "
          "(gc::String, gc::Slice; Go: strings and a slice in a struct), priced, and encoded into a byte buffer that "
          "becomes the response. `allocs/op` and `B/op` are the managed heap's (MemStats.Mallocs and TotalAlloc "
          "deltas ÷ requests served, as `go test -benchmem` computes them); `C++ allocs/op` counts operator new on "
          "the C++ heap, which gort's MemStats and heap profile do not see (nlohmann's documents, gort::http's "
          "strings; Go has no second heap, so its column is empty). Latency is the client's (wrk's `--latency`, or "
          "the in-process client's per request). Heap profiling is off (MemProfileRate 0) while measuring.\n\n";
  *out += t.str() + "\n";
}

void sites_table(const std::vector<ProfileSite>& sites, bool bytes, std::string* out) {
  lab::MarkdownTable t({"#:", "flat:", "flat%:", "function"});
  int i = 0;
  for (const ProfileSite& s : sites) {
    t.add_row({std::to_string(++i),
               bytes ? lab::format_bytes(static_cast<double>(s.flat)) : std::to_string(s.flat),
               fmt::format("{:.1f}%", s.flat_percent), "`" + s.function + "`"});
  }
  *out += t.str() + "\n";
}

void profile_section(const LabRun& run, std::string* out) {
  *out += "## 2. The allocation profile: top three sites\n\n";
  *out += "Each variant first serves a profiled phase with every allocation sampled (MemProfileRate 1; Go: "
          "runtime.MemProfileRate = 1), then the `allocs` profile is written and read with the real "
          "`go tool pprof -top -lines -hide='(^|[ *&])gort::gc::[^ ]*$' -sample_index=alloc_objects` (and `alloc_space`): one row "
          "per source line, gort's collector frames hidden so each allocation is charged to the line that asked "
          "for it (Go's profiles never show mallocgc). A later variant's profile is read with `-diff_base` the "
          "earlier one, so it lists only its own phase's allocations.\n\n";
  for (const RuntimeResult* r : runtimes(run)) {
    for (const VariantResult& v : r->variants) {
      *out += fmt::format("### {} {} ({} profiled requests)\n\n", runtime_name(*r), v.variant, v.profile_requests);
      if (!v.profile_error.empty()) {
        *out += "Profile not read: " + v.profile_error + "\n\n";
        continue;
      }
      *out += "alloc_objects:\n\n";
      sites_table(v.top_objects, false, out);
      *out += "alloc_space:\n\n";
      sites_table(v.top_space, true, out);
    }
  }
  if (!run.profile_dir.empty()) {
    *out += fmt::format("The profiles are in `{}`: `go tool pprof -top -sample_index=alloc_objects {}/gort-baseline.pb.gz`.\n\n",
                        run.profile_dir, run.profile_dir);
  }
}

void win_section(const LabRun& run, std::string* out) {
  lab::MarkdownTable t({"runtime", "allocs/op:", "B/op:", "p99:", "req/s:", "GC cycles per 10k requests:"});
  bool any = false;
  for (const RuntimeResult* r : runtimes(run)) {
    const VariantResult* b = find_variant(*r, "baseline");
    const VariantResult* p = find_variant(*r, "pooled");
    if (b == nullptr || p == nullptr) continue;
    any = true;
    t.add_row({runtime_name(*r),
               fmt::format("{} → {} ({})", per_op(b->allocs_per_op), per_op(p->allocs_per_op),
                           change(b->allocs_per_op, p->allocs_per_op)),
               fmt::format("{} → {} ({})", per_op(b->bytes_per_op), per_op(p->bytes_per_op),
                           change(b->bytes_per_op, p->bytes_per_op)),
               fmt::format("{} → {} ({})", us(b->p99_us), us(p->p99_us), change(b->p99_us, p->p99_us)),
               fmt::format("{} → {} ({})", rate(b->requests_per_second), rate(p->requests_per_second),
                           change(b->requests_per_second, p->requests_per_second)),
               fmt::format("{:.1f} → {:.1f}", gc_per_10k(*b), gc_per_10k(*p))});
  }
  if (!any) return;
  *out += "## 3. The pool: baseline → pooled\n\n";
  *out += "The site chosen for the pool is the encode buffer (Go: `bytes.Buffer`): it is allocated and grown on "
          "every request, its life ends with the response, and resetting it is one line. gort's pool holds "
          "`gc::Root<ByteBuffer>` (a pool of managed objects holds roots: gort::Pool's storage is not scanned). "
          "The decode allocations are the order's own fields and would need an arena, not a pool.\n\n";
  *out += t.str() + "\n";
}

void misuse_section(const LabRun& run, std::string* out) {
  if (run.misuse.empty()) return;
  *out += "## 4. The misuse: Put without Reset\n\n";
  *out += "Each misuse runs in a child process that serves the misusing variant on one P (GOMAXPROCS 1, so the "
          "buffer one request puts back is the one the next request gets) and sends it 100 requests on one "
          "connection.\n\n";
  for (const MisuseResult& m : run.misuse) {
    const std::string who = m.runtime == "go" ? "Go" : "gort";
    if (m.mode == "assert") {
      *out += fmt::format("### {}: the inserted assertion\n\n", who);
      *out += "The pooled handler checks that a buffer from the pool is empty before encoding into it; the misuse "
              "variant skips the reset before the put, so the second request trips the check.\n\n";
    } else {
      *out += fmt::format("### {}: the race detector ({})\n\n", who,
                          m.runtime == "go" ? "the twin built with -race" : "the TSAN build");
      *out += "The misuse variant skips the reset and keeps using the buffer after the put: an access logger (gort: "
              "a C++ thread; Go: a goroutine) reads it while the next request encodes into it. Nothing orders the "
              "two; the race detector sees it, nothing else does (the assertion is off in this variant).\n\n";
    }
    *out += fmt::format("- caught: **{}**{}\n", m.caught ? "yes" : "no",
                        m.ran ? fmt::format(" (child exit status {}{})", m.exit_code,
                                            m.attempts > 1 ? fmt::format(", child run {}", m.attempts) : "")
                              : std::string(" (not run)"));
    if (m.last_response_bytes > 0) {
      *out += fmt::format(
          "- what the client saw instead: response bodies grew from {} to {} bytes (each carries the earlier "
          "ones)\n",
          m.first_response_bytes, m.last_response_bytes);
    }
    *out += "- to see it: " + m.how_to_run + "\n\n";
    if (!m.message.empty()) *out += "```\n" + m.message + (m.message.back() == '\n' ? "" : "\n") + "```\n\n";
  }
}

}  // namespace

std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error) {
  std::string out = "# pool-the-hot-path: Pool the Hot Path (course week 8)\n\n";
  out += fmt::format("- command: `{}`\n- machine: {}\n- load average before the run: {}\n- GOMAXPROCS: gort {}{}\n\n",
                     run.command, run.machine, run.load_before, run.gort.procs,
                     run.go ? fmt::format(", Go {}", run.go->procs) : std::string());
  load_section(run, &out);
  profile_section(run, &out);
  win_section(run, &out);
  misuse_section(run, &out);
  if (!run.go_error.empty()) out += "Go twin: " + run.go_error + "\n\n";
  if (!svg_path.empty()) {
    out += svg_error ? "Plot not drawn: " + *svg_error + "\n\n" : fmt::format("![latency CDF]({})\n\n", svg_path);
  }
  return out;
}

bool has_latency_plot(const LabRun& run) {
  for (const RuntimeResult* r : runtimes(run)) {
    for (const VariantResult& v : r->variants) {
      if (v.requests > 0) return true;
    }
  }
  return false;
}

lab::Plot latency_plot(const LabRun& run) {
  lab::Plot p;
  p.title = "POST /order latency under load";
  p.xlabel = "latency (µs)";
  p.ylabel = "fraction of requests";
  p.logx = true;
  p.ymin = 0;
  p.ymax = 1;
  for (const RuntimeResult* r : runtimes(run)) {
    for (const VariantResult& v : r->variants) {
      const std::string label = runtime_name(*r) + " " + v.variant;
      if (!v.latency_sample_us.empty()) {
        p.series.push_back(lab::cdf_series(label, v.latency_sample_us));
      } else if (v.requests > 0) {
        // wrk reports percentiles, not samples: the CDF through them.
        p.series.push_back({label + " (wrk p50/p90/p99/max)",
                            {v.p50_us, v.p90_us, v.p99_us, v.max_us},
                            {0.50, 0.90, 0.99, 1.0},
                            /*steps=*/true});
      }
    }
  }
  return p;
}

std::vector<std::string> check(const LabRun& run) {
  std::vector<std::string> problems;
  for (const RuntimeResult* r : runtimes(run)) {
    for (const VariantResult& v : r->variants) {
      if (v.requests <= 0) problems.push_back(fmt::format("{} {}: no request was served", r->runtime, v.variant));
      if (v.errors > 0) problems.push_back(fmt::format("{} {}: {} failed requests", r->runtime, v.variant, v.errors));
    }
  }
  for (const MisuseResult& m : run.misuse) {
    const bool must_catch = m.mode == "assert" || (m.runtime == "gort" ? run.tsan_build : m.ran);
    if (must_catch && !m.caught) {
      problems.push_back(fmt::format("{} misuse {}: not caught: {}", m.runtime, m.mode, m.message));
    }
  }
  return problems;
}

}  // namespace pool_lab
