// scavenge.hpp — the background scavenger (scavenge.cpp; mirrors mgcscavenge.go).
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

namespace gort::gc::detail {

/// Tells the background scavenger a cycle ended (new goals); starts it once.
void scavenger_wake();

}  // namespace gort::gc::detail
