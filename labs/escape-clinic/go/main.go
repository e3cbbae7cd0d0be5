// escape-clinic's Go twin: the course's seven escape snippets (Lab 4.3) as Go
// benchmarks, each before and after the refactor that keeps the value on the
// stack, run with testing.Benchmark. Prints allocs/op, B/op and ns/op as a
// table, or with -json the schema the C++ lab reads (runtime "go"; Go's heap
// counts as the managed heap, the C++ heap fields are 0).
//
// Flags mirror the C++ lab's: -snippets A,C,F  -benchtime 1s|1000x  -count N  -json.
// `go build -gcflags=-m` on this directory shows the compiler's escape
// decisions, one file per snippet (a.go .. g.go); the C++ lab quotes them.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// measurement is one benchmark over all repetitions, in the lab's JSON schema.
type measurement struct {
	Snippet            string    `json:"snippet"`
	Variant            string    `json:"variant"`
	Iterations         int64     `json:"iterations"`
	NsPerOpRuns        []float64 `json:"ns_per_op_runs"`
	NsPerOp            float64   `json:"ns_per_op"`
	ManagedAllocsPerOp float64   `json:"managed_allocs_per_op"`
	ManagedBytesPerOp  float64   `json:"managed_bytes_per_op"`
	CxxAllocsPerOp     float64   `json:"cxx_allocs_per_op"`
	CxxBytesPerOp      float64   `json:"cxx_bytes_per_op"`
}

// results is what -json prints.
type results struct {
	Runtime      string        `json:"runtime"`
	Benchtime    string        `json:"benchtime"`
	Count        int           `json:"count"`
	Measurements []measurement `json:"measurements"`
}

// median of xs (not empty).
func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// usage prints one error line naming the flag and exits with status 2.
func usage(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "escape-clinic-twin: "+format+"\n", args...)
	os.Exit(2)
}

// measure runs bm count times and sums the allocation totals over all runs.
func measure(bm benchmark, count int) measurement {
	m := measurement{Snippet: bm.snippet, Variant: bm.variant}
	var allocs, bytes int64
	for i := 0; i < count; i++ {
		r := testing.Benchmark(bm.fn)
		m.Iterations += int64(r.N)
		m.NsPerOpRuns = append(m.NsPerOpRuns, float64(r.T.Nanoseconds())/float64(r.N))
		allocs += int64(r.MemAllocs)
		bytes += int64(r.MemBytes)
	}
	m.NsPerOp = median(m.NsPerOpRuns)
	m.ManagedAllocsPerOp = float64(allocs) / float64(m.Iterations)
	m.ManagedBytesPerOp = float64(bytes) / float64(m.Iterations)
	return m
}

func main() {
	testing.Init()
	snippets := flag.String("snippets", "A,B,C,D,E,F,G", "snippets to run, comma-separated letters A-G")
	benchtime := flag.String("benchtime", "1s", "run each benchmark this long (1s) or exactly N iterations (Nx)")
	count := flag.Int("count", 1, "run each benchmark N times; ns/op is the median")
	asJSON := flag.Bool("json", false, "print the measurements as JSON")
	flag.Parse()
	if err := flag.Set("test.benchtime", *benchtime); err != nil {
		usage("-benchtime %q: expected a Go duration (1s, 200ms) or an iteration count Nx (1000x)", *benchtime)
	}
	if *count < 1 || *count > 100 {
		usage("-count %d: expected a number from 1 to 100", *count)
	}
	wanted := map[string]bool{"harness": true}
	for _, s := range strings.Split(*snippets, ",") {
		s = strings.ToUpper(s)
		if len(s) != 1 || s < "A" || s > "G" {
			usage("-snippets %q: expected comma-separated letters A-G (A,C,F)", *snippets)
		}
		wanted[s] = true
	}
	out := results{Runtime: "go", Benchtime: *benchtime, Count: *count}
	for _, bm := range benchmarks {
		if !wanted[bm.snippet] {
			continue
		}
		fmt.Fprintf(os.Stderr, "escape-clinic-twin: %s/%s\n", bm.snippet, bm.variant)
		out.Measurements = append(out.Measurements, measure(bm, *count))
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(os.Stderr, "escape-clinic-twin:", err)
			os.Exit(1)
		}
		return
	}
	fmt.Printf("%-8s %-7s %12s %10s %12s\n", "snippet", "variant", "allocs/op", "B/op", "ns/op")
	for _, m := range out.Measurements {
		fmt.Printf("%-8s %-7s %12.3f %10.1f %12.2f\n", m.Snippet, m.Variant, m.ManagedAllocsPerOp, m.ManagedBytesPerOp, m.NsPerOp)
	}
}
