// Scheduler workloads: goroutine creation/exit, yielding, park/ready hand-off
// and CPU fan-out. Keys and units must match bench/compare.py and the C++
// suites (gort_bench, peer_boost_fiber) exactly.
package main

import (
	"runtime"
	"sync"
	"sync/atomic"
)

func schedWorkloads(procs []int) []workload {
	ws := []workload{{key: "spawn_exit", run: unchecked(spawnExit)}}
	ws = append(ws, workload{key: "spawn_capture_string", run: spawnCaptureString})
	ws = append(ws, perProcs("gosched_pingpong", procs, uncheckedAt(goschedPingpong))...)
	ws = append(ws, perProcs("park_ready", procs, uncheckedAt(parkReady))...)
	ws = append(ws, perProcs("fanout_cpu", procs, uncheckedAt(fanoutCPU))...)
	return ws
}

// spawn_exit — cost of creating, scheduling and retiring a goroutine.
// GOMAXPROCS=NumCPU. One goroutine spawns 1,000,000 goroutines, each of which
// only calls wg.Done(); then wg.Wait().
// ns_per_op = wall time / 1,000,000 (per goroutine).
// Key and unit must match bench/compare.py and the C++ suites.
const spawnN = 1_000_000

func spawnExit() float64 {
	return timeOps(runtime.NumCPU(), spawnN, func() { spawnAndWait(spawnN) })
}

// spawn_capture_string — spawn_exit with a 64-byte string per goroutine:
// the spawner converts a []byte of 'a' + i % 26 into a string (one
// allocation) and passes it to the goroutine, which adds len + first byte to
// an atomic total before wg.Done(); the total is checked. GOMAXPROCS=NumCPU.
// ns_per_op = wall time / 1,000,000 (per goroutine).
// Key and unit must match bench/compare.py and the C++ suites.
func spawnCaptureString() (float64, error) {
	return timeCheckedOps(runtime.NumCPU(), spawnN, func() error {
		var wg sync.WaitGroup
		var total int64
		buf := make([]byte, stringMessageBytes)
		wg.Add(spawnN)
		for i := 0; i < spawnN; i++ {
			b := byte('a' + i%26)
			for k := range buf {
				buf[k] = b
			}
			go func(s string) {
				atomic.AddInt64(&total, int64(len(s))+int64(s[0]))
				wg.Done()
			}(string(buf))
		}
		wg.Wait()
		want := int64(spawnN) * stringMessageBytes
		for i := 0; i < spawnN; i++ {
			want += int64('a' + i%26)
		}
		return checkTotal("spawn_capture_string", int(total), int(want))
	})
}

// spawnAndWait does wg.Add(n), starts n goroutines that each only call
// wg.Done(), and waits for them (spawn_exit and waitgroup_fanin); n >= 0.
func spawnAndWait(n int) {
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() { wg.Done() }()
	}
	wg.Wait()
}

// gosched_pingpong/procs:P — cost of one voluntary yield (runtime.Gosched).
// Two goroutines each call runtime.Gosched() 1,000,000 times, started
// together and joined with a WaitGroup, under GOMAXPROCS=P.
// ns_per_op = wall time / 2,000,000 (total Gosched calls).
// Key and unit must match bench/compare.py and the C++ suites.
const goschedN = 1_000_000

func goschedPingpong(procs int) float64 {
	return timeOps(procs, 2*goschedN, func() {
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Add(2)
		for g := 0; g < 2; g++ {
			go func() {
				defer wg.Done()
				<-start
				for i := 0; i < goschedN; i++ {
					runtime.Gosched()
				}
			}()
		}
		close(start) // release both together
		wg.Wait()
	})
}

// park_ready/procs:P — cost of one park + ready hand-off between goroutines.
// Two goroutines pass a token back and forth: A sends to B on c1, B sends
// back on c2 (both unbuffered chan struct{}), 500,000 round trips, under
// GOMAXPROCS=P.
// The C++ runtime uses its raw park/ready primitive here; Go exposes no
// public one, so an unbuffered channel (gopark/goready underneath, plus the
// channel lock and sudog bookkeeping) is the nearest equivalent.
// ns_per_op = wall time / 1,000,000 (hand-offs = 2 per round trip).
// Key and unit must match bench/compare.py and the C++ suites.
const parkRoundTrips = 500_000

func parkReady(procs int) float64 {
	return timeOps(procs, 2*parkRoundTrips, func() { pingPong(parkRoundTrips, struct{}{}) })
}

// fanout_cpu/procs:P — how well P processors share CPU-bound goroutines.
// 64 goroutines each run a fixed LCG loop of 2,000,000 steps and store the
// result in their own slot of a shared slice (so the loop is not optimised
// away), joined with a WaitGroup, under GOMAXPROCS=P.
// ns_per_op = wall time of the whole fan-out (spawn to join), in ns.
// Key and unit must match bench/compare.py and the C++ suites.
const (
	fanoutG     = 64
	fanoutSteps = 2_000_000
)

var fanoutSink []uint64

func fanoutCPU(procs int) float64 {
	res := make([]uint64, fanoutG)
	v := timeOps(procs, 1, func() {
		var wg sync.WaitGroup
		wg.Add(fanoutG)
		for i := 0; i < fanoutG; i++ {
			go func(i int) {
				defer wg.Done()
				x := uint64(i)
				for k := 0; k < fanoutSteps; k++ {
					x = x*6364136223846793005 + 1442695040888963407
				}
				res[i] = x
			}(i)
		}
		wg.Wait()
	})
	fanoutSink = res
	return v
}
