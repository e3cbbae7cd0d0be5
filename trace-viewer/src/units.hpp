// units.hpp — how the summary writes durations and sizes: like Go's
// time.Duration (ns, µs, ms, s) rounded to four significant digits, and
// bytes in binary units.
#pragma once

#include <cstdint>
#include <string>

namespace gort::viewer {

/// "0s", "850ns", "12.35µs", "1.5ms", "2.001s".
std::string format_duration(int64_t ns);
/// "512 B", "1.5 KiB", "12.3 MiB".
std::string format_bytes(int64_t bytes);
/// "12.5%".
std::string format_percent(double fraction);

}  // namespace gort::viewer
