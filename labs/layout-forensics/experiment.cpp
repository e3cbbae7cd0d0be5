// experiment.cpp — layouts and array children on gort (see experiment.hpp).
#include "experiment.hpp"

#include <fmt/format.h>
#include <lab/cli.hpp>
#include <lab/go_twin.hpp>
#include <lab/progress.hpp>

#include <stdexcept>

#include "heap_arrays.hpp"
#include "measured.hpp"

namespace layoutlab {

namespace {

/// A MeasuredStruct in the results' shape.
StructLayout to_layout(const MeasuredStruct& m) {
  StructLayout l{std::string(m.name), m.size, m.align, {}};
  for (std::size_t i = 0; i < m.count; ++i) l.fields.push_back({std::string(m.fields[i].name), m.fields[i].offset});
  return l;
}

}  // namespace

std::vector<LayoutPair> measure_layouts(const std::vector<std::string>& structs) {
  std::vector<LayoutPair> out;
  for (const std::string& name : structs) {
    const std::optional<MeasuredPair> m = measure(name);
    if (!m) throw std::logic_error("no struct called " + name);
    out.push_back({to_layout(m->bad), to_layout(m->packed)});
  }
  return out;
}

std::vector<ArrayRun> run_arrays_on_gort(const ExperimentConfig& config) {
  std::vector<ArrayParams> children{{"none", "none", config.elements, config.gc_rounds}};
  for (const std::string& s : config.structs) {
    for (const char* layout : {"bad", "packed"}) children.push_back({s, layout, config.elements, config.gc_rounds});
  }
  std::vector<ArrayRun> out;
  lab::Progress progress("layout-forensics: gort array runs", static_cast<long>(children.size()));
  for (const ArrayParams& p : children) {
    // gctrace is read once at start, as Go reads GODEBUG: hence a process per array.
    std::vector<std::string> env{"GODEBUG=gctrace=1"};
    for (std::string& e : lab::profile_environment("-" + p.name + "-" + p.layout)) env.push_back(std::move(e));
    std::string why;
    const auto child = lab::run_self(array_child_args(p), env, &why);
    const std::string who = fmt::format("the gort array run {}/{}", p.name, p.layout);
    if (!child) throw std::runtime_error(who + ": " + why);
    auto run = read_array_run(*child, who, &why);
    if (!run) throw std::runtime_error(why);
    out.push_back(std::move(*run));
    progress.update(static_cast<long>(out.size()));
  }
  progress.finish();
  return out;
}

}  // namespace layoutlab
