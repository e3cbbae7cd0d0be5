// no_collection_scope.hpp — NoCollectionScope's side of the collector (object.cpp):
// foreign allocation and keeping cycles out.
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

namespace gort::gc::detail {

/// Fatal unless the caller may allocate without a P: the runtime is not running,
/// or the thread holds a NoCollectionScope.  Called on the fallback-cache path.
void check_foreign_allocation();
/// True while this thread holds a NoCollectionScope.
bool in_no_collection_scope();
/// Waits until no NoCollectionScope is held and keeps new ones out / lets them in.
void lock_out_scopes();
void unlock_scopes();

}  // namespace gort::gc::detail
