// report.cpp — Markdown tables and the plot (see report.hpp).
#include "report.hpp"

#include <fmt/format.h>
#include <lab/report.hpp>

#include <stdexcept>
#include <thread>

#include "layout_calc.hpp"
#include "structs.hpp"

namespace layoutlab {

namespace {

/// The course's expectation for adjacent/padded (5.3 step 4: "Expect 5–20× difference").
constexpr double kCourseSharingLo = 5, kCourseSharingHi = 20;

/// "gort" or "Go (go1.19.8)" as a heading.
std::string runtime_name(const RuntimeResults& r) {
  return r.runtime == "go" ? "Go (" + r.version + ")" : std::string("gort");
}

/// The runtimes that ran: gort, then Go when it did.
std::vector<const RuntimeResults*> runtimes(const LabRun& run) {
  std::vector<const RuntimeResults*> out{&run.gort};
  if (run.go) out.push_back(&*run.go);
  return out;
}

/// The spec called name.  Precondition: name is one of kAllSpecs'.
const StructSpec& spec_named(const std::string& name) {
  for (const StructSpec* s : kAllSpecs) {
    if (s->name == name) return *s;
  }
  throw std::logic_error("no spec " + name);
}

/// The calculator's offset of the field called `field` in the layout of s.
std::optional<std::size_t> calculated_offset(const StructSpec& s, const Layout& l, const std::string& field) {
  for (std::size_t i = 0; i < s.count; ++i) {
    if (s.fields[i].name == field) return l.placements[i].offset;
  }
  return std::nullopt;
}

/// True when a measured layout matches the calculator's for s, field by field.
bool agrees(const StructSpec& s, const StructLayout& m) {
  const Layout l = compute_layout(s);
  if (m.size != l.size || m.align != l.align || m.fields.size() != s.count) return false;
  for (const FieldOffset& f : m.fields) {
    auto offset = calculated_offset(s, l, f.name);
    if (!offset || *offset != f.offset) return false;
  }
  return true;
}

/// The measured pair for struct `name` on r, or null.
const LayoutPair* find_layout(const RuntimeResults& r, const std::string& name) {
  for (const LayoutPair& p : r.layouts) {
    if (p.bad.name == name) return &p;
  }
  return nullptr;
}

/// One struct order as the calculator lays it out: a field table and a summary line.
/// `self` is the name the struct is declared under (NodePacked's next is a *NodePacked).
std::string calculator_table(const StructSpec& s, const std::string& title, const std::string& self) {
  const Layout l = compute_layout(s);
  lab::MarkdownTable t({"field", "Go type", "size:", "align:", "offset:", "padding before:"});
  for (std::size_t i = 0; i < s.count; ++i) {
    const FieldSpec& f = s.fields[i];
    const bool self_pointer = f.go_type == "*" + std::string(s.name);
    t.add_row({std::string(f.name) + (f.pointers ? " (pointers)" : ""),
               self_pointer ? "*" + self : std::string(f.go_type),
               std::to_string(f.size), std::to_string(f.align), std::to_string(l.placements[i].offset),
               l.placements[i].padding_before ? std::to_string(l.placements[i].padding_before) : "—"});
  }
  std::string out = fmt::format("**{}**\n\n", title) + t.str();
  out += fmt::format(
      "\nFields end at {}, alignment {}, so size {} (tail padding {}); padding {} of {} bytes{}.\n\n",
      l.size - l.tail_padding, l.align, l.size, l.tail_padding, l.padding, l.size,
      l.pointer_bytes ? fmt::format("; pointer bytes (Go's ptrdata) {}", l.pointer_bytes) : std::string());
  return out;
}

/// Section 2's table: the calculator against each runtime, bad and packed.
std::string agreement_table(const LabRun& run) {
  std::vector<std::string> titles{"struct", "by hand: size:", "align:"};
  for (const RuntimeResults* r : runtimes(run)) {
    const bool go = r->runtime == "go";
    titles.push_back(go ? "unsafe.Sizeof:" : "sizeof:");
    titles.push_back(go ? "unsafe.Alignof:" : "alignof:");
    titles.push_back(go ? "Offsetof all equal" : "offsetof all equal");
  }
  lab::MarkdownTable t(titles);
  for (const std::string& name : run.structs) {
    const StructSpec& bad = spec_named(name);
    const StructSpec packed = minimal_order(bad);
    for (int which = 0; which < 2; ++which) {
      const StructSpec& s = which == 0 ? bad : packed;
      const Layout l = compute_layout(s);
      std::vector<std::string> row{which == 0 ? name : name + "Packed", std::to_string(l.size),
                                   std::to_string(l.align)};
      for (const RuntimeResults* r : runtimes(run)) {
        const LayoutPair* p = find_layout(*r, name);
        if (p == nullptr) {
          row.insert(row.end(), {"—", "—", "—"});
          continue;
        }
        const StructLayout& m = which == 0 ? p->bad : p->packed;
        row.push_back(std::to_string(m.size));
        row.push_back(std::to_string(m.align));
        row.push_back(agrees(s, m) ? "yes" : "**NO**");
      }
      t.add_row(row);
    }
  }
  return t.str();
}

/// Section 3's table: each reorder's delta.
std::string delta_table(const LabRun& run, std::uint64_t elements) {
  lab::MarkdownTable t({"struct", "bad bytes:", "packed bytes:", "delta:", "delta %:", "padding bad → packed",
                        "pointer bytes bad → packed", fmt::format("{} elements bad → packed", elements)});
  for (const std::string& name : run.structs) {
    const StructSpec& s = spec_named(name);
    const Layout bad = compute_layout(s), packed = compute_layout(minimal_order(s));
    const double delta = static_cast<double>(bad.size) - static_cast<double>(packed.size);
    t.add_row({name, std::to_string(bad.size), std::to_string(packed.size),
               fmt::format("−{}", bad.size - packed.size), lab::format_sig3(100 * delta / bad.size) + "%",
               fmt::format("{} → {}", bad.padding, packed.padding),
               bad.pointer_bytes ? fmt::format("{} → {}", bad.pointer_bytes, packed.pointer_bytes) : "—",
               fmt::format("{} → {}", lab::format_bytes(static_cast<double>(bad.size * elements)),
                           lab::format_bytes(static_cast<double>(packed.size * elements)))});
  }
  return t.str();
}

/// "1.23 ms" from milliseconds.
std::string ms(double v) { return lab::format_duration_ns(v * 1e6); }

/// Median MemStats pause of an array run.
double median_pause_ns(const ArrayRun& a) {
  return median(std::vector<double>(a.child.pause_ns.begin(), a.child.pause_ns.end()));
}

/// HeapAlloc growth of an array run, in bytes (0 when it shrank).
double heap_growth(const ArrayRun& a) {
  return a.child.heap_alloc_after > a.child.heap_alloc_before
             ? static_cast<double>(a.child.heap_alloc_after - a.child.heap_alloc_before)
             : 0;
}

/// Section 4's table for one runtime.
std::string arrays_table(const RuntimeResults& r) {
  lab::MarkdownTable t({"struct", "layout", "scanned by GC", "element bytes:", "make:", "fill:", "page faults:",
                        "HeapAlloc growth:", "growth/element:", "cycles during make+fill:", "their longest pause:",
                        "mark wall (median):", "mark CPU (median):", "pause (median):", "cycles:"});
  for (const ArrayRun& a : r.arrays) {
    const ArrayChild& c = a.child;
    const double growth = heap_growth(a);
    t.add_row({c.name, c.layout, c.name == "none" ? "—" : (c.scannable ? "yes" : "no"),
               c.element_bytes ? std::to_string(c.element_bytes) : "—",
               c.name == "none" ? "—" : lab::format_duration_ns(static_cast<double>(c.make_ns)),
               c.name == "none" ? "—" : lab::format_duration_ns(static_cast<double>(c.fill_ns)),
               c.name == "none" ? "—" : std::to_string(c.page_faults), lab::format_bytes(growth),
               c.elements ? lab::format_sig3(growth / static_cast<double>(c.elements)) : "—",
               std::to_string(a.alloc_gctrace.size()), a.alloc_gctrace.empty() ? "—" : ms(a.alloc_pause_ms),
               ms(median(a.mark_clock_ms)), ms(median(a.mark_cpu_ms)), lab::format_duration_ns(median_pause_ns(a)),
               std::to_string(a.gctrace.size())});
  }
  return t.str();
}

/// Section 4's bad-over-packed ratios, one column pair per runtime.
std::string array_ratio_table(const LabRun& run) {
  std::vector<std::string> titles{"struct"};
  for (const RuntimeResults* r : runtimes(run)) {
    titles.push_back(runtime_name(*r) + " HeapAlloc bad/packed:");
    titles.push_back(runtime_name(*r) + " mark CPU bad/packed:");
  }
  lab::MarkdownTable t(titles);
  for (const std::string& name : run.structs) {
    std::vector<std::string> row{name};
    for (const RuntimeResults* r : runtimes(run)) {
      const ArrayRun* bad = find_array(*r, name, "bad");
      const ArrayRun* packed = find_array(*r, name, "packed");
      const auto ratio = [](double a, double b) { return b > 0 ? lab::format_sig3(a / b) + "×" : std::string("—"); };
      row.push_back(bad && packed ? ratio(heap_growth(*bad), heap_growth(*packed)) : "—");
      row.push_back(bad && packed ? ratio(median(bad->mark_cpu_ms), median(packed->mark_cpu_ms)) : "—");
    }
    t.add_row(row);
  }
  return t.str();
}

/// The array part's reading, in sentences computed from the run.
std::string arrays_reading(const LabRun& run) {
  std::string out =
      "How to read it. *HeapAlloc growth* is what the array added to the live heap: the element bytes times the "
      "elements, rounded up to whole pages (a 1M-element array is one large object on spans of its own); gort "
      "adds an 8-byte length word and an 8-byte type header in front of an array it must scan or destroy (Node), "
      "none in front of a pointer-free one, so the pointer-free arrays have exactly Go's size. *mark* comes from "
      "the measured cycles' gctrace lines (the middle clock figure, and assist + background + idle CPU); *pause* "
      "from MemStats.PauseNs (both stop-the-world phases). The pointer-free arrays live in noscan spans: the "
      "collector marks the array object and never reads its bytes, so bad and packed cost the mark the same as "
      "the empty heap (*none*). Only Node is scanned. Go walks a large object's words through the heap bitmap up "
      "to its last pointer, so moving the pointers first shortens the walk only as far as the bytes shrink "
      "(56 → 40 per element, 1.4×); gort calls Node::trace once per element and visits the two managed fields "
      "by name, so its walk follows the element count. In both, each element holds two pointers to mark "
      "whatever the order, and marking them (finding the target, testing its mark bit) is most of the work: "
      "compare the bad/packed mark CPU below with that 1.4×.";
  const ArrayRun* bad = find_array(run.gort, "Node", "bad");
  const ArrayRun* packed = find_array(run.gort, "Node", "packed");
  if (bad && packed && median(packed->mark_cpu_ms) > 0) {
    out += fmt::format(" Here gort's mark CPU for Node was {} bad and {} packed.", ms(median(bad->mark_cpu_ms)),
                       ms(median(packed->mark_cpu_ms)));
  }
  if (run.go) {
    const ArrayRun* gbad = find_array(*run.go, "Node", "bad");
    const ArrayRun* gpacked = find_array(*run.go, "Node", "packed");
    if (gbad && gpacked && median(gpacked->mark_cpu_ms) > 0) {
      out += fmt::format(" Go's was {} bad and {} packed.", ms(median(gbad->mark_cpu_ms)),
                         ms(median(gpacked->mark_cpu_ms)));
    }
  }
  out +=
      " *page faults*: first touches of fresh heap pages during make and fill; Go 1.19 asks the kernel for "
      "transparent huge pages on its heap (2 MiB per fault where the kernel has them, as Debian's default "
      "`madvise` mode allows), gort's heap takes 4 KiB pages, so gort faults about once per 4 KiB and its fill "
      "pays for it. gort's make of a Node array also runs a constructor per element (gc::String, gc::Ptr) where "
      "Go's make only hands out zeroed memory. *cycles during make+fill*: collections the allocation itself "
      "started (the heap goal was 4 MB); while a scannable array is still being constructed gort scans it "
      "conservatively, every word, which is why its longest pause for Node can be far above Go's.";
  return out + "\n\n";
}

/// Section 5's table for one runtime.
std::string sharing_table(const SharingResults& s) {
  lab::MarkdownTable t({"variant", "counters apart:", "same line", "wall ns/increment (median):", "min–max:",
                        "increments/s per goroutine:", "CPU ns/increment (median):", "both running (median):"});
  for (const SharingVariant& v : s.variants) {
    std::vector<double> per;
    for (std::int64_t ns : v.run_ns) per.push_back(static_cast<double>(ns) / static_cast<double>(s.increments));
    const lab::Distribution d = lab::summarize(per);
    const double m = median_ns_per_increment(v, s.increments);
    t.add_row({v.name, fmt::format("{} B", v.distance_bytes), v.same_line ? "yes" : "no", lab::format_sig3(m),
               fmt::format("{}–{}", lab::format_sig3(d.min), lab::format_sig3(d.max)),
               m > 0 ? lab::format_sig3(1e3 / m) + "M" : "—",
               lab::format_sig3(median_cpu_ns_per_increment(v, s.increments)),
               lab::format_sig3(median_parallelism(v)) + " of 2"});
  }
  return t.str();
}

/// adjacent's median over padded's, or nullopt: by wall time, or (cpu) by
/// the CPU time per increment.
std::optional<double> sharing_ratio(const SharingResults& s, bool cpu = false) {
  const SharingVariant* a = find_sharing_variant(s, "adjacent");
  const SharingVariant* p = find_sharing_variant(s, "padded");
  if (!a || !p) return std::nullopt;
  const auto per = [&](const SharingVariant& v) {
    return cpu ? median_cpu_ns_per_increment(v, s.increments) : median_ns_per_increment(v, s.increments);
  };
  if (per(*p) <= 0) return std::nullopt;
  return per(*a) / per(*p);
}

/// Where a ratio falls against the course's 5–20×.
std::string sharing_verdict(double ratio) {
  if (ratio < kCourseSharingLo) return "below the course's 5–20×";
  if (ratio > kCourseSharingHi) return "above the course's 5–20×";
  return "within the course's 5–20×";
}

/// What this machine's false-sharing figures rest on.
std::string sharing_reading(const LabRun& run) {
  const unsigned cpus = std::thread::hardware_concurrency();
  std::string out = fmt::format(
      "Why. Each increment is a locked add (LOCK XADD, in both runtimes), which needs the counter's line "
      "exclusive in the core's cache. Adjacent counters share a line, so the two cores take it from each other "
      "on nearly every increment; padded ones each keep a line. The ratio is the cost of a line transfer "
      "between the two cores over the cost of an uncontended locked add (about 20 cycles), and it exists only "
      "while both goroutines run at once on two cores: *both running* is the two goroutines' thread CPU time "
      "over the wall time (2 of 2: side by side all along; 1: one at a time), and *CPU ns/increment* is the "
      "cost of an increment while its goroutine ran, which time spent waiting for a CPU does not inflate. "
      "This machine has {} CPUs and its load average was {} before the runs",
      cpus, run.load_before);
  out += cpus <= 2 ? ": with two vCPUs, anything else runnable takes one of them from a goroutine, and while one "
                     "goroutine runs alone its line does not bounce; in a VM the vCPUs' placement on the host's "
                     "cores (and whether they share an L2 or a die) decides the transfer's cost."
                   : ".";
  return out + "\n\n";
}

/// The gort-and-Go section.
std::string side_by_side(const LabRun& run) {
  const RuntimeResults& g = run.gort;
  const RuntimeResults& go = *run.go;
  std::string out;
  lab::MarkdownTable sizes({"struct", "gort sizeof bad/packed", "Go unsafe.Sizeof bad/packed", "same"});
  for (const std::string& name : run.structs) {
    const LayoutPair* a = find_layout(g, name);
    const LayoutPair* b = find_layout(go, name);
    if (!a || !b) continue;
    const bool same = a->bad.size == b->bad.size && a->packed.size == b->packed.size;
    sizes.add_row({name, fmt::format("{}/{}", a->bad.size, a->packed.size),
                   fmt::format("{}/{}", b->bad.size, b->packed.size), same ? "yes" : "**NO**"});
  }
  out += sizes.str() + "\n";
  if (!g.arrays.empty() && !go.arrays.empty()) {
    lab::MarkdownTable t({"array", "gort HeapAlloc growth:", "Go HeapAlloc growth:", "gort mark CPU:",
                          "Go mark CPU:", "gort pause:", "Go pause:", "gort make+fill:", "Go make+fill:",
                          "gort page faults:", "Go page faults:"});
    for (const ArrayRun& a : g.arrays) {
      const ArrayRun* b = find_array(go, a.child.name, a.child.layout);
      if (b == nullptr) continue;
      t.add_row({a.child.name + "/" + a.child.layout, lab::format_bytes(heap_growth(a)),
                 lab::format_bytes(heap_growth(*b)), ms(median(a.mark_cpu_ms)), ms(median(b->mark_cpu_ms)),
                 lab::format_duration_ns(median_pause_ns(a)), lab::format_duration_ns(median_pause_ns(*b)),
                 lab::format_duration_ns(static_cast<double>(a.child.make_ns + a.child.fill_ns)),
                 lab::format_duration_ns(static_cast<double>(b->child.make_ns + b->child.fill_ns)),
                 std::to_string(a.child.page_faults), std::to_string(b->child.page_faults)});
    }
    out += t.str() + "\n";
  }
  if (g.sharing && go.sharing) {
    const auto a = sharing_ratio(*g.sharing), b = sharing_ratio(*go.sharing);
    const auto ac = sharing_ratio(*g.sharing, true), bc = sharing_ratio(*go.sharing, true);
    const auto x = [](const std::optional<double>& v) { return v ? lab::format_sig3(*v) + "×" : std::string("—"); };
    out += fmt::format("False sharing, adjacent/padded by wall time: gort {}, Go {}; by CPU per increment: gort {}, "
                       "Go {}.\n\n",
                       x(a), x(b), x(ac), x(bc));
  }
  return out;
}

}  // namespace

bool layouts_agree(const LabRun& run) {
  for (const RuntimeResults* r : runtimes(run)) {
    for (const LayoutPair& p : r->layouts) {
      const StructSpec& s = spec_named(p.bad.name);
      if (!agrees(s, p.bad) || !agrees(minimal_order(s), p.packed)) return false;
    }
  }
  return true;
}

std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error) {
  std::string out;
  out += "# layout-forensics: padding, reordering, the GC's view of a layout, and false sharing\n\n";
  out += fmt::format("Command: `{}`  \nMachine: {}; load average before the runs {}.\n\n", run.command,
                     run.machine, run.load_before);

  out += "## 1. The five structs by hand\n\n";
  out +=
      "Each field goes at the running size rounded up to its alignment; the struct's alignment is its largest "
      "field's, and its size is rounded up to that (tail padding, so the elements of an array stay aligned). "
      "C++ on x86-64 and Go on amd64 follow the same rules, and every type here has the same size and "
      "alignment in both (gc::String is Go's string header: pointer and length). The reordered version sorts "
      "fields by alignment, largest first, pointer-holding fields first among equals (Go's fieldalignment "
      "order); no order is smaller, because each size is a multiple of its alignment.\n\n";
  for (const std::string& name : run.structs) {
    const StructSpec& s = spec_named(name);
    out += fmt::format("### {}\n\n", name);
    out += calculator_table(s, "declared order (bad)", name);
    out += calculator_table(minimal_order(s), "reordered (" + name + "Packed)", name + "Packed");
  }

  out += "## 2. By hand against the compilers\n\n";
  out +=
      "The calculator's size and alignment beside sizeof/alignof (gort: this build's C++ compiler) and "
      "unsafe.Sizeof/Alignof (Go, with --go); *offsetof all equal*: every field's offsetof / unsafe.Offsetof "
      "equals the calculator's offset.\n\n";
  out += agreement_table(run) + "\n";

  const std::uint64_t elements = run.gort.arrays.empty() ? 1'000'000 : run.gort.arrays.back().child.elements;
  out += "## 3. Reordered: each delta\n\n";
  out +=
      "*pointer bytes*: how far into each element Go's collector must look for pointers (ptrdata: the end of "
      "the last pointer field); gort's collector calls Node::trace instead and has no such prefix.\n\n";
  out += delta_table(run, elements) + "\n";

  out += "## 4. The arrays on the managed heap\n\n";
  if (run.gort.arrays.empty()) {
    out += "Not run (--parts without arrays).\n\n";
  } else {
    out += fmt::format(
        "One child process per array under GODEBUG=gctrace=1: a forced cycle, make([]T, {}) and one write of "
        "every element (timed), then {} forced cycles with the array live. *none*: the same cycles without an "
        "array.\n\n",
        elements, run.gort.arrays.front().child.num_gc_after - run.gort.arrays.front().child.num_gc_before);
    for (const RuntimeResults* r : runtimes(run)) {
      if (r->arrays.empty()) continue;
      out += fmt::format("### {}\n\n", runtime_name(*r)) + arrays_table(*r) + "\n";
    }
    out += "**Bad over packed**\n\n" + array_ratio_table(run) + "\n";
    out += arrays_reading(run);
    for (const RuntimeResults* r : runtimes(run)) {
      out += fmt::format("The first measured cycle's gctrace line per array, and the cycles the allocation "
                         "started ({}):\n\n```\n",
                         runtime_name(*r));
      for (const ArrayRun& a : r->arrays) {
        if (!a.gctrace.empty()) out += fmt::format("{}/{}: {}\n", a.child.name, a.child.layout, a.gctrace.front());
        for (const std::string& line : a.alloc_gctrace) {
          out += fmt::format("{}/{} during make+fill: {}\n", a.child.name, a.child.layout, line);
        }
      }
      out += "```\n\n";
    }
  }
  if (!run.go && !run.go_error.empty()) out += "Go twin: " + run.go_error + "\n\n";

  out += "## 5. False sharing\n\n";
  if (!run.gort.sharing) {
    out += "Not run (--parts without sharing).\n\n";
  } else {
    out += fmt::format(
        "Two goroutines on {} Ps each add 1 to its own atomic counter {} times (a locked add per increment); "
        "*adjacent*: the counters 8 bytes apart on one line; *padded*: {} bytes of pad between them (Go's "
        "CacheLinePad). The distance and line are measured from the counters' addresses.\n\n",
        run.gort.sharing->gomaxprocs, run.gort.sharing->increments, run.gort.sharing->pad_bytes);
    lab::MarkdownTable ratios(
        {"runtime", "adjacent / padded, wall:", "adjacent / padded, CPU per increment:", "course expects", "verdict"});
    for (const RuntimeResults* r : runtimes(run)) {
      if (!r->sharing) continue;
      out += fmt::format("### {}\n\n", runtime_name(*r)) + sharing_table(*r->sharing) + "\n";
      const auto ratio = sharing_ratio(*r->sharing);
      const auto cpu_ratio = sharing_ratio(*r->sharing, true);
      ratios.add_row({runtime_name(*r), ratio ? lab::format_sig3(*ratio) + "×" : "—",
                      cpu_ratio ? lab::format_sig3(*cpu_ratio) + "×" : "—", "5–20×",
                      ratio ? sharing_verdict(*ratio) : "—"});
    }
    out += ratios.str() + "\n" + sharing_reading(run);
  }

  if (run.go) {
    out += "## 6. gort and Go side by side\n\n";
    out += side_by_side(run);
  }

  out += "## 7. The build-time guard\n\n";
  out +=
      "packed_guard.hpp holds every packed struct to the calculator's minimal size with a static_assert (the "
      "C++ counterpart of running fieldalignment in CI): this program compiled, so these hold. A struct that "
      "regrows fails the build with `<struct> regrew past the minimal size of its fields`; ctest proves it on "
      "two regrown structs (LabLayoutForensics.PackedGuard.*).\n\n";
  lab::MarkdownTable guard({"packed struct", "sizeof:", "minimal size:", "guard"});
  for (const LayoutPair& p : run.gort.layouts) {
    guard.add_row({p.packed.name, std::to_string(p.packed.size),
                   std::to_string(minimal_size(spec_named(p.bad.name))), "static_assert holds"});
  }
  out += guard.str() + "\n";

  out += "## 8. Plot\n\n";
  if (svg_path.empty()) {
    out += "No plot requested.\n";
  } else if (!run.gort.sharing) {
    out += "No plot: the false-sharing part did not run.\n";
  } else if (svg_error) {
    out += fmt::format("Plot not drawn ({}).\n", *svg_error);
  } else {
    out += fmt::format("Plot: `{}` (ns/increment of every false-sharing run, log scale; Go dashed).\n", svg_path);
  }
  return out;
}

lab::Plot sharing_plot(const LabRun& run) {
  lab::Plot p;
  p.title = "layout-forensics: false sharing, ns per increment, every run";
  p.xlabel = "run";
  p.ylabel = "ns/increment";
  p.logy = true;
  for (const RuntimeResults* r : runtimes(run)) {
    if (!r->sharing) continue;
    for (const SharingVariant& v : r->sharing->variants) {
      lab::Series s{runtime_name(*r) + " " + v.name, {}, {}, false, r->runtime == "go"};
      for (std::size_t i = 0; i < v.run_ns.size(); ++i) {
        s.x.push_back(static_cast<double>(i + 1));
        s.y.push_back(static_cast<double>(v.run_ns[i]) / static_cast<double>(r->sharing->increments));
      }
      p.series.push_back(std::move(s));
    }
  }
  return p;
}

}  // namespace layoutlab
