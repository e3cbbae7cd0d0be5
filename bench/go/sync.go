// sync workloads: Mutex without and with contention, and a WaitGroup joining
// many short goroutines. Keys and units must match bench/compare.py and the
// C++ suites (gort_bench, peer_boost_fiber) exactly.
package main

import (
	"fmt"
	"runtime"
	"sync"
)

func syncWorkloads(procs []int) []workload {
	ws := []workload{{key: "mutex_uncontended", run: unchecked(mutexUncontended)}}
	ws = append(ws, perProcs("mutex_contended", procs, mutexContended)...)
	return append(ws, workload{key: "waitgroup_fanin", run: unchecked(waitgroupFanin)})
}

// mutex_uncontended — cost of the Mutex fast path (no waiter, never parks).
// GOMAXPROCS=NumCPU. One goroutine does 10,000,000 Lock/Unlock pairs on one
// sync.Mutex.
// ns_per_op = wall time / 10,000,000 (per Lock/Unlock pair).
// Key and unit must match bench/compare.py and the C++ suites.
const uncontendedPairs = 10_000_000

func mutexUncontended() float64 {
	return timeOps(runtime.NumCPU(), uncontendedPairs, func() {
		var mu sync.Mutex
		for i := 0; i < uncontendedPairs; i++ {
			mu.Lock()
			mu.Unlock() // empty critical section: only the lock itself is measured
		}
	})
}

// mutex_contended/procs:P — cost of a Mutex that several goroutines fight
// over. 4 goroutines each do 250,000 times {Lock; counter++; Unlock} on one
// sync.Mutex and one shared counter; joined with a WaitGroup; the counter must
// then be 1,000,000 (anything else is reported as an error). Under
// GOMAXPROCS=P.
// ns_per_op = wall time / 1,000,000 (per Lock/Unlock pair).
// Key and unit must match bench/compare.py and the C++ suites.
const (
	contendedGoroutines = 4
	contendedPairs      = 250_000
)

func mutexContended(procs int) (float64, error) {
	return timeCheckedOps(procs, contendedGoroutines*contendedPairs, func() error {
		var mu sync.Mutex
		var wg sync.WaitGroup
		counter := 0
		wg.Add(contendedGoroutines)
		for g := 0; g < contendedGoroutines; g++ {
			go func() {
				defer wg.Done()
				for i := 0; i < contendedPairs; i++ {
					mu.Lock()
					counter++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if want := contendedGoroutines * contendedPairs; counter != want {
			return fmt.Errorf("mutex_contended: counter is %d, want %d", counter, want)
		}
		return nil
	})
}

// waitgroup_fanin — cost of joining many short goroutines on one WaitGroup.
// GOMAXPROCS=NumCPU. wg.Add(10,000), then 10,000 goroutines that each only
// call wg.Done(), then wg.Wait() (spawn_exit's body with 10,000 goroutines).
// One run takes a few ms, so a timed rep repeats it (see minRepTime).
// ns_per_op = wall time / 10,000 (per goroutine).
// Key and unit must match bench/compare.py and the C++ suites.
const faninGoroutines = 10_000

func waitgroupFanin() float64 {
	return timeOps(runtime.NumCPU(), faninGoroutines, func() { spawnAndWait(faninGoroutines) })
}
