// select.cpp — the select statement (mirrors selectgo in golang/go
// src/runtime/select.go).
//
// Model.  A select over n cases runs in three passes with the locks of all
// its channels held, taken in address order so two selects over the same
// channels cannot deadlock (a channel named by two cases is locked once):
//   1. Poll the cases in a random order (pollorder, a fresh permutation per
//      call) and complete the first that can proceed without blocking.  The
//      random order is what makes select fair: of several ready cases each is
//      chosen with equal probability, so no channel can starve another.
//   2. If none can and there is no default, queue one sudog per case on its
//      channel, all sharing one ChanWait, and park.  The unlockf
//      (park_commit_select) releases the locks only once the goroutine is off
//      its stack, so a waker that takes a lock finds the goroutine parked.
//   3. When woken, take the locks again and dequeue every sudog except the one
//      the waker used (ChanWait::woken_by); it names the winning case.
//
// One winner.  Wakers on different channels race for the same goroutine; the
// first to flip ChanWait::select_done 0 -> 1 (inside WaitQueue::dequeue) owns
// the wake-up, the others skip its sudog as if it were not there.  Skipped
// sudogs stay allocated until pass 3 removes or finds them already removed.
//
// Channels with no value (nil) are left out of both orders: such a case is
// never chosen, and a select whose cases are all nil blocks forever.
//
// Rejected alternative: polling cases in argument order (as an if/else chain
// would) — the first ready case would always win, and a busy channel listed
// first would starve the rest; Go specifies the uniform choice.
#include <gort/detail/chan_core.hpp>
#include <gort/panic.hpp>
#include <gort/runtime/internal/park.hpp>

#include <algorithm>
#include <cstdint>
#include <memory>

#include "hchan.hpp"

namespace gort::detail {

using runtime::G;
using runtime::WaitReason;

namespace {

/// Cases up to which the poll and lock orders live on the stack; larger
/// selects (rare; Go allows 65536 cases) allocate them.
constexpr int kInlineOrderCases = 64;

/// Cases up to which the lock order is built by insertion sort: quadratic,
/// but for a few cases cheaper than any O(n log n) sort's setup.
constexpr int kInsertionSortCases = 16;

/// Locks the channels of cases in lockorder, each once (mirrors sellock).
void sellock(const SelectCase* cases, const int32_t* lockorder, int n) {
  hchan* prev = nullptr;
  for (int i = 0; i < n; ++i) {
    hchan* c = cases[lockorder[i]].c;
    if (c != prev) c->lock.lock();
    prev = c;
  }
}

/// Unlocks what sellock locked (mirrors selunlock).
void selunlock(const SelectCase* cases, const int32_t* lockorder, int n) {
  for (int i = n - 1; i >= 0; --i) {
    hchan* c = cases[lockorder[i]].c;
    // Duplicates are adjacent in lock order: unlock at the first of them.
    if (i == 0 || cases[lockorder[i - 1]].c != c) c->lock.unlock();
  }
}

/// The unlockf of a parking select (mirrors selparkcommit): walks the
/// goroutine's sudogs, which are in lock order, and unlocks each channel after
/// its last sudog.  It must read nothing on the parked goroutine's stack: once
/// a channel is unlocked, a waker may ready the goroutine, which runs pass 3
/// as soon as it gets the locks this function still holds.  The sudogs stay
/// valid until then (pass 3 needs every lock, including the last one here).
bool park_commit_select(G*, void* arg) {
  hchan* lastc = nullptr;
  for (auto* sg = static_cast<runtime::Sudog*>(arg); sg != nullptr; sg = sg->waitlink) {
    auto* c = static_cast<hchan*>(sg->c);
    if (c != lastc && lastc != nullptr) lastc->lock.unlock();
    lastc = c;
  }
  if (lastc != nullptr) lastc->lock.unlock();
  return true;
}

/// Pass 1 for the case at index i: completes it if it can proceed now, then
/// releases every lock (and readies a partner).  Returns whether it did;
/// panics (after unlocking) on a send to a closed channel.
bool try_case(SelectCase* cases, int i, const int32_t* lockorder, int norder, SelectResult* out) {
  SelectCase& cas = cases[i];
  hchan* c = cas.c;
  G* partner = nullptr;
  if (cas.is_send) {
    if (c->closed.load(std::memory_order_relaxed) != 0) {
      selunlock(cases, lockorder, norder);
      panic_send_on_closed();
    }
    if (Sudog* sg = c->recvq.dequeue()) {
      partner = give_to_receiver(sg, c, cas.elem);
    } else if (c->qcount.load(std::memory_order_relaxed) < c->dataqsiz) {
      buffer_put(c, cas.elem);
    } else {
      return false;
    }
    *out = {i, false};
  } else {
    if (Sudog* sg = c->sendq.dequeue()) {
      partner = take_from_sender(sg, c, cas.elem);
      *out = {i, true};
    } else if (c->qcount.load(std::memory_order_relaxed) > 0) {
      buffer_take(c, cas.elem);
      *out = {i, true};
    } else if (c->closed.load(std::memory_order_relaxed) != 0) {
      *out = {i, false};
    } else {
      return false;
    }
  }
  selunlock(cases, lockorder, norder);
  if (partner != nullptr) runtime::ready(partner);
  return true;
}

}  // namespace

// mirrors selectgo in select.go.
SelectResult selectgo(SelectCase* cases, int n, bool block) {
  if (n == 0) {
    if (!block) return {-1, false};
    block_forever(WaitReason::SelectNoCases);  // mirrors block() in select.go
  }
  int32_t inline_orders[2 * kInlineOrderCases];
  std::unique_ptr<int32_t[]> heap_orders;
  int32_t* pollorder = inline_orders;
  if (n > kInlineOrderCases) {
    heap_orders.reset(new int32_t[2 * std::size_t(n)]);
    pollorder = heap_orders.get();
  }
  int32_t* lockorder = pollorder + n;

  // A random permutation of the non-nil cases (inside-out Fisher-Yates), as
  // Go's pollorder.  One draw from the M's generator seeds a local xorshift
  // for the rest, so a select costs one call into the runtime, not one per case.
  uint64_t rnd = (uint64_t(runtime::fastrand()) << 32 | runtime::fastrand()) | 1;
  int norder = 0;
  for (int i = 0; i < n; ++i) {
    if (cases[i].c == nullptr) continue;
    rnd ^= rnd << 13;
    rnd ^= rnd >> 7;
    rnd ^= rnd << 17;
    const auto j = static_cast<uint32_t>(((rnd >> 32) * uint64_t(norder + 1)) >> 32);
    pollorder[norder] = pollorder[j];
    pollorder[j] = i;
    ++norder;
  }
  // Lock order: by channel address, so equal channels end up adjacent.  Go
  // heap-sorts (allocation-free, O(n log n)); for the usual handful of cases
  // an insertion sort straight from pollorder is cheaper, and std::sort (also
  // in place) takes over for large selects.
  const auto addr = [cases](int32_t i) { return reinterpret_cast<uintptr_t>(cases[i].c); };
  if (norder <= kInsertionSortCases) {
    for (int k = 0; k < norder; ++k) {
      const int32_t v = pollorder[k];
      int m = k;
      for (; m > 0 && addr(lockorder[m - 1]) > addr(v); --m) lockorder[m] = lockorder[m - 1];
      lockorder[m] = v;
    }
  } else {
    std::copy(pollorder, pollorder + norder, lockorder);
    std::sort(lockorder, lockorder + norder, [&](int32_t a, int32_t b) { return addr(a) < addr(b); });
  }

  sellock(cases, lockorder, norder);

  // Pass 1: look for something already waiting.
  SelectResult result{-1, false};
  for (int k = 0; k < norder; ++k) {
    if (try_case(cases, pollorder[k], lockorder, norder, &result)) return result;
  }
  if (!block) {
    selunlock(cases, lockorder, norder);
    return {-1, false};
  }

  // Pass 2: queue on every channel, sudogs linked in lock order.
  runtime::ChanWait wait;
  G* gp = runtime::current_g();
  const bool profile_block = runtime::block_profile_rate() > 0;
  const int64_t t0 = profile_block ? runtime::prof_nanotime() : 0;
  Sudog* head = nullptr;
  Sudog** tail = &head;
  for (int k = 0; k < norder; ++k) {
    SelectCase& cas = cases[lockorder[k]];
    Sudog* sg = runtime::acquire_sudog();
    sg->g = gp;
    sg->is_select = true;
    sg->elem = cas.elem;
    sg->c = cas.c;
    sg->wait = &wait;
    if (profile_block) sg->releasetime = -1;
    *tail = sg;
    tail = &sg->waitlink;
    (cas.is_send ? cas.c->sendq : cas.c->recvq).enqueue(sg);
  }
  // All cases nil: head is null and nothing can ever wake us, as in Go.
  runtime::park(WaitReason::Select, &park_commit_select, head);

  // Pass 3: dequeue from the channels that did not fire.
  sellock(cases, lockorder, norder);
  Sudog* winner = wait.woken_by;
  int casi = -1;
  Sudog* sg = head;
  for (int k = 0; k < norder; ++k) {
    Sudog* next = sg->waitlink;
    SelectCase& cas = cases[lockorder[k]];
    if (sg == winner) {
      casi = lockorder[k];
    } else {
      (cas.is_send ? cas.c->sendq : cas.c->recvq).remove(sg);
    }
    sg = next;
  }
  if (casi < 0) {
    selunlock(cases, lockorder, norder);
    throw RuntimeError("selectgo: bad wakeup");
  }
  const bool success = winner->success;
  if (winner->releasetime > 0) runtime::block_event(winner->releasetime - t0);
  for (sg = head; sg != nullptr;) {
    Sudog* next = sg->waitlink;
    runtime::release_sudog(sg);
    sg = next;
  }
  selunlock(cases, lockorder, norder);
  if (cases[casi].is_send && !success) panic_send_on_closed();
  return {casi, !cases[casi].is_send && success};
}

}  // namespace gort::detail
