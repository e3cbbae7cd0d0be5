// units.cpp — Go-style rates and byte counts (see units.hpp).
#include "units.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <string_view>

namespace gclab {

namespace {

/// A unit suffix and how many base units (bytes) it stands for.
struct Unit {
  /// The text after the number ("MiB", "KiB").
  std::string_view suffix;
  /// Base units per one of it.
  double scale;
};

/// GOMEMLIMIT's suffixes (Go's parseByteCount: only B and the binary units),
/// for printing byte counts the way the child will read them.
constexpr std::array<Unit, 5> kByteCountUnits{{
    {"B", 1}, {"KiB", 1024.0}, {"MiB", 1024.0 * 1024}, {"GiB", 1024.0 * 1024 * 1024},
    {"TiB", 1024.0 * 1024 * 1024 * 1024}}};

/// Rate units before "/s": decimal as testing's MB/s, binary as GOMEMLIMIT's.
constexpr std::array<Unit, 8> kRateUnits{{{"B", 1},
                                          {"kB", 1e3},
                                          {"KB", 1e3},
                                          {"MB", 1e6},
                                          {"GB", 1e9},
                                          {"KiB", 1024.0},
                                          {"MiB", 1024.0 * 1024},
                                          {"GiB", 1024.0 * 1024 * 1024}}};

/// Fastest rate the lab accepts: 100 GB/s is beyond any allocator on one machine;
/// a larger number is a typo, not an experiment.
constexpr double kMaxRateBytesPerSecond = 100e9;

/// Reads a non-negative decimal number ("100", "1.5") at the front of s; sets
/// *used to the characters read.  A number must start with a digit.
std::optional<double> leading_number(std::string_view s, std::size_t* used) {
  std::size_t end = 0;
  while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
  if (end == 0) return std::nullopt;
  if (end < s.size() && s[end] == '.') {
    std::size_t frac = end + 1;
    while (frac < s.size() && s[frac] >= '0' && s[frac] <= '9') ++frac;
    if (frac == end + 1) return std::nullopt;  // "1." is not a number here
    end = frac;
  }
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + end, value);
  if (ec != std::errc() || ptr != s.data() + end) return std::nullopt;
  *used = end;
  return value;
}

/// The unit of `units` whose suffix is the whole of s; null when none.
template <std::size_t N>
const Unit* unit_named(std::string_view s, const std::array<Unit, N>& units) {
  for (const Unit& u : units) {
    if (u.suffix == s) return &u;
  }
  return nullptr;
}

}  // namespace

std::optional<double> parse_rate(const std::string& s) {
  std::string_view v(s);
  if (v.size() < 2 || v.substr(v.size() - 2) != "/s") return std::nullopt;
  v.remove_suffix(2);
  std::size_t used = 0;
  auto number = leading_number(v, &used);
  if (!number) return std::nullopt;
  v.remove_prefix(used);
  const Unit* u = unit_named(v, kRateUnits);
  if (u == nullptr) return std::nullopt;
  const double rate = *number * u->scale;
  if (!(rate >= 1) || rate > kMaxRateBytesPerSecond) return std::nullopt;
  return rate;
}

std::string byte_count_text(int64_t bytes) {
  for (auto it = kByteCountUnits.rbegin(); it != kByteCountUnits.rend(); ++it) {
    const auto scale = static_cast<int64_t>(it->scale);
    if (bytes != 0 && bytes % scale == 0) return fmt::format("{}{}", bytes / scale, it->suffix);
  }
  return fmt::format("{}B", bytes);
}

std::string rate_text(double bytes_per_second) {
  static constexpr std::array<Unit, 4> kShown{{{"GB", 1e9}, {"MB", 1e6}, {"kB", 1e3}, {"B", 1}}};
  for (const Unit& u : kShown) {
    if (bytes_per_second >= u.scale || u.scale == 1) {
      const double v = bytes_per_second / u.scale;
      // 3 significant digits without trailing zeros: 100, 12.5, 1.25.
      const int decimals = v >= 100 ? 0 : v >= 10 ? 1 : 2;
      std::string text = fmt::format("{:.{}f}", v, decimals);
      if (text.find('.') != std::string::npos) {
        while (text.back() == '0') text.pop_back();
        if (text.back() == '.') text.pop_back();
      }
      return text + std::string(u.suffix) + "/s";
    }
  }
  return "0B/s";
}

}  // namespace gclab
