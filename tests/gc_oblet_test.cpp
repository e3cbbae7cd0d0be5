// gc_oblet_test.cpp — large pointer arrays are scanned in oblets (mirrors the
// oblet handling of scanobject in mgcmark.go): a marker scans at most
// kMaxObletBytes of one object before it may stop, each piece of an array is
// scanned exactly once per mark, and marks interrupted between pieces (workers
// preempted, a stop-the-world, a restarted mark) still reach every element.
#include <gort/gort.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "../gc/src/mark.hpp"
#include "gc_stack_util.hpp"
#include "gc_sealed.hpp"
#include "test_util.hpp"

namespace {

namespace gc = gort::gc;
using gc::detail::kMaxObletBytes;
using gc::detail::MarkState;
using gort::test::on_own_stack;
using gort::test::scaled;

/// A pointer-free leaf: a noscan object the marker marks but never scans.
struct Leaf {
  uint64_t id;
};

/// An array element of 24 bytes with its pointer in the middle: oblet
/// boundaries (multiples of 128 KiB) fall inside elements.
struct Wide {
  uint64_t before = 0;
  gc::Ptr<Leaf> leaf;
  uint64_t after = 0;
  void trace(gc::Tracer& t) const { t.visit(leaf); }
};
static_assert(kMaxObletBytes % sizeof(Wide) != 0);

/// An allocation of the managed heap: its span and slot.
struct Allocation {
  gc::Span* span = nullptr;
  uint32_t slot = 0;
  uintptr_t base() const { return span->object_address(slot); }
};

/// The allocation holding p, or one with a null span when p names no
/// allocated object (a freed one).
Allocation allocation_of(const void* p) {
  Allocation a;
  if (!gc::detail::find_object(reinterpret_cast<uintptr_t>(p), a.span, a.slot)) a.span = nullptr;
  return a;
}

/// A checkmark-bits marker (its bits are its own: the spans' mark bits and the
/// collector are untouched) that has greyed the array holding `elements`.
/// Precondition: no cycle or sweep runs (the caller collected and allocates nothing).
struct ArrayMark {
  MarkState marker{/*checkmark=*/true};
  Allocation array;
  uint64_t pieces = 0;
  explicit ArrayMark(const void* elements) : array(allocation_of(elements)) {
    if (array.span == nullptr) {
      ADD_FAILURE() << "the array is not an allocated object";
      return;
    }
    pieces = (array.span->elemsize + kMaxObletBytes - 1) / kMaxObletBytes;
    marker.mark_address(array.base());
  }
  bool marked(const void* p) const {
    const Allocation a = allocation_of(p);
    return a.span != nullptr && marker.is_marked(a.span, a.slot);
  }
};

// A drain that must stop — out of budget, or told to by its stop test as a
// preempted worker is — stops after the array's first oblet, leaving the rest
// grey; finishing it scans every oblet exactly once (the scan work adds up to
// the allocation, one scanned object per oblet) and marks every element,
// including those whose bytes straddle an oblet boundary.
TEST(GcOblets, AMarkerStopsBetweenALargeArraysObletsAndScansEachOnce) {
  gort::run([] {
    const std::size_t n = (8u << 20) / sizeof(Wide);  // ~8 MiB: 64 oblets
    auto array = gc::make_slice<Wide>(n);
    for (std::size_t i = 0; i < n; ++i) array[i].leaf = gc::make<Leaf>(Leaf{i});
    on_own_stack([] { gc::collect(); });  // sweep done: the heap holds still below

    ArrayMark budgeted(array.data());
    EXPECT_GT(budgeted.pieces, 32u);
    EXPECT_EQ(budgeted.marker.drain_local(/*budget=*/1), static_cast<int64_t>(kMaxObletBytes));
    EXPECT_EQ(budgeted.marker.objects_scanned, 1u);
    budgeted.marker.drain();
    EXPECT_EQ(budgeted.marker.objects_scanned, budgeted.pieces) << "leaves are noscan: only oblets are scanned";
    EXPECT_EQ(budgeted.marker.bytes_scanned, budgeted.array.span->elemsize) << "each oblet scanned once";
    std::size_t unmarked = 0;
    for (std::size_t i = 0; i < n; ++i) unmarked += budgeted.marked(array[i].leaf.get()) ? 0 : 1;
    EXPECT_EQ(unmarked, 0u) << "elements the oblets missed (or the collection before freed)";

    ArrayMark stopped(array.data());
    EXPECT_EQ(stopped.marker.drain_local(INT64_MAX, [] { return true; }), static_cast<int64_t>(kMaxObletBytes));
    stopped.marker.drain();
    EXPECT_EQ(stopped.marker.objects_scanned, stopped.pieces);
    EXPECT_EQ(stopped.marker.bytes_scanned, stopped.array.span->elemsize);
  });
}

/// Leaves that count their destruction; `kept` ones must never die.
std::atomic<long> counted_destroyed{0};
std::atomic<long> kept_destroyed{0};

struct Counted {
  uint64_t id;
  bool kept;
  Counted(uint64_t i, bool k) : id(i), kept(k) {}
  ~Counted() {
    counted_destroyed.fetch_add(1, std::memory_order_relaxed);
    if (kept) kept_destroyed.fetch_add(1, std::memory_order_relaxed);
  }
};

/// Collects on a fresh stack until pred holds (at most 8 times): a word a
/// reused stack still holds may keep an object for a cycle or two.
template <class Pred>
bool collect_until(Pred pred) {
  for (int attempt = 0; attempt < 8 && !pred(); ++attempt) {
    on_own_stack([] {
      gc::collect();
      gc::collect();
    });
  }
  return pred();
}

// A 64 MiB array (scaled down for sanitizers) is the only path to its
// elements: across rounds of concurrent marks, every element still in it
// survives and every element dropped from it is freed — exactly the dropped
// ones, round by round.
TEST(GcOblets, ElementsOnlyInALargeArraySurviveAndDroppedOnesAreFreed) {
  gort::run([] {
    const std::size_t n = static_cast<std::size_t>(scaled(64 << 20)) / sizeof(gc::Ptr<Counted>);
    // One element in 61 holds a leaf (a prime stride puts leaves at every
    // offset within the oblets: 137K leaves at 64 MiB), and so does the last
    // one, alone in the array's last oblet.  Round r drops the leaves of group
    // r; group kRounds stays to the end.
    constexpr std::size_t kStride = 61;
    constexpr std::size_t kRounds = 4;
    auto holds_leaf = [n](std::size_t i) { return i % kStride == 0 || i == n - 1; };
    auto group = [n](std::size_t i) { return i == n - 1 ? kRounds : (i / kStride) % (kRounds + 1); };
    auto array = gc::make_slice<gc::Ptr<Counted>>(n);
    const long destroyed_before = counted_destroyed.load();
    const long kept_before = kept_destroyed.load();
    long filled = 0;
    on_own_stack([&] {
      for (std::size_t i = 0; i < n; ++i) {
        if (!holds_leaf(i)) continue;
        array[i] = gc::make<Counted>(i, group(i) == kRounds);
        ++filled;
      }
    });
    long dropped = 0;
    for (std::size_t round = 0; round < kRounds; ++round) {
      on_own_stack([&] {
        for (std::size_t i = 0; i < n; ++i) {
          if (holds_leaf(i) && group(i) == round) {
            array[i] = nullptr;
            ++dropped;
          }
        }
      });
      EXPECT_TRUE(collect_until([&] { return counted_destroyed.load() - destroyed_before == dropped; }))
          << "round " << round << ": " << counted_destroyed.load() - destroyed_before << " of " << dropped
          << " dropped elements freed";
      EXPECT_EQ(kept_destroyed.load(), kept_before) << "round " << round << ": elements still in the array died";
    }
    long intact = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const Counted* c = array[i].get();
      if (c != nullptr && c->id == i && c->kept) ++intact;
    }
    EXPECT_EQ(intact, filled - dropped);
  });
}

/// A node the mutators move between arrays, stacks and other nodes
/// (gc_sealed.hpp: poisoned when freed, so a reachable node the mark missed is
/// found dead).
struct Node : gort::test::Sealed {
  gc::Ptr<Node> next;
  explicit Node(uint64_t i) : Sealed(i) {}
  void trace(gc::Tracer& t) const { t.visit(next); }
};

using gort::test::intact;

/// Broken nodes among n and what its next chain reaches (up to depth).
long count_broken(const Node* n, int depth) {
  long bad = 0;
  for (; n != nullptr && depth-- > 0; n = n->next.get()) bad += intact(n) ? 0 : 1;
  return bad;
}

// Two 16 MiB arrays (128 oblets each; 2 MiB for sanitizers), sparsely
// filled, while mutators on every P move nodes between their slots — across
// oblets, between the arrays, through their own stacks and through other
// nodes' fields — and a goroutine forces cycle after cycle, with gccheckmark
// re-marking after each one with the world stopped: a node the oblets and the
// barrier let the concurrent mark miss aborts the checkmark or is found
// poisoned by a mutator or the final walk.
TEST(GcOblets, LargeArraysMutatedDuringManyMarksWithCheckmark) {
  ::setenv("GODEBUG", "gccheckmark=1", 1);
  gort::run([] {
    gort::gomaxprocs(2);
    // Sanitizers instrument every word the marker reads: 2 MiB arrays (16 oblets each) there.
    const std::size_t array_bytes = gort::test::kSanitizerDivisor > 1 ? 2 << 20 : 16 << 20;
    const std::size_t n = array_bytes / sizeof(gc::Ptr<Node>);
    constexpr std::size_t kStride = 31;
    auto a = gc::make_slice<gc::Ptr<Node>>(n);
    auto b = gc::make_slice<gc::Ptr<Node>>(n);
    std::atomic<uint64_t> next_id{1};
    for (std::size_t i = 0; i < n; i += kStride) {
      a[i] = gc::make<Node>(next_id.fetch_add(1));
      if (i + kStride / 2 < n) b[i + kStride / 2] = gc::make<Node>(next_id.fetch_add(1));
    }
    a[n - 1] = gc::make<Node>(next_id.fetch_add(1));  // alone in the array's last oblet
    b[n - 1] = gc::make<Node>(next_id.fetch_add(1));
    // Each cycle marks 32 MiB of arrays twice (the mark, then the checkmark).
    const uint32_t wanted = gort::test::kSanitizerDivisor > 1 ? 6 : 8;
    const uint32_t gc_before = gort::read_mem_stats().NumGC;
    std::atomic<bool> stop{false};
    std::atomic<long> broken{0};
    {
      gort::test::Goroutines group;
      for (int w = 0; w < 2; ++w) {
        group.go([&, w] {
          std::mt19937_64 rng(77 + w);
          gc::Slice<gc::Ptr<Node>> arrays[2] = {a, b};
          for (long step = 0; !stop.load(std::memory_order_relaxed); ++step) {
            auto& from = arrays[rng() % 2];
            auto& to = arrays[rng() % 2];
            const std::size_t i = rng() % n, j = rng() % n;
            // Every step keeps the number of reachable nodes (and so the
            // live heap and each mark's work) as it was.
            switch (rng() % 5) {
              case 0: {  // swap two slots, anywhere in either array
                gc::Ref<Node> x = from[i];
                gc::Ref<Node> y = to[j];
                from[i] = y;
                to[j] = x;
                break;
              }
              case 1: {  // the only reference on this stack while allocating
                gc::Ref<Node> held = to[j];
                to[j] = from[i];
                from[i] = nullptr;
                for (int k = 0; k < 4; ++k) gc::make<Node>(next_id.fetch_add(1, std::memory_order_relaxed));
                if (!intact(held.get())) broken.fetch_add(1);
                from[i] = held;
                break;
              }
              case 2: {  // a new node takes an old one's place and its next
                gc::Ref<Node> old = from[i];
                if (!old) break;
                auto x = gc::make<Node>(next_id.fetch_add(1, std::memory_order_relaxed));
                x->next = old->next;
                from[i] = x;
                break;
              }
              case 3: {  // hide a node in another's field and drop its slot
                gc::Ref<Node> x = from[i];
                gc::Ref<Node> y = to[j];
                if (x && y && x != y && !x->next) {
                  x->next = y;
                  to[j] = nullptr;
                }
                break;
              }
              default: {  // pull a hidden node back into a slot, hiding that slot's node instead
                gc::Ref<Node> x = from[i];
                if (!x) break;
                gc::Ref<Node> y = x->next;
                gc::Ref<Node> z = to[j];
                if (!intact(y.get())) broken.fetch_add(1);
                to[j] = y;
                x->next = z;
              }
            }
            if (step % 128 == 0) gort::gosched();
          }
        });
      }
      group.go([&] {
        while (gort::read_mem_stats().NumGC - gc_before < wanted) gc::collect();
        stop.store(true);
      });
    }
    long bad = broken.load();
    for (const auto& array : {a, b}) {
      for (std::size_t i = 0; i < n; ++i) bad += count_broken(array[i].get(), 64);
    }
    EXPECT_EQ(bad, 0) << "reachable nodes were freed";
    EXPECT_GE(gort::read_mem_stats().NumGC - gc_before, wanted);
  });
  ::unsetenv("GODEBUG");
}

}  // namespace

// ---- large copies of pointer arrays (copy_pointers_chunked) --------------------

/// Fills s with the leaves id, id+1, ... and returns those ids.
std::vector<uint64_t> fill_with_leaves(const gc::Slice<gc::Ptr<Leaf>>& s, uint64_t id) {
  std::vector<uint64_t> ids(s.len());
  for (std::size_t i = 0; i < s.len(); ++i) {
    s[i] = gc::make<Leaf>(Leaf{id + i});
    ids[i] = id + i;
  }
  return ids;
}

/// The ids of the leaves s holds (0 for a null slot).
std::vector<uint64_t> leaf_ids(const gc::Slice<gc::Ptr<Leaf>>& s) {
  std::vector<uint64_t> ids(s.len());
  for (std::size_t i = 0; i < s.len(); ++i) ids[i] = s[i] ? s[i]->id : 0;
  return ids;
}

// A copy longer than one chunk runs chunk by chunk in memmove's direction:
// overlapping copies both ways give Go's copy result, with collections (and so
// the bulk barrier switching on and off between chunks) running throughout.
TEST(GcLargeCopy, OverlappingChunkedCopiesMoveEveryPointerBothWays) {
  gort::run([] {
    gort::gomaxprocs(2);
    const std::size_t n = 3 * gc::detail::kCopyChunkPointers + 17;
    std::atomic<bool> done{false};
    gort::test::Goroutines group;
    group.go([&] {
      while (!done.load(std::memory_order_relaxed)) gc::collect();
    });
    const int rounds = scaled(60);
    for (int r = 0; r < rounds; ++r) {
      const std::size_t shift = 1 + static_cast<std::size_t>(r) * 7919 % (n / 2);
      auto s = gc::make_slice<gc::Ptr<Leaf>>(n);
      std::vector<uint64_t> want = fill_with_leaves(s, 1'000'000 * static_cast<uint64_t>(r + 1));
      // Down: s[0:] = s[shift:] (dst below src, front to back).
      EXPECT_EQ(gc::copy(s, s.slice(shift)), n - shift);
      std::copy(want.begin() + shift, want.end(), want.begin());
      ASSERT_EQ(leaf_ids(s), want) << "copy down by " << shift << ", round " << r;
      // Up: s[shift:] = s[0:] (dst above src, back to front).
      EXPECT_EQ(gc::copy(s.slice(shift), s), n - shift);
      std::copy_backward(want.begin(), want.end() - shift, want.end());
      ASSERT_EQ(leaf_ids(s), want) << "copy up by " << shift << ", round " << r;
    }
    done.store(true);
  });
}

// A stop-the-world asked for while a goroutine copies a large pointer array is
// served at a chunk boundary, not after the copy: the copier yields inside the
// copy while another goroutine collects, and every copy is still exact.
// Without the chunks a copy has no safe point and the count stays 0.
TEST(GcLargeCopy, AStopTheWorldIsServedBetweenTheChunksOfALargeCopy) {
  gort::run([] {
    gort::gomaxprocs(2);
    // 8 MiB of pointers, 256 chunks (sanitizers: a fifth, 51 chunks)
    const std::size_t n = (std::size_t{1} << 20) / gort::test::kSanitizerDivisor;
    auto src = gc::make_slice<gc::Ptr<Leaf>>(n);
    const std::vector<uint64_t> want = fill_with_leaves(src, 1);
    auto dst = gc::make_slice<gc::Ptr<Leaf>>(n);
    std::atomic<bool> done{false};
    gort::test::Goroutines group;
    group.go([&] {
      while (!done.load(std::memory_order_relaxed)) gc::collect();
    });
    const uint64_t before = gc::detail::chunked_copy_yields();
    int copies = 0;
    for (; copies < 200 && gc::detail::chunked_copy_yields() == before; ++copies) {
      gc::copy(dst, src);
      ASSERT_EQ(leaf_ids(dst), want) << "copy " << copies;
      gc::copy(dst, gc::make_slice<gc::Ptr<Leaf>>(n));  // clear it for the next copy
    }
    done.store(true);
    EXPECT_GT(gc::detail::chunked_copy_yields(), before) << copies << " copies of " << n << " pointers never yielded";
  });
}
