// memory_probe.hpp — what the kernel says about memory: resident pages of an
// address range (mincore(2)) and the process's resident set (VmRSS).
//
// gort's stacks are address space reserved with MAP_NORESERVE; only the pages
// a goroutine touches become resident.  MemStats.StackInuse counts the
// reserved slots, so the lab asks the kernel which stack pages are really
// backed: mincore reports, page by page, whether a page of a mapping is in
// memory.  Go has no such split (its stacks are heap spans, touched when the
// stack is copied), so its twin uses the same probe only as a cross-check.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace stacklab {

/// Bytes resident of the pages overlapping [lo, hi): hi and lo are rounded out
/// to page boundaries, so the answer is a whole number of pages.  Returns
/// nullopt when mincore fails (part of the range is not mapped).
/// Precondition: lo <= hi.
std::optional<std::uint64_t> resident_bytes(std::uintptr_t lo, std::uintptr_t hi);

/// The process's resident set size in bytes (VmRSS of /proc/self/status), or 0
/// when it cannot be read (the report then shows 0 B, and says why on stderr once).
std::uint64_t process_rss_bytes();

}  // namespace stacklab
