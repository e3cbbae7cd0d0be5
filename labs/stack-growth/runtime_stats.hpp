// runtime_stats.hpp — gort's stack figures as the lab reads them: MemStats'
// StackInuse/StackSys plus VmRSS, and the two stack constants the public
// headers do not export.
//
// Mirrors what a Go program does with runtime.ReadMemStats.  gort's stacks are
// fixed slots (runtime/src/stack.hpp): kSlotBytes of address space each, of
// which kStackLimitBytes are usable above a 16 KiB guard.  The lab needs both
// numbers (to count slots in StackInuse and to size the "max" depth); they are
// repeated here from the runtime's design comment, and checked against the
// runtime at run time: StackInuse must be a multiple of the slot size, and the
// overflow report must name the same limit (the tests assert both).
#pragma once

#include <cstdint>

#include "results.hpp"

namespace stacklab {

/// Address space per goroutine stack slot in gort (guard + usable stack).
inline constexpr std::uint64_t kGortSlotBytes = 256 * 1024;
/// Usable stack per goroutine in gort: the slot minus its 16 KiB guard, the
/// number in "runtime: goroutine stack exceeds 245760-byte limit".
inline constexpr std::uint64_t kGortStackLimitBytes = 245760;

/// MemStats.StackInuse and StackSys now, and the process's VmRSS.
/// Precondition: called from a goroutine (read_mem_stats stops the world).
ProcessStacks read_process_stacks();

}  // namespace stacklab
