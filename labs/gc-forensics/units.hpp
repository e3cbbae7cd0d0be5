// units.hpp — the Go-style quantities gc-forensics reads from its command line
// and prints: allocation rates ("100MB/s") and byte counts in GOMEMLIMIT's
// syntax ("512MiB").  Durations ("10s") use lab::parse_go_duration
// (lab/cli.hpp); byte counts are parsed by the runtime's own GOMEMLIMIT parser,
// gort::gc::parse_memory_limit, because the lab passes --memlimit straight to
// the child as GOMEMLIMIT and a value the runtime would refuse must be refused
// here too.  Rates use the decimal units Go's benchmarks print (testing's
// "MB/s" is 10^6 bytes per second) and accept the binary ones as well.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace gclab {

/// Parses an allocation rate: a positive decimal number, a unit (B, kB/KB, MB,
/// GB, KiB, MiB, GiB) and "/s" ("100MB/s", "1.5GB/s", "64MiB/s").  Returns
/// bytes per second, or nullopt when s is not such a rate.
std::optional<double> parse_rate(const std::string& s);

/// A byte count the way GOMEMLIMIT is usually written: the largest binary unit
/// that divides it exactly ("512MiB", "1536KiB", "1000B").
std::string byte_count_text(int64_t bytes);

/// A rate with Go's decimal units to 3 significant digits ("100MB/s", "1.25GB/s").
std::string rate_text(double bytes_per_second);

}  // namespace gclab
