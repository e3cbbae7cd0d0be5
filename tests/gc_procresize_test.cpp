// gc_procresize_test.cpp — the collector while GOMAXPROCS changes, and
// gc::collect callers sharing cycles.
//
// Go's procresize destroys every P it retires (p.destroy): the P's mcache goes
// back to the heap (freemcache), its write-barrier buffer is flushed into the
// mark, its free lists move to the global ones.  Whatever a retired P still
// held would otherwise escape the next mark termination: spans cached there
// are never swept and keep their stale mark bits (the next mark skips the
// objects in them, and so everything only they reach), and the pacer's live
// heap counts their free slots twice.  The tests below change GOMAXPROCS while
// goroutines allocate and collections run, and check every node the program
// can reach (destructors poison a freed node, allocation churn reuses its
// memory) and the heap accounting against a count of every span's objects.
//
// runtime.GC's coalescing: a caller arriving while a cycle runs waits for it to
// end and then for one more full cycle, which every caller waiting meanwhile
// shares (work.cycles in GC); sixteen callers at once run two cycles, not sixteen.
#include <gort/gort.hpp>

#include <gort/gc/arena.hpp>
#include <gort/gc/malloc.hpp>
#include <gort/gc/mheap.hpp>
#include <gort/gc/span.hpp>
#include <gort/runtime/internal/gc_support.hpp>
#include <gort/runtime/internal/park.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

#include "../gc/src/mark.hpp"
#include "../gc/src/mgc.hpp"
#include "../gc/src/pacer.hpp"
#include "poll_util.hpp"
#include "gc_stack_util.hpp"
#include "gc_sealed.hpp"
#include "test_util.hpp"

namespace {

namespace gc = gort::gc;
using gort::test::scaled;

/// A list node (gc_sealed.hpp: poisoned when freed).
struct Node : gort::test::Sealed {
  gc::Ptr<Node> next;
  explicit Node(uint64_t i) : Sealed(i) {}
  void trace(gc::Tracer& t) const { t.visit(next); }
};

/// Builds a list of n nodes with ids base .. base+n-1, the last at the head;
/// yields every yield_every nodes so the builder may move between Ps.
gc::Ref<Node> build_list(uint64_t base, int n, int yield_every) {
  gc::Ref<Node> head;
  for (int i = 0; i < n; ++i) {
    auto node = gc::make<Node>(base + uint64_t(i));
    node->next = head;
    head = node;
    if (yield_every > 0 && i % yield_every == yield_every - 1 && i + 1 < n) gort::gosched();
  }
  return head;
}

/// Nodes of a list built by build_list(base, n) that are intact and in order
/// from the head: n for an undamaged list, fewer when one is freed or missing.
int intact_nodes(const Node* head, uint64_t base, int n) {
  int good = 0;
  for (const Node* p = head; p != nullptr && good < n; p = p->next.get()) {
    if (!p->intact() || p->ident() != base + uint64_t(n - 1 - good)) break;
    ++good;
  }
  return good;
}

/// Allocates n nodes of garbage, so memory freed by a sweep is reused (a node
/// freed while reachable is then overwritten, not merely poisoned).
__attribute__((noinline)) void churn(int n) {
  for (int i = 0; i < n; ++i) gc::make<Node>(uint64_t(i));
}

using gort::test::on_own_stack;

/// What every in-use span of the heap holds, counted span by span with the
/// world stopped and every mcache flushed (mirrors ReadMemStatsSlow in Go's
/// export_test.go), next to the counters the runtime keeps incrementally.
struct HeapCount {
  uint64_t counted_bytes = 0, counted_objects = 0, counted_inuse = 0;
  uint64_t heap_alloc = 0, heap_objects = 0, heap_inuse = 0, heap_live = 0;
};

HeapCount count_heap() {
  HeapCount c;
  gort::runtime::stop_the_world_gc(gort::runtime::StwReason::ReadMemStats);
  gc::detail::flush_all_mcaches();
  for (std::size_t slot = 0; slot < gc::kArenaIndexSlots; ++slot) {
    gc::HeapArena* ha = gc::detail::arena_index[slot].load(std::memory_order_acquire);
    if (ha == nullptr) continue;
    const uintptr_t base = uintptr_t{slot} * gc::kArenaBytes;
    for (std::size_t page = 0; page < gc::kPagesPerArena; ++page) {
      gc::Span* s = ha->spans[page].load(std::memory_order_acquire);
      if (s == nullptr || s->start != base + page * gc::kPageSize || s->state != gc::SpanState::InUse) continue;
      c.counted_objects += s->alloc_count;
      c.counted_bytes += uint64_t{s->alloc_count} * s->elemsize;
      c.counted_inuse += s->npages * gc::kPageSize;
    }
  }
  const gc::HeapStatsSnapshot h = gc::read_heap_stats();
  c.heap_alloc = h.heap_alloc;
  c.heap_objects = h.heap_objects;
  c.heap_inuse = h.heap_inuse;
  c.heap_live = gc::detail::heap_live.load(std::memory_order_relaxed);
  gort::runtime::start_the_world_gc();
  return c;
}

/// MemStats' heap figures equal the span-by-span count, and so does the
/// pacer's live heap (the bytes the last mark found plus what was allocated
/// since, the free slots of the flushed caches excluded).  Precondition: the
/// sweep is finished and nothing allocates (GOGC=off, a collection done, the
/// program's goroutines joined).
void expect_exact_heap_accounting(const char* where) {
  const HeapCount c = count_heap();
  EXPECT_EQ(c.heap_alloc, c.counted_bytes) << where << ": HeapAlloc against the span count";
  EXPECT_EQ(c.heap_objects, c.counted_objects) << where << ": HeapObjects against the span count";
  EXPECT_EQ(c.heap_inuse, c.counted_inuse) << where << ": HeapInuse against the span count";
  EXPECT_EQ(c.heap_live, c.counted_bytes) << where << ": the pacer's live heap against the span count";
}

/// Runs body on a fresh runtime with GOGC restored afterwards; godebug, when
/// set, is the run's GODEBUG (read when gort::run starts).
template <class F>
void run_test(F body, const char* godebug = nullptr) {
  if (godebug != nullptr) ::setenv("GODEBUG", godebug, 1);
  gort::run([&] {
    const int prev = gc::set_gc_percent(100);
    body();
    gc::set_gc_percent(prev);
  });
  if (godebug != nullptr) ::unsetenv("GODEBUG");
}

// Issue case: four goroutines build 5,000-node lists on four Ps, GOMAXPROCS
// drops to 1, three collections and allocation churn follow.  The newest nodes
// of a list sit in the span its P had cached; before Ps were destroyed that span
// was never swept, its mark bits from the first cycle stayed set, the second
// mark took its nodes for already scanned and freed the rest of the list.
TEST(GcProcresize, ListsBuiltOnPsThatGoAwaySurviveCollections) {
  run_test([] {
    constexpr int kLists = 4;
    constexpr int kLen = 5000;
    int rounds_with_retired_cache = 0;
    long damaged = 0;
    // Which P a builder ends on is the scheduler's choice: on a loaded machine
    // the other Ms may not run before the builders finish on P 0, so rounds go
    // on (up to 100) until at least one list was left in a retired P's cache.
    constexpr int kMaxRounds = 100;
    for (int round = 0; round < scaled(10) || (rounds_with_retired_cache == 0 && round < kMaxRounds); ++round) {
      gort::gomaxprocs(4);
      gc::Root<Node> lists[kLists];
      int last_p[kLists] = {};
      {
        gort::test::Goroutines builders;
        for (int i = 0; i < kLists; ++i) {
          builders.go([&, i] {
            lists[i] = build_list(uint64_t(i) * kLen, kLen, 500);
            last_p[i] = gort::runtime::current_p_id();  // the P whose mcache holds the head's span
          });
        }
      }
      bool retired_cache = false;
      for (int p : last_p) retired_cache |= p >= 1;
      rounds_with_retired_cache += retired_cache;
      gort::gomaxprocs(1);
      on_own_stack([] {
        for (int c = 0; c < 3; ++c) {
          gc::collect();
          churn(20000);
        }
      });
      for (int i = 0; i < kLists; ++i) damaged += kLen - intact_nodes(lists[i].get(), uint64_t(i) * kLen, kLen);
    }
    EXPECT_GT(rounds_with_retired_cache, 0) << "no list was left in a retired P's cache: the test tested nothing";
    EXPECT_EQ(damaged, 0) << "nodes freed while reachable from a gc::Root";
  });
}

// Issue case: after a collection with spans cached on retired Ps, the pacer's
// live heap (the heap_alloc trace hook, Go's heapLive) read 2^64 - 688,000 once
// GOMAXPROCS grew back and MemStats were read.  Each step below allocates on
// every P, then changes GOMAXPROCS, collects or reads MemStats; the live heap
// must never wrap and must equal the span-by-span count whenever the heap is quiet.
TEST(GcProcresize, HeapAccountingStaysExactWhenPsGoAwayAndComeBack) {
  static std::atomic<uint64_t> max_live_reported{0};
  static const gc::TraceHooks hooks = [] {
    gc::TraceHooks h;
    h.heap_alloc = [](uint64_t live) {
      uint64_t seen = max_live_reported.load(std::memory_order_relaxed);
      while (live > seen && !max_live_reported.compare_exchange_weak(seen, live)) {
      }
    };
    return h;
  }();
  max_live_reported.store(0);
  run_test([] {
    const gc::TraceHooks* prev_hooks = gc::set_trace_hooks(&hooks);
    gc::set_gc_percent(-1);  // forced cycles only: the sweep is finished at every check
    gc::Root<Node> kept[4];
    auto allocate_on_every_p = [&](int round) {
      gort::test::Goroutines g;
      for (int i = 0; i < 4; ++i) {
        g.go([&kept, i, round] {
          kept[i] = build_list(uint64_t(round) << 32 | uint64_t(i) << 24, 3000, 250);
          churn(1000);
        });
      }
    };
    auto collect = [] { on_own_stack([] { gc::collect(); }); };
    collect();
    expect_exact_heap_accounting("start");
    for (int round = 0; round < scaled(6); ++round) {
      gort::gomaxprocs(4);
      allocate_on_every_p(round);
      gort::gomaxprocs(1);
      expect_exact_heap_accounting("Ps retired holding cached spans");
      collect();
      expect_exact_heap_accounting("collected after the Ps went away");
      gort::gomaxprocs(4);
      allocate_on_every_p(round);
      gort::gomaxprocs(1);
      collect();
      gort::gomaxprocs(4);
      allocate_on_every_p(round);
      (void)gort::read_mem_stats();
      gort::gomaxprocs(2);
      expect_exact_heap_accounting("grown back to 4, MemStats read, shrunk to 2");
      collect();
      expect_exact_heap_accounting("collected again");
      for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(intact_nodes(kept[i].get(), uint64_t(round) << 32 | uint64_t(i) << 24, 3000), 3000);
      }
    }
    gc::set_trace_hooks(prev_hooks);
  });
  EXPECT_LT(max_live_reported.load(), uint64_t{1} << 40) << "the live heap wrapped below zero";
}

// Issue case (GOMAXPROCS changed during marks): eight goroutines build and
// verify lists and append them to managed slices, one changes GOMAXPROCS
// between 1 and 6 over and over, four call gc::collect() at once, GOGC=5 so
// marks run almost all the time, gccheckmark verifies every mark.  Ps are
// retired mid-mark with write-barrier buffers and caches pending; before they
// were destroyed, a worker followed a freed node's next pointer into a nil
// dereference.
TEST(GcProcresize, GomaxprocsChangingDuringMarksWithConcurrentCollects) {
  run_test(
      [] {
        gc::set_gc_percent(5);
        gort::gomaxprocs(4);
        std::atomic<bool> done{false};
        std::atomic<long> damaged{0};
        std::atomic<long> changes{0};
        constexpr int kCollectsEach = 8;
        const uint32_t gc_before = gort::read_mem_stats().NumGC;
        gort::test::Goroutines background;
        background.go([&] {
          std::mt19937_64 rng(1);
          for (int i = 0; i < 50 || !done.load(); ++i) {
            gort::gomaxprocs(1 + int(rng() % 6));
            changes.fetch_add(1);
            if (rng() % 2 == 0) gort::gosched();
          }
        });
        for (int c = 0; c < 4; ++c) {
          background.go([&] {
            for (int i = 0; i < kCollectsEach || !done.load(); ++i) on_own_stack([] { gc::collect(); });
          });
        }
        {
          gort::test::Goroutines workers;
          for (int w = 0; w < 8; ++w) {
            workers.go([&, w] {
              std::mt19937_64 rng(100 + w);
              gc::Slice<gc::Ptr<Node>> heads;
              std::vector<std::pair<uint64_t, int>> shapes;  // base and length of heads[i]
              for (int round = 0; round < scaled(60); ++round) {
                if (round % 8 == 0) {  // drop everything now and then: garbage for the next marks
                  heads = gc::Slice<gc::Ptr<Node>>();
                  shapes.clear();
                }
                const uint64_t base = uint64_t(w) << 40 | uint64_t(round) << 20;
                const int len = 100 + int(rng() % 900);
                heads = gc::append(heads, gc::Ptr<Node>(build_list(base, len, 64)));
                shapes.emplace_back(base, len);
                for (std::size_t i = 0; i < heads.len(); ++i) {
                  damaged.fetch_add(shapes[i].second - intact_nodes(heads[i].get(), shapes[i].first, shapes[i].second));
                }
              }
            });
          }
        }
        done.store(true);
        background.join();
        const uint32_t cycles = gort::read_mem_stats().NumGC - gc_before;
        ::testing::Test::RecordProperty("cycles", int(cycles));
        ::testing::Test::RecordProperty("gomaxprocs_changes", int(changes.load()));
        EXPECT_EQ(damaged.load(), 0) << "nodes freed while reachable";
        EXPECT_GE(cycles, uint32_t(kCollectsEach)) << "each collect waits for a cycle that began after it";
        gc::set_gc_percent(-1);
        gort::gomaxprocs(2);
        on_own_stack([] { gc::collect(); });
        expect_exact_heap_accounting("after the run");
      },
      "gccheckmark=1");
}

// Issue 16's stress: GOMAXPROCS changes to a random 1..8 every few
// milliseconds while goroutines allocate lists and keep them in gc::Roots, in
// C++ containers of Roots and in locals across yields and sleeps, and
// collections run back to back under gccheckmark.  Every epoch runs a fixed
// amount of each kind of work, then joins, and checks every list kept and the
// heap accounting against a full count.
TEST(GcProcresize, RandomGomaxprocsChangesWhileAllocatingAndCollecting) {
  run_test(
      [] {
        gc::set_gc_percent(20);
        constexpr int kMutators = 6;
        constexpr int kSlots = 64;
        const int epochs = scaled(10);
        const int ops = scaled(1500);
        const uint32_t gc_before = gort::read_mem_stats().NumGC;
        long damaged = 0;
        std::vector<gc::Root<Node>> table(kSlots);
        std::vector<std::pair<uint64_t, int>> table_shapes(kSlots, {0, 0});
        gort::Mutex table_lock;
        for (int epoch = 0; epoch < epochs; ++epoch) {
          std::atomic<long> epoch_damaged{0};
          {
            gort::test::Goroutines g;
            g.go([epoch] {  // GOMAXPROCS every few ms
              std::mt19937_64 rng(epoch);
              for (int i = 0; i < 20; ++i) {
                gort::gomaxprocs(1 + int(rng() % 8));
                gort::sleep(std::chrono::microseconds(500 + rng() % 2500));
              }
            });
            g.go([] {  // collections back to back
              for (int i = 0; i < 15; ++i) on_own_stack([] { gc::collect(); });
            });
            for (int m = 0; m < kMutators; ++m) {
              g.go([&, m, epoch, ops] {
                std::mt19937_64 rng(uint64_t(epoch) * 1000 + m);
                std::vector<gc::Root<Node>> mine;  // Roots in a C++ container
                std::vector<std::pair<uint64_t, int>> mine_shapes;
                uint64_t next = uint64_t(epoch) << 48 | uint64_t(m) << 40;
                auto fresh = [&](int len) {
                  const uint64_t base = next;
                  next += 1u << 16;
                  return std::make_pair(build_list(base, len, 32), std::make_pair(base, len));
                };
                for (int op = 0; op < ops; ++op) {
                  switch (rng() % 5) {
                    case 0: {  // a shared slot gets a new list
                      auto [list, shape] = fresh(1 + int(rng() % 200));
                      std::lock_guard<gort::Mutex> guard(table_lock);
                      const std::size_t slot = rng() % kSlots;
                      table[slot] = list;
                      table_shapes[slot] = shape;
                      break;
                    }
                    case 1: {  // a shared slot is checked
                      std::lock_guard<gort::Mutex> guard(table_lock);
                      const std::size_t slot = rng() % kSlots;
                      const auto [base, len] = table_shapes[slot];
                      epoch_damaged.fetch_add(len - intact_nodes(table[slot].get(), base, len));
                      break;
                    }
                    case 2: {  // kept in this goroutine's container of Roots
                      auto [list, shape] = fresh(1 + int(rng() % 100));
                      if (mine.size() >= 16) {
                        mine.erase(mine.begin());
                        mine_shapes.erase(mine_shapes.begin());
                      }
                      mine.emplace_back(list);
                      mine_shapes.push_back(shape);
                      break;
                    }
                    case 3: {  // held in a local across a yield or a sleep
                      auto [list, shape] = fresh(1 + int(rng() % 300));
                      if (rng() % 4 == 0) {
                        gort::sleep(std::chrono::microseconds(rng() % 200));
                      } else {
                        gort::gosched();
                      }
                      epoch_damaged.fetch_add(shape.second - intact_nodes(list.get(), shape.first, shape.second));
                      break;
                    }
                    default:  // garbage
                      churn(int(rng() % 400));
                  }
                }
                for (std::size_t i = 0; i < mine.size(); ++i) {
                  epoch_damaged.fetch_add(mine_shapes[i].second -
                                          intact_nodes(mine[i].get(), mine_shapes[i].first, mine_shapes[i].second));
                }
              });
            }
          }
          damaged += epoch_damaged.load();
          for (int slot = 0; slot < kSlots; ++slot) {
            const auto [base, len] = table_shapes[slot];
            damaged += len - intact_nodes(table[slot].get(), base, len);
          }
          const int prev = gc::set_gc_percent(-1);
          on_own_stack([] { gc::collect(); });
          expect_exact_heap_accounting("end of an epoch");
          gc::set_gc_percent(prev);
        }
        const uint32_t cycles = gort::read_mem_stats().NumGC - gc_before;
        ::testing::Test::RecordProperty("cycles", int(cycles));
        EXPECT_EQ(damaged, 0) << "nodes freed while reachable";
        EXPECT_GE(cycles, uint32_t(epochs) * 16) << "every collect ran a cycle";
      },
      "gccheckmark=1");
}

// Issue case: sixteen goroutines calling gc::collect() at once ran sixteen
// cycles.  runtime.GC reads the cycle count n, waits for cycle n to end, starts
// cycle n+1 unless another caller already has, and waits for n+1: callers
// arriving while a cycle runs share the next one.  Here cycle N+1 is held
// between its start and its first pause (a thread outside the runtime keeps a
// NoCollectionScope open) while sixteen goroutines call collect: they must run
// exactly one more cycle, N+2, and each return only once it ended.
TEST(GcCollect, CallersArrivingDuringACycleShareTheNextOne) {
  static std::atomic<uint32_t> started{0};
  static const gc::TraceHooks hooks = [] {
    gc::TraceHooks h;
    h.gc_start = [](uint32_t n) { started.store(n); };
    return h;
  }();
  started.store(0);
  run_test([] {
    const gc::TraceHooks* prev_hooks = gc::set_trace_hooks(&hooks);
    gc::set_gc_percent(-1);  // no cycle but the ones collect starts
    gort::gomaxprocs(4);
    const uint32_t before = gort::read_mem_stats().NumGC;
    std::atomic<bool> scope_held{false}, release_scope{false};
    std::thread outsider([&] {
      gc::NoCollectionScope scope;
      scope_held.store(true);
      while (!release_scope.load()) std::this_thread::yield();
    });
    EXPECT_TRUE(gort::test::eventually([&] { return scope_held.load(); }));
    constexpr int kCallers = 16;
    std::atomic<int> arrived{0};
    std::atomic<uint32_t> min_numgc_at_return{UINT32_MAX};
    {
      gort::test::Goroutines g;
      g.go([] { gc::collect(); });  // starts cycle N+1, which waits for the scope
      EXPECT_TRUE(gort::test::eventually([&] { return started.load() == before + 1; }));
      for (int i = 0; i < kCallers; ++i) {
        g.go([&] {
          arrived.fetch_add(1);  // no safe point from here to collect's read of the cycle count
          gc::collect();
          const uint32_t numgc = gort::read_mem_stats().NumGC;
          uint32_t seen = min_numgc_at_return.load();
          while (numgc < seen && !min_numgc_at_return.compare_exchange_weak(seen, numgc)) {
          }
        });
      }
      // Cycle N+1 cannot stop the world before every caller that arrived has
      // reached a safe point, which is past its read of the cycle count.
      EXPECT_TRUE(gort::test::eventually([&] { return arrived.load() == kCallers; }));
      release_scope.store(true);
    }
    outsider.join();
    EXPECT_EQ(gort::read_mem_stats().NumGC - before, 2u) << "cycle N+1, then one cycle for all sixteen callers";
    EXPECT_GE(min_numgc_at_return.load(), before + 2) << "a caller returned before a cycle that began after it";
    gc::set_trace_hooks(prev_hooks);
  });
}

}  // namespace
