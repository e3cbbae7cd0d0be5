// registry.hpp — the profiles gort::pprof::lookup knows (Go's profiles map in
// pprof.go, filled by NewProfile and the predefined profiles).  The design is
// in registry.cpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace gort::pprof::detail {

/// One kind of profile: its name, how many records it has now, and how it is
/// written (debug 0: proto; 1: Go's text; 2: a kind's own fuller text).
struct ProfileKind {
  std::string name;
  std::function<int()> count;
  std::function<void(const std::string& path, int debug)> write_to;
};

/// Adds kind to the registry.  Called once per kind from a register_*
/// function of pprof/src/*.cpp that registry.cpp's list names; a second kind
/// with the same name is a programming error (std::logic_error).
void register_profile(ProfileKind kind);

/// Each profile file's registration (see registry.cpp's file comment).
void register_goroutine_profiles();  // "goroutine", "threadcreate" (goroutine_profile.cpp)
void register_memory_profiles();     // "heap", "allocs", "block", "mutex" (mem_profiles.cpp)

}  // namespace gort::pprof::detail
