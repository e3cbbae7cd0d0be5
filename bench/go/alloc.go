// Allocation and garbage-collection workloads: many small objects with and
// without pointers, 1 KiB and 64 KiB byte slices, the benchmarks-game
// binary-trees, and a run that keeps 1,000,000 1 KiB buffers reachable (the
// gctrace worked example of issue 5). Keys and units must match
// bench/compare.py and the C++ suites (peer_boehm_gc; the sizes are in
// bench_env::sizes of bench/common/bench_env.hpp). All run under
// GOMAXPROCS=NumCPU; the time includes the collections the run causes.
//
// Besides ns_per_op, each line reports for its last timed rep the GC cycles
// (MemStats.NumGC delta), the total pause (PauseTotalNs delta) and the growth
// of the heap obtained from the OS (HeapSys delta); compare.py ignores them.
package main

import (
	"fmt"
	"runtime"
)

// gcStats is what the runtime reports about the collections of one rep.
type gcStats struct {
	Cycles      uint32 `json:"gc_cycles"`
	PauseNs     uint64 `json:"gc_pause_ns"`
	HeapSysGrow int64  `json:"heap_sys_delta_bytes"`
}

// lastGC holds, per workload key, the gcStats of its most recent rep; read by
// main when it prints the line.
var lastGC = map[string]*gcStats{}

// Sizes; the same numbers as bench_env::sizes in bench/common/bench_env.hpp.
const (
	smallObjects  = 10_000_000 // alloc_24, alloc_64_noscan
	kibObjects    = 1_000_000  // alloc_1k, gctrace_retained_1k
	bigObjects    = 50_000     // alloc_64k
	bigBytes      = 64 << 10
	treeMaxDepth  = 16 // binary_trees
	treeMinDepth  = 4
	liveRingSlots = 64 // live references per small-object run: most objects die young
)

func allocWorkloads() []workload {
	ws := []workload{
		{"alloc_24", func() (float64, error) { return timeOps(runtime.NumCPU(), smallObjects, alloc24), nil }},
		{"alloc_64_noscan", func() (float64, error) { return timeOps(runtime.NumCPU(), smallObjects, alloc64Noscan), nil }},
		{"alloc_1k", func() (float64, error) {
			return timeOps(runtime.NumCPU(), kibObjects, func() { allocBytes(kibObjects, 1<<10) }), nil
		}},
		{"alloc_64k", func() (float64, error) {
			return timeOps(runtime.NumCPU(), bigObjects, func() { allocBytes(bigObjects, bigBytes) }), nil
		}},
		{"binary_trees", func() (float64, error) { return timeCheckedOps(runtime.NumCPU(), 1, binaryTrees) }},
		{"gctrace_retained_1k", func() (float64, error) {
			return timeOps(runtime.NumCPU(), 1, func() { retained(kibObjects, 1<<10) }), nil
		}},
	}
	for i := range ws {
		ws[i].run = withGCStats(ws[i].key, ws[i].run)
	}
	return ws
}

// withGCStats wraps run so that each call records its gcStats in lastGC[key].
func withGCStats(key string, run func() (float64, error)) func() (float64, error) {
	return func() (float64, error) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		v, err := run()
		runtime.ReadMemStats(&after)
		lastGC[key] = &gcStats{
			Cycles:      after.NumGC - before.NumGC,
			PauseNs:     after.PauseTotalNs - before.PauseTotalNs,
			HeapSysGrow: int64(after.HeapSys) - int64(before.HeapSys),
		}
		return v, err
	}
}

// node is a 24-byte heap object holding a pointer (alloc_24).
type node struct {
	next *node
	a, b int64
}

// anchor is the object every alloc_24 node points to: a real pointer to scan
// that does not chain the nodes together (a chain would keep them all alive).
var anchor node

// alloc_24 — cost of allocating one 24-byte object with a pointer field.
// 10,000,000 *node are allocated; each is stored in a ring of liveRingSlots
// live references (and points to anchor), so they
// escape to the heap and most die young.
// ns_per_op = wall time / 10,000,000, GC included.
func alloc24() {
	var ring [liveRingSlots]*node
	for i := 0; i < smallObjects; i++ {
		ring[i%liveRingSlots] = &node{next: &anchor, a: int64(i)}
	}
	runtime.KeepAlive(&ring)
}

// alloc_64_noscan — alloc_24 with 64-byte pointer-free objects (*[8]int64).
// ns_per_op = wall time / 10,000,000, GC included.
func alloc64Noscan() {
	var ring [liveRingSlots]*[8]int64
	for i := 0; i < smallObjects; i++ {
		p := new([8]int64)
		p[0] = int64(i)
		ring[i%liveRingSlots] = p
	}
	runtime.KeepAlive(&ring)
}

// alloc_1k, alloc_64k — cost of allocating one []byte of size bytes:
// 1,000,000 × 1 KiB or 50,000 × 64 KiB, each kept in a liveRingSlots ring.
// ns_per_op = wall time / count, GC included. count, size > 0.
func allocBytes(count, size int) {
	var ring [liveRingSlots][]byte
	for i := 0; i < count; i++ {
		b := make([]byte, size)
		b[0] = byte(i)
		ring[i%liveRingSlots] = b
	}
	runtime.KeepAlive(&ring)
}

// gctrace_retained_1k — 1,000,000 1 KiB []byte kept reachable in one slice
// until the run ends, so every collection during the run marks them all.
// ns_per_op = wall time of one run. count, size > 0.
func retained(count, size int) {
	keep := make([][]byte, count)
	for i := range keep {
		keep[i] = make([]byte, size)
	}
	runtime.KeepAlive(keep) // reachable to the end, garbage after
}

// treeNode is a binary-trees node: both children nil (a leaf) or both set.
type treeNode struct{ left, right *treeNode }

// buildTree returns a complete binary tree of the given depth (>= 0).
func buildTree(depth int) *treeNode {
	if depth == 0 {
		return &treeNode{}
	}
	return &treeNode{left: buildTree(depth - 1), right: buildTree(depth - 1)}
}

// count returns the number of nodes of the tree rooted at t (non-nil).
func (t *treeNode) count() int {
	if t.left == nil {
		return 1
	}
	return 1 + t.left.count() + t.right.count()
}

// treeNodes returns the node count of a complete tree of the given depth.
func treeNodes(depth int) int { return 1<<(depth+1) - 1 }

// binary_trees — the benchmarks-game binary-trees at max depth 16 on one
// goroutine: a stretch tree of depth 17 is built and counted, a long-lived
// tree of depth 16 is built, then for depth 4, 6, ..., 16,
// 2^(16 - depth + 4) trees of that depth are built and counted, then the
// long-lived tree is counted. The sum of all counts is checked.
// ns_per_op = wall time of one run.
func binaryTrees() error {
	got, want := 0, 0
	got += buildTree(treeMaxDepth + 1).count()
	want += treeNodes(treeMaxDepth + 1)
	long := buildTree(treeMaxDepth)
	for d := treeMinDepth; d <= treeMaxDepth; d += 2 {
		iters := 1 << (treeMaxDepth - d + treeMinDepth)
		for i := 0; i < iters; i++ {
			got += buildTree(d).count()
		}
		want += iters * treeNodes(d)
	}
	got += long.count()
	want += treeNodes(treeMaxDepth)
	if got != want {
		return fmt.Errorf("binary_trees: node counts sum to %d, want %d", got, want)
	}
	return nil
}
