// stack.hpp — goroutine stacks: fixed-size slots carved from large mappings.
//
// Model.  Every running goroutine owns one slot of kSlotBytes of address space:
//
//     lo_guard      lo                                         hi
//     | guard pages | usable stack (grows down from hi) ........ |
//
// Slots come from chunks of kChunkSlots slots, one mmap each, reserved with
// MAP_NORESERVE: only the pages a goroutine touches cost memory (a goroutine
// that blocks at once costs one 4 KiB page).
//
// Stacks are bound late.  A G record (g.hpp) is separate from its stack and
// holds the closure of its `go` call inline; the stack is taken only when the G
// first runs, from the per-P cache of free stacks on the P that runs it, and
// returned to that cache when the G exits.  A program that starts goroutines
// faster than it runs them (a spawn loop) therefore keeps a queue of small G
// records, not a queue of stacks, and every goroutine that runs does so on the
// stack its predecessor just left, still in cache.  Go binds a stack at `go`
// time; gort's order saves one cold page per queued goroutine.
//
// Why not Go's copying stacks.  Go starts a goroutine with 2 KiB (_StackMin) and copies the
// stack to a larger one when a function prologue finds it too small; that needs
// every pointer into the stack to be known to the compiler so it can be
// adjusted.  C++ code holds raw pointers into its stack that no runtime can find
// (and frames of foreign libraries), so a stack can never move.  The trade-off:
// a fixed maximum (kSlotBytes - guard, 240 KiB: "goroutine stack exceeds
// 245760-byte limit" where Go allows 1 GB) and a live goroutine's resident
// pages stay at its high-water mark, against Go's 2 KiB start and shrinking at
// GC (shrinkstack).  Address space is cheap on x86-64 (1M goroutines = 256 GiB
// reserved of 128 TiB), physical memory is only what is touched.
//
// Giving memory back.  A free slot keeps every page its deepest user touched,
// so the free slots are given back to the OS at each GC, as Go frees its
// stack spans then: at mark termination, world stopped, every P's cache moves
// to the pool (mirrors stackcache_clear, which mcache.prepareForSweep runs for
// each P), and once the world runs again the goroutine that ran the cycle
// releases every free slot in the pool with MADV_DONTNEED, one call per slot,
// outside the pause (free_stack_slots; mirrors freeStackSpans and, since the
// pages go straight to the OS, the scavenger's share of them; a canary-mode
// slot keeps the page holding its canary).  The pool keeps two lists: free
// slots as their last user left them, and released ones; stackpool_get takes
// from the first before the second and carves only when both are empty, so a
// burst of starts after a GC runs on released slots (one fresh zero page per
// goroutine that blocks at once) and reserves no new address space.  Slots are
// never unmapped: address space costs no memory and a chunk's guard pages stay
// installed.
//
// Accounting, as Go's MemStats means it.  StackInuse is the memory held for
// goroutine stacks: every slot carved and not released, i.e. bound to a
// goroutine or free in a cache or the pool with its pages (Go: stack spans,
// cached free stacks included, until a GC frees them), counted as whole
// 256 KiB slots as Go counts whole spans.  StackSys is StackInuse plus the
// signal stacks mmapped for the Ms (Go: "plus any memory obtained directly
// from the OS for OS thread stacks"; the Ms' own thread stacks come from the
// C library, as Go's do under cgo, and neither runtime counts them).  Released
// and not yet carved slots are reserved address space only; MemStats.Sys
// counts them (stack_reserved_bytes), as Go's Sys counts released heap.
//
// Guard pages and vm.max_map_count.  A PROT_NONE page inside a mapping splits it
// into separate VMAs, and Linux caps a process at vm.max_map_count = 65530 VMAs
// by default: one guard per goroutine would cap a process near 32k goroutines.
// Three modes, chosen once at start, and reported once on stderr when degraded:
//   GuardInstall  madvise(MADV_GUARD_INSTALL) (Linux 6.13+) marks guard pages
//                 inside the mapping without splitting it: unlimited goroutines,
//                 every one guarded.
//   Mprotect      older kernels: mprotect(PROT_NONE) guards while the VMA budget
//                 (max_map_count minus a reserve for the rest of the process)
//                 lasts, then
//   Canary        slots beyond the budget get a canary word at their low end,
//                 checked at every switch away from the goroutine: an overflow is
//                 still reported as "fatal error: stack overflow", but after the
//                 fact rather than at the faulting instruction.
// The guard region is 16 KiB and the runtime and every gort::gort program are
// built with -fstack-clash-protection, so a frame larger than the guard probes
// its pages in order and faults in the guard instead of jumping over it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gort::runtime {

enum class GuardMode : uint8_t { GuardInstall, Mprotect, Canary };

/// Text for a guard mode ("madvise-guard", "mprotect", "canary").
const char* guard_mode_name(GuardMode m);

struct StackSlot {
  /// Lowest usable byte (the guard region ends here).
  char* lo;
  /// One past the highest byte of the slot (the stack starts here).
  char* hi;
  /// True when the slot has a guard region below lo, false when only a canary.
  bool guarded;
};

/// Bytes of address space per running goroutine (guard + stack).
/// 256 KiB: deep enough for ordinary C++ (iostreams, exceptions, fmt need
/// 10-30 KiB) with headroom, small enough that 1M goroutines reserve 256 GiB.
inline constexpr std::size_t kSlotBytes = 256 * 1024;
/// Guard region below each stack: 4 pages, larger than any frame that
/// -fstack-clash-protection leaves unprobed (it probes every 4 KiB).
inline constexpr std::size_t kGuardBytes = 16 * 1024;
/// The limit reported on overflow: a slot minus its guard (Go reports its
/// maxstacksize the same way: "goroutine stack exceeds 1000000000-byte limit").
inline constexpr std::size_t kStackLimitBytes = kSlotBytes - kGuardBytes;
/// Slots per mmap: 64 MiB chunks keep the chunk count (and VMA count) small.
inline constexpr std::size_t kChunkSlots = 256;
/// Canary written at a slot's low end in Canary mode.
inline constexpr uint64_t kStackCanary = 0x676f7274'53544b21ULL;  // "gortSTK!"

/// Chooses the guard mode (once per process) and resets the chunk list.
void stack_init();
/// Carves a new slot from the pool's chunks (never a free one: see
/// stackpool_get).  Thread-safe.  Exits with status 2 ("fatal error: out of
/// memory ...") when the address space cannot be reserved.
StackSlot stackpool_carve();
/// The pool's free slots, beyond the per-P caches (stackcache.hpp: stackalloc).
/// Thread-safe; put takes n slots, get fills up to max and returns how many,
/// free slots with their pages first, then released ones.
void stackpool_put(const StackSlot* slots, std::size_t n);
std::size_t stackpool_get(StackSlot* out, std::size_t max);
/// Releases the pages of every slot free in the pool when called to the OS
/// (mirrors freeStackSpans); slots put meanwhile wait for the next call.
/// Thread-safe; takes the pool's lock once per batch of 32 slots and
/// not while it calls madvise.
void free_stack_slots();
/// Unmaps every chunk.  Precondition: no goroutine runs on any slot.
void stack_release_all();
/// The guard mode in force.
GuardMode stack_guard_mode();
/// Bytes of address space reserved for stacks (chunks mapped).
std::size_t stack_reserved_bytes();
/// Slots carved and not released: bound to goroutines or free with their pages
/// (StackInuse in slots).
std::size_t stack_slots_in_use();
/// Free slots whose pages are released.
std::size_t stack_slots_released();
/// True if addr lies in the guard region of the slot whose usable stack starts at lo.
bool stack_guard_contains(const char* lo, const void* addr);

}  // namespace gort::runtime
