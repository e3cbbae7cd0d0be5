// cpuprof.hpp — the runtime side of the CPU profiler, for gort::pprof and the
// runtime's tests (runtime/src/cpuprof.cpp has the model).
#pragma once

#include <cstdint>
#include <vector>

namespace gort::runtime {

/// Samples per second of CPU time when the caller names no rate (Go's
/// runtime/pprof defaultHz): a sample is 10 ms of CPU, the profile's period.
inline constexpr int kCpuProfileDefaultHz = 100;

/// Most frames kept of one sample (Go's maxCPUProfStack).
inline constexpr int kCpuProfileMaxStack = 64;

/// Starts (hz > 0) or stops (hz == 0) CPU profiling (mirrors SetCPUProfileRate
/// and setcpuprofilerate).  Starting fails, returning false and changing nothing,
/// while a profile runs or its samples have not all been read to the end
/// (Go's "cannot set cpu profile rate until previous profile has finished").
/// Stopping when none runs is a no-op returning true.  Callable from any
/// thread, inside or outside gort::run; takes no runtime lock.
bool set_cpu_profile_rate(int hz);

/// The rate of the running profile, 0 when none runs.
int cpu_profile_rate();

/// One record read from the profile's buffer: `count` samples of `stack`
/// (innermost first; every pc a return address, the leaf's exact pc stored as
/// pc+1, as gort::pprof's ProfileBuilder expects).
struct CpuProfileRecord {
  uint64_t count = 0;
  std::vector<uintptr_t> stack;
};

/// Moves the samples buffered so far into out (mirrors readProfile in
/// non-blocking mode).  Samples lost because the buffer was full come as one
/// record of their count whose stack is lost_profile_event's pc (Go reports
/// them the same way, as runtime/pprof.lostProfileEvent).  Returns false once
/// profiling has stopped and everything was read: the end of this profile.
/// Precondition: one reader at a time.
bool read_cpu_profile(std::vector<CpuProfileRecord>& out);

/// Never called: its address stands for samples lost to a full buffer.
void lost_profile_event();
/// Never called: its address follows the pc of a sample whose stack could not
/// be walked (a thread outside the runtime, a stack pointer on no known
/// stack), as Go's runtime._ExternalCode does.
void external_code();

/// Test knob: when set, Ms arm no per-thread timer, as if timer_create had
/// failed, so the process-wide setitimer fallback is used.  Set only while
/// no profile runs.
void cpu_profile_force_setitimer(bool on);

/// Test knob: the sample ring takes at most `words` words (0: its full size),
/// so a test can fill it.  Set only while no profile runs.
void cpu_profile_limit_buffer(uint64_t words);

}  // namespace gort::runtime
