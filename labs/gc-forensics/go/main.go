// Command gc-forensics-twin is the Go program of gc-forensics' experiment:
// the course's allocation service (lab 6.3) and the gctrace worked example
// (allocator.go), with a runtime.ReadMemStats sampler, so the lab can run the
// same experiment on Go and on gort and read both gctrace logs with one parser.
//
// Like the course's programs it takes its GC settings from the environment
// (GOGC, GOMEMLIMIT, GODEBUG=gctrace=1), read once by the runtime at start.
// The flags mirror gc-forensics' in Go's syntax; -json prints the result in
// the lab's schema (labs/gc-forensics/run_result.hpp):
//
//	GOGC=50 GODEBUG=gctrace=1 ./gc-forensics-twin -scenario=service -rate=100MB/s -duration=10s
//	GODEBUG=gctrace=1 ./gc-forensics-twin -scenario=retain
//
// The workloads follow labs/gc-forensics/service.cpp and retain.cpp step for
// step: the same request shape, payload sizes, random sequence and pacing.
//
// Course step 4: -requests=N serves a fixed number of requests (allocs/op),
// -refactor serves them with the two refactors of service.cpp (preallocated
// scratch for the discarded chunks, a sync.Pool of evicted cache entries for
// the kept one), -memprofile writes the heap profile at the end as
// `go test -memprofile` does, recording every allocation from the start of
// main (MemProfileRate = 1). Step 5: -trace writes an execution trace for
// `go tool trace`.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// sampleInterval is how often the sampler reads the memory statistics: 100
// points a second, and far fewer cycles between reads than PauseNs holds.
const sampleInterval = 10 * time.Millisecond

// retainPause is the worked example's time.Sleep(10 * time.Millisecond).
const retainPause = 10 * time.Millisecond

// chunksPerRequest is the length of a request's chunk list.
const chunksPerRequest = 4

// payloadSizes are the sizes a request draws from: Go size classes whose mean
// is meanPayloadBytes.
var payloadSizes = [...]int{256, 512, 1024, 1024, 1536, 1792}

const meanPayloadBytes = 1024

// maxPayloadBytes is the largest payload size: a scratch buffer's capacity.
const maxPayloadBytes = 1792

// paceSlack: a worker sleeps only when at least this far ahead of schedule.
const paceSlack = time.Millisecond

// watchdogSlack: how long past its planned duration a run may take before it
// gives up instead of hanging the lab.
const watchdogSlack = 5 * time.Minute

// pauseRing is the number of slots in MemStats.PauseNs.
const pauseRing = 256

// chunk is one element of a request: the chunk allocated before it, and data.
type chunk struct {
	next    *chunk
	payload []byte
}

// chunkBytes is the size of a chunk node (32 bytes on 64-bit).
const chunkBytes = uint64(unsafe.Sizeof(chunk{}))

// rng is xorshift64 (13/7/17), the same sequence as the C++ workload's.
type rng struct{ state uint64 }

func (r *rng) next() uint64 {
	r.state ^= r.state << 13
	r.state ^= r.state >> 7
	r.state ^= r.state << 17
	return r.state
}

// workerRng seeds worker w's generator.
func workerRng(w int) rng { return rng{0x9E3779B97F4A7C15 * uint64(w+1)} }

// request is what serving one request produced.
type request struct {
	head  *chunk // its first chunk, detached from the rest
	bytes uint64 // payloads plus chunk nodes
}

// serveRequest builds a request's chunk list, reads it back into checksum and
// detaches the head.
func serveRequest(r *rng, checksum *uint64) request {
	var req request
	for k := 0; k < chunksPerRequest; k++ {
		size := payloadSizes[r.next()%uint64(len(payloadSizes))]
		c := &chunk{}
		c.payload = make([]byte, size)
		c.payload[size-1] = byte(k + 1)
		c.next = req.head
		req.head = c
		req.bytes += uint64(size) + chunkBytes
	}
	for c := req.head; c != nil; c = c.next {
		*checksum += uint64(len(c.payload)) + uint64(c.payload[len(c.payload)-1])
	}
	req.head.next = nil
	return req
}

// chunkPool holds evicted cache entries for reuse as kept heads (step 4).
var chunkPool sync.Pool

// makeScratch preallocates a worker's discarded chunks (step 4's first
// refactor): chunksPerRequest-1 nodes with payload buffers of the largest size.
func makeScratch() []*chunk {
	scratch := make([]*chunk, chunksPerRequest-1)
	for i := range scratch {
		scratch[i] = &chunk{payload: make([]byte, maxPayloadBytes)}
	}
	return scratch
}

// keptChunk is a refactored request's head: an evicted entry from the pool
// when there is one (its payload kept when large enough), else a new chunk.
func keptChunk(size int) *chunk {
	c, _ := chunkPool.Get().(*chunk)
	if c == nil {
		c = &chunk{}
	}
	if cap(c.payload) >= size {
		c.payload = c.payload[:size]
	} else {
		c.payload = make([]byte, size)
	}
	return c
}

// serveRequestReusing is serveRequest with the discarded chunks taken from
// scratch and the head from the pool: the same draws and reads.
func serveRequestReusing(r *rng, scratch []*chunk, checksum *uint64) request {
	var req request
	for k := 0; k < chunksPerRequest; k++ {
		size := payloadSizes[r.next()%uint64(len(payloadSizes))]
		var c *chunk
		if k+1 < chunksPerRequest {
			c = scratch[k]
			c.payload = c.payload[:size]
		} else {
			c = keptChunk(size)
		}
		c.payload[size-1] = byte(k + 1)
		c.next = req.head
		req.head = c
		req.bytes += uint64(size) + chunkBytes
	}
	for c := req.head; c != nil; c = c.next {
		*checksum += uint64(len(c.payload)) + uint64(c.payload[len(c.payload)-1])
	}
	req.head.next = nil
	return req
}

// params is the workload (the lab's WorkloadParams).
type params struct {
	scenario   string
	rate       float64 // bytes per second, all workers together
	duration   time.Duration
	workers    int
	live       int64
	buffers    int64
	pauseEvery int64
	requests   int64 // service: a fixed count instead of duration (0: duration)
	refactor   bool  // service: the step-4 refactors
}

// outcome is what a workload counted.
type outcome struct {
	elapsed   time.Duration
	requested uint64
	retained  int64
	requests  int64
	mallocs   uint64 // MemStats.Mallocs growth over the measured phase
	gcCycles  uint32 // NumGC growth over it
	gcBefore  uint32 // NumGC when it began
}

// workerTally is one worker's count in the paced phase.
type workerTally struct {
	bytes    uint64
	checksum uint64
	requests int64
}

// requestsOfWorker is worker w's share of a fixed request count.
func requestsOfWorker(p params, w int) int64 {
	n := p.requests / int64(p.workers)
	if int64(w) < p.requests%int64(p.workers) {
		n++
	}
	return n
}

// serve fills the worker's cache, reports ready, waits for the clock, then
// serves requests at its share of the rate until the duration is over (or
// its share of p.requests is served); refactored, it puts evicted entries
// into the pool.
func serve(p params, w int, cache []*chunk, ready, clockStarted *sync.WaitGroup, t *workerTally) {
	r := workerRng(w)
	var scratch []*chunk
	if p.refactor {
		scratch = makeScratch()
	}
	for i := range cache {
		if p.refactor {
			cache[i] = serveRequestReusing(&r, scratch, &t.checksum).head
		} else {
			cache[i] = serveRequest(&r, &t.checksum).head
		}
	}
	ready.Done()
	clockStarted.Wait()
	ratePerWorker := p.rate / float64(p.workers)
	counted := p.requests > 0
	quota := requestsOfWorker(p, w)
	start := time.Now()
	end := start.Add(p.duration)
	for served := int64(0); ; served++ {
		now := time.Now()
		if (counted && served >= quota) || (!counted && !now.Before(end)) {
			break
		}
		var req request
		if p.refactor {
			req = serveRequestReusing(&r, scratch, &t.checksum)
		} else {
			req = serveRequest(&r, &t.checksum)
		}
		if len(cache) > 0 {
			slot := r.next() % uint64(len(cache))
			evicted := cache[slot]
			cache[slot] = req.head
			// Pooled only once nothing else refers to it: another worker may take it next.
			if p.refactor && evicted != nil {
				chunkPool.Put(evicted)
			}
		}
		t.bytes += req.bytes
		t.requests++
		due := start.Add(time.Duration(float64(t.bytes) * 1e9 / ratePerWorker))
		if ahead := time.Until(due); ahead > paceSlack {
			if rest := end.Sub(now); !counted && ahead > rest {
				ahead = rest
			}
			time.Sleep(ahead)
		}
	}
}

// runService runs the allocation service; atEnd runs while the caches are live.
func runService(p params, atEnd func()) outcome {
	slots := uint64(p.live) / uint64(p.workers) / (meanPayloadBytes + chunkBytes)
	caches := make([][]*chunk, p.workers)
	for w := range caches {
		caches[w] = make([]*chunk, slots)
	}
	tallies := make([]workerTally, p.workers)
	// ready: every cache is filled; clockStarted: the counters are read and
	// the clock runs, so allocs/op counts the served requests only.
	var ready, clockStarted, done sync.WaitGroup
	ready.Add(p.workers)
	clockStarted.Add(1)
	done.Add(p.workers)
	for w := 0; w < p.workers; w++ {
		go func(w int) {
			serve(p, w, caches[w], &ready, &clockStarted, &tallies[w])
			done.Done()
		}(w)
	}
	ready.Wait()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	clockStarted.Done()
	done.Wait()
	out := outcome{elapsed: time.Since(start), retained: int64(slots) * int64(p.workers)}
	runtime.ReadMemStats(&after)
	out.mallocs = after.Mallocs - before.Mallocs
	out.gcCycles = after.NumGC - before.NumGC
	out.gcBefore = before.NumGC
	for _, t := range tallies {
		out.requested += t.bytes
		out.requests += t.requests
	}
	atEnd()
	runtime.KeepAlive(caches)
	return out
}

// runRetain is allocator.go; atEnd runs while every buffer is held.
func runRetain(p params, atEnd func()) outcome {
	start := time.Now()
	var sink []*[1024]byte
	for i := int64(0); i < p.buffers; i++ {
		b := new([1024]byte)
		b[0] = byte(i)
		sink = append(sink, b)
		if i%p.pauseEvery == 0 {
			time.Sleep(retainPause)
		}
	}
	out := outcome{elapsed: time.Since(start), requested: uint64(p.buffers) * 1024}
	atEnd()
	out.retained = int64(len(sink))
	return out
}

// heapSample is one read of the statistics, encoded as
// [t_s, heap_alloc, heap_inuse, next_gc].
type heapSample struct {
	t                    float64
	alloc, inuse, nextGC uint64
}

func (h heapSample) MarshalJSON() ([]byte, error) {
	return json.Marshal([]interface{}{h.t, h.alloc, h.inuse, h.nextGC})
}

// sampler reads runtime.ReadMemStats every sampleInterval on its own goroutine.
type sampler struct {
	epoch          time.Time
	totalAllocBase uint64
	stopping       atomic.Bool
	running        sync.WaitGroup
	samples        []heapSample
	pauses         []uint64
	seenCycles     uint32 // NumGC at the previous read
	lostPauses     uint32 // cycles whose pause left the ring unseen
	last           runtime.MemStats
	peakAlloc      uint64
	peakInuse      uint64
}

func newSampler() *sampler {
	s := &sampler{epoch: time.Now()}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.totalAllocBase = m.TotalAlloc
	return s
}

func (s *sampler) start() {
	s.running.Add(1)
	go func() {
		for !s.stopping.Load() {
			s.sample()
			time.Sleep(sampleInterval)
		}
		s.running.Done()
	}()
}

// stop ends the sampling goroutine and takes a last sample.
func (s *sampler) stop() {
	s.stopping.Store(true)
	s.running.Wait()
	s.sample()
}

func (s *sampler) sample() {
	runtime.ReadMemStats(&s.last)
	m := &s.last
	s.samples = append(s.samples, heapSample{time.Since(s.epoch).Seconds(), m.HeapAlloc, m.HeapInuse, m.NextGC})
	if m.HeapAlloc > s.peakAlloc {
		s.peakAlloc = m.HeapAlloc
	}
	if m.HeapInuse > s.peakInuse {
		s.peakInuse = m.HeapInuse
	}
	first := s.seenCycles + 1 // cycles first..NumGC are new
	if m.NumGC >= first+pauseRing {
		s.lostPauses += m.NumGC - pauseRing - s.seenCycles
		first = m.NumGC - pauseRing + 1
	}
	for k := first; k <= m.NumGC; k++ {
		s.pauses = append(s.pauses, m.PauseNs[(k-1)%pauseRing])
	}
	s.seenCycles = m.NumGC
}

// result is the lab's RunResult schema.
type result struct {
	Runtime         string       `json:"runtime"`
	Workload        string       `json:"workload"`
	Gogc            string       `json:"gogc"`
	Memlimit        string       `json:"memlimit"`
	Procs           int          `json:"procs"`
	ElapsedNs       int64        `json:"elapsed_ns"`
	RequestedBytes  uint64       `json:"requested_bytes"`
	TotalAllocBytes uint64       `json:"total_alloc_bytes"`
	NumGC           uint32       `json:"num_gc"`
	NumForcedGC     uint32       `json:"num_forced_gc"`
	PausesNs        []uint64     `json:"pauses_ns"`
	LostPauses      uint32       `json:"lost_pauses"`
	GCCPUFraction   float64      `json:"gc_cpu_fraction"`
	PeakHeapAlloc   uint64       `json:"peak_heap_alloc"`
	PeakHeapInuse   uint64       `json:"peak_heap_inuse"`
	RetainedObjects int64        `json:"retained_objects"`
	Requests        int64        `json:"requests"`
	Refactor        bool         `json:"refactor"`
	Mallocs         uint64       `json:"mallocs"`
	MeasuredGC      uint32       `json:"measured_gc_cycles"`
	GCBefore        uint32       `json:"gc_cycles_before"`
	Samples         []heapSample `json:"samples"`
}

// envOr returns the environment variable's value, or fallback when unset or empty.
func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// run performs the workload with the sampler running.
func run(p params) result {
	planned := time.Duration(0)
	if p.scenario == "service" {
		planned = p.duration
		if p.requests > 0 { // the requests' bytes at the rate
			planned = time.Duration(float64(p.requests) * chunksPerRequest * float64(meanPayloadBytes+chunkBytes) * 1e9 / p.rate)
		}
	}
	time.AfterFunc(planned+watchdogSlack, func() {
		fmt.Fprintf(os.Stderr, "gc-forensics-twin: the %s run did not finish within %v; giving up\n",
			p.scenario, planned+watchdogSlack)
		os.Exit(3)
	})
	r := result{Runtime: "go", Workload: p.scenario, Gogc: envOr("GOGC", "100"),
		Memlimit: envOr("GOMEMLIMIT", "off"), Procs: runtime.GOMAXPROCS(0), PausesNs: []uint64{}}
	s := newSampler()
	s.start()
	var w outcome
	if p.scenario == "service" {
		w = runService(p, s.stop)
	} else {
		w = runRetain(p, s.stop)
	}
	r.ElapsedNs = w.elapsed.Nanoseconds()
	r.RequestedBytes = w.requested
	r.RetainedObjects = w.retained
	r.Requests = w.requests
	r.Refactor = p.refactor
	r.Mallocs = w.mallocs
	r.MeasuredGC = w.gcCycles
	r.GCBefore = w.gcBefore
	r.Samples = s.samples
	r.PausesNs = append(r.PausesNs, s.pauses...)
	r.LostPauses = s.lostPauses
	r.NumGC = s.last.NumGC
	r.NumForcedGC = s.last.NumForcedGC
	r.GCCPUFraction = s.last.GCCPUFraction
	r.TotalAllocBytes = s.last.TotalAlloc - s.totalAllocBase
	r.PeakHeapAlloc = s.peakAlloc
	r.PeakHeapInuse = s.peakInuse
	return r
}

// unit is a suffix and the base units it stands for.
type unit struct {
	suffix string
	scale  float64
}

// byteCountUnits are GOMEMLIMIT's suffixes; rateUnits add the decimal ones.
var byteCountUnits = []unit{{"B", 1}, {"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}}
var rateUnits = []unit{{"B", 1}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9},
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}}

// splitNumber splits "100MB" into its leading unsigned decimal number and the rest.
func splitNumber(s string, allowFraction bool) (string, string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if allowFraction && i > 0 && i < len(s) && s[i] == '.' {
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j > i+1 {
			i = j
		}
	}
	return s[:i], s[i:]
}

// scaleOf finds suffix in units.
func scaleOf(suffix string, units []unit) (float64, bool) {
	for _, u := range units {
		if u.suffix == suffix {
			return u.scale, true
		}
	}
	return 0, false
}

// byteCount is a flag in GOMEMLIMIT's syntax ("32MiB", "1048576").
type byteCount int64

func (b *byteCount) String() string { return strconv.FormatInt(int64(*b), 10) }
func (b *byteCount) Set(s string) error {
	num, suffix := splitNumber(s, false)
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return errors.New("expected bytes or a number with B, KiB, MiB, GiB, TiB")
	}
	scale := 1.0
	if suffix != "" {
		var ok bool
		if scale, ok = scaleOf(suffix, byteCountUnits); !ok {
			return errors.New("expected bytes or a number with B, KiB, MiB, GiB, TiB")
		}
	}
	*b = byteCount(float64(n) * scale)
	return nil
}

// rate is a flag such as "100MB/s".
type rate float64

func (r *rate) String() string { return strconv.FormatFloat(float64(*r), 'f', -1, 64) + "B/s" }
func (r *rate) Set(s string) error {
	bad := errors.New("expected a rate such as 100MB/s, 1.5GB/s, 64MiB/s")
	if !strings.HasSuffix(s, "/s") {
		return bad
	}
	num, suffix := splitNumber(strings.TrimSuffix(s, "/s"), true)
	v, err := strconv.ParseFloat(num, 64)
	scale, ok := scaleOf(suffix, rateUnits)
	if err != nil || !ok || v*scale < 1 || v*scale > 100e9 {
		return bad
	}
	*r = rate(v * scale)
	return nil
}

func main() {
	p := params{rate: 100e6, live: 32 << 20}
	live := byteCount(p.live)
	rt := rate(p.rate)
	flag.StringVar(&p.scenario, "scenario", "service", "workload: service or retain")
	flag.Var(&rt, "rate", "service: allocation rate, e.g. 100MB/s")
	flag.DurationVar(&p.duration, "duration", 10*time.Second, "service: how long to allocate")
	flag.IntVar(&p.workers, "workers", 4, "service: goroutines allocating")
	flag.Var(&live, "live", "service: bytes kept live in the workers' caches")
	flag.Int64Var(&p.buffers, "buffers", 1_000_000, "retain: 1 KiB buffers allocated and kept")
	flag.Int64Var(&p.pauseEvery, "pause-every", 50_000, "retain: sleep 10ms after every N buffers")
	flag.Int64Var(&p.requests, "requests", 0, "service: serve this many requests instead of -duration (0: duration)")
	flag.BoolVar(&p.refactor, "refactor", false, "service: preallocated scratch and a sync.Pool of evicted entries")
	memprofile := flag.String("memprofile", "", "write the heap profile at the end to FILE")
	traceFile := flag.String("trace", "", "write an execution trace of the run to FILE")
	asJSON := flag.Bool("json", false, "print the result as the lab's JSON")
	flag.Parse()
	if *memprofile != "" {
		// Every allocation from here on, as the lab's gort run records them
		// (GODEBUG=memprofilerate=1 did not reach Go 1.19's MemProfileRate here).
		runtime.MemProfileRate = 1
	}
	p.rate, p.live = float64(rt), int64(live)
	switch {
	case p.scenario != "service" && p.scenario != "retain":
		fmt.Fprintf(os.Stderr, "gc-forensics-twin: -scenario %q: expected service or retain\n", p.scenario)
		os.Exit(2)
	case p.duration <= 0 || p.workers < 1 || p.buffers < 1 || p.pauseEvery < 1 || p.live < 0 || p.requests < 0:
		fmt.Fprintln(os.Stderr, "gc-forensics-twin: -duration, -workers, -buffers and -pause-every must be positive")
		os.Exit(2)
	}
	if *traceFile != "" {
		f, err := os.Create(*traceFile)
		if err == nil {
			err = trace.Start(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "gc-forensics-twin: -trace:", err)
			os.Exit(1)
		}
		defer f.Close()
	}
	r := run(p)
	if *traceFile != "" {
		trace.Stop()
	}
	if *memprofile != "" {
		runtime.GC() // as go test -memprofile: the profile as of a completed cycle
		f, err := os.Create(*memprofile)
		if err == nil {
			err = pprof.WriteHeapProfile(f)
		}
		if err == nil {
			err = f.Close()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "gc-forensics-twin: -memprofile:", err)
			os.Exit(1)
		}
	}
	if *asJSON {
		out, err := json.Marshal(r)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gc-forensics-twin:", err)
			os.Exit(1)
		}
		fmt.Println(string(out))
		return
	}
	fmt.Printf("%s: %d cycles, GC CPU %.2f%%, peak HeapAlloc %d MiB, %d objects retained\n",
		r.Workload, r.NumGC, r.GCCPUFraction*100, r.PeakHeapAlloc>>20, r.RetainedObjects)
}
