// gort/http_pprof.hpp — net/http/pprof for gort::http: the runtime's profiles
// served over HTTP, so `go tool pprof http://HOST/debug/pprof/heap` reads a
// running gort program.
//
//   gort::http::ServeMux mux;
//   mux.handle_func("/debug/pprof/", gort::http::pprof_handler());
//
// Paths under the mount point, as Go's: "" (an index of the profiles),
// profile?seconds=N (a CPU profile of the next N seconds, 30 by default),
// trace?seconds=N (gort's execution trace of the next N seconds, 1 by
// default; read it with trace-viewer), cmdline, and every profile
// gort::pprof::profiles() names (goroutine, heap, allocs, block, mutex,
// threadcreate) with ?debug=N as Profile::write_to's debug and heap's ?gc=1
// (a collection first).  The design is in pprof/src/http_handler.cpp.
#pragma once

#include <gort/http.hpp>

namespace gort::http {

/// The /debug/pprof/ handler (Go's net/http/pprof.Index and friends); mount it
/// at a pattern ending in "/debug/pprof/".
Handler pprof_handler();

}  // namespace gort::http
