// mark.cpp — marking (mirrors markroot, scanstack, scanblock, scanobject,
// greyobject, gcDrain and the checkmark mode of mgcmark.go / mcheckmark.go).
//
// Model.  Tricolor marking over the span mark bits: an object is white (bit
// clear), grey (bit set, on the grey stack), or black (bit set, scanned).
// Roots are greyed first — gc::Roots and root ranges, every goroutine's stack and saved
// registers, the marking goroutine's own stack and registers (spilled by an
// assembly trampoline), objects with queued finalizers and the referents of
// objects with finalizers — then the grey stack is drained: each grey object is
// scanned precisely through its type's trace function, or conservatively, word
// by word, while its header is still null (constructor running).  Stacks are
// always scanned conservatively: any word that points into an allocated object
// of an in-use span (interior pointers included, resolved through the span
// index) marks that object.  Pointer-free (noscan) objects are marked but never
// scanned.
//
// Oblets (mirrors scanobject's split of large objects).  An object over
// kMaxObletBytes (128 KiB, Go's maxObletBytes) is scanned one oblet at a time:
// greyed whole, its first scan queues its other oblets as grey entries of their
// own (object, oblet index) and scans only the first; each oblet is later
// scanned through the type's trace_range, which lists the fields starting in
// that oblet's bytes, or conservatively while the header is null.  Every oblet
// is an entry like any other, so a marker stops, shares work or is preempted
// between oblets (drain_local looks at its stop test at least once per oblet's
// worth of bytes), oblets spread over markers through the pools, and a
// stop-the-world waits for at most one oblet instead of a whole array (the 8
// MiB backing array of gc-forensics' retain scenario held mark termination for
// 10-14 ms).  A type without trace_range is traced whole, whatever its size.
//
// Three ways to run it: alone with the world stopped (checkmark); in parallel
// over the stopped Ps (GODEBUG=gcstoptheworld, MarkWorkPool below); and
// concurrently with the program (MarkMode::Concurrent: atomic mark bits, the
// global grey pool of mgcwork.cpp, driven by mark_worker.cpp and assist.cpp).
//
// Checkmark (GODEBUG=gccheckmark=1, mirrors mcheckmark.go): after the mark, a
// second mark from the same roots into separate bits; an object it reaches that
// the first mark left white is a collector bug and aborts with the object's
// address and type.
//
// Sanitizers.  Stack and constructor scans read memory conservatively: stack
// words ASAN poisons (redzones) and words another goroutine wrote on another
// thread (ordered by the stop-the-world, invisible to TSAN).  The two scanning
// functions are excluded from both sanitizers.  ASAN's fake stacks (detect_stack_
// use_after_return) would move locals off the goroutine stacks where the scan
// cannot find them; the collector refuses to run with them (mgc.cpp), and the
// ASAN test build turns them off.
#include <gort/gc/tracer.hpp>

#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>
#include <array>
#include <cstring>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <gort/gc/arena.hpp>
#include <gort/gc/span.hpp>
#include <gort/runtime/internal/gc_support.hpp>

#include "finalizer.hpp"
#include "mark.hpp"
#include "root.hpp"

namespace gort::gc {

void Tracer::visit_pointer(const void* p) { state_->mark_address(reinterpret_cast<uintptr_t>(p)); }

namespace detail {

void (*after_mark_hook)() = nullptr;

struct MarkState::CheckmarkBits {
  std::unordered_map<Span*, std::array<uint64_t, kSpanBitmapWords>> bits;
};

MarkState::MarkState(bool checkmark, MarkWorkPool* pool) : checkmark_(checkmark), pool_(pool) {
  if (checkmark_) check_bits_ = new CheckmarkBits();
  grey_.reserve(1024);
}

MarkState::MarkState(MarkMode mode) : checkmark_(false), pool_(nullptr), concurrent_(mode == MarkMode::Concurrent) {
  grey_.reserve(1024);
}

MarkState::~MarkState() { delete check_bits_; }

uint64_t* MarkState::checkmark_bits_for(Span* s) { return check_bits_->bits.try_emplace(s).first->second.data(); }

uint64_t* MarkState::const_bits_for(Span* s) const {
  if (!checkmark_) return s->mark_bits;
  auto it = check_bits_->bits.find(s);
  return it == check_bits_->bits.end() ? nullptr : it->second.data();
}

bool MarkState::is_marked(Span* s, uint32_t idx) const {
  const uint64_t* bits = const_bits_for(s);
  return bits != nullptr && ((bits[idx / 64] >> (idx % 64)) & 1);
}

void MarkState::set_marked(Span* s, uint32_t idx) { bits_for(s)[idx / 64] |= uint64_t{1} << (idx % 64); }

// mirrors greyobject in mgcmark.go
void MarkState::mark_address(uintptr_t p) {
  Span* s;
  uint32_t idx;
  if (!find_object(p, s, idx)) return;
  if (stack_words_need_mark_ && !s->is_marked(idx)) return;
  uint64_t* bits = bits_for(s);
  uint64_t* word = &bits[idx / 64];
  const uint64_t bit = uint64_t{1} << (idx % 64);
  if (__atomic_load_n(word, __ATOMIC_RELAXED) & bit) return;
  if (pool_ != nullptr || concurrent_) {
    if (__atomic_fetch_or(word, bit, __ATOMIC_RELAXED) & bit) return;  // another marker won
  } else {
    __atomic_store_n(word, *word | bit, __ATOMIC_RELAXED);
  }
  bytes_marked += s->elemsize;
  if (s->spanclass.noscan()) return;  // marked black at once: nothing to scan
  grey_.push_back(Grey{s->object_address(idx), static_cast<uint32_t>(s->elemsize), 0});
}

// mirrors scanblock in mgcmark.go (conservatively, as scanframeworker does for
// frames without pointer maps)
__attribute__((no_sanitize("address", "thread"))) void MarkState::scan_conservative(const void* lo,
                                                                                   const void* hi) {
  auto p = (reinterpret_cast<uintptr_t>(lo) + 7) & ~uintptr_t{7};
  const auto end = reinterpret_cast<uintptr_t>(hi);
  for (; p + sizeof(uintptr_t) <= end; p += sizeof(uintptr_t)) {
    const uintptr_t word = *reinterpret_cast<const uintptr_t*>(p);
    if (word >= 4096) mark_address(word);
  }
}

void MarkState::scan_object(uintptr_t base, uint32_t bytes) { scan_grey(Grey{base, bytes, 0}); }

// mirrors scanobject in mgcmark.go, oblets included
std::size_t MarkState::scan_grey(const Grey& g) {
  const TypeInfo* type = __atomic_load_n(&reinterpret_cast<const ObjectHeader*>(g.base)->type, __ATOMIC_ACQUIRE);
  std::size_t lo = 0, hi = g.bytes;
  // A constructor still running (null header) is scanned conservatively, which
  // splits anywhere; a constructed object splits if its type traces ranges.
  if (g.bytes > kMaxObletBytes && (g.oblet != 0 || type == nullptr || type->trace_range != nullptr)) {
    if (g.oblet == 0) {
      // Queue the other oblets (scanobject's loop of gcw.put), the last first,
      // so that this LIFO stack hands them out in address order.
      const auto n = static_cast<uint32_t>((g.bytes + kMaxObletBytes - 1) / kMaxObletBytes);
      for (uint32_t k = n - 1; k > 0; --k) grey_.push_back(Grey{g.base, g.bytes, k});
    }
    lo = std::size_t{g.oblet} * kMaxObletBytes;
    hi = std::min(lo + kMaxObletBytes, std::size_t{g.bytes});
  }
  if (type == nullptr) {
    // Constructor still running (or it threw): every word may be a pointer.
    scan_conservative(reinterpret_cast<const void*>(g.base + std::max(lo, sizeof(ObjectHeader))),
                      reinterpret_cast<const void*>(g.base + hi));
    return hi - lo;
  }
  if (type->trace == nullptr) return hi - lo;
  Tracer tracer(this);
  const auto* obj = reinterpret_cast<const void*>(g.base + type->offset);
  if (hi - lo == g.bytes) {
    type->trace(obj, tracer);
  } else if (type->trace_range != nullptr) {
    type->trace_range(obj, tracer, lo > type->offset ? lo - type->offset : 0, hi - type->offset);
  } else {
    // An oblet queued while the header was still null, of a type that traces
    // only whole objects: its words, conservatively, as its first oblet was.
    scan_conservative(reinterpret_cast<const void*>(g.base + std::max(lo, std::size_t{type->offset})),
                      reinterpret_cast<const void*>(g.base + hi));
  }
  return hi - lo;
}

// mirrors gcDrain in mgcmark.go, with a prefetch window: grey objects pass
// through a FIFO of kPrefetchAhead entries whose first line is prefetched when
// it enters, so the header and fields of an object are usually in cache when it
// is scanned (scanning is bound by one cache miss per object otherwise).  In a
// parallel mark, a marker with spare work hands half of it to the pool when
// another marker waits (checked every kShareEvery objects).  Both the pool and
// the stop test are also looked at whenever an oblet's worth of bytes was
// scanned since the last look: Go's gcDrain looks after every object, which
// the oblets bound to kMaxObletBytes of scanning; here a look every few dozen
// small objects is cheaper and a look per oblet keeps that bound.
int64_t MarkState::drain_local(int64_t budget, bool (*stop)()) {
  constexpr unsigned kPrefetchAhead = 8;  // ~8 misses in flight: what one core overlaps well
  constexpr unsigned kShareEvery = 64;    // objects between looks at the pool: an atomic load each
  constexpr unsigned kStopCheckEvery = 32;  // objects between stop() calls: ~1 µs of scanning
  Grey window[kPrefetchAhead];
  unsigned head = 0, count = 0, since_share = 0, since_stop = 0;
  std::size_t since_look_bytes = 0;
  int64_t scanned = 0;
  for (;;) {
    while (count < kPrefetchAhead && !grey_.empty()) {
      const Grey g = grey_.back();
      grey_.pop_back();
      __builtin_prefetch(reinterpret_cast<const void*>(g.base + std::size_t{g.oblet} * kMaxObletBytes));
      window[(head + count) % kPrefetchAhead] = g;
      ++count;
    }
    if (count == 0) return scanned;
    const Grey g = window[head];
    head = (head + 1) % kPrefetchAhead;
    --count;
    const std::size_t n = scan_grey(g);
    ++objects_scanned;
    bytes_scanned += n;
    scanned += static_cast<int64_t>(n);
    const bool oblet_since_look = (since_look_bytes += n) >= kMaxObletBytes;
    if (oblet_since_look) since_look_bytes = 0;
    if (pool_ != nullptr && (++since_share == kShareEvery || oblet_since_look)) {
      since_share = 0;
      pool_->maybe_share(grey_);
    }
    if (scanned >= budget ||
        (stop != nullptr && (++since_stop == kStopCheckEvery || oblet_since_look) && (since_stop = 0, stop()))) {
      // Give the window back to the stack: nothing grey may be dropped.
      for (; count > 0; --count, head = (head + 1) % kPrefetchAhead) grey_.push_back(window[head]);
      return scanned;
    }
  }
}

void MarkState::drain() {
  drain_local();
  if (pool_ == nullptr) return;
  while (pool_->take_or_finish(grey_)) drain_local();
}

// ---- parallel marking (mirrors the work.full / work.nwait protocol of mgcwork.go) ----

void MarkWorkPool::maybe_share(std::vector<MarkState::Grey>& local) {
  if (waiting_.load(std::memory_order_relaxed) == 0 || local.size() < 2 * kMinShare) return;
  std::lock_guard<std::mutex> guard(lock_);
  const std::size_t give = local.size() / 2;
  shared_.insert(shared_.end(), local.begin(), local.begin() + static_cast<std::ptrdiff_t>(give));
  local.erase(local.begin(), local.begin() + static_cast<std::ptrdiff_t>(give));
  cv_.notify_all();
}

bool MarkWorkPool::take_or_finish(std::vector<MarkState::Grey>& local) {
  std::unique_lock<std::mutex> guard(lock_);
  for (;;) {
    if (done_) return false;
    if (!shared_.empty()) {
      const std::size_t take = std::min(shared_.size(), kTakeBatch);
      local.insert(local.end(), shared_.end() - static_cast<std::ptrdiff_t>(take), shared_.end());
      shared_.resize(shared_.size() - take);
      return true;
    }
    // No work anywhere this marker can see: idle.  The last marker to go idle
    // with the pool empty ends the mark (no marker holds grey objects then).
    if (++idle_ == markers_) {
      done_ = true;
      cv_.notify_all();
      return false;
    }
    waiting_.fetch_add(1, std::memory_order_relaxed);
    cv_.wait(guard, [this] { return done_ || !shared_.empty(); });
    waiting_.fetch_sub(1, std::memory_order_relaxed);
    --idle_;
  }
}

namespace {

/// Marker threads beyond the collecting goroutine (Go's gcBgMarkWorker Gs; here
/// plain threads, since the Ps are stopped and their Ms asleep).  Created on
/// first use, never destroyed; each waits for a job, marks, reports.
class MarkHelpers {
 public:
  /// Runs a parallel drain with n helper threads on pool; returns their marked bytes.
  uint64_t run(int n, MarkWorkPool* pool, uint64_t* scanned) {
    std::unique_lock<std::mutex> guard(lock_);
    while (static_cast<int>(threads_) < n) {
      std::thread(&MarkHelpers::loop, this).detach();
      ++threads_;
    }
    pool_ = pool;
    wanted_ = n;
    finished_ = 0;
    bytes_ = 0;
    scanned_ = 0;
    ++generation_;
    cv_.notify_all();
    done_cv_.wait(guard, [&] { return finished_ == wanted_; });
    pool_ = nullptr;
    *scanned = scanned_;
    return bytes_;
  }

 private:
  void loop() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> guard(lock_);
    for (;;) {
      cv_.wait(guard, [&] { return generation_ != seen && started_ < wanted_; });
      seen = generation_;
      if (started_ >= wanted_) continue;
      ++started_;
      MarkWorkPool* pool = pool_;
      guard.unlock();
      MarkState state(/*checkmark=*/false, pool);
      state.drain();
      guard.lock();
      bytes_ += state.bytes_marked;
      scanned_ += state.objects_scanned;
      if (++finished_ == wanted_) {
        started_ = 0;
        done_cv_.notify_all();
      }
    }
  }

  std::mutex lock_;
  std::condition_variable cv_, done_cv_;
  std::size_t threads_ = 0;
  uint64_t generation_ = 0;
  int wanted_ = 0, started_ = 0, finished_ = 0;
  MarkWorkPool* pool_ = nullptr;
  uint64_t bytes_ = 0, scanned_ = 0;
};

MarkHelpers& mark_helpers() {
  static auto* h = new MarkHelpers();  // threads outlive static destruction
  return *h;
}

}  // namespace

const char* object_type_name(uintptr_t base, char* buf, std::size_t len) {
  const TypeInfo* type = reinterpret_cast<const ObjectHeader*>(base)->type;
  if (type == nullptr || type->name == nullptr) return "(under construction)";
  int status = 0;
  char* d = abi::__cxa_demangle(type->name, nullptr, nullptr, &status);
  std::strncpy(buf, status == 0 && d != nullptr ? d : type->name, len - 1);
  buf[len - 1] = '\0';
  std::free(d);
  return buf;
}

namespace {

void scan_range(const void* lo, const void* hi, void* arg) { static_cast<MarkState*>(arg)->scan_conservative(lo, hi); }

struct OwnStack {
  MarkState* state;
  const void* hi;
  uint64_t bytes;
};

void scan_own_stack(void* sp, void* arg) {
  auto* own = static_cast<OwnStack*>(arg);
  own->state->scan_conservative(sp, own->hi);
  own->bytes = static_cast<uint64_t>(static_cast<const char*>(own->hi) - static_cast<const char*>(sp));
}

}  // namespace

void MarkState::for_each_checkmarked_raw(void (*fn)(Span*, uint32_t, void*), void* arg) const {
  if (check_bits_ == nullptr) return;
  for (const auto& [span, words] : check_bits_->bits) {
    for (std::size_t w = 0; w < kSpanBitmapWords; ++w) {
      for (uint64_t bits = words[w]; bits != 0; bits &= bits - 1) {
        fn(span, static_cast<uint32_t>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(bits))), arg);
      }
    }
  }
}

namespace {
/// Greys the roots into state (mirrors the markroot jobs); see
/// MarkState::set_stack_words_need_mark for the flag.
MarkRoots grey_roots(MarkState& state, bool stack_words_need_mark);
}  // namespace

// mirrors markroot (data/bss, finalizers, stacks) + gcDrain
MarkRoots mark_from_roots(MarkState& state, bool stack_words_need_mark) {
  const MarkRoots roots = grey_roots(state, stack_words_need_mark);
  state.drain();
  return roots;
}

MarkRoots mark_from_roots_parallel(int helpers, uint64_t* bytes_marked, uint64_t* objects_scanned,
                                   uint64_t* bytes_scanned) {
  MarkWorkPool pool(helpers + 1);
  MarkState self(/*checkmark=*/false, &pool);
  const MarkRoots roots = grey_roots(self, false);
  uint64_t helper_bytes = 0, helper_scanned = 0;
  std::thread runner;
  if (helpers > 0) {
    // The helpers start idle and take work as this marker shares it.
    runner = std::thread([&] { helper_bytes = mark_helpers().run(helpers, &pool, &helper_scanned); });
  }
  self.drain();
  if (runner.joinable()) runner.join();
  *bytes_marked = self.bytes_marked + helper_bytes;
  *objects_scanned = self.objects_scanned + helper_scanned;
  // Scan work in bytes, estimated from the helpers' object count at this
  // marker's mean object size (the helpers report objects, not bytes).
  *bytes_scanned = self.bytes_scanned + (self.objects_scanned > 0 ? helper_scanned * self.bytes_scanned /
                                                                        self.objects_scanned
                                                                  : 0);
  return roots;
}

namespace {
MarkRoots grey_roots(MarkState& state, bool stack_words_need_mark) {
  MarkRoots roots;
  roots.globals_bytes = uint64_t{mark_registered_roots(state)} * sizeof(void*) + mark_root_ranges(state);
  state.set_stack_words_need_mark(stack_words_need_mark);
  roots.stack_bytes = runtime::for_each_goroutine_root_range(&scan_range, &state);
  OwnStack own{&state, runtime::current_goroutine_stack_hi(), 0};
  if (own.hi != nullptr) gort_gc_call_with_spilled_registers(&scan_own_stack, &own);
  state.set_stack_words_need_mark(false);
  roots.stack_bytes += own.bytes;
  mark_finalizer_roots(state);
  return roots;
}
}  // namespace

}  // namespace detail

}  // namespace gort::gc
