// mark.cpp — marking (mirrors markroot, scanstack, scanblock, scanobject,
// greyobject, gcDrain and the checkmark mode of mgcmark.go / mcheckmark.go).
//
// Model.  Tricolor marking over the span mark bits: an object is white (bit
// clear), grey (bit set, on the grey stack), or black (bit set, scanned).
// Roots are greyed first — gc::Roots, every goroutine's stack and saved
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
// This layer marks with the world stopped, on the goroutine that started the
// cycle; the concurrent mark of GC part 2 keeps the same MarkState interface and
// adds the write barrier's shading.
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
#include <unordered_map>

#include <gort/gc/arena.hpp>
#include <gort/gc/span.hpp>
#include <gort/runtime/gc_support.hpp>

#include "collector.hpp"

namespace gort::gc {

void Tracer::visit_pointer(const void* p) { state_->mark_address(reinterpret_cast<uintptr_t>(p)); }

namespace detail {

void (*after_mark_hook)() = nullptr;

struct MarkState::CheckmarkBits {
  std::unordered_map<Span*, std::array<uint64_t, kSpanBitmapWords>> bits;
};

MarkState::MarkState(bool checkmark) : checkmark_(checkmark) {
  if (checkmark_) check_bits_ = new CheckmarkBits();
  grey_.reserve(1024);
}

MarkState::~MarkState() { delete check_bits_; }

uint64_t* MarkState::bits_for(Span* s) {
  if (!checkmark_) return s->mark_bits;
  return check_bits_->bits.try_emplace(s).first->second.data();
}

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

// mirrors findObject in mbitmap.go
bool find_object(uintptr_t p, Span*& s, uint32_t& idx) {
  s = span_of(p);
  if (s == nullptr || s->state != SpanState::InUse) return false;
  if (p >= s->start + uintptr_t{s->nelems} * s->elemsize) return false;
  idx = s->object_index(p);
  return s->is_allocated(idx);
}

// mirrors greyobject in mgcmark.go
void MarkState::mark_address(uintptr_t p) {
  Span* s;
  uint32_t idx;
  if (!find_object(p, s, idx)) return;
  uint64_t* bits = bits_for(s);
  uint64_t& word = bits[idx / 64];
  const uint64_t bit = uint64_t{1} << (idx % 64);
  if (word & bit) return;
  word |= bit;
  bytes_marked += s->elemsize;
  if (s->spanclass.noscan()) return;  // marked black at once: nothing to scan
  grey_.push_back(Grey{s->object_address(idx), static_cast<uint32_t>(s->elemsize)});
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

// mirrors scanobject in mgcmark.go
void MarkState::scan_object(uintptr_t base, uint32_t bytes) {
  const TypeInfo* type = __atomic_load_n(&reinterpret_cast<const ObjectHeader*>(base)->type, __ATOMIC_ACQUIRE);
  if (type == nullptr) {
    // Constructor still running (or it threw): every word may be a pointer.
    scan_conservative(reinterpret_cast<const void*>(base + sizeof(ObjectHeader)),
                      reinterpret_cast<const void*>(base + bytes));
    return;
  }
  if (type->trace == nullptr) return;
  Tracer tracer(this);
  type->trace(reinterpret_cast<const void*>(base + type->offset), tracer);
}

// mirrors gcDrain in mgcmark.go, with a prefetch window: grey objects pass
// through a FIFO of kPrefetchAhead entries whose first line is prefetched when
// it enters, so the header and fields of an object are usually in cache when it
// is scanned (scanning is bound by one cache miss per object otherwise).
void MarkState::drain() {
  constexpr unsigned kPrefetchAhead = 8;  // ~8 misses in flight: what one core overlaps well
  Grey window[kPrefetchAhead];
  unsigned head = 0, count = 0;
  for (;;) {
    while (count < kPrefetchAhead && !grey_.empty()) {
      const Grey g = grey_.back();
      grey_.pop_back();
      __builtin_prefetch(reinterpret_cast<const void*>(g.base));
      window[(head + count) % kPrefetchAhead] = g;
      ++count;
    }
    if (count == 0) return;
    const Grey g = window[head];
    head = (head + 1) % kPrefetchAhead;
    --count;
    scan_object(g.base, g.bytes);
  }
}

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

// mirrors markroot (data/bss, finalizers, stacks) + gcDrain
MarkRoots mark_from_roots(MarkState& state) {
  MarkRoots roots;
  roots.globals_bytes = uint64_t{mark_registered_roots(state)} * sizeof(void*);
  roots.stack_bytes = runtime::for_each_goroutine_root_range(&scan_range, &state);
  OwnStack own{&state, runtime::current_goroutine_stack_hi(), 0};
  if (own.hi != nullptr) gort_gc_call_with_spilled_registers(&scan_own_stack, &own);
  roots.stack_bytes += own.bytes;
  mark_finalizer_roots(state);
  state.drain();
  return roots;
}

}  // namespace detail

}  // namespace gort::gc
