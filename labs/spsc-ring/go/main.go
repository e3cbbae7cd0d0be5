// Command spsc-ring-twin is the Go program of gort's spsc-ring lab: the
// course's week-10 exercise ("Lock-Free SPSC Ring", Appendix B.1) with the same
// variants, flags and JSON as the C++ lab (labs/spsc-ring), so both runtimes
// can be compared side by side.
//
// A producer goroutine sends 0..N-1 to a consumer goroutine, which checks each
// value arrives once and in order, through
//
//	ring        a lock-free SPSC ring: atomic.Uint64 head and tail, each on
//	            its own cache line ([7]uint64 padding, as B.1 sketches it);
//	withoutPad  the same ring with head and tail side by side on one line;
//	cached, cachedWithoutPad
//	            the same two with each side's private copy of the other's
//	            index, reloaded only when it says full or empty;
//	chan        a buffered chan uint64 of the same capacity;
//	mutex       a sync.Mutex-protected circular buffer of the same capacity.
//
// A blocked ring or mutex side waits as -wait says: backoff (the default:
// spinTries tries, then runtime.Gosched(), and again), spin (an empty loop;
// Go's async preemption keeps one P fair) or gosched (runtime.Gosched() per
// try).  Runs are interleaved round by round after one untimed warm-up per
// variant, each round after a calibration run bouncing one cache line between
// two goroutines, as in the C++ lab.  Go's atomics are sequentially consistent: on amd64 Store is an
// XCHG (a locked instruction), where C++'s release store is a plain MOV.
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
	"time"
	"unsafe"
)

// cacheLineBytes is x86-64's cache line: head and tail of the padded ring are
// this far apart so a store to one never invalidates the line of the other.
const cacheLineBytes = 64

// The four ring types below repeat the same tryPush/tryPop bodies on purpose:
// what the lab measures is where the fields lie, and Go 1.19's generics cannot
// abstract over a struct's field layout except through an interface or a
// pointer to the indices, each an indirection on every operation that the
// course's ring does not have (the C++ side gets the layouts from one
// template, spsc_ring.hpp).

// ring is the padded SPSC ring: head (next index the consumer reads, written
// only by it) and tail (next index the producer writes, written only by it),
// each followed by padding to a full cache line, then the read-only fields on
// a line of their own.
type ring struct {
	head atomic.Uint64
	_    [7]uint64
	tail atomic.Uint64
	_    [7]uint64
	// mask is capacity-1 (capacity a power of two: slot = index & mask).
	mask uint64
	// slots holds the values; its header is read-only after construction.
	slots []uint64
}

// ringNoPad is the withoutPad ablation: head and tail on one line, padding
// after them keeps mask and slots off that line so only the indices share it.
type ringNoPad struct {
	head  atomic.Uint64
	tail  atomic.Uint64
	_     [6]uint64
	mask  uint64
	slots []uint64
}

// newRing makes an empty padded ring of capacity slots (a power of two).
func newRing(capacity int) *ring {
	return &ring{mask: uint64(capacity - 1), slots: make([]uint64, capacity)}
}

// newRingNoPad makes an empty withoutPad ring of capacity slots (a power of two).
func newRingNoPad(capacity int) *ringNoPad {
	return &ringNoPad{mask: uint64(capacity - 1), slots: make([]uint64, capacity)}
}

// tryPush appends v unless the ring is full (producer only).
func (r *ring) tryPush(v uint64) bool {
	tail := r.tail.Load()
	if tail-r.head.Load() == uint64(len(r.slots)) {
		return false
	}
	r.slots[tail&r.mask] = v
	r.tail.Store(tail + 1)
	return true
}

// tryPop removes the oldest value unless the ring is empty (consumer only).
func (r *ring) tryPop() (uint64, bool) {
	head := r.head.Load()
	if head == r.tail.Load() {
		return 0, false
	}
	v := r.slots[head&r.mask]
	r.head.Store(head + 1)
	return v, true
}

// tryPush appends v unless the ring is full (producer only).
func (r *ringNoPad) tryPush(v uint64) bool {
	tail := r.tail.Load()
	if tail-r.head.Load() == uint64(len(r.slots)) {
		return false
	}
	r.slots[tail&r.mask] = v
	r.tail.Store(tail + 1)
	return true
}

// tryPop removes the oldest value unless the ring is empty (consumer only).
func (r *ringNoPad) tryPop() (uint64, bool) {
	head := r.head.Load()
	if head == r.tail.Load() {
		return 0, false
	}
	v := r.slots[head&r.mask]
	r.head.Store(head + 1)
	return v, true
}

// ringCached is the padded ring with each side's private copy of the other
// side's index on its own line, reloaded only when the copy says full (the
// producer's cachedHead) or empty (the consumer's cachedTail).
type ringCached struct {
	head       atomic.Uint64
	cachedTail uint64
	_          [6]uint64
	tail       atomic.Uint64
	cachedHead uint64
	_          [6]uint64
	mask       uint64
	slots      []uint64
}

// ringCachedNoPad is ringCached with both indices and both copies on one line.
type ringCachedNoPad struct {
	head       atomic.Uint64
	tail       atomic.Uint64
	cachedTail uint64
	cachedHead uint64
	_          [4]uint64
	mask       uint64
	slots      []uint64
}

// tryPush appends v unless the ring is full (producer only).
func (r *ringCached) tryPush(v uint64) bool {
	tail := r.tail.Load()
	if tail-r.cachedHead == uint64(len(r.slots)) {
		if r.cachedHead = r.head.Load(); tail-r.cachedHead == uint64(len(r.slots)) {
			return false
		}
	}
	r.slots[tail&r.mask] = v
	r.tail.Store(tail + 1)
	return true
}

// tryPop removes the oldest value unless the ring is empty (consumer only).
func (r *ringCached) tryPop() (uint64, bool) {
	head := r.head.Load()
	if head == r.cachedTail {
		if r.cachedTail = r.tail.Load(); head == r.cachedTail {
			return 0, false
		}
	}
	v := r.slots[head&r.mask]
	r.head.Store(head + 1)
	return v, true
}

// tryPush appends v unless the ring is full (producer only).
func (r *ringCachedNoPad) tryPush(v uint64) bool {
	tail := r.tail.Load()
	if tail-r.cachedHead == uint64(len(r.slots)) {
		if r.cachedHead = r.head.Load(); tail-r.cachedHead == uint64(len(r.slots)) {
			return false
		}
	}
	r.slots[tail&r.mask] = v
	r.tail.Store(tail + 1)
	return true
}

// tryPop removes the oldest value unless the ring is empty (consumer only).
func (r *ringCachedNoPad) tryPop() (uint64, bool) {
	head := r.head.Load()
	if head == r.cachedTail {
		if r.cachedTail = r.tail.Load(); head == r.cachedTail {
			return 0, false
		}
	}
	v := r.slots[head&r.mask]
	r.head.Store(head + 1)
	return v, true
}

// mutexQueue is the course's sync.Mutex-protected queue, bounded and
// allocated once like the ring.
type mutexQueue struct {
	mu    sync.Mutex // guards the fields below
	slots []uint64   // the capacity slots
	first int        // slot of the oldest value
	count int        // values held
}

// tryPush appends v unless the queue is full.
func (q *mutexQueue) tryPush(v uint64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.count == len(q.slots) {
		return false
	}
	q.slots[(q.first+q.count)%len(q.slots)] = v
	q.count++
	return true
}

// tryPop removes the oldest value unless the queue is empty.
func (q *mutexQueue) tryPop() (uint64, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.count == 0 {
		return 0, false
	}
	v := q.slots[q.first]
	q.first = (q.first + 1) % len(q.slots)
	q.count--
	return v, true
}

// queue is what the polling transfer needs.
type queue interface {
	tryPush(v uint64) bool
	tryPop() (uint64, bool)
}

// transferRun is one run's measurements.
type transferRun struct {
	ns            int64
	producerWaits uint64
	consumerWaits uint64
	inOrder       bool
}

// spinTries is the failed tries a backoff side spins through before it
// yields, as the C++ lab's kSpinTries (whose tries also pause).
const spinTries = 100

// waiter is one side's waiting through one blocked spell.
type waiter struct {
	policy string
	spins  int
}

// wait waits once as the policy says.
func (w *waiter) wait() {
	switch w.policy {
	case "backoff":
		if w.spins++; w.spins < spinTries {
			return
		}
		w.spins = 0
		runtime.Gosched()
	case "gosched":
		runtime.Gosched()
	}
}

// timePair runs produce and consume as two goroutines and returns the wall
// time until both have returned.
func timePair(produce, consume func()) int64 {
	var wg sync.WaitGroup
	wg.Add(2)
	start := time.Now()
	go func() { consume(); wg.Done() }()
	go func() { produce(); wg.Done() }()
	wg.Wait()
	return time.Since(start).Nanoseconds()
}

// transferPolling sends 0..n-1 through q; the type parameter keeps the
// calls direct (no interface dispatch in the hot loop).
func transferPolling[Q queue](q Q, n uint64, policy string) transferRun {
	var run transferRun
	inOrder := true
	run.ns = timePair(func() {
		var waits uint64
		for i := uint64(0); i < n; i++ {
			if q.tryPush(i) {
				continue
			}
			w := waiter{policy: policy}
			for ok := false; !ok; ok = q.tryPush(i) {
				w.wait()
				waits++
			}
		}
		run.producerWaits = waits
	}, func() {
		var waits uint64
		for expected := uint64(0); expected < n; expected++ {
			v, ok := q.tryPop()
			if !ok {
				w := waiter{policy: policy}
				for !ok {
					w.wait()
					waits++
					v, ok = q.tryPop()
				}
			}
			inOrder = inOrder && v == expected
		}
		run.consumerWaits = waits
	})
	run.inOrder = inOrder
	return run
}

// transferChan sends 0..n-1 through a buffered channel of capacity.
func transferChan(capacity int, n uint64) transferRun {
	c := make(chan uint64, capacity)
	var run transferRun
	inOrder := true
	run.ns = timePair(func() {
		for i := uint64(0); i < n; i++ {
			c <- i
		}
	}, func() {
		for expected := uint64(0); expected < n; expected++ {
			inOrder = inOrder && <-c == expected
		}
	})
	run.inOrder = inOrder
	return run
}

// line is one counter alone on its cache line (Go aligns only to 8 bytes, so
// the padding on both sides keeps any neighbour off the counter's line).
type line struct {
	_    [7]uint64
	turn atomic.Uint64
	_    [7]uint64
}

// takeTurns takes steps turns of the given parity: waits for the counter to
// show it, then advances it.
func takeTurns(l *line, parity uint64, steps uint64, policy string) {
	for i := uint64(0); i < steps; i++ {
		v := l.turn.Load()
		if v&1 != parity {
			w := waiter{policy: policy}
			for v&1 != parity {
				w.wait()
				v = l.turn.Load()
			}
		}
		l.turn.Store(v + 1)
	}
}

// timeLineRoundTrips bounces one cache line between two goroutines n times
// (the calibration, as the C++ lab's line_round_trip.hpp) and returns the wall time.
func timeLineRoundTrips(n uint64, policy string) int64 {
	l := &line{}
	return timePair(func() { takeTurns(l, 0, n, policy) }, func() { takeTurns(l, 1, n, policy) })
}

// placement is where a ring's indices landed.
type placement struct {
	distance int64
	sameLine bool
}

// placementOf measures where head and tail are.
func placementOf(head, tail unsafe.Pointer) placement {
	h, t := uintptr(head), uintptr(tail)
	return placement{int64(t) - int64(h), h/cacheLineBytes == t/cacheLineBytes}
}

// runTransfer runs one transfer of variant name; the placement is set for rings.
func runTransfer(name string, capacity int, n uint64, policy string) (transferRun, *placement) {
	switch name {
	case "ring":
		r := newRing(capacity)
		p := placementOf(unsafe.Pointer(&r.head), unsafe.Pointer(&r.tail))
		return transferPolling(r, n, policy), &p
	case "withoutPad":
		r := newRingNoPad(capacity)
		p := placementOf(unsafe.Pointer(&r.head), unsafe.Pointer(&r.tail))
		return transferPolling(r, n, policy), &p
	case "cached":
		r := &ringCached{mask: uint64(capacity - 1), slots: make([]uint64, capacity)}
		p := placementOf(unsafe.Pointer(&r.head), unsafe.Pointer(&r.tail))
		return transferPolling(r, n, policy), &p
	case "cachedWithoutPad":
		r := &ringCachedNoPad{mask: uint64(capacity - 1), slots: make([]uint64, capacity)}
		p := placementOf(unsafe.Pointer(&r.head), unsafe.Pointer(&r.tail))
		return transferPolling(r, n, policy), &p
	case "chan":
		return transferChan(capacity, n), nil
	case "mutex":
		return transferPolling(&mutexQueue{slots: make([]uint64, capacity)}, n, policy), nil
	}
	panic("unknown variant " + name)
}

// variantResult and runtimeResults are the C++ lab's JSON shape (results.hpp).
type variantResult struct {
	Name            string   `json:"name"`
	RunNs           []int64  `json:"run_ns"`
	ProducerWaits   []uint64 `json:"producer_waits"`
	ConsumerWaits   []uint64 `json:"consumer_waits"`
	InOrder         bool     `json:"in_order"`
	HeadToTailBytes *int64   `json:"head_to_tail_bytes"`
	SameCacheLine   *bool    `json:"same_cache_line"`
}

type runtimeResults struct {
	Runtime    string          `json:"runtime"`
	Version    string          `json:"version"`
	Gomaxprocs int             `json:"gomaxprocs"`
	Messages   uint64          `json:"messages"`
	Capacity   uint64          `json:"capacity"`
	Runs       int             `json:"runs"`
	Wait       string          `json:"wait"`
	Variants   []variantResult `json:"variants"`
	// LineRoundTrips is the calibration's round trips per run, LineRoundTripRunNs each run's time.
	LineRoundTrips     uint64  `json:"line_round_trips"`
	LineRoundTripRunNs []int64 `json:"line_round_trip_run_ns"`
}

// medianNsPerMsg is the nearest-rank median run divided by the messages.
func medianNsPerMsg(v variantResult, n uint64) float64 {
	s := append([]int64(nil), v.RunNs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return float64(s[(len(s)+1)/2-1]) / float64(n)
}

// max is the larger of a and b.
func max(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}

func main() {
	variants := flag.String("variants", "ring,withoutPad,cached,cachedWithoutPad,chan,mutex", "queues to compare")
	messages := flag.Uint64("messages", 10_000_000, "values each run sends")
	capacity := flag.Int("capacity", 1024, "slots of every queue, a power of two")
	runs := flag.Int("runs", 7, "timed runs per variant")
	procs := flag.Int("procs", 2, "GOMAXPROCS")
	wait := flag.String("wait", "backoff", "backoff, spin or gosched")
	short := flag.Bool("short", false, "200000 messages, 3 runs")
	asJSON := flag.Bool("json", false, "print the results as JSON")
	flag.Parse()
	if *short {
		*messages, *runs = 200_000, 3
	}
	if *capacity < 1 || *capacity&(*capacity-1) != 0 || *messages < 1 || *runs < 1 || *procs < 1 ||
		(*wait != "backoff" && *wait != "gosched" && *wait != "spin") {
		fmt.Fprintln(os.Stderr, "spsc-ring-twin: bad flags (capacity a power of two, messages/runs/procs >= 1, wait backoff|spin|gosched)")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(*procs)
	names := strings.Split(*variants, ",")
	res := runtimeResults{Runtime: "go", Version: runtime.Version(), Gomaxprocs: runtime.GOMAXPROCS(0),
		Messages: *messages, Capacity: uint64(*capacity), Runs: *runs, Wait: *wait}
	warm := *messages / 10
	if warm < 1 {
		warm = 1
	}
	for _, name := range names {
		runTransfer(name, *capacity, warm, *wait)
		res.Variants = append(res.Variants, variantResult{Name: name, InOrder: true})
	}
	res.LineRoundTrips = warm
	res.LineRoundTripRunNs = []int64{}
	timeLineRoundTrips(max(1, warm/10), *wait)
	start := time.Now()
	for round := 0; round < *runs; round++ {
		res.LineRoundTripRunNs = append(res.LineRoundTripRunNs, timeLineRoundTrips(warm, *wait))
		for i, name := range names {
			run, p := runTransfer(name, *capacity, *messages, *wait)
			v := &res.Variants[i]
			v.RunNs = append(v.RunNs, run.ns)
			v.ProducerWaits = append(v.ProducerWaits, run.producerWaits)
			v.ConsumerWaits = append(v.ConsumerWaits, run.consumerWaits)
			v.InOrder = v.InOrder && run.inOrder
			if p != nil {
				d, same := p.distance, p.sameLine
				v.HeadToTailBytes, v.SameCacheLine = &d, &same
			}
		}
		fmt.Fprintf(os.Stderr, "spsc-ring-twin: round %d/%d (%.1fs)\n", round+1, *runs, time.Since(start).Seconds())
	}
	if *asJSON {
		out, _ := json.Marshal(res)
		fmt.Println(string(out))
		return
	}
	for _, v := range res.Variants {
		ns := medianNsPerMsg(v, res.Messages)
		fmt.Printf("%-10s %8.1f ns/msg %8.2f M msgs/s in order: %v\n", v.Name, ns, 1e3/ns, v.InOrder)
	}
}
