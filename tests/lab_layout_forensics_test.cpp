// lab_layout_forensics_test.cpp — the layout-forensics lab: its calculator
// checked directly against the compiler's sizeof/alignof/offsetof (the lab's
// layout_forensics_structs library), then the lab run in its short mode as a
// subprocess: the report's sections, the JSON (every struct's layout on both
// runtimes, one array run per struct and layout with every measured cycle's
// gctrace line and pause, the counters' placement in the false-sharing runs),
// the Go twin beside it, and bad flags.  No timing thresholds: the figures are
// the lab's to report, not the test's to judge.  The build-time guard's own
// tests are ctest cases (LabLayoutForensics.PackedGuard.*, tests/CMakeLists.txt).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "layout_calc.hpp"
#include "measured.hpp"
#include "structs.hpp"
#include "lab_run.hpp"
#include "test_util.hpp"

namespace {

using nlohmann::json;
using gort::test::LabRun;
using namespace layoutlab;

/// The structs in report order.
const std::vector<std::string> kStructs{"Sandwich", "Mixed", "Node", "Nested", "Narrow"};

/// The structs the lab runs take: all five, or in the sanitizer builds one
/// pointer-free and the scanned one (each array is a child process, and a
/// sanitized child takes seconds to start on a loaded machine).
const std::vector<std::string> kRunStructs =
    gort::test::kSanitizerDivisor > 1 ? std::vector<std::string>{"Sandwich", "Node"} : kStructs;

/// kRunStructs as the --structs value.
std::string run_structs_flag() {
  std::string out;
  for (const std::string& s : kRunStructs) out += (out.empty() ? "" : ",") + s;
  return out;
}

/// How long a lab run may take: its eleven (or five) children each boot a
/// runtime, under a sanitizer on a shared two-core machine.
constexpr int kLabTimeoutMs = 480'000;

/// Each struct's size bad and packed, worked out on paper (NOTES.md §9.6).
const std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> kPaperSizes{
    {"Sandwich", {40, 24}}, {"Mixed", {32, 24}}, {"Node", {56, 40}}, {"Nested", {32, 24}}, {"Narrow", {16, 12}}};

/// Checks a computed layout of spec s against a compiled struct, field by field.
void expect_matches(const StructSpec& s, const MeasuredStruct& m) {
  const Layout l = compute_layout(s);
  EXPECT_EQ(l.size, m.size) << m.name;
  EXPECT_EQ(l.align, m.align) << m.name;
  ASSERT_EQ(s.count, m.count) << m.name;
  for (std::size_t i = 0; i < s.count; ++i) {
    // Same declaration order, same offsets.
    EXPECT_EQ(s.fields[i].name, m.fields[i].name) << m.name;
    EXPECT_EQ(l.placements[i].offset, m.offset_of(s.fields[i].name).value_or(~std::size_t{0}))
        << m.name << "." << s.fields[i].name;
  }
}

TEST(LabLayoutForensics, CalculatorMatchesSizeofAlignofOffsetof) {
  for (const StructSpec* s : kAllSpecs) {
    const auto m = measure(s->name);
    ASSERT_TRUE(m) << s->name;
    expect_matches(*s, m->bad);
    // The packed struct is declared in the calculator's minimal order.
    expect_matches(minimal_order(*s), m->packed);
    const auto& [bad, packed] = kPaperSizes.at(std::string(s->name));
    EXPECT_EQ(m->bad.size, bad) << s->name;
    EXPECT_EQ(m->packed.size, packed) << s->name;
    EXPECT_EQ(minimal_size(*s), packed) << s->name;
  }
  EXPECT_FALSE(measure("Unknown"));
}

TEST(LabLayoutForensics, CalculatorCountsPaddingAndPointerBytes) {
  const Layout sandwich = compute_layout(kSandwichSpec);
  EXPECT_EQ(sandwich.padding, 21u);  // 7 after a and c, 7 at the tail after e
  EXPECT_EQ(sandwich.tail_padding, 7u);
  EXPECT_EQ(sandwich.placements[1].padding_before, 7u);
  const Layout node = compute_layout(kNodeSpec);
  EXPECT_EQ(node.pointer_bytes, 48u);  // next ends at 48
  EXPECT_EQ(compute_layout(minimal_order(kNodeSpec)).pointer_bytes, 24u);  // name and next first
  EXPECT_EQ(compute_layout(kNarrowSpec).align, 4u);
  // Inner's own tail padding stays inside Nested in every order.
  EXPECT_EQ(compute_layout(minimal_order(kNestedSpec)).placements[1].offset, 16u);
  // The rules on a struct of its own: {bool, double, bool} is 24, {double, bool, bool} 16.
  constexpr StructSpec kSmall{"Small",
                              {field<bool>("x", "bool"), field<double>("y", "float64"), field<bool>("z", "bool")}, 3};
  EXPECT_EQ(compute_layout(kSmall).size, 24u);
  EXPECT_EQ(minimal_size(kSmall), 16u);
}

/// One run of the lab with --json and --svg into a scratch directory.
LabRun run_lab(const std::string& name, const std::vector<std::string>& args) {
  return gort::test::run_lab_in_scratch("lab-layout-forensics", name, args, kLabTimeoutMs);
}

/// Elements per array in the shared short run: --short's 20,000, or a tenth
/// in the sanitizer builds (every element's write is instrumented).
constexpr std::uint64_t kShortElements = gort::test::kSanitizerDivisor > 1 ? 2'000 : 20'000;
/// Increments per goroutine in the shared short run.
constexpr std::uint64_t kShortIncrements = gort::test::kSanitizerDivisor > 1 ? 20'000 : 100'000;

/// The short run, shared by the tests that read it.
const LabRun& short_run() {
  static const LabRun run =
      run_lab("short", {"--short", "--structs", run_structs_flag(), "--elements", std::to_string(kShortElements),
                        "--increments", std::to_string(kShortIncrements)});
  return run;
}

/// Checks one runtime's layouts: every struct, the paper sizes, every field.
void expect_layouts(const json& layouts) {
  ASSERT_EQ(layouts.size(), kRunStructs.size());
  for (std::size_t i = 0; i < kRunStructs.size(); ++i) {
    const json& p = layouts[i];
    EXPECT_EQ(p["bad"]["name"], kRunStructs[i]);
    EXPECT_EQ(p["packed"]["name"], kRunStructs[i] + "Packed");
    const auto& [bad, packed] = kPaperSizes.at(kRunStructs[i]);
    EXPECT_EQ(p["bad"]["size"].get<std::uint64_t>(), bad) << kRunStructs[i];
    EXPECT_EQ(p["packed"]["size"].get<std::uint64_t>(), packed) << kRunStructs[i];
    EXPECT_EQ(p["bad"]["fields"].size(), p["packed"]["fields"].size()) << kRunStructs[i];
  }
}

/// Checks one runtime's array runs: the baseline and every struct bad and
/// packed, each with `rounds` measured cycles that have gctrace lines and pauses.
void expect_arrays(const json& arrays, std::uint64_t elements, int rounds) {
  ASSERT_EQ(arrays.size(), 1 + 2 * kRunStructs.size());
  EXPECT_EQ(arrays[0]["child"]["name"], "none");
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    const json& a = arrays[i];
    const json& c = a["child"];
    const std::string what = c["name"].get<std::string>() + "/" + c["layout"].get<std::string>();
    EXPECT_EQ(c["num_gc_after"].get<int>() - c["num_gc_before"].get<int>(), rounds) << what;
    EXPECT_EQ(a["gctrace"].size(), static_cast<std::size_t>(rounds)) << what;
    EXPECT_EQ(c["pause_ns"].size(), static_cast<std::size_t>(rounds)) << what;
    EXPECT_TRUE(a["rejected"].empty()) << what << ": " << a["rejected"];
    for (const json& line : a["gctrace"]) {
      EXPECT_NE(line.get<std::string>().find("(forced)"), std::string::npos) << what << ": " << line;
    }
    // The cycles the allocation started are the ones between the settling
    // cycle and the measured ones, each with its line.
    ASSERT_LE(c["num_gc_start"].get<int>(), c["num_gc_before"].get<int>()) << what;
    EXPECT_EQ(a["alloc_gctrace"].size(),
              static_cast<std::size_t>(c["num_gc_before"].get<int>() - c["num_gc_start"].get<int>()))
        << what;
    if (i == 0) continue;
    const std::string& name = kRunStructs[(i - 1) / 2];
    EXPECT_EQ(c["name"], name);
    EXPECT_EQ(c["layout"], i % 2 == 1 ? "bad" : "packed");
    EXPECT_EQ(c["elements"].get<std::uint64_t>(), elements);
    const auto& [bad, packed] = kPaperSizes.at(name);
    EXPECT_EQ(c["element_bytes"].get<std::uint64_t>(), i % 2 == 1 ? bad : packed) << what;
    EXPECT_EQ(c["scannable"].get<bool>(), name == "Node") << what;
    // The live array is in HeapAlloc: at least its elements' bytes.
    EXPECT_GE(a["heap_alloc_growth"].get<std::int64_t>(),
              static_cast<std::int64_t>(elements * c["element_bytes"].get<std::uint64_t>()))
        << what;
    EXPECT_GT(c["make_ns"].get<std::int64_t>() + c["fill_ns"].get<std::int64_t>(), 0) << what;
  }
}

/// Checks one runtime's false-sharing runs and the counters' placement.
void expect_sharing(const json& s, std::uint64_t increments, int runs, int procs, int pad) {
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["increments"].get<std::uint64_t>(), increments);
  EXPECT_EQ(s["gomaxprocs"].get<int>(), procs);
  EXPECT_EQ(s["pad_bytes"].get<int>(), pad);
  ASSERT_EQ(s["variants"].size(), 2u);
  const json& adjacent = s["variants"][0];
  const json& padded = s["variants"][1];
  EXPECT_EQ(adjacent["name"], "adjacent");
  EXPECT_EQ(adjacent["distance_bytes"].get<int>(), 8);
  EXPECT_TRUE(adjacent["same_line"].get<bool>());
  EXPECT_EQ(padded["name"], "padded");
  EXPECT_EQ(padded["distance_bytes"].get<int>(), 8 + pad);
  EXPECT_FALSE(padded["same_line"].get<bool>());
  for (const json& v : s["variants"]) {
    ASSERT_EQ(v["run_ns"].size(), static_cast<std::size_t>(runs)) << v["name"];
    ASSERT_EQ(v["cpu_ns"].size(), static_cast<std::size_t>(runs)) << v["name"];
    for (std::size_t i = 0; i < v["run_ns"].size(); ++i) {
      const auto wall = v["run_ns"][i].get<std::int64_t>(), cpu = v["cpu_ns"][i].get<std::int64_t>();
      EXPECT_GT(wall, 0);
      EXPECT_GT(cpu, 0);
      // Each goroutine's CPU time is taken inside the timed interval: two
      // goroutines cannot have run longer than twice the wall time (1 ms for
      // the clocks' reading order).
      EXPECT_LE(cpu, 2 * wall + 1'000'000) << v["name"];
    }
    EXPECT_GT(v["ns_per_increment_median"].get<double>(), 0);
  }
}

TEST(LabLayoutForensics, ShortRunPrintsEverySection) {
  const LabRun& r = short_run();
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  for (const char* heading :
       {"# layout-forensics", "## 1. The five structs by hand", "## 2. By hand against the compilers",
        "## 3. Reordered: each delta", "## 4. The arrays on the managed heap", "## 5. False sharing", "## 7. The build-time guard",
        "## 8. Plot", "**declared order (bad)**", "adjacent / padded, CPU per increment"}) {
    EXPECT_NE(r.result.out.find(heading), std::string::npos) << heading << "\n" << r.result.out;
  }
  for (const std::string& s : kRunStructs) {
    EXPECT_NE(r.result.out.find("### " + s + "\n"), std::string::npos) << s;
    EXPECT_NE(r.result.out.find("| " + s + "Packed |"), std::string::npos) << s;
  }
  EXPECT_NE(r.result.out.find("| Sandwich | 40 | 24 | −16 |"), std::string::npos) << r.result.out;
  EXPECT_EQ(r.result.out.find("**NO**"), std::string::npos) << "a layout disagrees with the calculator";
  EXPECT_EQ(r.result.out.find("## 6. gort and Go"), std::string::npos) << "the Go twin runs only with --go";
  EXPECT_NE(r.result.err.find("layout-forensics: gort array runs:"), std::string::npos) << r.result.err;
  EXPECT_NE(r.result.err.find("layout-forensics: false-sharing runs:"), std::string::npos) << r.result.err;
  ASSERT_FALSE(r.data.is_discarded()) << "no --json output";
  EXPECT_TRUE(r.data["go"].is_null());
  EXPECT_NE(r.data["command"].get<std::string>().find("--short"), std::string::npos);
}

TEST(LabLayoutForensics, JsonHasEveryLayoutArrayAndCycle) {
  const json& g = short_run().data["gort"];
  ASSERT_TRUE(g.is_object());
  EXPECT_EQ(g["runtime"], "gort");
  expect_layouts(g["layouts"]);
  expect_arrays(g["arrays"], kShortElements, 2);
}

TEST(LabLayoutForensics, AdjacentCountersShareALineAndPaddedOnesDoNot) {
  expect_sharing(short_run().data["gort"]["sharing"], kShortIncrements, 2, 2, 64);
}

TEST(LabLayoutForensics, PlotHasALinePerVariant) {
  const LabRun& r = short_run();
  if (r.result.out.find("Plot not drawn") != std::string::npos) GTEST_SKIP() << "gnuplot missing";
  EXPECT_NE(r.svg.find("<svg"), std::string::npos);
  for (const char* v : {"gort adjacent", "gort padded"}) EXPECT_NE(r.svg.find(v), std::string::npos) << v;
}

// Two lines of pad and one P: the placement follows --pad, and one P runs
// the two goroutines one after the other.
TEST(LabLayoutForensics, PadAndProcsFlagsReachTheRuns) {
  const LabRun r = run_lab("pad128", {"--parts", "sharing", "--pad", "128", "--procs", "1", "--increments", "20000",
                                      "--runs", "1", "--structs", "Node"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  expect_sharing(r.data["gort"]["sharing"], 20000, 1, 1, 128);
  EXPECT_TRUE(r.data["gort"]["arrays"].empty());
  EXPECT_EQ(r.data["gort"]["layouts"].size(), 1u);
  EXPECT_NE(r.result.out.find("Not run (--parts without arrays)."), std::string::npos) << r.result.out;
}

TEST(LabLayoutForensics, PartsNoneRunsOnlyTheLayouts) {
  const LabRun r = run_lab("none", {"--parts", "none", "--structs", "Sandwich,Narrow"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  EXPECT_TRUE(r.data["gort"]["sharing"].is_null());
  EXPECT_TRUE(r.data["gort"]["arrays"].empty());
  EXPECT_EQ(r.data["structs"], json({"Sandwich", "Narrow"}));
  EXPECT_NE(r.result.out.find("No plot: the false-sharing part did not run."), std::string::npos);
}

TEST(LabLayoutForensics, GoTwinRunsTheSameStructsSideBySide) {
  const LabRun r = run_lab("go", {"--short", "--go", "--structs", run_structs_flag(), "--elements", "5000",
                                  "--increments", "20000", "--runs", "1", "--gc-rounds", "1"});
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  ASSERT_TRUE(r.data["go_error"].is_null()) << r.data["go_error"];
  const json& go = r.data["go"];
  EXPECT_EQ(go["runtime"], "go");
  EXPECT_EQ(go["version"].get<std::string>().rfind("go1.", 0), 0u) << go["version"];
  expect_layouts(go["layouts"]);
  // Field for field, Go lays the structs out as the C++ compiler does.
  EXPECT_EQ(go["layouts"], r.data["gort"]["layouts"]);
  expect_arrays(go["arrays"], 5000, 1);
  expect_sharing(go["sharing"], 20000, 1, 2, 64);
  EXPECT_NE(r.result.out.find("## 6. gort and Go side by side"), std::string::npos) << r.result.out;
  EXPECT_NE(r.result.out.find("unsafe.Sizeof"), std::string::npos);
}

TEST(LabLayoutForensics, MalformedFlagsExitWithStatus2AndOneLine) {
  const std::vector<std::vector<std::string>> cases = {
      {"--structs", "Sandwich,Bogus"}, {"--structs", ""},          {"--parts", "arrays,layout"},
      {"--elements", "0"},             {"--gc-rounds", "x"},       {"--increments", "1e3"},
      {"--runs", "0"},                 {"--procs", "0"},           {"--pad", "96"},
      {"--child-array", "Node/odd"},   {"--child-array", "Bogus/bad"},
  };
  gort::test::expect_flags_refused(cases);
}

TEST(LabLayoutForensics, HelpExitsZero) {
  auto r = gort::test::run_process({GORT_LAB_PROGRAM, "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--structs", "--parts", "--elements", "--gc-rounds", "--increments", "--runs", "--procs",
                           "--pad", "--short", "--json", "--svg", "--go", "--cpuprofile", "--memprofile"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(r.out.find("--child-array"), std::string::npos) << "the child mode is internal";
}

}  // namespace
