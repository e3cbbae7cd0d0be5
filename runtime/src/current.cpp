// current.cpp — out-of-line TLS accessors; see current.hpp for why they must stay
// out of line.  Do not move these into a header and do not build this file with LTO.
#include "current.hpp"

#if defined(__GNUC__) && !defined(__clang__)
#define GORT_NO_IPA __attribute__((noinline, noipa))
#else
#define GORT_NO_IPA __attribute__((noinline))
#endif

namespace gort::runtime {
constinit thread_local M* tls_current_m __attribute__((tls_model("initial-exec"))) = nullptr;

GORT_NO_IPA M* current_m() {
  asm volatile("" ::: "memory");
  return tls_current_m;
}

GORT_NO_IPA void set_current_m(M* mp) {
  asm volatile("" ::: "memory");
  tls_current_m = mp;
}

}  // namespace gort::runtime
