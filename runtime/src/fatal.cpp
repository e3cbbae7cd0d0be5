// fatal.cpp — Go's fatal (panic.go): an unrecoverable error the program
// caused, reported like a throw.
//
// Output, as Go 1.19 prints it for sync.fatal:
//   fatal error: sync: unlock of unlocked mutex
//   <blank line>
//   goroutine 1 [running]:
//   <frames of the caller>
//   <blank line and every other goroutine>
// Go's gotraceback() forces "all" for a fatal (m.throwing >= throwTypeUser), but
// unlike throw it keeps the user's level for runtime frames, so a default run
// shows the user's frames only.  GOTRACEBACK=none prints the first line alone.
//
// Go freezes the world first (freezetheworld, best effort).  gort does not stop
// the other Ps: dumps already tolerate goroutines running elsewhere ("goroutine
// running on other thread; stack unavailable"), as the panic and SIGQUIT
// reports do.  Rejected: reusing the runtime's own gothrow() (throw), which walks
// runtime frames and only the failing goroutine, unlike Go's report for misuse.
#include <gort/runtime/internal/fatal.hpp>

#include <algorithm>
#include <cstdio>

#include "current.hpp"
#include "dump.hpp"
#include "m.hpp"

namespace gort::runtime {

// mirrors fatal and fatalthrow(throwTypeUser) in panic.go
void fatal(const char* msg) {
  std::fflush(stdout);
  std::fprintf(stderr, "fatal error: %s\n", msg);
  const TracebackLevel level = debug_traceback_level();
  M* mp = current_m();
  const G* gp = mp != nullptr ? mp->curg : nullptr;
  if (gp != nullptr) {
    // Every goroutine, at least "all", whatever GOTRACEBACK says (but none).
    dump_goroutines(stderr, gp, level == TracebackLevel::None ? level : std::max(level, TracebackLevel::All));
  }
  die_after_dump(level);
}

}  // namespace gort::runtime
