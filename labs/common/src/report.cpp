// report.cpp — distributions, Markdown tables and units for lab reports.
#include "lab/report.hpp"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cassert>
#include <cmath>
#include <fstream>
#include <numeric>
#include <thread>

namespace lab {

double nearest_rank(const std::vector<double>& sorted, double q) {
  assert(!sorted.empty());
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

Distribution summarize(std::vector<double> samples) {
  Distribution d;
  if (samples.empty()) return d;
  std::sort(samples.begin(), samples.end());
  d.count = samples.size();
  d.min = samples.front();
  d.max = samples.back();
  d.p50 = nearest_rank(samples, 0.50);
  d.p90 = nearest_rank(samples, 0.90);
  d.p99 = nearest_rank(samples, 0.99);
  d.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(d.count);
  return d;
}

MarkdownTable::MarkdownTable(std::vector<std::string> titles) {
  for (auto& t : titles) {
    bool right = !t.empty() && t.back() == ':';
    if (right) t.pop_back();
    right_.push_back(right);
    titles_.push_back(std::move(t));
  }
}

void MarkdownTable::add_row(std::vector<std::string> cells) {
  assert(cells.size() == titles_.size());
  rows_.push_back(std::move(cells));
}

std::string MarkdownTable::str() const {
  auto line = [](const std::vector<std::string>& cells) {
    std::string s = "|";
    for (const auto& c : cells) s += " " + c + " |";
    return s + "\n";
  };
  std::string out = line(titles_);
  out += "|";
  for (bool r : right_) out += r ? "---:|" : "---|";
  out += "\n";
  for (const auto& row : rows_) out += line(row);
  return out;
}

std::string format_sig3(double v) {
  double a = std::fabs(v);
  if (a >= 1000 || a == 0) return fmt::format("{:.0f}", v);
  if (a >= 100) return fmt::format("{:.0f}", v);
  if (a >= 10) return fmt::format("{:.1f}", v);
  if (a >= 1) return fmt::format("{:.2f}", v);
  return fmt::format("{:.3g}", v);
}

std::string format_duration_ns(double ns) {
  double a = std::fabs(ns);
  if (a < 1e3) return fmt::format("{:.0f}ns", ns);
  if (a < 1e6) return format_sig3(ns / 1e3) + "µs";
  if (a < 1e9) return format_sig3(ns / 1e6) + "ms";
  return format_sig3(ns / 1e9) + "s";
}

std::string format_bytes(double bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (std::fabs(bytes) >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{:.0f} B", bytes);
  // 3 significant digits, but never an exponent: 1000-1023 of a unit print whole.
  if (std::fabs(bytes) >= 999.5) return fmt::format("{:.0f} {}", bytes, kUnits[u]);
  return fmt::format("{:.3g} {}", bytes, kUnits[u]);
}

std::string machine_description() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string l; std::getline(cpuinfo, l);) {
    if (l.rfind("model name", 0) == 0) {
      auto colon = l.find(':');
      if (colon != std::string::npos) model = l.substr(l.find_first_not_of(" \t", colon + 1));
      break;
    }
  }
  utsname u{};
  std::string kernel = uname(&u) == 0 ? std::string(u.sysname) + " " + u.release : "unknown kernel";
  return fmt::format("{}, {} CPUs, {}", model, std::thread::hardware_concurrency(), kernel);
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  if (!(in >> one >> five >> fifteen)) return "unknown";
  return one + " " + five + " " + fifteen;
}

bool write_json_file(std::string_view lab, const std::string& path, const std::string& json_text) {
  errno = 0;
  std::ofstream out(path);
  out << json_text << "\n";
  out.close();
  if (out) return true;
  const int err = errno;
  fmt::print(stderr, "{}: cannot write --json file {}: {}\n", lab, path,
             err != 0 ? std::strerror(err) : "write failed");
  return false;
}

}  // namespace lab
