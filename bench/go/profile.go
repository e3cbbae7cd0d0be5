// Goroutine-profile workload: goroutine_profile_10k writes one goroutine
// profile (proto, debug=0) while 10,000 goroutines wait in a channel receive.
// Key and units match the C++ suite (profile_bench.cpp): ns per profile.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"
)

const profiledGoroutines = 10000

func profileWorkloads() []workload {
	return []workload{{key: "goroutine_profile_10k", run: goroutineProfile10k}}
}

func goroutineProfile10k() (float64, error) {
	release := make(chan int)
	var started, exited sync.WaitGroup
	started.Add(profiledGoroutines)
	exited.Add(profiledGoroutines)
	for i := 0; i < profiledGoroutines; i++ {
		go func() {
			started.Done()
			<-release
			exited.Done()
		}()
	}
	started.Wait()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("gort-go-bench-%d.goroutine.pprof", os.Getpid()))
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer os.Remove(path)
	t0 := time.Now()
	err = pprof.Lookup("goroutine").WriteTo(f, 0)
	ns := float64(time.Since(t0).Nanoseconds())
	f.Close()
	close(release)
	exited.Wait()
	return ns, err
}
