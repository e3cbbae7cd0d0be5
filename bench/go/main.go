// Command gort-go-bench runs the Go side of gort's scheduler benchmarks.
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
// Progress goes to stderr only. Standard library only (no module downloads).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// workload is one benchmark: run performs a single timed repetition and
// returns ns per op for it. run sets GOMAXPROCS itself (see withProcs).
type workload struct {
	key string
	run func() float64
}

// result is the JSON line printed per workload.
type result struct {
	Workload string    `json:"workload"`
	NsPerOp  float64   `json:"ns_per_op"`
	Reps     int       `json:"reps"`
	Samples  []float64 `json:"samples"`
}

// withProcs runs fn with GOMAXPROCS=procs and restores the previous value.
func withProcs(procs int, fn func()) {
	prev := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(prev)
	fn()
}

// timeOps runs fn under GOMAXPROCS=procs and returns wall ns / ops.
func timeOps(procs int, ops float64, fn func()) float64 {
	var elapsed time.Duration
	withProcs(procs, func() {
		start := time.Now()
		fn()
		elapsed = time.Since(start)
	})
	return float64(elapsed.Nanoseconds()) / ops
}

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
		fmt.Fprintf(os.Stderr, "%s: warm-up\n", w.key)
		runtime.GC()
		w.run() // untimed warm-up
		samples := make([]float64, 0, *reps)
		for i := 0; i < *reps; i++ {
			runtime.GC() // start every rep from a collected heap
			v := w.run()
			samples = append(samples, v)
			fmt.Fprintf(os.Stderr, "%s: rep %d/%d: %.1f ns/op\n", w.key, i+1, *reps, v)
		}
		if err := enc.Encode(result{Workload: w.key, NsPerOp: median(samples), Reps: *reps, Samples: samples}); err != nil {
			fmt.Fprintln(os.Stderr, "gort-go-bench:", err)
			os.Exit(1)
		}
	}
	if ran == 0 && !*list {
		fmt.Fprintf(os.Stderr, "gort-go-bench: no workload matches -filter %q\n", *filter)
	}
}
