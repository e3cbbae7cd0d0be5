// gort/runtime/internal/sema.hpp — the runtime semaphore that sync primitives park on.
//
// Mirrors semacquire/semrelease in golang/go src/runtime/sema.go: a counting
// semaphore on a 32-bit word, with waiters kept in a hashed table outside the
// word, so a sync type needs only the word.  Waiters park through park(), never
// blocking their OS thread.
#pragma once

#include <atomic>
#include <cstdint>

#include <gort/runtime/internal/wait_reason.hpp>

namespace gort::runtime {

/// Waits until *addr > 0, then decrements it (semacquire1).  lifo queues the
/// waiter at the head of its address's queue (used by Mutex for waiters that
/// already waited once).  Precondition: called from a goroutine.
void semacquire(std::atomic<uint32_t>* addr, WaitReason reason, bool lifo = false);

/// Increments *addr and readies one waiter if there is one (semrelease1); with
/// handoff the count goes straight to that waiter and the caller yields to it.
void semrelease(std::atomic<uint32_t>* addr, bool handoff = false);

}  // namespace gort::runtime
