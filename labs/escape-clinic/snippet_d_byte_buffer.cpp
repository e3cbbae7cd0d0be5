// snippet_d_byte_buffer.cpp — course snippet D: a bytes.Buffer written and
// printed.
//
//   func D() { x := bytes.Buffer{}; x.WriteString("hi"); fmt.Println(x.String()) }
//
// Go allocates three objects per call: the Buffer's first backing array (its
// grow makes a 64-byte []byte, bytes.smallBufferSize), the string String()
// copies out, and the boxed string header Println's ...any receives.  gort
// has Go's []byte and string (gc::Slice<char>, gc::String), so the translation
// is a Buffer over a gc::Slice<char> that grows as bytes.Buffer grows and a
// String() returning a gc::String: the first two allocations, in the managed
// heap.  The third has no C++ counterpart: a variadic template keeps the
// argument's type, there is no boxing into `any` to print it.
//
// The refactor is a fixed array on the stack (the bytes fit: 64, the size Go's
// Buffer would have allocated) and a string_view of it for printing.
#include <gort/gort.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#include "measure.hpp"
#include "sink.hpp"
#include "snippets.hpp"

namespace escape {
namespace {

/// bytes.smallBufferSize: the capacity of a Buffer's first backing array.
constexpr std::size_t kSmallBufferSize = 64;

/// The text the snippet writes.
constexpr std::string_view kText = "hi";

/// The allocating core of bytes.Buffer: a []byte that WriteString grows and
/// String() copies.  Lives on a goroutine's stack (its slice is found by the
/// stack scan).
class ByteBuffer {
 public:
  /// Appends s, growing the array as bytes.Buffer.grow does: the first small
  /// write makes a 64-byte array, later growth doubles and adds the request.
  void write_string(std::string_view s) {
    const std::size_t m = buf_.len();
    if (buf_.is_nil() && s.size() <= kSmallBufferSize) {
      buf_ = gort::gc::make_slice<char>(s.size(), kSmallBufferSize);
    } else if (m + s.size() <= buf_.cap()) {
      buf_ = buf_.slice(0, m + s.size());
    } else {
      gort::gc::Slice<char> grown = gort::gc::make_slice<char>(m + s.size(), 2 * buf_.cap() + s.size());
      gort::gc::copy(grown, buf_);
      buf_ = grown;
    }
    std::memcpy(buf_.data() + m, s.data(), s.size());
  }

  /// The contents as a new string (Buffer.String copies: the string is immutable).
  gort::gc::String string() const { return gort::gc::String(std::string_view(buf_.data(), buf_.len())); }

 private:
  /// The bytes written (Buffer.buf).
  gort::gc::Slice<char> buf_;
};

/// The translation: a Buffer on the stack whose bytes are in the managed heap.
[[gnu::noinline]] void print_through_byte_buffer() {
  ByteBuffer x;
  x.write_string(kText);
  discard_line(x.string().view());
}

/// The refactor: the bytes in a fixed array in this frame.
[[gnu::noinline]] void print_through_stack_array() {
  std::array<char, kSmallBufferSize> buf;
  const auto end = std::copy(kText.begin(), kText.end(), buf.begin());
  discard_line(std::string_view(buf.data(), static_cast<std::size_t>(end - buf.begin())));
}

/// Benchmark of the translation: one buffered print per iteration.
void bench_before(benchmark::State& state) { measure_loop(state, &print_through_byte_buffer); }

/// Benchmark of the refactor: one print from a stack array per iteration.
void bench_after(benchmark::State& state) { measure_loop(state, &print_through_stack_array); }

}  // namespace

Snippet snippet_d() {
  Snippet s;
  s.id = "D";
  s.title = "bytes.Buffer, WriteString, String";
  s.go_code = "func D() { x := bytes.Buffer{}; x.WriteString(\"hi\"); fmt.Println(x.String()) }";
  s.translation_note =
      "bytes.Buffer is a growable []byte: in gort a gc::Slice<char> grown as Buffer.grow grows it "
      "(64 bytes first), and String() copies into a gc::String. Printing needs no boxing in C++.";
  s.refactor_note = "The two bytes fit a fixed array in the frame; print a string_view of it.";
  s.go_refactor = "var a [64]byte; b := append(a[:0], \"hi\"...); discardLine(b)";
  s.before = {"ByteBuffer x; x.write_string(\"hi\"); print(x.string());  // gc::Slice<char> + gc::String",
              {Place::ManagedHeap, 2}, &bench_before};
  s.after = {"std::array<char, 64> a; copy \"hi\" into a; print(string_view(a.data(), 2));", {Place::Stack, 0},
             &bench_after};
  return s;
}

}  // namespace escape
