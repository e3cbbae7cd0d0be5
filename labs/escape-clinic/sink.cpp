// sink.cpp — the discarding output of the snippets (see sink.hpp).
#include "sink.hpp"

#include <fmt/format.h>

#include <atomic>
#include <iterator>

namespace escape {
namespace {

/// Bytes dropped; atomic because snippet C prints from another goroutine.
std::atomic<uint64_t> g_discarded{0};

/// Stack buffer for one formatted integer: 20 digits and a sign fit in 32 bytes.
constexpr std::size_t kIntLineBytes = 32;

}  // namespace

[[gnu::noinline]] void discard_line(std::string_view line) {
  g_discarded.fetch_add(line.size() + 1, std::memory_order_relaxed);
}

[[gnu::noinline]] void discard_value(int64_t v) {
  fmt::basic_memory_buffer<char, kIntLineBytes> line;
  fmt::format_to(std::back_inserter(line), "{}", v);
  discard_line({line.data(), line.size()});
}

uint64_t discarded_bytes() { return g_discarded.load(std::memory_order_relaxed); }

}  // namespace escape
