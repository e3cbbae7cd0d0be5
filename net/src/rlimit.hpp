// rlimit.hpp — the open-file limit raised as Go's os package raises it.  See rlimit.cpp.
#pragma once

#include <sys/resource.h>

namespace gort::net::detail {

/// Raises the soft RLIMIT_NOFILE to the hard limit, once per process (mirrors
/// Go 1.19's os/rlimit.go init).  Safe to call from any thread, any number of times.
void raise_open_file_limit();

}  // namespace gort::net::detail

/// The RLIMIT_NOFILE this process had before raise_open_file_limit changed
/// it; false if it has not changed it.  For support/process, which gives
/// children this limit back and reaches it through a weak reference (so it
/// needs no link dependency on gort::net).
extern "C" bool gort_net_original_open_file_limit(rlimit* out);
