// sigsafe_format.hpp — text formatted into a fixed buffer without allocation,
// locks or locale: what a signal handler may use (snprintf is not
// async-signal-safe).  Crash reports, fault messages and goroutine headers
// are built with it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace gort::runtime {

/// A line of at most N-1 characters built in place, NUL-terminated; what does
/// not fit is dropped.
template <std::size_t N>
class LineBuf {
 public:
  LineBuf& str(const char* s) {
    while (*s != '\0' && len_ < N - 1) buf_[len_++] = *s++;
    buf_[len_] = '\0';
    return *this;
  }
  /// v in decimal.
  LineBuf& dec(int64_t v) {
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    do {
      digits[n++] = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u != 0);
    if (v < 0) digits[n++] = '-';
    return put_reversed(digits, n);
  }
  /// v in hexadecimal with a 0x prefix (printf's %#lx, and 0x0 for zero).
  LineBuf& hex(uint64_t v) {
    char digits[20];
    int n = 0;
    do {
      digits[n++] = "0123456789abcdef"[v & 15];
      v >>= 4;
    } while (v != 0);
    digits[n++] = 'x';
    digits[n++] = '0';
    return put_reversed(digits, n);
  }
  const char* c_str() const { return buf_; }
  char* data() { return buf_; }
  std::size_t size() const { return len_; }

 private:
  LineBuf& put_reversed(const char* digits, int n) {
    while (n > 0 && len_ < N - 1) buf_[len_++] = digits[--n];
    buf_[len_] = '\0';
    return *this;
  }

  char buf_[N] = {};
  std::size_t len_ = 0;
};

}  // namespace gort::runtime
