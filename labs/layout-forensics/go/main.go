// Command layout-forensics-twin is the Go program of gort's layout-forensics
// lab: the course's week-5 exercise ("Layout Forensics") with the same five
// structs, reordered versions, flags and JSON as the C++ lab
// (labs/layout-forensics), so both runtimes can be compared side by side.
//
// -mode=main prints, as JSON, unsafe.Sizeof/Alignof/Offsetof of the ten
// structs and (with -sharing) the false-sharing benchmark: two goroutines on
// -procs Ps each atomic.AddInt64 their own counter -increments times, the
// counters side by side ("adjacent") or with a CacheLinePad between them
// ("padded"), -runs timed runs each, interleaved after one warm-up.
//
// -mode=array allocates one make([]T, -elements) of one struct (-struct,
// -layout bad|packed, or none/none for the empty heap), writes every element
// once, and forces -rounds cycles with the slice live; run it with
// GODEBUG=gctrace=1 for the cycles' gctrace lines.  It prints HeapAlloc
// before and after and each measured cycle's pause from runtime.ReadMemStats.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// The five bad structs and their reordered versions, field for field as in
// labs/layout-forensics/structs.hpp.

// Sandwich is the course's own: bools between int64s.
type Sandwich struct {
	a bool
	b int64
	c bool
	d int64
	e bool
}

type SandwichPacked struct {
	b int64
	d int64
	a bool
	c bool
	e bool
}

// Mixed has six integer widths in no order.
type Mixed struct {
	a uint8
	b uint32
	c uint16
	d uint64
	e uint8
	f uint32
}

type MixedPacked struct {
	d uint64
	b uint32
	f uint32
	c uint16
	a uint8
	e uint8
}

// Node has pointers among scalars: the one scannable pair.
type Node struct {
	active  bool
	name    string
	count   int64
	enabled bool
	next    *Node
	score   float32
}

type NodePacked struct {
	name    string
	next    *NodePacked
	count   int64
	score   float32
	active  bool
	enabled bool
}

// Inner is what Nested embeds: already minimal (8 + 1, padded to 16).
type Inner struct {
	v  int64
	ok bool
}

// Nested shows that an embedded struct's tail padding cannot be reused.
type Nested struct {
	flag  bool
	inner Inner
	tail  bool
}

type NestedPacked struct {
	inner Inner
	flag  bool
	tail  bool
}

// Narrow has only 1-, 2- and 4-byte fields: alignment 4.
type Narrow struct {
	a bool
	b int16
	c bool
	d int32
	e bool
	f int16
}

type NarrowPacked struct {
	d int32
	b int16
	f int16
	a bool
	c bool
	e bool
}

// fieldOffset, structLayout, layoutPair: the JSON of results.hpp.
type fieldOffset struct {
	Name   string  `json:"name"`
	Offset uintptr `json:"offset"`
}

type structLayout struct {
	Name   string        `json:"name"`
	Size   uintptr       `json:"size"`
	Align  uintptr       `json:"align"`
	Fields []fieldOffset `json:"fields"`
}

type layoutPair struct {
	Bad    structLayout `json:"bad"`
	Packed structLayout `json:"packed"`
}

// f is one measured field.
func f(name string, offset uintptr) fieldOffset { return fieldOffset{name, offset} }

// layouts returns unsafe.Sizeof/Alignof/Offsetof of the named pair.
func layouts(name string) (layoutPair, bool) {
	switch name {
	case "Sandwich":
		var x Sandwich
		var y SandwichPacked
		return layoutPair{
			structLayout{"Sandwich", unsafe.Sizeof(x), unsafe.Alignof(x), []fieldOffset{
				f("a", unsafe.Offsetof(x.a)), f("b", unsafe.Offsetof(x.b)), f("c", unsafe.Offsetof(x.c)),
				f("d", unsafe.Offsetof(x.d)), f("e", unsafe.Offsetof(x.e))}},
			structLayout{"SandwichPacked", unsafe.Sizeof(y), unsafe.Alignof(y), []fieldOffset{
				f("b", unsafe.Offsetof(y.b)), f("d", unsafe.Offsetof(y.d)), f("a", unsafe.Offsetof(y.a)),
				f("c", unsafe.Offsetof(y.c)), f("e", unsafe.Offsetof(y.e))}}}, true
	case "Mixed":
		var x Mixed
		var y MixedPacked
		return layoutPair{
			structLayout{"Mixed", unsafe.Sizeof(x), unsafe.Alignof(x), []fieldOffset{
				f("a", unsafe.Offsetof(x.a)), f("b", unsafe.Offsetof(x.b)), f("c", unsafe.Offsetof(x.c)),
				f("d", unsafe.Offsetof(x.d)), f("e", unsafe.Offsetof(x.e)), f("f", unsafe.Offsetof(x.f))}},
			structLayout{"MixedPacked", unsafe.Sizeof(y), unsafe.Alignof(y), []fieldOffset{
				f("d", unsafe.Offsetof(y.d)), f("b", unsafe.Offsetof(y.b)), f("f", unsafe.Offsetof(y.f)),
				f("c", unsafe.Offsetof(y.c)), f("a", unsafe.Offsetof(y.a)), f("e", unsafe.Offsetof(y.e))}}}, true
	case "Node":
		var x Node
		var y NodePacked
		return layoutPair{
			structLayout{"Node", unsafe.Sizeof(x), unsafe.Alignof(x), []fieldOffset{
				f("active", unsafe.Offsetof(x.active)), f("name", unsafe.Offsetof(x.name)),
				f("count", unsafe.Offsetof(x.count)), f("enabled", unsafe.Offsetof(x.enabled)),
				f("next", unsafe.Offsetof(x.next)), f("score", unsafe.Offsetof(x.score))}},
			structLayout{"NodePacked", unsafe.Sizeof(y), unsafe.Alignof(y), []fieldOffset{
				f("name", unsafe.Offsetof(y.name)), f("next", unsafe.Offsetof(y.next)),
				f("count", unsafe.Offsetof(y.count)), f("score", unsafe.Offsetof(y.score)),
				f("active", unsafe.Offsetof(y.active)), f("enabled", unsafe.Offsetof(y.enabled))}}}, true
	case "Nested":
		var x Nested
		var y NestedPacked
		return layoutPair{
			structLayout{"Nested", unsafe.Sizeof(x), unsafe.Alignof(x), []fieldOffset{
				f("flag", unsafe.Offsetof(x.flag)), f("inner", unsafe.Offsetof(x.inner)),
				f("tail", unsafe.Offsetof(x.tail))}},
			structLayout{"NestedPacked", unsafe.Sizeof(y), unsafe.Alignof(y), []fieldOffset{
				f("inner", unsafe.Offsetof(y.inner)), f("flag", unsafe.Offsetof(y.flag)),
				f("tail", unsafe.Offsetof(y.tail))}}}, true
	case "Narrow":
		var x Narrow
		var y NarrowPacked
		return layoutPair{
			structLayout{"Narrow", unsafe.Sizeof(x), unsafe.Alignof(x), []fieldOffset{
				f("a", unsafe.Offsetof(x.a)), f("b", unsafe.Offsetof(x.b)), f("c", unsafe.Offsetof(x.c)),
				f("d", unsafe.Offsetof(x.d)), f("e", unsafe.Offsetof(x.e)), f("f", unsafe.Offsetof(x.f))}},
			structLayout{"NarrowPacked", unsafe.Sizeof(y), unsafe.Alignof(y), []fieldOffset{
				f("d", unsafe.Offsetof(y.d)), f("b", unsafe.Offsetof(y.b)), f("f", unsafe.Offsetof(y.f)),
				f("a", unsafe.Offsetof(y.a)), f("c", unsafe.Offsetof(y.c)), f("e", unsafe.Offsetof(y.e))}}}, true
	}
	return layoutPair{}, false
}

// arrayChild is the JSON of one array run (ArrayChild in results.hpp).
type arrayChild struct {
	Name            string   `json:"name"`
	Layout          string   `json:"layout"`
	Elements        uint64   `json:"elements"`
	ElementBytes    uintptr  `json:"element_bytes"`
	Scannable       bool     `json:"scannable"`
	MakeNs          int64    `json:"make_ns"`
	FillNs          int64    `json:"fill_ns"`
	HeapAllocBefore uint64   `json:"heap_alloc_before"`
	HeapAllocAfter  uint64   `json:"heap_alloc_after"`
	NumGCStart      uint32   `json:"num_gc_start"`
	NumGCBefore     uint32   `json:"num_gc_before"`
	NumGCAfter      uint32   `json:"num_gc_after"`
	PauseNs         []uint64 `json:"pause_ns"`
	PageFaults      uint64   `json:"page_faults"`
}

// heapAlloc is MemStats.HeapAlloc now.
func heapAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// settle forces a cycle and records HeapAlloc and NumGC after it.
func settle(out *arrayChild) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	out.HeapAllocBefore = m.HeapAlloc
	out.NumGCStart = m.NumGC
}

// minorFaults is the process's minor page faults so far (getrusage).
func minorFaults() uint64 {
	var u syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return uint64(u.Minflt)
}

// measuredCycles forces rounds cycles and records their numbers and pauses.
func measuredCycles(rounds int, out *arrayChild) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	out.NumGCBefore = m.NumGC
	for r := 0; r < rounds; r++ {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	out.NumGCAfter = m.NumGC
	out.PauseNs = []uint64{}
	for k := out.NumGCBefore + 1; k <= out.NumGCAfter; k++ {
		out.PauseNs = append(out.PauseNs, m.PauseNs[(k+255)%256])
	}
}

// measure is the array run for element type T: make, fill, cycles.
func measure[T any](out *arrayChild, n int, rounds int, scannable bool, fill func([]T)) {
	var zero T
	out.ElementBytes = unsafe.Sizeof(zero)
	out.Scannable = scannable
	settle(out)
	faults := minorFaults()
	t0 := time.Now()
	s := make([]T, n)
	t1 := time.Now()
	fill(s)
	t2 := time.Now()
	out.PageFaults = minorFaults() - faults
	out.MakeNs = t1.Sub(t0).Nanoseconds()
	out.FillNs = t2.Sub(t1).Nanoseconds()
	out.HeapAllocAfter = heapAlloc()
	measuredCycles(rounds, out)
	runtime.KeepAlive(s)
}

// runArray is -mode=array: one array, its JSON on stdout.
func runArray(name, layout string, n, rounds int) error {
	out := arrayChild{Name: name, Layout: layout, Elements: uint64(n)}
	bad := layout == "bad"
	if layout != "bad" && layout != "packed" && !(name == "none" && layout == "none") {
		return fmt.Errorf("unknown layout %q", layout)
	}
	// The shared targets of every Node's pointers, as in the C++ lab (the
	// name's bytes are built at run time, so they are on the heap as gort's are).
	nodeName := string([]byte("node"))
	switch {
	case name == "none":
		out.Elements = 0
		settle(&out)
		out.HeapAllocAfter = out.HeapAllocBefore
		measuredCycles(rounds, &out)
	case name == "Sandwich" && bad:
		measure(&out, n, rounds, false, func(s []Sandwich) {
			for i := range s {
				s[i] = Sandwich{true, int64(i), false, 1, true}
			}
		})
	case name == "Sandwich":
		measure(&out, n, rounds, false, func(s []SandwichPacked) {
			for i := range s {
				s[i] = SandwichPacked{int64(i), 1, true, false, true}
			}
		})
	case name == "Mixed" && bad:
		measure(&out, n, rounds, false, func(s []Mixed) {
			for i := range s {
				s[i] = Mixed{1, uint32(i), 2, uint64(i), 3, 4}
			}
		})
	case name == "Mixed":
		measure(&out, n, rounds, false, func(s []MixedPacked) {
			for i := range s {
				s[i] = MixedPacked{uint64(i), uint32(i), 4, 2, 1, 3}
			}
		})
	case name == "Node" && bad:
		next := &Node{}
		measure(&out, n, rounds, true, func(s []Node) {
			for i := range s {
				s[i] = Node{true, nodeName, int64(i), true, next, 1.5}
			}
		})
	case name == "Node":
		next := &NodePacked{}
		measure(&out, n, rounds, true, func(s []NodePacked) {
			for i := range s {
				s[i] = NodePacked{nodeName, next, int64(i), 1.5, true, true}
			}
		})
	case name == "Nested" && bad:
		measure(&out, n, rounds, false, func(s []Nested) {
			for i := range s {
				s[i] = Nested{true, Inner{int64(i), true}, false}
			}
		})
	case name == "Nested":
		measure(&out, n, rounds, false, func(s []NestedPacked) {
			for i := range s {
				s[i] = NestedPacked{Inner{int64(i), true}, true, false}
			}
		})
	case name == "Narrow" && bad:
		measure(&out, n, rounds, false, func(s []Narrow) {
			for i := range s {
				s[i] = Narrow{true, 2, false, int32(i), true, 3}
			}
		})
	case name == "Narrow":
		measure(&out, n, rounds, false, func(s []NarrowPacked) {
			for i := range s {
				s[i] = NarrowPacked{int32(i), 2, 3, true, false, true}
			}
		})
	default:
		return fmt.Errorf("unknown struct %q", name)
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// cacheLinePad is x/sys/cpu.CacheLinePad on amd64: one 64-byte line.
type cacheLinePad [64]byte

// adjacent holds two counters side by side (16 bytes, 16-aligned: one line).
type adjacent struct {
	a atomic.Int64
	b atomic.Int64
}

// padded64 and padded128 hold two counters one and two lines of pad apart.
type padded64 struct {
	a atomic.Int64
	_ cacheLinePad
	b atomic.Int64
}

type padded128 struct {
	a atomic.Int64
	_ [2]cacheLinePad
	b atomic.Int64
}

// sharingVariant and sharingResults: the JSON of results.hpp.
type sharingVariant struct {
	Name          string  `json:"name"`
	DistanceBytes int64   `json:"distance_bytes"`
	SameLine      bool    `json:"same_line"`
	RunNs         []int64 `json:"run_ns"`
	CPUNs         []int64 `json:"cpu_ns"`
}

type sharingResults struct {
	Gomaxprocs int              `json:"gomaxprocs"`
	Increments uint64           `json:"increments"`
	PadBytes   int              `json:"pad_bytes"`
	Variants   []sharingVariant `json:"variants"`
}

// placed describes where two counters are.
func placed(name string, a, b *atomic.Int64) sharingVariant {
	x, y := uintptr(unsafe.Pointer(a)), uintptr(unsafe.Pointer(b))
	return sharingVariant{Name: name, DistanceBytes: int64(y - x), SameLine: x/64 == y/64, RunNs: []int64{},
		CPUNs: []int64{}}
}

// threadCPUNs is the calling thread's CPU time (clock_gettime of
// CLOCK_THREAD_CPUTIME_ID, 3 on Linux); the caller is locked to its thread.
func threadCPUNs() int64 {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 3, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

// timedRun releases two goroutines together, each adding 1 to its counter n
// times, and returns the wall time until both finished and their CPU time added.
func timedRun(a, b *atomic.Int64, n uint64) (int64, int64) {
	var cpu atomic.Int64
	var ready atomic.Int32
	var release atomic.Bool
	var wg sync.WaitGroup
	wg.Add(2)
	for _, c := range []*atomic.Int64{a, b} {
		go func(c *atomic.Int64) {
			defer wg.Done()
			// Locked, so the thread CPU clock is this goroutine's for the loop.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			ready.Add(1)
			for !release.Load() {
				runtime.Gosched()
			}
			cpu0 := threadCPUNs()
			for i := uint64(0); i < n; i++ {
				c.Add(1)
			}
			cpu.Add(threadCPUNs() - cpu0)
		}(c)
	}
	for ready.Load() < 2 {
		runtime.Gosched()
	}
	t0 := time.Now()
	release.Store(true)
	wg.Wait()
	return time.Since(t0).Nanoseconds(), cpu.Load()
}

// runSharing is the false-sharing part.
func runSharing(increments uint64, runs, procs, pad int) sharingResults {
	before := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(before)
	adj := new(adjacent)
	var pa, pb *atomic.Int64
	if pad == 128 {
		p := new(padded128)
		pa, pb = &p.a, &p.b
	} else {
		p := new(padded64)
		pa, pb = &p.a, &p.b
	}
	r := sharingResults{Gomaxprocs: runtime.GOMAXPROCS(0), Increments: increments, PadBytes: pad,
		Variants: []sharingVariant{placed("adjacent", &adj.a, &adj.b), placed("padded", pa, pb)}}
	warm := increments/10 + 1
	timedRun(&adj.a, &adj.b, warm)
	timedRun(pa, pb, warm)
	record := func(v *sharingVariant, wall, cpu int64) {
		v.RunNs = append(v.RunNs, wall)
		v.CPUNs = append(v.CPUNs, cpu)
	}
	for round := 0; round < runs; round++ {
		wall, cpu := timedRun(&adj.a, &adj.b, increments)
		record(&r.Variants[0], wall, cpu)
		wall, cpu = timedRun(pa, pb, increments)
		record(&r.Variants[1], wall, cpu)
		fmt.Fprintf(os.Stderr, "layout-forensics twin: false-sharing runs: %d/%d\n", 2*(round+1), 2*runs)
	}
	return r
}

// mainResults is the JSON of -mode=main (RuntimeResults in results.hpp).
type mainResults struct {
	Runtime string          `json:"runtime"`
	Version string          `json:"version"`
	Layouts []layoutPair    `json:"layouts"`
	Sharing *sharingResults `json:"sharing"`
}

// median is the nearest-rank median of v, used only for the progress line.
func median(v []int64) int64 {
	s := append([]int64(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[(len(s)+1)/2-1]
}

func main() {
	mode := flag.String("mode", "main", "main (layouts and false sharing) or array (one array run)")
	structs := flag.String("structs", "Sandwich,Mixed,Node,Nested,Narrow", "structs, comma-separated")
	sharing := flag.Bool("sharing", true, "run the false-sharing part")
	increments := flag.Uint64("increments", 10000000, "increments per goroutine per run")
	runs := flag.Int("runs", 5, "timed runs per false-sharing variant")
	procs := flag.Int("procs", 2, "GOMAXPROCS for the false-sharing runs")
	pad := flag.Int("pad", 64, "bytes between the padded counters: 64 or 128")
	name := flag.String("struct", "none", "-mode=array: the struct, or none")
	layout := flag.String("layout", "none", "-mode=array: bad, packed, or none")
	elements := flag.Int("elements", 1000000, "-mode=array: elements of the array")
	rounds := flag.Int("rounds", 5, "-mode=array: forced cycles measured")
	flag.Parse()
	if *pad != 64 && *pad != 128 {
		fmt.Fprintf(os.Stderr, "layout-forensics twin: -pad %d: expected 64 or 128\n", *pad)
		os.Exit(2)
	}
	if *mode == "array" {
		if err := runArray(*name, *layout, *elements, *rounds); err != nil {
			fmt.Fprintf(os.Stderr, "layout-forensics twin: %v\n", err)
			os.Exit(2)
		}
		return
	}
	out := mainResults{Runtime: "go", Version: runtime.Version(), Layouts: []layoutPair{}}
	for _, s := range strings.Split(*structs, ",") {
		p, ok := layouts(s)
		if !ok {
			fmt.Fprintf(os.Stderr, "layout-forensics twin: unknown struct %q\n", s)
			os.Exit(2)
		}
		out.Layouts = append(out.Layouts, p)
	}
	if *sharing {
		r := runSharing(*increments, *runs, *procs, *pad)
		out.Sharing = &r
		fmt.Fprintf(os.Stderr, "layout-forensics twin: adjacent %d ns, padded %d ns (median run)\n",
			median(r.Variants[0].RunNs), median(r.Variants[1].RunNs))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintf(os.Stderr, "layout-forensics twin: %v\n", err)
		os.Exit(1)
	}
}
