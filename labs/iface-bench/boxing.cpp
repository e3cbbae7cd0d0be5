// boxing.cpp — the boxing variants (see boxing.hpp).  Each variant is a
// never-inlined function formatting one value, so the compiler cannot see
// through the erasure from the loop.
#include "boxing.hpp"

#include <fmt/format.h>
#include <gort/gort.hpp>

#include <any>
#include <atomic>
#include <array>
#include <functional>
#include <stdexcept>
#include <string_view>

namespace ifacebench {
namespace {

/// The first value formatted: Go's twin starts at 1000 to stay above
/// runtime.staticuint64s (0..255), which Go boxes without allocating, and
/// strconv's table of 0..99; C++ formats the same values.
constexpr int64_t kFirstValue = 1000;

/// Room for an int64 in decimal, a sign and a newline (21 bytes), rounded up.
constexpr std::size_t kLineBytes = 32;

/// The sink's byte count; atomic only for tools, one goroutine writes it.
std::atomic<uint64_t> g_discarded{0};

/// Drops one formatted line, counting its bytes (io.Discard's Write).
[[gnu::noinline]] void discard(std::string_view line) {
  g_discarded.store(g_discarded.load(std::memory_order_relaxed) + line.size(), std::memory_order_relaxed);
}

/// A value three words long: bigger than std::any's pointer-sized local
/// storage, so a std::any of it allocates.
struct Measured {
  int64_t value;
  int64_t scale;
  int64_t unit;
};

/// direct: fmt::format_to_n into a stack buffer, the int passed as itself.
[[gnu::noinline]] void format_direct(int64_t x) {
  std::array<char, kLineBytes> buf;
  const auto r = fmt::format_to_n(buf.data(), buf.size(), "{}\n", x);
  discard({buf.data(), r.size});
}

/// format-args: the int type-erased into fmt::format_args (a tagged union).
[[gnu::noinline]] void format_erased(int64_t x) {
  std::array<char, kLineBytes> buf;
  // The store holds the erased argument; a fmt::format_args is only a view
  // of it and must not outlive it (so it is made in the call, never kept).
  const auto store = fmt::make_format_args(x);
  const auto r = fmt::vformat_to_n(buf.data(), buf.size(), "{}\n", fmt::format_args(store));
  discard({buf.data(), r.size});
}

/// Formats whatever int a holds (the erased side of std::any).
[[gnu::noinline]] void format_any(const std::any& a) {
  std::array<char, kLineBytes> buf;
  int64_t v = 0;
  if (const auto* i = std::any_cast<int64_t>(&a)) v = *i;
  if (const auto* m = std::any_cast<Measured>(&a)) v = m->value;
  const auto r = fmt::format_to_n(buf.data(), buf.size(), "{}\n", v);
  discard({buf.data(), r.size});
}

/// to-string: std::to_string, C++'s strconv.Itoa.
[[gnu::noinline]] void format_to_string(int64_t x) {
  const std::string s = std::to_string(x) + "\n";
  discard(s);
}

/// function: the formatting deferred in a std::function capturing 24 bytes.
[[gnu::noinline]] void format_function(int64_t x) {
  const Measured m{x, 1, 0};
  const std::function<void()> f = [m] {
    std::array<char, kLineBytes> buf;
    const auto r = fmt::format_to_n(buf.data(), buf.size(), "{}\n", m.value * m.scale + m.unit);
    discard({buf.data(), r.size});
  };
  f();
}

/// gc-box: Go's convT64 — the int copied into the managed heap, formatted
/// through the pointer.
[[gnu::noinline]] void format_gc_box(int64_t x) {
  const gort::gc::Ref<int64_t> boxed = gort::gc::make<int64_t>(x);
  std::array<char, kLineBytes> buf;
  const auto r = fmt::format_to_n(buf.data(), buf.size(), "{}\n", *boxed);
  discard({buf.data(), r.size});
}

/// The variants, in report order.
constexpr BoxingVariant kVariants[] = {
    {"direct", "fmt::format_to_n(buf, \"{}\\n\", x)", "the int formatted as itself (Go: strconv.AppendInt)", 0, 0},
    {"format-args", "fmt::vformat_to_n(buf, \"{}\\n\", fmt::make_format_args(x))",
     "type-erased formatting arguments: a tagged union on the stack", 0, 0},
    {"any-int", "format_any(std::any(x))", "std::any of an int64: stored inside the std::any", 0, 0},
    {"any-large", "format_any(std::any(Measured{x, 1, 0}))", "std::any of 24 bytes: too big to store inline", 1,
     0},
    {"to-string", "std::to_string(x) + \"\\n\"", "C++'s strconv.Itoa: a std::string, short enough to stay inline",
     0, 0},
    {"function", "std::function<void()>{[m] { format(m); }}()",
     "a std::function capturing 24 bytes: beyond its 16 bytes of local storage", 1, 0},
    {"gc-box", "gc::make<int64_t>(x), formatted through the Ref", "Go's convT64 in gort: the int boxed in the managed heap",
     0, 1},
};

}  // namespace

const BoxingVariant* boxing_variants(int* count) {
  *count = static_cast<int>(std::size(kVariants));
  return kVariants;
}

int64_t run_boxing(const std::string& name, int64_t n) {
  const int64_t end = kFirstValue + n;
  if (name == "direct") {
    for (int64_t x = kFirstValue; x < end; ++x) format_direct(x);
  } else if (name == "format-args") {
    for (int64_t x = kFirstValue; x < end; ++x) format_erased(x);
  } else if (name == "any-int") {
    for (int64_t x = kFirstValue; x < end; ++x) format_any(std::any(x));
  } else if (name == "any-large") {
    for (int64_t x = kFirstValue; x < end; ++x) format_any(std::any(Measured{x, 1, 0}));
  } else if (name == "to-string") {
    for (int64_t x = kFirstValue; x < end; ++x) format_to_string(x);
  } else if (name == "function") {
    for (int64_t x = kFirstValue; x < end; ++x) format_function(x);
  } else if (name == "gc-box") {
    for (int64_t x = kFirstValue; x < end; ++x) format_gc_box(x);
  } else {
    throw std::invalid_argument("unknown boxing variant " + name);
  }
  return end - 1;
}

uint64_t discarded_bytes() { return g_discarded.load(std::memory_order_relaxed); }

}  // namespace ifacebench
