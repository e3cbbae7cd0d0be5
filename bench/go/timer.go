// Timer workloads. Keys and units must match bench/compare.py and the C++
// suites (gort_bench, peer_boost_fiber) exactly.
package main

import (
	"math/rand"
	"runtime"
	"sync"
	"time"
)

func timerWorkloads() []workload {
	return []workload{{key: "timer_sleep", run: unchecked(timerSleep)}}
}

// timer_sleep — cost of the timer heap and sleep/wake path under load.
// GOMAXPROCS=NumCPU. 100,000 goroutines each loop 10 times on
// time.Sleep(d), d uniform in [0, 1ms) from a per-goroutine math/rand source
// seeded with the goroutine's index.
// ns_per_op = wall time / 1,000,000 (100,000*10 sleeps).
// Key and unit must match bench/compare.py and the C++ suites.
const (
	timerG     = 100_000
	timerLoops = 10
)

func timerSleep() float64 {
	return timeOps(runtime.NumCPU(), timerG*timerLoops, func() {
		var wg sync.WaitGroup
		wg.Add(timerG)
		for i := 0; i < timerG; i++ {
			go func(i int) {
				defer wg.Done()
				r := rand.New(rand.NewSource(int64(i)))
				for k := 0; k < timerLoops; k++ {
					time.Sleep(time.Duration(r.Int63n(int64(time.Millisecond))))
				}
			}(i)
		}
		wg.Wait()
	})
}
