// The Go program of schedule-forensics: the same experiment as the C++ lab,
// on Go's own runtime, so both distributions can be compared.
//
// N goroutines each do D of work — a CPU loop calibrated to D, the loop with
// runtime.Gosched() between its 100 chunks, or time.Sleep(D) — and each records
// when its go statement ran, when it first ran and when its work was done.
// Variants run one after another in one process (GOMAXPROCS changes between
// them), after a warm-up that leaves N stacks cached, exactly as the C++ lab.
// Async preemption is Go's default; -async-preempt=off needs
// GODEBUG=asyncpreemptoff=1 in the environment, because Go reads GODEBUG once
// at start (the C++ lab sets it when it runs this program).
//
// With -json the measurements are printed in the lab's JSON shape
// (labs/schedule-forensics/results.hpp); otherwise a table per variant.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// chunksPerWork matches kChunksPerWork in busy_work.hpp: a gosched goroutine
// yields 100 times per unit of work.
const chunksPerWork = 100

// spin runs steps of the same 64-bit linear congruential step as the C++ lab's
// spin; no function calls inside, so only async preemption can stop it.
//
//go:noinline
func spin(steps, x uint64) uint64 {
	for i := uint64(0); i < steps; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

var sink uint64

// calibrate returns the steps per chunk for work of CPU: grow a run to at least
// 20 ms, then take the fastest of 5 runs of that size (as busy_work.cpp does).
func calibrate(work time.Duration) uint64 {
	// Timed in the thread's CPU time, not on the wall clock, so that other
	// processes sharing the CPU do not shorten the work (as the C++ side does);
	// the goroutine is locked to its thread while it measures.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	steps := uint64(1 << 16)
	var t time.Duration
	for {
		t0 := threadCPU()
		sink += spin(steps, sink)
		t = threadCPU() - t0
		if t >= 20*time.Millisecond {
			break
		}
		steps *= 2
	}
	for i := 0; i < 5; i++ {
		t0 := threadCPU()
		sink += spin(steps, sink)
		if d := threadCPU() - t0; d < t {
			t = d
		}
	}
	perChunk := uint64(float64(steps) / float64(t.Nanoseconds()) * float64(work.Nanoseconds()) / chunksPerWork)
	if perChunk < 1 {
		perChunk = 1
	}
	return perChunk
}

type variant struct {
	Procs        int     `json:"procs"`
	Loop         string  `json:"loop"`
	AsyncPreempt bool    `json:"async_preempt"`
	WallNs       int64   `json:"wall_ns"`
	CPUNs        int64   `json:"cpu_ns"`
	SpawnNs      []int64 `json:"spawn_ns"`
	StartNs      []int64 `json:"start_ns"`
	EndNs        []int64 `json:"end_ns"`
}

type runs struct {
	Runtime       string    `json:"runtime"`
	Goroutines    int       `json:"goroutines"`
	WorkNs        int64     `json:"work_ns"`
	StepsPerChunk uint64    `json:"steps_per_chunk"`
	Variants      []variant `json:"variants"`
}

// warmUp leaves n goroutine stacks allocated and cached, as the C++ lab's warm_up.
func warmUp(n int) {
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			time.Sleep(time.Millisecond)
			wg.Done()
		}()
	}
	wg.Wait()
}

func runVariant(procs int, loop string, async bool, n int, work time.Duration, steps uint64) variant {
	runtime.GOMAXPROCS(procs)
	v := variant{Procs: procs, Loop: loop, AsyncPreempt: async,
		SpawnNs: make([]int64, n), StartNs: make([]int64, n), EndNs: make([]int64, n)}
	label := fmt.Sprintf("procs=%d %s", procs, loop)
	ctx, task := trace.NewTask(context.Background(), label)
	var done int64
	stop := make(chan struct{})
	go progress(label, n, &done, stop)
	var wg sync.WaitGroup
	wg.Add(n)
	cpuOrigin := processCPUNs()
	origin := time.Now()
	for i := 0; i < n; i++ {
		v.SpawnNs[i] = int64(time.Since(origin))
		go func(i int) {
			v.StartNs[i] = int64(time.Since(origin))
			region := trace.StartRegion(ctx, "work")
			switch loop {
			case "sleep":
				time.Sleep(work)
			default:
				x := uint64(i)
				for c := 0; c < chunksPerWork; c++ {
					x = spin(steps, x)
					if loop == "gosched" {
						runtime.Gosched()
					}
				}
				atomic.AddUint64(&sink, x)
			}
			region.End()
			v.EndNs[i] = int64(time.Since(origin))
			atomic.AddInt64(&done, 1)
			wg.Done()
		}(i)
	}
	wg.Wait()
	v.WallNs = int64(time.Since(origin))
	v.CPUNs = processCPUNs() - cpuOrigin
	close(stop)
	task.End()
	return v
}

// threadCPU is the CPU time the calling thread has used (getrusage RUSAGE_THREAD).
func threadCPU() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD, which package syscall does not name
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPUNs is the CPU time (user + system) the process has used so far, as
// the C++ side measures it: the work the variant actually did.
func processCPUNs() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// progress prints how many goroutines are done once a second, on stderr.  It is
// a goroutine, so with one P and async preemption off it may never run — the
// experiment's point, not a bug.
func progress(label string, n int, done *int64, stop chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			fmt.Fprintf(os.Stderr, "go %s: %d/%d\n", label, atomic.LoadInt64(done), n)
		}
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "schedule-forensics (Go): "+format+"\n", args...)
	os.Exit(2)
}

func parseProcs(s string) []int {
	var out []int
	for _, p := range strings.Split(s, ",") {
		n := runtime.NumCPU()
		if p != "all" {
			var err error
			if n, err = strconv.Atoi(p); err != nil || n < 1 || n > 256 {
				fail("-procs %q: expected comma-separated numbers 1..256 or 'all'", s)
			}
		}
		dup := false
		for _, q := range out {
			dup = dup || q == n
		}
		if !dup {
			out = append(out, n)
		}
	}
	return out
}

func percentile(sorted []int64, q float64) int64 {
	rank := int(float64(len(sorted))*q + 0.999999)
	if rank < 1 {
		rank = 1
	}
	if rank > len(sorted) {
		rank = len(sorted)
	}
	return sorted[rank-1]
}

func main() {
	goroutines := flag.Int("goroutines", 1000, "goroutines per variant")
	work := flag.Duration("work", 10*time.Millisecond, "work per goroutine")
	procs := flag.String("procs", "1,2,all", "GOMAXPROCS values, comma-separated, or 'all'")
	busy := flag.Bool("busy", false, "run the busy loop (default when no loop flag is given: all three)")
	gosched := flag.Bool("gosched", false, "run the loop with runtime.Gosched() every 1/100 of the work")
	sleep := flag.Bool("sleep", false, "time.Sleep(work) instead of the loop")
	async := flag.String("async-preempt", "on", "on or off (off needs GODEBUG=asyncpreemptoff=1)")
	jsonOut := flag.Bool("json", false, "print the measurements as JSON")
	traceFile := flag.String("trace", "", "write a runtime/trace execution trace to FILE")
	flag.Parse()
	if *goroutines < 1 || *goroutines > 1000000 {
		fail("-goroutines %d: must be between 1 and 1000000", *goroutines)
	}
	if *work <= 0 {
		fail("-work %v: must be positive", *work)
	}
	asyncOn := *async == "on"
	if *async != "on" && *async != "off" {
		fail("-async-preempt %q: expected on or off", *async)
	}
	if !asyncOn && !strings.Contains(os.Getenv("GODEBUG"), "asyncpreemptoff=1") {
		fail("-async-preempt=off needs GODEBUG=asyncpreemptoff=1 in the environment")
	}
	var loops []string
	if *busy {
		loops = append(loops, "busy")
	}
	if *gosched {
		loops = append(loops, "gosched")
	}
	if *sleep {
		loops = append(loops, "sleep")
	}
	if len(loops) == 0 {
		loops = []string{"busy", "gosched", "sleep"}
	}
	procList := parseProcs(*procs)

	r := runs{Runtime: "go", Goroutines: *goroutines, WorkNs: work.Nanoseconds()}
	r.StepsPerChunk = calibrate(*work)
	warmUp(*goroutines)
	if *traceFile != "" {
		f, err := os.Create(*traceFile)
		if err != nil {
			fail("%v", err)
		}
		if err := trace.Start(f); err != nil {
			fail("%v", err)
		}
		defer f.Close()
	}
	for _, p := range procList {
		for _, loop := range loops {
			if loop == "sleep" && !asyncOn {
				continue // a sleep has no loop to preempt; the "on" run reports it
			}
			r.Variants = append(r.Variants, runVariant(p, loop, asyncOn, *goroutines, *work, r.StepsPerChunk))
		}
	}
	if *traceFile != "" {
		trace.Stop()
	}
	if *jsonOut {
		if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
			fail("%v", err)
		}
		return
	}
	fmt.Printf("| variant | min | p50 | p90 | p99 | max | wall |\n|---|---:|---:|---:|---:|---:|---:|\n")
	for _, v := range r.Variants {
		c := make([]int64, len(v.EndNs))
		for i := range c {
			c[i] = v.EndNs[i] - v.SpawnNs[i]
		}
		sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
		name := fmt.Sprintf("procs=%d %s", v.Procs, v.Loop)
		if !v.AsyncPreempt && v.Loop != "sleep" {
			name += " async-off"
		}
		fmt.Printf("| %s | %v | %v | %v | %v | %v | %v |\n", name, time.Duration(c[0]), time.Duration(percentile(c, 0.5)),
			time.Duration(percentile(c, 0.9)), time.Duration(percentile(c, 0.99)), time.Duration(c[len(c)-1]),
			time.Duration(v.WallNs))
	}
}
