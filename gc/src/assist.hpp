// assist.hpp — mark assists (assist.cpp; mirrors deductAssistCredit, gcAssistAlloc,
// gcParkAssist and gcFlushBgCredit in mgcmark.go).
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

#include <cstddef>

namespace gort::gc::detail {

/// Charges bytes to the calling goroutine's assist credit and, in debt, makes it
/// mark in proportion before it allocates.  Only while allocate_black.
void assist_for_allocation(std::size_t bytes);
/// Wakes assists parked for lack of work or credit (background work arrived,
/// or the mark ended).
void wake_parked_assists();

}  // namespace gort::gc::detail
