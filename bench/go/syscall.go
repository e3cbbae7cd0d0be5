// Blocking-syscall workloads. Keys and units must match bench/compare.py and
// the C++ suites (gort_bench, peer_boost_fiber) exactly.
package main

import (
	"runtime"
	"sync"
	"syscall"
)

func syscallWorkloads() []workload {
	return []workload{{key: "blocking_call", run: unchecked(blockingCall)}}
}

// blocking_call — P hand-off around blocking system calls (entersyscall /
// sysmon retake / exitsyscall).
// GOMAXPROCS=NumCPU. 64 goroutines each make 200 blocking
// nanosleep(50µs) system calls.
// ns_per_op = wall time / 12,800 (64*200 calls).
// Key and unit must match bench/compare.py and the C++ suites.
const (
	blockingG     = 64
	blockingCalls = 200
)

func blockingCall() float64 {
	return timeOps(runtime.NumCPU(), blockingG*blockingCalls, func() {
		var wg sync.WaitGroup
		wg.Add(blockingG)
		for i := 0; i < blockingG; i++ {
			go func() {
				defer wg.Done()
				ts := syscall.Timespec{Nsec: 50_000}
				for k := 0; k < blockingCalls; k++ {
					_ = syscall.Nanosleep(&ts, nil)
				}
			}()
		}
		wg.Wait()
	})
}
