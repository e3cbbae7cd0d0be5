// gort/pprof.hpp — profiles in pprof's format (mirrors golang/go
// src/runtime/pprof/pprof.go): read them with `go tool pprof FILE`.
//
//     gort::pprof::lookup("goroutine").write_to("goroutine.pb.gz");     // proto
//     gort::pprof::lookup("goroutine").write_to("goroutine.txt", 1);    // Go's text
//
// Files are gzipped profile.proto messages with every location symbolized
// (function names, files, lines, inlined calls as lines of their own), so
// pprof needs no binary to read them.  Writing a file that cannot be opened
// throws std::runtime_error naming the path and the reason.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gort::pprof {

namespace detail {
struct ProfileKind;
}

/// Starts profiling the process's CPU use into path (100 samples per second of
/// CPU time per thread); throws std::runtime_error if one is already running,
/// as Go's "cpu profiling already in use", or if path cannot be created.
void start_cpu_profile(const std::string& path);

/// Stops the CPU profile started by start_cpu_profile, flushes it and closes
/// the file; does nothing when none is running.
void stop_cpu_profile();

/// Writes the heap profile as of the last completed GC cycle to path (Go's
/// WriteHeapProfile, that is lookup("heap").write_to(path, 0)).
void write_heap_profile(const std::string& path);

/// A named profile (Go's *pprof.Profile).  A default-constructed Profile is
/// the null profile: what lookup returns for a name it does not know, as Go's
/// Lookup returns nil.  It converts to false; name() is "", and count() and
/// write_to() throw std::logic_error (Go's methods on a nil *Profile panic).
class Profile {
 public:
  Profile() = default;

  /// The profile's name ("goroutine", "heap", ...).
  std::string name() const;

  /// The number of records the profile would hold if written now (Go's Count:
  /// for "goroutine" the number of goroutines).
  int count() const;

  /// Writes the profile to path, replacing the file.  debug 0: the gzipped
  /// protobuf pprof reads; debug 1: Go's legacy text, with function names
  /// and lines as comments; debug 2 ("goroutine" only): the full dump of every
  /// goroutine, as an unrecovered panic prints it.  Throws std::runtime_error
  /// naming path when it cannot be written.  "goroutine" stops the world
  /// briefly: call it from a goroutine (inside gort::run).
  void write_to(const std::string& path, int debug = 0) const;

  /// False for the null profile.
  explicit operator bool() const { return kind_ != nullptr; }

 private:
  friend Profile lookup(std::string_view name);
  friend std::vector<Profile> profiles();
  explicit Profile(const detail::ProfileKind* kind) : kind_(kind) {}
  const detail::ProfileKind* kind_ = nullptr;
};

/// Every profile lookup knows, sorted by name (Go's Profiles).  Any thread.
std::vector<Profile> profiles();

/// The profile called name — "goroutine", "threadcreate", "heap", "allocs",
/// "block" or "mutex" — or the null Profile (false) for any other name, as
/// Go's Lookup returns nil.  Any thread.
Profile lookup(std::string_view name);

}  // namespace gort::pprof

namespace gort {

/// Sets the heap profile's sampling rate: on average one record per bytes
/// allocated (Go's runtime.MemProfileRate; 512 KiB by default, 0 turns it off).
void set_mem_profile_rate(int bytes);

/// Sets the block profile's rate: one blocking event per ns nanoseconds
/// blocked is recorded on average (Go's runtime.SetBlockProfileRate; 0 off).
void set_block_profile_rate(int ns);

/// Records on average 1 in n mutex contention events (Go's
/// runtime.SetMutexProfileFraction; 0 off, negative only reads); returns the
/// previous fraction.
int set_mutex_profile_fraction(int n);

}  // namespace gort
