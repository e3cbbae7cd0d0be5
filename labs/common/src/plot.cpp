// plot.cpp — SVG plots through gnuplot's svg terminal (see plot.hpp).
#include "lab/plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "lab/go_twin.hpp"

namespace lab {

Series cdf_series(std::string label, std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  Series s;
  s.label = std::move(label);
  s.steps = true;
  const double n = static_cast<double>(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    s.x.push_back(samples[i]);
    s.y.push_back(static_cast<double>(i + 1) / n);
  }
  return s;
}

namespace {

/// A string as a gnuplot double-quoted literal.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

/// gnuplot's multi-line error (the script line, a caret, the message) as one line.
std::string one_line(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string script(const Plot& p, const std::string& path) {
  std::string s;
  // noenhanced: labels are printed as given (gnuplot's enhanced text would
  // read '_' and '^' in series names as sub- and superscripts).
  s += "set terminal svg size 900,520 dynamic noenhanced font 'sans,12' background rgb 'white'\n";
  s += "set output " + quoted(path) + "\n";
  s += "set title " + quoted(p.title) + "\n";
  s += "set xlabel " + quoted(p.xlabel) + "\n";
  s += "set ylabel " + quoted(p.ylabel) + "\n";
  s += "set grid\nset key outside right top\n";
  if (p.logx) s += "set logscale x\n";
  if (p.logy) s += "set logscale y\n";
  if (p.ymax > p.ymin) s += fmt::format("set yrange [{}:{}]\n", p.ymin, p.ymax);
  for (std::size_t i = 0; i < p.series.size(); ++i) {
    const Series& se = p.series[i];
    assert(se.x.size() == se.y.size());
    s += fmt::format("$d{} << EOD\n", i);
    for (std::size_t k = 0; k < se.x.size(); ++k) s += fmt::format("{} {}\n", se.x[k], se.y[k]);
    s += "EOD\n";
  }
  s += "plot ";
  for (std::size_t i = 0; i < p.series.size(); ++i) {
    const Series& se = p.series[i];
    if (i) s += ", ";
    s += fmt::format("$d{} using 1:2 with {} lw 2 {} title {}", i, se.steps ? "steps" : "lines",
                     se.dashed ? "dt 2" : "dt 1", quoted(se.label));
  }
  s += "\n";
  return s;
}

}  // namespace

std::optional<std::string> write_svg(const Plot& plot, const std::string& path) {
  bool any_points = false;
  for (const auto& s : plot.series) any_points = any_points || !s.x.empty();
  if (!any_points) return "no data points to plot";
  std::string error;
  auto run = run_program({"gnuplot"}, {}, &error, script(plot, path));
  if (!run) return "gnuplot could not be started (" + error + "); install gnuplot-nox";
  if (run->exit_code != 0) return fmt::format("gnuplot failed (exit {}): {}", run->exit_code, one_line(run->err));
  return std::nullopt;
}

}  // namespace lab
