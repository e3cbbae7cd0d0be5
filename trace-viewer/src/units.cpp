// units.cpp — see units.hpp.
#include "units.hpp"

#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace gort::viewer {

namespace {

/// v with four significant digits, trailing zeros dropped.
std::string sig4(double v) {
  int decimals = v >= 1000 ? 0 : v >= 100 ? 1 : v >= 10 ? 2 : 3;
  std::string s = fmt::format("{:.{}f}", v, decimals);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

}  // namespace

std::string format_duration(int64_t ns) {
  if (ns == 0) return "0s";
  const char* sign = ns < 0 ? "-" : "";
  const double a = std::fabs(double(ns));
  if (a < 1e3) return fmt::format("{}{}ns", sign, int64_t(a));
  if (a < 1e6) return fmt::format("{}{}µs", sign, sig4(a / 1e3));
  if (a < 1e9) return fmt::format("{}{}ms", sign, sig4(a / 1e6));
  return fmt::format("{}{}s", sign, sig4(a / 1e9));
}

std::string format_bytes(int64_t bytes) {
  const double b = double(bytes);
  if (std::fabs(b) < 1024) return fmt::format("{} B", bytes);
  if (std::fabs(b) < 1024.0 * 1024) return fmt::format("{} KiB", sig4(b / 1024));
  if (std::fabs(b) < 1024.0 * 1024 * 1024) return fmt::format("{} MiB", sig4(b / (1024.0 * 1024)));
  return fmt::format("{} GiB", sig4(b / (1024.0 * 1024 * 1024)));
}

std::string format_percent(double f) { return fmt::format("{}%", sig4(f * 100)); }

}  // namespace gort::viewer
