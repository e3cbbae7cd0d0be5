// Collector latency, mark speed and memory-limit workloads: gc_pause_live64m,
// gc_mark_throughput and gc_memlimit_100mbs. Keys, sizes and units must match
// bench/alloc_bench.cpp, bench/peers/boehm_gc_bench.cpp (pause and mark only)
// and bench/compare.py; the sizes are bench_env::sizes in
// bench/common/bench_env.hpp, where each number is justified.
//
// Besides ns_per_op each line's "gc" object holds, for the last timed run,
// the counters the C++ sides report under the same names:
//
//   - gc_pause_live64m: gc_cycles, gc_pause_ns (MemStats deltas), gc_pauses
//     and pause_p50_ns, pause_p99_ns, pause_max_ns — the stop-the-world pauses
//     of the run from the runtime/metrics histogram "/gc/pauses:seconds"
//     (after − before), each percentile the upper bound of the bucket holding
//     it (summarizePauses; the same method on every side) — and
//     gc_cpu_fraction (gcCPUFractionBetween);
//   - gc_mark_throughput: marked_bytes (HeapAlloc right after runtime.GC)
//     and mark_bytes_per_s;
//   - gc_memlimit_100mbs: gc_cycles, gc_pause_ns, gc_cpu_fraction and
//     peak_heap_bytes (highest HeapInuse read after an allocation step).
package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Sizes; the same numbers as bench_env::sizes in bench/common/bench_env.hpp.
const (
	liveTreeDepth     = 21 // gc_pause_live64m: 2^22-1 nodes of 16 B = 64 MiB
	pauseProcs        = 2
	pauseWorkers      = 2  // one per P
	pausePasses       = 2  // depth-loop passes per worker
	markTreeDepth     = 22 // gc_mark_throughput: 2^23-1 nodes of 24 B = 192 MiB
	markProcs         = 1
	markCollections   = 4
	memLimitBytes     = 512 << 20 // gc_memlimit_100mbs
	limitBytesPerStep = 1_000_000 // 100 MB/s at 10 ms steps
	limitStep         = 10 * time.Millisecond
	limitSteps        = 800 // 8 s: 800 MB, past the 512 MiB limit
	limitMinBuf       = 1024
	limitMaxBuf       = 8192
	limitRingSlots    = (64 << 20) / 4608 // ≈ 64 MiB live at the mean size 4.5 KiB
)

// gcExtras is the "gc" object of the workloads in this file; zero-valued
// fields a workload does not measure are left out.
type gcExtras struct {
	Cycles        *uint32  `json:"gc_cycles,omitempty"`
	PauseNs       *uint64  `json:"gc_pause_ns,omitempty"`
	Pauses        *float64 `json:"gc_pauses,omitempty"`
	P50           *float64 `json:"pause_p50_ns,omitempty"`
	P99           *float64 `json:"pause_p99_ns,omitempty"`
	Max           *float64 `json:"pause_max_ns,omitempty"`
	CPUFraction   *float64 `json:"gc_cpu_fraction,omitempty"`
	MarkedBytes   *float64 `json:"marked_bytes,omitempty"`
	MarkBytesPerS *float64 `json:"mark_bytes_per_s,omitempty"`
	PeakHeapBytes *float64 `json:"peak_heap_bytes,omitempty"`
}

// lastExtras holds, per key, the gcExtras of the workload's last run.
var lastExtras = map[string]*gcExtras{}

// processStart approximates when the runtime started (package init runs a
// few ms after it); GCCPUFraction is measured from then.
var processStart = time.Now()

// initProcs is GOMAXPROCS at start-up; gcCPUFractionBetween needs it equal
// to the workload's (compare.py sets GOMAXPROCS in the environment).
var initProcs = runtime.GOMAXPROCS(0)

func gcPauseWorkloads() []workload {
	return []workload{
		{"gc_pause_live64m", func() (float64, error) { return timeCheckedOps(pauseProcs, 1, pauseLive64m) }},
		{"gc_mark_throughput", func() (float64, error) { return markThroughput(), nil }},
		{"gc_memlimit_100mbs", func() (float64, error) { return timeOps(runtime.NumCPU(), 1, memLimit100), nil }},
	}
}

// readPauses returns the "/gc/pauses:seconds" histogram (one count per
// stop-the-world pause).
func readPauses() *metrics.Float64Histogram {
	s := []metrics.Sample{{Name: "/gc/pauses:seconds"}}
	metrics.Read(s)
	return s[0].Value.Float64Histogram()
}

// summarizePauses returns the count and the 0.5, 0.99 and 1 quantiles (ns)
// of the pauses counted in after but not in before (same buckets). A
// quantile q is the upper bound of the bucket holding the ceil(q*N)-th
// smallest pause (its lower bound if the upper one is +Inf), as
// bench_env::summarize_pauses computes it on the C++ sides.
func summarizePauses(before, after *metrics.Float64Histogram) (n, p50, p99, max float64) {
	counts := make([]uint64, len(after.Counts))
	var total uint64
	for i := range counts {
		counts[i] = after.Counts[i] - before.Counts[i]
		total += counts[i]
	}
	if total == 0 {
		return 0, 0, 0, 0
	}
	quantile := func(q float64) float64 {
		rank := uint64(math.Ceil(q * float64(total)))
		if rank == 0 {
			rank = 1
		}
		var seen uint64
		for i, c := range counts {
			seen += c
			if seen >= rank {
				hi := after.Buckets[i+1]
				if math.IsInf(hi, 1) {
					hi = after.Buckets[i]
				}
				return hi * 1e9
			}
		}
		return after.Buckets[len(counts)] * 1e9
	}
	return float64(total), quantile(0.5), quantile(0.99), quantile(1)
}

// gcCPUFractionBetween returns the GC CPU time of the cycles that ended
// between two ReadMemStats over the CPU time available in between:
// GCCPUFraction is GC CPU / (GOMAXPROCS × time since start) at the last
// cycle's end (LastGC), so with GOMAXPROCS constant since start the fraction
// over [t0, t1] is (f1·t1 − f0·t0) / (t1 − t0); 0 if no cycle ended.
func gcCPUFractionBetween(m0, m1 *runtime.MemStats) float64 {
	t0 := float64(int64(m0.LastGC) - processStart.UnixNano())
	t1 := float64(int64(m1.LastGC) - processStart.UnixNano())
	if t1 <= t0 {
		return 0
	}
	return (m1.GCCPUFraction*t1 - m0.GCCPUFraction*t0) / (t1 - t0)
}

// cycleStats fills the cycle, pause and GC CPU fields of x from two
// ReadMemStats around a run.
func cycleStats(x *gcExtras, m0, m1 *runtime.MemStats) {
	cycles := m1.NumGC - m0.NumGC
	pause := m1.PauseTotalNs - m0.PauseTotalNs
	frac := gcCPUFractionBetween(m0, m1)
	x.Cycles, x.PauseNs, x.CPUFraction = &cycles, &pause, &frac
}

// gc_pause_live64m — under GOMAXPROCS=2, a complete treeNode tree of depth
// 21 (64 MiB) is built and stays reachable while 2 goroutines each run the
// binary-trees depth loop (depth 4, 6, ..., 16; 2^(16-depth+4) trees of each)
// twice; then the long-lived tree is counted. All node counts are checked.
// ns_per_op = wall time of one run. Extra: the pause distribution (above).
func pauseLive64m() error {
	if initProcs != pauseProcs {
		fmt.Fprintf(os.Stderr, "gc_pause_live64m: GOMAXPROCS was %d at start-up, not %d: gc_cpu_fraction is approximate\n",
			initProcs, pauseProcs)
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	h0 := readPauses()

	live := buildTree(liveTreeDepth)
	got := make([]int, pauseWorkers)
	done := make(chan struct{})
	for w := 0; w < pauseWorkers; w++ {
		go func(w int) {
			sum := 0
			for pass := 0; pass < pausePasses; pass++ {
				for d := treeMinDepth; d <= treeMaxDepth; d += 2 {
					iters := 1 << (treeMaxDepth - d + treeMinDepth)
					for i := 0; i < iters; i++ {
						sum += buildTree(d).count()
					}
				}
			}
			got[w] = sum
			done <- struct{}{}
		}(w)
	}
	for w := 0; w < pauseWorkers; w++ {
		<-done
	}
	total, want := live.count(), treeNodes(liveTreeDepth)
	for w := 0; w < pauseWorkers; w++ {
		total += got[w]
	}
	for d := treeMinDepth; d <= treeMaxDepth; d += 2 {
		want += pauseWorkers * pausePasses * (1 << (treeMaxDepth - d + treeMinDepth)) * treeNodes(d)
	}

	runtime.ReadMemStats(&m1)
	h1 := readPauses()
	x := &gcExtras{}
	cycleStats(x, &m0, &m1)
	n, p50, p99, max := summarizePauses(h0, h1)
	x.Pauses, x.P50, x.P99, x.Max = &n, &p50, &p99, &max
	lastExtras["gc_pause_live64m"] = x
	if total != want {
		return fmt.Errorf("gc_pause_live64m: node counts sum to %d, want %d", total, want)
	}
	return nil
}

// markNode is a 24-byte node: two pointers and a word.
type markNode struct {
	left, right *markNode
	v           int
}

// buildMarkTree returns a complete markNode tree of the given depth (>= 0).
func buildMarkTree(depth int) *markNode {
	if depth == 0 {
		return &markNode{v: depth}
	}
	return &markNode{left: buildMarkTree(depth - 1), right: buildMarkTree(depth - 1), v: depth}
}

// gc_mark_throughput — under GOMAXPROCS=1, a complete markNode tree of depth
// 22 (2^23-1 nodes, 192 MiB) is built, runtime.GC() runs once untimed, then
// 4 times timed; the tree stays reachable throughout. ns_per_op = mean wall
// time of one runtime.GC() (mark, mark termination and the full sweep it
// waits for). Extra: marked_bytes (HeapAlloc right after each timed
// collection, averaged) and mark_bytes_per_s = marked_bytes / ns_per_op.
func markThroughput() float64 {
	var perGC float64
	withProcs(markProcs, func() {
		tree := buildMarkTree(markTreeDepth)
		runtime.GC() // untimed warm-up collection
		var total time.Duration
		var marked float64
		var m runtime.MemStats
		for i := 0; i < markCollections; i++ {
			start := time.Now()
			runtime.GC()
			total += time.Since(start)
			runtime.ReadMemStats(&m)
			marked += float64(m.HeapAlloc)
		}
		runtime.KeepAlive(tree)
		perGC = float64(total.Nanoseconds()) / markCollections
		marked /= markCollections
		rate := marked / (perGC * 1e-9)
		lastExtras["gc_mark_throughput"] = &gcExtras{MarkedBytes: &marked, MarkBytesPerS: &rate}
	})
	return perGC
}

// nextBufSize returns the next buffer size in [limitMinBuf, limitMaxBuf]
// from the LCG state x (the same LCG and mapping as alloc_bench.cpp).
func nextBufSize(x *uint64) int {
	*x = *x*6364136223846793005 + 1442695040888963407
	return limitMinBuf + int((*x>>33)%(limitMaxBuf-limitMinBuf+1))
}

// gc_memlimit_100mbs — with debug.SetMemoryLimit(512 MiB) and
// debug.SetGCPercent(-1) (GOMEMLIMIT=512MiB GOGC=off; both restored after),
// 300 steps of 10 ms each allocate 1 MB of []byte of 1..8 KiB into a ring of
// limitRingSlots (≈ 64 MiB live) and then sleep to the step's absolute
// deadline: 100 MB/s for 8 s. HeapInuse is read (ReadMemStats) after every
// step. ns_per_op = wall time of one run (≈ 8 s). Extra: peak_heap_bytes,
// gc_cycles, gc_pause_ns, gc_cpu_fraction.
func memLimit100() {
	prevPercent := debug.SetGCPercent(-1)
	prevLimit := debug.SetMemoryLimit(memLimitBytes)
	defer debug.SetGCPercent(prevPercent)
	defer debug.SetMemoryLimit(prevLimit)
	var m0, m1, m runtime.MemStats
	runtime.ReadMemStats(&m0)

	ring := make([][]byte, limitRingSlots)
	lcg := uint64(1)
	slot := 0
	var peak uint64
	start := time.Now()
	for step := 0; step < limitSteps; step++ {
		for bytes := 0; bytes < limitBytesPerStep; {
			n := nextBufSize(&lcg)
			b := make([]byte, n)
			b[0] = byte(step)
			ring[slot] = b
			slot++
			if slot == limitRingSlots {
				slot = 0
			}
			bytes += n
		}
		runtime.ReadMemStats(&m)
		if m.HeapInuse > peak {
			peak = m.HeapInuse
		}
		if d := time.Until(start.Add(time.Duration(step+1) * limitStep)); d > 0 {
			time.Sleep(d)
		}
	}
	runtime.KeepAlive(ring)

	runtime.ReadMemStats(&m1)
	x := &gcExtras{}
	cycleStats(x, &m0, &m1)
	p := float64(peak)
	x.PeakHeapBytes = &p
	lastExtras["gc_memlimit_100mbs"] = x
}
