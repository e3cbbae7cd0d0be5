// lab/plot.hpp — SVG plots for lab reports, drawn by gnuplot.
//
// gnuplot (Debian's gnuplot-nox, installed by scripts/install-deps.sh) does the
// axes, ticks, log scales and legends; a lab only describes its series.  The
// data travels inline in the script on gnuplot's stdin, so no temporary files.
// When gnuplot is missing or fails, write_svg says why and the lab reports the
// plot as not drawn: the tables never depend on the plot.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace lab {

/// One curve: points (x[i], y[i]) joined by lines, or drawn as steps.
struct Series {
  /// Legend text.
  std::string label;
  std::vector<double> x;
  std::vector<double> y;
  /// Draw as a staircase (gnuplot "steps"), the right shape for an empirical CDF.
  bool steps = false;
  /// Draw dashed (for references such as a goal or a limit).
  bool dashed = false;
};

/// A 2-D plot of series on shared axes.
struct Plot {
  std::string title;
  std::string xlabel;
  std::string ylabel;
  /// Logarithmic x axis (latencies spanning milliseconds to seconds).
  bool logx = false;
  bool logy = false;
  /// Fixed y range when ymax > ymin (a CDF: 0..1); automatic otherwise.
  double ymin = 0, ymax = 0;
  std::vector<Series> series;
};

/// The empirical CDF of samples as a step series: x sorted, y = rank / count.
Series cdf_series(std::string label, std::vector<double> samples);

/// Draws the plot as an SVG file at path.  Returns an error text when the plot
/// could not be drawn (gnuplot missing or failing, path not writable), nullopt
/// on success.  Precondition: every series has x.size() == y.size().
std::optional<std::string> write_svg(const Plot& plot, const std::string& path);

}  // namespace lab
