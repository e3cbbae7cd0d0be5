// Command gort-go-bench runs the Go side of gort's benchmarks (scheduler,
// timers, blocking calls, channels and select, sync, allocation and GC).
//
// Every workload here has a twin with the identical key in the C++ suites
// (bench/ Google Benchmark binaries: gort_bench, peer_boost_fiber) and is
// joined with them by bench/compare.py. Keys and units (ns_per_op, with the
// per-workload definition of "op" given in each workload's header comment)
// are a contract: change them in all places at once.
//
// Output: one JSON object per workload on stdout,
//
//	{"workload": "<key>", "ns_per_op": <median>, "reps": <n>, "samples": [...]}
//
// or, for a workload that detected a wrong result (a lost message, a wrong
// counter), {"workload": "<key>", "error": "<what went wrong>"} in its place;
// the other workloads still run and the exit status stays 0, as with Google
// Benchmark's SkipWithError on the C++ sides (bench/compare.py reports it as a
// failure). Progress goes to stderr only. Standard library only (no module
// downloads).
//
// Method: every workload gets one untimed warm-up, then -reps timed reps; each
// rep runs the workload under its GOMAXPROCS and, when one run takes less than
// minRepTime, runs it again until minRepTime has passed (timeOps). ns_per_op of
// a rep is its wall time over all the ops of all its runs.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// workload is one benchmark: run performs a single timed repetition and
// returns ns per op for it, or an error if the workload saw a wrong result.
// run sets GOMAXPROCS itself (see timeOps).
type workload struct {
	key string
	run func() (float64, error)
}

// result is the JSON line printed per workload that ran correctly.
type result struct {
	Workload string    `json:"workload"`
	NsPerOp  float64   `json:"ns_per_op"`
	Reps     int       `json:"reps"`
	Samples  []float64 `json:"samples"`
	// GC is the collector's activity in the last rep (allocation and GC
	// workloads only): a *gcStats (alloc.go), or a *gcExtras (gcpause.go)
	// whose counters bench/compare.py shows.
	GC interface{} `json:"gc,omitempty"`
}

// failure is the JSON line printed in place of a result when a run failed.
type failure struct {
	Workload string `json:"workload"`
	Error    string `json:"error"`
}

// minRepTime is the least wall time one timed rep measures: a workload whose
// single run is shorter is run again within the rep. 50 ms is gort_bench's
// Google Benchmark MinTime (kMinTimeSeconds in bench/gort_harness.hpp), so a
// sample on either side averages over at least 50 ms.
const minRepTime = 50 * time.Millisecond

// withProcs runs fn with GOMAXPROCS=procs and restores the previous value.
func withProcs(procs int, fn func()) {
	prev := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(prev)
	fn()
}

// timeOps runs fn under GOMAXPROCS=procs, repeatedly until minRepTime has
// passed, and returns wall ns / (runs * opsPerRun); opsPerRun must be > 0.
func timeOps(procs int, opsPerRun float64, fn func()) float64 {
	ns, _ := timeCheckedOps(procs, opsPerRun, func() error { fn(); return nil })
	return ns
}

// timeCheckedOps is timeOps for a run that checks its own result: it stops at
// the first run that returns an error and returns that error.
func timeCheckedOps(procs int, opsPerRun float64, run func() error) (float64, error) {
	var (
		elapsed time.Duration
		runs    int
		err     error
	)
	withProcs(procs, func() {
		start := time.Now()
		for elapsed < minRepTime {
			if err = run(); err != nil {
				return
			}
			runs++
			elapsed = time.Since(start)
		}
	})
	if err != nil {
		return 0, err
	}
	return float64(elapsed.Nanoseconds()) / (float64(runs) * opsPerRun), nil
}

// unchecked adapts a workload that cannot detect a wrong result to the
// workload.run signature.
func unchecked(run func() float64) func() (float64, error) {
	return func() (float64, error) { return run(), nil }
}

// uncheckedAt is unchecked for a workload parameterised by GOMAXPROCS.
func uncheckedAt(run func(procs int) float64) func(procs int) (float64, error) {
	return func(procs int) (float64, error) { return run(procs), nil }
}

// recordedAt wraps a per-procs workload so that it runs between start and
// stop of a recorder (the execution tracer, the CPU profiler) writing to a
// temporary file named by this process and suffix, removed afterwards: the
// traced and profiled twins (gort_harness.hpp's recorded is the C++ side).
func recordedAt(suffix string, start func(io.Writer) error, stop func(), run func(procs int) float64) func(procs int) (float64, error) {
	return func(procs int) (float64, error) {
		path := filepath.Join(os.TempDir(), fmt.Sprintf("gort-go-bench-%d%s", os.Getpid(), suffix))
		f, err := os.Create(path)
		if err != nil {
			return 0, err
		}
		defer os.Remove(path)
		defer f.Close()
		if err := start(f); err != nil {
			return 0, err
		}
		ns := run(procs)
		stop()
		return ns, nil
	}
}

// perProcs returns one workload "<name>/procs:P" for every P in procs, in
// order; run receives P.
func perProcs(name string, procs []int, run func(procs int) (float64, error)) []workload {
	ws := make([]workload, 0, len(procs))
	for _, p := range procs {
		p := p
		ws = append(ws, workload{key: fmt.Sprintf("%s/procs:%d", name, p), run: func() (float64, error) { return run(p) }})
	}
	return ws
}

// median returns the median of xs (0 for none) without reordering xs.
func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// parseProcs parses the -procs flag: a comma list of positive integers,
// returned in order with repeats dropped.
func parseProcs(list string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad -procs entry %q: want positive integers, e.g. 1,4", f)
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-procs list is empty")
	}
	return out, nil
}

// measure runs w once untimed, then reps timed reps (each from a collected
// heap), and returns the reps' ns per op, or the first error a run reported.
func measure(w workload, reps int) ([]float64, error) {
	fmt.Fprintf(os.Stderr, "%s: warm-up\n", w.key)
	runtime.GC()
	if _, err := w.run(); err != nil { // untimed warm-up
		return nil, err
	}
	samples := make([]float64, 0, reps)
	for i := 0; i < reps; i++ {
		runtime.GC() // start every rep from a collected heap
		v, err := w.run()
		if err != nil {
			return nil, err
		}
		samples = append(samples, v)
		fmt.Fprintf(os.Stderr, "%s: rep %d/%d: %.1f ns/op\n", w.key, i+1, reps, v)
	}
	return samples, nil
}

// gcOf returns the "gc" object of workload key, or nil (no field) if it has
// none.
func gcOf(key string) interface{} {
	if x := lastExtras[key]; x != nil {
		return x
	}
	if g := lastGC[key]; g != nil {
		return g
	}
	return nil
}

func main() {
	reps := flag.Int("reps", 5, "timed repetitions per workload (median is reported)")
	filter := flag.String("filter", "", "run only workloads whose key matches this regular expression")
	procsFlag := flag.String("procs", fmt.Sprintf("1,%d", runtime.NumCPU()),
		"comma list of GOMAXPROCS values for the procs-parameterised workloads")
	list := flag.Bool("list", false, "print the workload keys and exit")
	flag.Parse()

	if *reps < 1 {
		fmt.Fprintln(os.Stderr, "gort-go-bench: -reps must be >= 1")
		os.Exit(2)
	}
	procs, err := parseProcs(*procsFlag)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gort-go-bench:", err)
		os.Exit(2)
	}
	var re *regexp.Regexp
	if *filter != "" {
		re, err = regexp.Compile(*filter)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gort-go-bench: bad -filter: %v\n", err)
			os.Exit(2)
		}
	}

	var all []workload
	all = append(all, schedWorkloads(procs)...)
	all = append(all, timerWorkloads()...)
	all = append(all, syscallWorkloads()...)
	all = append(all, chanWorkloads(procs)...)
	all = append(all, syncWorkloads(procs)...)
	all = append(all, allocWorkloads()...)
	all = append(all, gcPauseWorkloads()...)
	all = append(all, traceWorkloads(procs)...)
	all = append(all, cpuprofWorkloads(procs)...)
	all = append(all, profileWorkloads()...)

	enc := json.NewEncoder(os.Stdout)
	ran := 0
	for _, w := range all {
		if re != nil && !re.MatchString(w.key) {
			continue
		}
		if *list {
			fmt.Println(w.key)
			continue
		}
		ran++
		var line interface{}
		if samples, err := measure(w, *reps); err != nil {
			fmt.Fprintf(os.Stderr, "%s: error: %v\n", w.key, err)
			line = failure{Workload: w.key, Error: err.Error()}
		} else {
			line = result{Workload: w.key, NsPerOp: median(samples), Reps: *reps, Samples: samples, GC: gcOf(w.key)}
		}
		if err := enc.Encode(line); err != nil {
			fmt.Fprintln(os.Stderr, "gort-go-bench:", err)
			os.Exit(1)
		}
	}
	if ran == 0 && !*list {
		fmt.Fprintf(os.Stderr, "gort-go-bench: no workload matches -filter %q\n", *filter)
	}
}
