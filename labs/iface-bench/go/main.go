// Command iface-bench-twin is the Go program of gort's iface-bench lab: the
// course's week-7 exercise ("Interface Bench", 7.3) with the same parameters
// and JSON as the C++ lab (labs/iface-bench), so both runtimes can be read
// side by side.
//
// Three groups of measurements, each a fixed number of operations per run
// (never an open-ended b.N), timed with the wall clock and counted as
// testing.B's -benchmem counts: runtime.MemStats' Mallocs and TotalAlloc
// before and after, after a runtime.GC():
//
//	three-way  Step called -calls times per run on the concrete type, through
//	           the interface, a func value, a generic type parameter
//	           (instantiated with *affine and with Stepper) and an interface
//	           whose dynamic type the compiler sees (paths.go);
//	logger     -requests requests of a handler that logs ten times, through a
//	           Logger interface, the concrete logger and a type parameter
//	           (logger.go);
//	boxing     -boxes ints formatted with fmt.Fprintln(x), with
//	           fmt.Fprintln(strconv.Itoa(x)) and with strconv.AppendInt
//	           (boxing.go).
//
// Runs are interleaved round by round after one untimed warm-up of a tenth of
// the operations, so a burst of load from elsewhere spreads over every
// variant.  The lab disassembles this binary with go tool objdump and reads
// go build -gcflags=-m itself.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// measurement is one variant's runs; the field names are the C++ lab's.
type measurement struct {
	Group         string  `json:"group"`
	Name          string  `json:"name"`
	Ops           uint64  `json:"ops"`
	RunNs         []int64 `json:"run_ns"`
	CxxAllocs     uint64  `json:"cxx_allocs"`
	CxxBytes      uint64  `json:"cxx_bytes"`
	ManagedAllocs uint64  `json:"managed_allocs"`
	ManagedBytes  uint64  `json:"managed_bytes"`
	Result        int64   `json:"result"`
	LoggedLines   int64   `json:"logged_lines"`
}

// results is the whole run; the field names are the C++ lab's.
type results struct {
	Runtime      string         `json:"runtime"`
	Version      string         `json:"version"`
	Gomaxprocs   int            `json:"gomaxprocs"`
	Runs         int            `json:"runs"`
	LogLevel     string         `json:"log_level"`
	Measurements []*measurement `json:"measurements"`
}

// variant is one thing to measure: fn does n operations and returns a
// result that depends on all of them; lines reports the logger's count.
type variant struct {
	m     *measurement
	fn    func(n int) int64
	lines func() int64
}

func main() {
	calls := flag.Int("calls", 50_000_000, "Step calls per run of each three-way path")
	requests := flag.Int("requests", 2_000_000, "handler requests per run of each logger version")
	boxes := flag.Int("boxes", 1_000_000, "ints formatted per run of each boxing variant")
	runs := flag.Int("runs", 5, "timed runs per variant")
	paths := flag.String("paths", "concrete,interface,function,generic,generic-iface,devirtualised", "three-way paths")
	loggers := flag.String("loggers", "interface,concrete,generic", "logger versions")
	boxing := flag.String("boxing", "fmt-any,fmt-itoa,append-int", "boxing variants")
	logLevel := flag.String("log-level", "info", "the logger's level: info (Debug is off) or debug")
	asJSON := flag.Bool("json", false, "print the results as JSON")
	flag.Parse()
	if *calls < 1 || *requests < 1 || *boxes < 1 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "iface-bench-twin: -calls, -requests, -boxes and -runs must be positive")
		os.Exit(2)
	}
	level := levelInfo
	switch *logLevel {
	case "info":
	case "debug":
		level = levelDebug
	default:
		fmt.Fprintln(os.Stderr, "iface-bench-twin: -log-level must be info or debug")
		os.Exit(2)
	}

	var vs []variant
	a := &affine{mul: 6364136223846793005, add: 1442695040888963407}
	step := a.Step
	for _, p := range split(*paths) {
		p := p
		vs = append(vs, variant{m: &measurement{Group: "three-way", Name: p, Ops: uint64(*calls)},
			fn: func(n int) int64 { return runPath(p, a, step, 1, n) }})
	}
	for _, v := range split(*loggers) {
		v := v
		l := &levelLogger{level: level}
		vs = append(vs, variant{m: &measurement{Group: "logger", Name: v, Ops: uint64(*requests)},
			fn: func(n int) int64 { return runLogger(v, l, n) }, lines: func() int64 { return l.lines }})
	}
	for _, b := range split(*boxing) {
		b := b
		vs = append(vs, variant{m: &measurement{Group: "boxing", Name: b, Ops: uint64(*boxes)},
			fn: func(n int) int64 { return runBoxing(b, n) }})
	}

	for _, v := range vs {
		warm := int(v.m.Ops / 10)
		if warm < 1 {
			warm = 1
		}
		v.fn(warm)
	}
	// Lines logged in the timed runs only.
	linesBefore := make([]int64, len(vs))
	for i, v := range vs {
		if v.lines != nil {
			linesBefore[i] = v.lines()
		}
	}
	var before, after runtime.MemStats
	for round := 0; round < *runs; round++ {
		for _, v := range vs {
			runtime.GC() // testing.B's runN: no garbage from the last run is charged to this one
			runtime.ReadMemStats(&before)
			start := time.Now()
			v.m.Result = v.fn(int(v.m.Ops))
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			v.m.RunNs = append(v.m.RunNs, elapsed.Nanoseconds())
			v.m.ManagedAllocs += after.Mallocs - before.Mallocs
			v.m.ManagedBytes += after.TotalAlloc - before.TotalAlloc
		}
		fmt.Fprintf(os.Stderr, "iface-bench-twin: round %d/%d\n", round+1, *runs)
	}
	r := results{Runtime: "go", Version: runtime.Version(), Gomaxprocs: runtime.GOMAXPROCS(0), Runs: *runs,
		LogLevel: *logLevel}
	for i, v := range vs {
		if v.lines != nil {
			v.m.LoggedLines = v.lines() - linesBefore[i]
		}
		r.Measurements = append(r.Measurements, v.m)
	}
	if *asJSON {
		out, err := json.Marshal(r)
		if err != nil {
			fmt.Fprintln(os.Stderr, "iface-bench-twin:", err)
			os.Exit(1)
		}
		os.Stdout.Write(append(out, '\n'))
		return
	}
	for _, m := range r.Measurements {
		fmt.Printf("%-10s %-14s %8.2f ns/op %6.2f allocs/op\n", m.Group, m.Name,
			float64(median(m.RunNs))/float64(m.Ops), float64(m.ManagedAllocs)/float64(m.Ops)/float64(*runs))
	}
}

// split cuts a comma-separated list; an empty string is no items.
func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// median is the nearest-rank median of ns (the lab's definition).
func median(ns []int64) int64 {
	s := append([]int64(nil), ns...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[(len(s)+1)/2-1]
}
