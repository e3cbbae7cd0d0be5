// Command stack-growth-twin is the Go program of gort's stack-growth lab: the
// course's week-3 exercise ("Stack Growth in the Wild") with the same steps,
// flags and JSON as the C++ lab (labs/stack-growth), so both runtimes can be
// compared side by side.
//
//	growth  depth(n) in one goroutine for n ascending (0 first), up to "max",
//	        the deepest n that fits -fit-bytes (gort's 245760-byte limit by
//	        default, so both runtimes run the same steps), then the smallest
//	        n > 0 again;
//	churn   the same total of depth frames over K goroutines and one goroutine
//	        per call, several rounds each;
//
// every measurement holds the goroutines at their deepest frame while it reads
// runtime.ReadMemStats (StackInuse, StackSys) and VmRSS; a sampler goroutine
// records the same figures over time.  With -json the measurements are printed
// in the lab's JSON shape; -overflow recurses past the maximum stack size
// (-maxstack, runtime/debug.SetMaxStack) and lets the runtime report it.
//
// Go's stacks start small (2 KiB, _StackMin in runtime/stack.go; Go 1.19 may
// start larger from the average stack size scanned at the last GC,
// GODEBUG=adaptivestackstart) and are copied to a stack twice the size when a
// function prologue finds too little room (runtime.newstack); the GC shrinks
// stacks that use less than a quarter (runtime.shrinkstack).  Go prints no line
// per growth: GODEBUG=gctrace=1 shows only "N MB stacks", the stack bytes the
// GC scanned.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// depthBufferBytes is the course's [256]byte.
const depthBufferBytes = 256

// gortStackLimit is gort's per-goroutine stack limit ("goroutine stack exceeds
// 245760-byte limit"): the default size "max" is fitted to.
const gortStackLimit = 245760

// headroomBytes is the stack kept free below the deepest frame at the "max"
// step, as in the C++ lab (kHeadroomBytes): room for the hold's channel receive.
const headroomBytes = 16 * 1024

// exitTimeout bounds the wait for a step's goroutines to exit: they have
// returned already, so seconds mean something is wrong (never hang).
const exitTimeout = 10 * time.Second

// observer receives each goroutine's deepest depth frame (entry and deepest are
// addresses; bottom marks the call that ends the recursion).
type observer interface {
	atDeepest(index int, entry, deepest uintptr, bottom bool)
}

// fill writes every byte of a frame's buffer, as the C++ lab does.
func fill(buf *[depthBufferBytes]byte, n int) {
	for i := range buf {
		buf[i] = byte(n + i)
	}
}

// depth recurses n times (n+1 frames of 256+ bytes); the n == 0 call reports
// to obs.  entry points at a local of the goroutine's first function: Go
// adjusts it when the stack is copied, so at the bottom it is still the entry.
// Every frame adds a byte of its buffer to *entry after the recursive call
// returns: the buffer stays live across the call, so the frame cannot be
// elided and the call cannot become a loop (and the goroutine-local sum races
// with nothing).
//
//go:noinline
func depth(n, index int, entry *byte, obs observer) int {
	var buf [depthBufferBytes]byte
	fill(&buf, n)
	if n == 0 {
		obs.atDeepest(index, uintptr(unsafe.Pointer(entry)), uintptr(unsafe.Pointer(&buf[0])), true)
		*entry += buf[0]
		return 0
	}
	r := depth(n-1, index, entry, obs)
	*entry += buf[r%depthBufferBytes]
	return r + 1
}

// depthPerCall is depth with every recursive call in a new goroutine that
// hands its result back on a channel: n calls make a chain of n+1 goroutines.
//
//go:noinline
func depthPerCall(n int, entry *byte, obs observer) int {
	var buf [depthBufferBytes]byte
	fill(&buf, n)
	obs.atDeepest(n, uintptr(unsafe.Pointer(entry)), uintptr(unsafe.Pointer(&buf[0])), n == 0)
	if n == 0 {
		*entry += buf[0]
		return 0
	}
	result := make(chan int)
	go perCallGoroutine(n-1, result, obs)
	r := <-result
	*entry += buf[r%depthBufferBytes]
	return r + 1
}

// perCallGoroutine is the body of each goroutine of depthPerCall's chain.
// (A named function rather than a closure: the compiler keeps marker on the
// stack here, where a closure's local in the same recursion was moved to the heap.)
func perCallGoroutine(n int, result chan<- int, obs observer) {
	var marker byte
	result <- depthPerCall(n, &marker, obs)
}

// processStacks is the lab's ProcessStacks.
type processStacks struct {
	StackInuse uint64 `json:"stack_inuse"`
	StackSys   uint64 `json:"stack_sys"`
	RSS        uint64 `json:"rss"`
}

// heldSnapshot is the lab's HeldSnapshot.
type heldSnapshot struct {
	Label             string        `json:"label"`
	N                 int           `json:"n"`
	Goroutines        int           `json:"goroutines"`
	UsedBytesMax      uint64        `json:"used_bytes_max"`
	UsedBytesMean     float64       `json:"used_bytes_mean"`
	ResidentUsedBytes uint64        `json:"resident_used_bytes"`
	ResidentSlotBytes *uint64       `json:"resident_slot_bytes"` // gort only: always null here
	Process           processStacks `json:"process"`
}

// churnStyle is the lab's ChurnStyle.
type churnStyle struct {
	Style              string         `json:"style"`
	Goroutines         int            `json:"goroutines"`
	FramesPerGoroutine int            `json:"frames_per_goroutine"`
	Before             processStacks  `json:"before"`
	Rounds             []heldSnapshot `json:"rounds"`
	RoundNs            []int64        `json:"round_ns"`
	AfterExit          processStacks  `json:"after_exit"`
	AfterGC            processStacks  `json:"after_gc"`
}

// stackSample is the lab's StackSample.
type stackSample struct {
	TMs        float64       `json:"t_ms"`
	Stacks     processStacks `json:"stacks"`
	Goroutines int           `json:"goroutines"`
}

// phase is the lab's Phase.
type phase struct {
	Name string  `json:"name"`
	TMs  float64 `json:"t_ms"`
}

// results is the lab's RuntimeResults.
type results struct {
	Runtime            string         `json:"runtime"`
	Version            string         `json:"version"`
	Gomaxprocs         int            `json:"gomaxprocs"`
	StackLimitBytes    uint64         `json:"stack_limit_bytes"`
	SlotBytes          *uint64        `json:"slot_bytes"` // gort only: always null here
	Baseline           processStacks  `json:"baseline"`
	DepthSteps         []int          `json:"depth_steps"`
	Growth             []heldSnapshot `json:"growth"`
	EntryToDepth0Bytes float64        `json:"entry_to_depth0_bytes"`
	BytesPerFrame      float64        `json:"bytes_per_frame"`
	TotalFrames        int            `json:"total_frames"`
	Churn              []churnStyle   `json:"churn"`
	Samples            []stackSample  `json:"samples"`
	Phases             []phase        `json:"phases"`
}

// residentBytes is the resident part of the pages overlapping [lo, hi), by mincore(2).
func residentBytes(lo, hi uintptr) uint64 {
	page := uintptr(os.Getpagesize())
	first := lo &^ (page - 1)
	end := (hi + page - 1) &^ (page - 1)
	if end <= first {
		return 0
	}
	vec := make([]byte, (end-first)/page)
	if _, _, errno := syscall.Syscall(syscall.SYS_MINCORE, first, end-first, uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		fmt.Fprintf(os.Stderr, "stack-growth-twin: mincore [%#x, %#x): %v\n", first, end, errno)
		os.Exit(1)
	}
	var pages uint64
	for _, v := range vec {
		pages += uint64(v & 1)
	}
	return pages * uint64(page)
}

// rssBytes is VmRSS from /proc/self/status (0 when unreadable).
func rssBytes() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			fields := strings.Fields(line)
			if len(fields) >= 2 {
				kib, _ := strconv.ParseUint(fields[1], 10, 64)
				return kib * 1024
			}
		}
	}
	return 0
}

// readProcessStacks is runtime.ReadMemStats' stack figures and VmRSS.
func readProcessStacks() processStacks {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return processStacks{StackInuse: m.StackInuse, StackSys: m.StackSys, RSS: rssBytes()}
}

// span is one goroutine's stack as addresses, with the resident bytes between
// them measured by the goroutine itself (its stack may move afterwards).
type span struct {
	entry, deepest uintptr
	resident       uint64
}

// hold records spans and blocks bottom calls until release is closed.
type hold struct {
	spans   []span
	arrived sync.WaitGroup
	release chan struct{}
}

// newHold expects goroutines reporters, bottoms of which block at the bottom.
func newHold(goroutines, bottoms int) *hold {
	h := &hold{spans: make([]span, goroutines), release: make(chan struct{})}
	h.arrived.Add(bottoms)
	return h
}

// atDeepest records goroutine index's span; a bottom call then waits for release.
func (h *hold) atDeepest(index int, entry, deepest uintptr, bottom bool) {
	h.spans[index] = span{entry, deepest, residentBytes(deepest, entry)}
	if bottom {
		h.arrived.Done()
		<-h.release
	}
}

// measure summarises the held goroutines and reads the process figures.
func (h *hold) measure(label string, n int) heldSnapshot {
	s := heldSnapshot{Label: label, N: n, Goroutines: len(h.spans)}
	var sum uint64
	for _, sp := range h.spans {
		used := uint64(sp.entry - sp.deepest)
		sum += used
		if used > s.UsedBytesMax {
			s.UsedBytesMax = used
		}
		s.ResidentUsedBytes += sp.resident
	}
	if len(h.spans) > 0 {
		s.UsedBytesMean = float64(sum) / float64(len(h.spans))
	}
	s.Process = readProcessStacks()
	return s
}

// config is the lab's ExperimentConfig (fitBytes: the stack size "max" fits).
type config struct {
	depths      []int
	totalFrames int
	fanouts     []int
	perCall     bool
	rounds      int
	hold        time.Duration
	sample      time.Duration
	fitBytes    uint64
	gcWhileHeld bool
}

// maxDepthStep marks the "max" step in config.depths.
const maxDepthStep = -1

// run is the state of one experiment: the start time, the parameters, the
// results being filled, and the goroutines alive between steps (main, sampler).
type run struct {
	t0      time.Time
	cfg     *config
	r       *results
	baseGos int
}

// phase logs the start of a phase of the experiment.
func (x *run) phase(name string) {
	x.r.Phases = append(x.r.Phases, phase{name, msSince(x.t0)})
}

// msSince is the milliseconds from t0 to now.
func msSince(t0 time.Time) float64 { return float64(time.Since(t0).Nanoseconds()) / 1e6 }

// waitForGoroutines blocks until at most base goroutines exist.
func waitForGoroutines(base int) {
	deadline := time.Now().Add(exitTimeout)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "stack-growth-twin: %d goroutines still alive after their step (expected %d)\n",
				runtime.NumGoroutine(), base)
			os.Exit(1)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// holdAndMeasure runs one set of goroutines to the bottom, measures, releases.
func (x *run) holdAndMeasure(label string, goroutines, n int, perCall bool) (heldSnapshot, int64) {
	bottoms := goroutines
	if perCall {
		bottoms = 1
	}
	h := newHold(goroutines, bottoms)
	var finished sync.WaitGroup
	start := time.Now()
	if perCall {
		finished.Add(1)
		go func() {
			var marker byte
			depthPerCall(goroutines-1, &marker, h)
			finished.Done()
		}()
	} else {
		finished.Add(goroutines)
		for i := 0; i < goroutines; i++ {
			go func(i int) {
				var marker byte
				depth(n, i, &marker, h)
				finished.Done()
			}(i)
		}
	}
	h.arrived.Wait()
	arrived := time.Now()
	snapN := n
	if perCall {
		snapN = 0
	}
	s := h.measure(label, snapN)
	if x.cfg.gcWhileHeld {
		runtime.GC()
	}
	time.Sleep(x.cfg.hold)
	released := time.Now()
	close(h.release)
	finished.Wait()
	waitForGoroutines(x.baseGos)
	return s, int64(arrived.Sub(start) + time.Since(released))
}

// deriveFrameBytes is the lab's derive_frame_bytes.
func deriveFrameBytes(r *results) {
	var zero, deepest *heldSnapshot
	for i := range r.Growth {
		s := &r.Growth[i]
		if s.N == 0 && zero == nil {
			zero = s
		}
		if s.N > 0 && (deepest == nil || s.N > deepest.N) {
			deepest = s
		}
	}
	if zero == nil || deepest == nil {
		return
	}
	r.EntryToDepth0Bytes = float64(zero.UsedBytesMax)
	r.BytesPerFrame = (float64(deepest.UsedBytesMax) - float64(zero.UsedBytesMax)) / float64(deepest.N)
}

// maxFittingDepth is the lab's max_fitting_depth.
func maxFittingDepth(limit uint64, entryToDepth0, bytesPerFrame float64) int {
	room := float64(limit) - headroomBytes - entryToDepth0
	if bytesPerFrame <= 0 || room < bytesPerFrame {
		return 1
	}
	return int(math.Floor(room / bytesPerFrame))
}

// growth runs depth(n) in one goroutine for each step, then the smallest n > 0 again.
func (x *run) growth() {
	r := x.r
	// GOMAXPROCS=1 as in the C++ lab, where it makes the repeated step run on
	// the deep step's stack slot; Go's stacks are per goroutine either way.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	steps := x.cfg.depths
	if len(steps) == 0 || steps[0] != 0 {
		steps = append([]int{0}, steps...)
	}
	smallest, deepest := 0, 0
	for _, n := range steps {
		deriveFrameBytes(r)
		if n == maxDepthStep {
			n = maxFittingDepth(x.cfg.fitBytes, r.EntryToDepth0Bytes, r.BytesPerFrame)
		}
		r.DepthSteps = append(r.DepthSteps, n)
		x.phase(fmt.Sprintf("growth n=%d", n))
		s, _ := x.holdAndMeasure(fmt.Sprintf("n=%d", n), 1, n, false)
		r.Growth = append(r.Growth, s)
		if n > 0 && (smallest == 0 || n < smallest) {
			smallest = n
		}
		if n > deepest {
			deepest = n
		}
	}
	deriveFrameBytes(r)
	if smallest > 0 && smallest < deepest {
		x.phase(fmt.Sprintf("growth n=%d again", smallest))
		s, _ := x.holdAndMeasure(fmt.Sprintf("n=%d again (after n=%d)", smallest, deepest), 1, smallest, false)
		r.Growth = append(r.Growth, s)
	}
}

// churn spreads the total frames over each fan-out, then one goroutine per frame.
func (x *run) churn() {
	type style struct {
		name       string
		goroutines int
		frames     int
		perCall    bool
	}
	var styles []style
	for _, k := range x.cfg.fanouts {
		frames := x.r.TotalFrames / k
		if frames < 1 {
			frames = 1
		}
		name := fmt.Sprintf("%d goroutines", k)
		if k == 1 {
			name = "1 goroutine"
		}
		styles = append(styles, style{name, k, frames, false})
	}
	if x.cfg.perCall {
		styles = append(styles, style{"goroutine per call", x.r.TotalFrames, 1, true})
	}
	for _, st := range styles {
		x.phase("churn: " + st.name)
		cs := churnStyle{Style: st.name, Goroutines: st.goroutines, FramesPerGoroutine: st.frames}
		cs.Before = readProcessStacks()
		for round := 1; round <= x.cfg.rounds; round++ {
			s, ns := x.holdAndMeasure(fmt.Sprintf("round %d", round), st.goroutines, st.frames-1, st.perCall)
			cs.Rounds = append(cs.Rounds, s)
			cs.RoundNs = append(cs.RoundNs, ns)
		}
		cs.AfterExit = readProcessStacks()
		runtime.GC()
		cs.AfterGC = readProcessStacks()
		x.r.Churn = append(x.r.Churn, cs)
	}
}

// sampler records processStacks every interval until stop is closed, and once
// more then, so the series ends with the state the experiment left.
func sampler(t0 time.Time, interval time.Duration, stop <-chan struct{}, out *[]stackSample, done *sync.WaitGroup) {
	defer done.Done()
	sample := func() {
		*out = append(*out, stackSample{Stacks: readProcessStacks(), Goroutines: runtime.NumGoroutine(), TMs: msSince(t0)})
	}
	for {
		sample()
		select {
		case <-stop:
			sample()
			return
		case <-time.After(interval):
		}
	}
}

// experiment runs the whole experiment with a sampler alongside.
func experiment(cfg *config) *results {
	r := &results{Runtime: "go", Version: runtime.Version(), Gomaxprocs: runtime.GOMAXPROCS(0),
		StackLimitBytes: uint64(debug.SetMaxStack(math.MaxInt32))}
	debug.SetMaxStack(int(r.StackLimitBytes))
	x := &run{t0: time.Now(), cfg: cfg, r: r}
	stop := make(chan struct{})
	var samplerDone sync.WaitGroup
	samplerDone.Add(1)
	go sampler(x.t0, cfg.sample, stop, &r.Samples, &samplerDone)
	x.baseGos = runtime.NumGoroutine()
	r.Baseline = readProcessStacks()
	x.growth()
	deepest := 0
	for _, s := range r.Growth {
		if s.N > deepest {
			deepest = s.N
		}
	}
	r.TotalFrames = cfg.totalFrames
	if r.TotalFrames == 0 {
		largest := 1
		for _, k := range cfg.fanouts {
			if k > largest {
				largest = k
			}
		}
		r.TotalFrames = (deepest + 1) / largest * largest
		if r.TotalFrames < largest {
			r.TotalFrames = largest
		}
	}
	x.churn()
	x.phase("end")
	close(stop)
	samplerDone.Wait()
	return r
}

// unreached is the observer of a recursion that never reaches its bottom.
type unreached struct{}

// atDeepest does nothing: the recursion never ends.
func (unreached) atDeepest(int, uintptr, uintptr, bool) {}

// overflow recurses without bound in a goroutine; the runtime ends the process.
func overflow(maxStack int) {
	if maxStack > 0 {
		debug.SetMaxStack(maxStack)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		var marker byte
		n := depth(math.MaxInt32, 0, &marker, unreached{})
		fmt.Fprintf(os.Stderr, "stack-growth-twin: depth returned %d without overflowing\n", n)
		wg.Done()
	}()
	wg.Wait()
	os.Exit(1)
}

// usageError prints one line naming the flag and exits with status 2.
func usageError(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "stack-growth-twin: "+format+"\n", args...)
	os.Exit(2)
}

// parseList parses comma-separated ints in [lo, hi]; "max" allowed when allowMax
// after a positive value.
func parseList(flagName, s string, lo, hi int, allowMax bool) []int {
	var out []int
	positive := false
	for _, item := range strings.Split(s, ",") {
		if allowMax && item == "max" && positive {
			out = append(out, maxDepthStep)
			continue
		}
		v, err := strconv.Atoi(item)
		if err != nil || v < lo || v > hi {
			if allowMax {
				usageError("-%s %q: expected comma-separated numbers %d..%d, and 'max' after a positive number", flagName, s, lo, hi)
			}
			usageError("-%s %q: expected comma-separated numbers %d..%d", flagName, s, lo, hi)
		}
		positive = positive || v > 0
		out = append(out, v)
	}
	return out
}

// mib formats a byte count in MiB.
func mib(b uint64) string { return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20)) }

// printReport prints a short Markdown summary (the C++ lab prints the full report).
func printReport(r *results) {
	fmt.Printf("# stack-growth (Go twin, %s, GOMAXPROCS=%d)\n\n", r.Version, r.Gomaxprocs)
	fmt.Printf("depth frame: %.0f B per call; entry to depth(0): %.0f B\n\n", r.BytesPerFrame, r.EntryToDepth0Bytes)
	fmt.Println("| step | stack used | resident, used range | StackInuse | StackSys | RSS |")
	fmt.Println("|---|--:|--:|--:|--:|--:|")
	for _, s := range r.Growth {
		fmt.Printf("| %s | %d B | %d B | %s | %s | %s |\n", s.Label, s.UsedBytesMax, s.ResidentUsedBytes,
			mib(s.Process.StackInuse), mib(s.Process.StackSys), mib(s.Process.RSS))
	}
	fmt.Printf("\n## churn: %d frames per round\n\n", r.TotalFrames)
	fmt.Println("| style | goroutines x frames | StackInuse held, round 1 | last round | after exit | after GC | RSS after GC | time/round (median) |")
	fmt.Println("|---|---|--:|--:|--:|--:|--:|--:|")
	for _, c := range r.Churn {
		ns := append([]int64(nil), c.RoundNs...)
		sort.Slice(ns, func(i, j int) bool { return ns[i] < ns[j] })
		fmt.Printf("| %s | %d x %d | %s | %s | %s | %s | %s | %v |\n", c.Style, c.Goroutines, c.FramesPerGoroutine,
			mib(c.Rounds[0].Process.StackInuse), mib(c.Rounds[len(c.Rounds)-1].Process.StackInuse),
			mib(c.AfterExit.StackInuse), mib(c.AfterGC.StackInuse), mib(c.AfterGC.RSS),
			time.Duration(ns[(len(ns)-1)/2]))
	}
}

// main parses the flags (the C++ lab's, in Go's syntax) and runs the experiment or the overflow.
func main() {
	depths := flag.String("depths", "0,16,64,256,512,max", "depth(n) steps: comma-separated n >= 0, and 'max' after a positive n")
	fanouts := flag.String("goroutines", "1,8,64", "churn: goroutine counts K sharing the total frames")
	total := flag.String("total-frames", "max", "churn: depth frames per round, a number or 'max'")
	perCall := flag.Bool("per-call", true, "churn: also run the goroutine-per-call style")
	gcWhileHeld := flag.Bool("gc-while-held", false, "runtime.GC() at every hold, so GODEBUG=gctrace=1 prints its 'MB stacks' with the goroutines deep")
	rounds := flag.Int("rounds", 10, "churn: rounds per style")
	holdMs := flag.Int("hold-ms", 20, "milliseconds each measurement keeps its goroutines at depth")
	sampleMs := flag.Int("sample-ms", 5, "milliseconds between samples of the time series")
	procs := flag.Int("procs", 0, "GOMAXPROCS (0: the runtime's default)")
	short := flag.Bool("short", false, "small run: depths 0,16,64,max, goroutines 1,4,16, 3 rounds, 2 ms holds, 1 ms samples, unless given")
	fitBytes := flag.Int("fit-bytes", gortStackLimit, "stack size 'max' is fitted to (gort's limit, so both runtimes run the same steps)")
	jsonOut := flag.Bool("json", false, "print the measurements as JSON")
	overflowNow := flag.Bool("overflow", false, "recurse past the maximum stack size; the runtime reports it")
	maxStack := flag.Int("maxstack", 0, "with -overflow: debug.SetMaxStack bytes (0: Go's default, 1 GB on 64-bit)")
	flag.Parse()
	if *overflowNow {
		overflow(*maxStack)
	}
	given := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *short {
		if !given["depths"] {
			*depths = "0,16,64,max"
		}
		if !given["goroutines"] {
			*fanouts = "1,4,16"
		}
		if !given["rounds"] {
			*rounds = 3
		}
		if !given["hold-ms"] {
			*holdMs = 2
		}
		if !given["sample-ms"] {
			*sampleMs = 1
		}
	}
	cfg := &config{perCall: *perCall, rounds: *rounds, hold: time.Duration(*holdMs) * time.Millisecond,
		sample: time.Duration(*sampleMs) * time.Millisecond, fitBytes: uint64(*fitBytes), gcWhileHeld: *gcWhileHeld}
	cfg.depths = parseList("depths", *depths, 0, 1000000, true)
	cfg.fanouts = parseList("goroutines", *fanouts, 1, 100000, false)
	if *total != "max" {
		cfg.totalFrames = parseList("total-frames", *total, 1, 100000, false)[0]
	}
	if *rounds < 1 || *rounds > 1000 {
		usageError("-rounds %d: expected 1..1000", *rounds)
	}
	if *holdMs < 0 || *sampleMs < 1 {
		usageError("-hold-ms must be >= 0 and -sample-ms >= 1")
	}
	if *fitBytes < 4096 {
		usageError("-fit-bytes %d: expected at least 4096", *fitBytes)
	}
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	r := experiment(cfg)
	if *jsonOut {
		if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, "stack-growth-twin:", err)
			os.Exit(1)
		}
		return
	}
	printReport(r)
}
