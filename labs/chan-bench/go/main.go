// Command chan-bench-twin is the Go program of gort's chan-bench lab: the
// course's week-9 exercise ("Channel Internals", 9.3) with the same parts,
// flags and JSON as the C++ lab (labs/chan-bench), so both runtimes can be
// compared side by side.
//
//  1. throughput: one producer goroutine sends 0..N-1 to one consumer
//     goroutine, which checks each value arrives once and in order, through
//     an unbuffered chan, a chan of 1, a chan of 1024, a sync.Mutex-protected
//     circular queue and a sync/atomic-only SPSC ring (atomic.Uint64 head and
//     tail, each on its own cache line).  A blocked mutex or ring side waits
//     as -wait says: backoff (spinTries tries, then runtime.Gosched()), spin
//     or gosched.  Runs are interleaved round by round after one untimed
//     warm-up of a tenth of the messages per variant.
//  2. toggle: two upstream channels, filled and closed before the selector
//     starts; the selector disables the case it just served by setting its
//     channel variable to nil (toggle), or keeps both enabled (both), or
//     leaves closed channels in the select (closedNotNil).
//  3. bridge: the "unbounded channel" — a goroutine between an in and an out
//     channel buffering everything in a slice, a slow consumer, memory
//     sampled over time, stopped by a message bound or a time limit.
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
)

// spinTries is the number of failed tries a backoff side makes before it
// yields: the C++ lab's kSpinTries (spsc-ring's wait_policy.hpp).
const spinTries = 100

// cacheLineBytes is x86-64's cache line: head and tail are this far apart.
const cacheLineBytes = 64

// ---- part 1: throughput ------------------------------------------------

// waiter is one side's waiting through one blocked spell.
type waiter struct {
	policy string
	spins  int
}

// wait waits once as the policy says.
func (w *waiter) wait() {
	switch w.policy {
	case "spin":
	case "gosched":
		runtime.Gosched()
	default:
		w.spins++
		if w.spins >= spinTries {
			w.spins = 0
			runtime.Gosched()
		}
	}
}

// retryUntil calls try until it succeeds and returns the failures.
func retryUntil(try func() bool, policy string) uint64 {
	if try() {
		return 0
	}
	w := waiter{policy: policy}
	var failures uint64
	for {
		w.wait()
		failures++
		if try() {
			return failures
		}
	}
}

// ring is the course's sync/atomic-only SPSC ring (Appendix B.1): head is the
// next index the consumer reads (written only by it), tail the next index the
// producer writes (written only by it), each on a cache line of its own.
type ring struct {
	head  atomic.Uint64
	_     [cacheLineBytes - 8]byte
	tail  atomic.Uint64
	_     [cacheLineBytes - 8]byte
	mask  uint64
	slots []uint64
}

// newRing returns an empty ring; capacity must be a power of two.
func newRing(capacity int) *ring {
	return &ring{mask: uint64(capacity - 1), slots: make([]uint64, capacity)}
}

// tryPush appends v unless the ring is full (producer only).
func (r *ring) tryPush(v uint64) bool {
	t := r.tail.Load()
	if t-r.head.Load() == uint64(len(r.slots)) {
		return false
	}
	r.slots[t&r.mask] = v
	r.tail.Store(t + 1)
	return true
}

// tryPop takes the oldest value unless the ring is empty (consumer only).
func (r *ring) tryPop(v *uint64) bool {
	h := r.head.Load()
	if h == r.tail.Load() {
		return false
	}
	*v = r.slots[h&r.mask]
	r.head.Store(h + 1)
	return true
}

// mutexQueue is the course's sync.Mutex + slice queue, bounded and allocated
// once like the ring (a circular buffer), as in the C++ lab.
type mutexQueue struct {
	mu           sync.Mutex
	slots        []uint64
	first, count int
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

// tryPop takes the oldest value unless the queue is empty.
func (q *mutexQueue) tryPop(v *uint64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.count == 0 {
		return false
	}
	*v = q.slots[q.first]
	q.first = (q.first + 1) % len(q.slots)
	q.count--
	return true
}

// transferRun is what one run measured.
type transferRun struct {
	ns                           int64
	producerWaits, consumerWaits uint64
	inOrder                      bool
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

// transferPolling sends 0..n-1 through a queue with tryPush/tryPop.
func transferPolling(push func(uint64) bool, pop func(*uint64) bool, n uint64, policy string) transferRun {
	var run transferRun
	inOrder := true
	run.ns = timePair(func() {
		var waits uint64
		for i := uint64(0); i < n; i++ {
			i := i
			waits += retryUntil(func() bool { return push(i) }, policy)
		}
		run.producerWaits = waits
	}, func() {
		var waits, v uint64
		for expected := uint64(0); expected < n; expected++ {
			waits += retryUntil(func() bool { return pop(&v) }, policy)
			inOrder = inOrder && v == expected
		}
		run.consumerWaits = waits
	})
	run.inOrder = inOrder
	return run
}

// transferChan sends 0..n-1 through a channel of the given capacity.
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

// queueCapacity is the slots of variant name's queue (ring and mutex: -capacity).
func queueCapacity(name string, capacity int) int {
	switch name {
	case "unbuffered":
		return 0
	case "buffered1":
		return 1
	case "buffered1024":
		return 1024
	}
	return capacity
}

// runTransfer runs one transfer through variant name.
func runTransfer(name string, capacity int, n uint64, policy string) transferRun {
	switch name {
	case "mutex":
		q := &mutexQueue{slots: make([]uint64, capacity)}
		return transferPolling(q.tryPush, q.tryPop, n, policy)
	case "ring":
		r := newRing(capacity)
		return transferPolling(r.tryPush, r.tryPop, n, policy)
	}
	return transferChan(queueCapacity(name, capacity), n)
}

// throughputResult is one variant's runs (results.hpp's ThroughputResult).
type throughputResult struct {
	Name          string   `json:"name"`
	Capacity      uint64   `json:"capacity"`
	RunNs         []int64  `json:"run_ns"`
	ProducerWaits []uint64 `json:"producer_waits"`
	ConsumerWaits []uint64 `json:"consumer_waits"`
	InOrder       bool     `json:"in_order"`
}

// throughputResults is part 1 (results.hpp's ThroughputResults).
type throughputResults struct {
	Messages uint64             `json:"messages"`
	Runs     int                `json:"runs"`
	Wait     string             `json:"wait"`
	Variants []throughputResult `json:"variants"`
}

// runThroughput runs part 1: warm-ups, then runs interleaved round by round.
func runThroughput(variants []string, n uint64, capacity, runs int, policy string) *throughputResults {
	r := &throughputResults{Messages: n, Runs: runs, Wait: policy}
	warm := n / 10
	if warm < 1 {
		warm = 1
	}
	for _, name := range variants {
		run := runTransfer(name, capacity, warm, policy)
		r.Variants = append(r.Variants, throughputResult{Name: name, Capacity: uint64(queueCapacity(name, capacity)),
			RunNs: []int64{}, ProducerWaits: []uint64{}, ConsumerWaits: []uint64{}, InOrder: run.inOrder})
	}
	total := runs * len(variants)
	done := 0
	for round := 0; round < runs; round++ {
		for i, name := range variants {
			run := runTransfer(name, capacity, n, policy)
			v := &r.Variants[i]
			v.RunNs = append(v.RunNs, run.ns)
			v.ProducerWaits = append(v.ProducerWaits, run.producerWaits)
			v.ConsumerWaits = append(v.ConsumerWaits, run.consumerWaits)
			v.InOrder = v.InOrder && run.inOrder
			done++
			fmt.Fprintf(os.Stderr, "chan-bench (Go): throughput runs: %d/%d\n", done, total)
		}
	}
	return r
}

// ---- part 2: the nil-channel toggle ------------------------------------

// toggleMode is one way of selecting (results.hpp's ToggleMode).
type toggleMode struct {
	Mode           string `json:"mode"`
	FromA          uint64 `json:"from_a"`
	FromB          uint64 `json:"from_b"`
	Selects        uint64 `json:"selects"`
	Repeats        uint64 `json:"repeats"`
	ClosedReceives uint64 `json:"closed_receives"`
	InOrder        bool   `json:"in_order"`
	Ns             int64  `json:"ns"`
}

// toggleResults is part 2 (results.hpp's ToggleResults).
type toggleResults struct {
	AMessages          uint64       `json:"a_messages"`
	BMessages          uint64       `json:"b_messages"`
	Modes              []toggleMode `json:"modes"`
	NilDefaultSelects  uint64       `json:"nil_default_selects"`
	NilDefaultDefaults uint64       `json:"nil_default_defaults"`
}

// filledUpstreams returns two channels holding 0..na-1 and 0..nb-1, each
// filled and closed by a goroutine of its own that has finished.
func filledUpstreams(na, nb uint64) (chan uint64, chan uint64) {
	a, b := make(chan uint64, na), make(chan uint64, nb)
	var wg sync.WaitGroup
	for _, u := range []struct {
		c chan uint64
		n uint64
	}{{a, na}, {b, nb}} {
		wg.Add(1)
		go func(c chan uint64, n uint64) {
			for i := uint64(0); i < n; i++ {
				c <- i
			}
			close(c)
			wg.Done()
		}(u.c, u.n)
	}
	wg.Wait()
	return a, b
}

// selectLoop selects over fresh upstreams of na and nb values in mode.
func selectLoop(mode string, na, nb uint64) toggleMode {
	a, b := filledUpstreams(na, nb)
	out := toggleMode{Mode: mode}
	caseA, caseB := a, b
	if mode == "toggle" {
		caseB = nil
	}
	aOpen, bOpen := true, true
	var next [2]uint64
	inOrder := true
	last := -1
	enabled := func(open bool, c chan uint64) chan uint64 {
		if open {
			return c
		}
		return nil
	}
	start := time.Now()
	for aOpen || bOpen {
		var from int
		var v uint64
		var ok bool
		select {
		case v, ok = <-caseA:
			from = 0
		case v, ok = <-caseB:
			from = 1
		}
		out.Selects++
		if !ok {
			out.ClosedReceives++
			if from == 0 {
				aOpen = false
			} else {
				bOpen = false
			}
			if mode != "closedNotNil" {
				caseA, caseB = enabled(aOpen, a), enabled(bOpen, b)
			}
			continue
		}
		if from == 0 {
			out.FromA++
		} else {
			out.FromB++
		}
		inOrder = inOrder && v == next[from]
		next[from] = v + 1
		if aOpen && bOpen && from == last {
			out.Repeats++
		}
		last = from
		if mode == "toggle" {
			// Disable the case just served and enable the other, unless the
			// other upstream is closed (both nil would block forever).
			if from == 0 {
				caseA, caseB = enabled(aOpen && !bOpen, a), enabled(bOpen, b)
			} else {
				caseA, caseB = enabled(aOpen, a), enabled(bOpen && !aOpen, b)
			}
		}
	}
	out.Ns = time.Since(start).Nanoseconds()
	out.InOrder = inOrder && next[0] == na && next[1] == nb && out.FromA == na && out.FromB == nb
	return out
}

// runToggle runs part 2: the three modes and the nil-case-with-default check.
func runToggle(aMessages uint64) *toggleResults {
	r := &toggleResults{AMessages: aMessages, BMessages: aMessages / 2}
	for _, mode := range []string{"toggle", "both", "closedNotNil"} {
		r.Modes = append(r.Modes, selectLoop(mode, r.AMessages, r.BMessages))
	}
	var nilChan chan uint64
	r.NilDefaultSelects = aMessages
	for i := uint64(0); i < r.NilDefaultSelects; i++ {
		select {
		case <-nilChan:
		default:
			r.NilDefaultDefaults++
		}
	}
	return r
}

// ---- part 3: the unbounded bridge --------------------------------------

// message is 64 bytes, as the C++ lab's Message.
type message struct {
	seq     uint64
	payload [56]byte
}

// bridgeSample is one memory sample (results.hpp's BridgeSample).
type bridgeSample struct {
	TNs            int64  `json:"t_ns"`
	Sent           uint64 `json:"sent"`
	Received       uint64 `json:"received"`
	Backlog        uint64 `json:"backlog"`
	RssBytes       uint64 `json:"rss_bytes"`
	HeapAllocBytes uint64 `json:"heap_alloc_bytes"`
}

// bridgeResults is part 3 (results.hpp's BridgeResults).
type bridgeResults struct {
	MessageBytes    uint64         `json:"message_bytes"`
	MaxMessages     uint64         `json:"max_messages"`
	LimitNs         int64          `json:"limit_ns"`
	ConsumerDelayNs int64          `json:"consumer_delay_ns"`
	SampleEveryNs   int64          `json:"sample_every_ns"`
	Samples         []bridgeSample `json:"samples"`
	Sent            uint64         `json:"sent"`
	Received        uint64         `json:"received"`
	Dropped         uint64         `json:"dropped"`
	StoppedBy       string         `json:"stopped_by"`
	InOrder         bool           `json:"in_order"`
}

// residentBytes is the process's RSS from /proc/self/statm, or 0.
func residentBytes() uint64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident uint64
	if _, err := fmt.Sscan(string(data), &size, &resident); err != nil {
		return 0
	}
	return resident * uint64(os.Getpagesize())
}

// runBridge runs part 3 until the time limit or until the consumer has every message.
func runBridge(maxMessages uint64, limit, delay, every time.Duration) *bridgeResults {
	r := &bridgeResults{MessageBytes: 64, MaxMessages: maxMessages, LimitNs: limit.Nanoseconds(),
		ConsumerDelayNs: delay.Nanoseconds(), SampleEveryNs: every.Nanoseconds(), Samples: []bridgeSample{}}
	in, out := make(chan message), make(chan message)
	stop := make(chan struct{})
	var sent, received, backlog atomic.Uint64
	consumerInOrder := true
	var wg sync.WaitGroup
	wg.Add(3)

	go func() { // the producer
		defer wg.Done()
		defer close(in)
		for i := uint64(0); i < maxMessages; i++ {
			select {
			case in <- message{seq: i}:
				sent.Store(i + 1)
			case <-stop:
				return
			}
		}
	}()

	go func() { // the bridge
		defer wg.Done()
		defer close(out)
		var buf []message
		inCase := in
		for inCase != nil || len(buf) > 0 {
			var outCase chan message // nil while there is nothing to send
			var head message
			if len(buf) > 0 {
				outCase, head = out, buf[0]
			}
			select {
			case m, ok := <-inCase:
				if ok {
					buf = append(buf, m)
				} else {
					inCase = nil
				}
			case outCase <- head:
				buf = buf[1:]
			case <-stop:
				r.Dropped = uint64(len(buf))
				return
			}
			backlog.Store(uint64(len(buf)))
		}
	}()

	go func() { // the slow consumer
		defer wg.Done()
		var expected uint64
		for {
			select {
			case m, ok := <-out:
				if !ok {
					return
				}
				consumerInOrder = consumerInOrder && m.seq == expected
				expected++
				received.Store(expected)
				time.Sleep(delay)
			case <-stop:
				return
			}
		}
	}()

	start := time.Now()
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		r.Samples = append(r.Samples, bridgeSample{TNs: time.Since(start).Nanoseconds(), Sent: sent.Load(),
			Received: received.Load(), Backlog: backlog.Load(), RssBytes: residentBytes(), HeapAllocBytes: ms.HeapAlloc})
	}
	sample()
	for {
		time.Sleep(every)
		sample()
		if received.Load() == maxMessages {
			r.StoppedBy = "drained"
			break
		}
		if time.Since(start) >= limit {
			r.StoppedBy = "time"
			break
		}
	}
	close(stop)
	wg.Wait()
	r.Sent, r.Received, r.InOrder = sent.Load(), received.Load(), consumerInOrder
	fmt.Fprintf(os.Stderr, "chan-bench (Go): bridge stopped by %s after %d sent, %d received, %d dropped\n",
		r.StoppedBy, r.Sent, r.Received, r.Dropped)
	return r
}

// ---- main ---------------------------------------------------------------

// runtimeResults is everything measured (results.hpp's RuntimeResults).
type runtimeResults struct {
	Runtime    string             `json:"runtime"`
	Version    string             `json:"version"`
	Gomaxprocs int                `json:"gomaxprocs"`
	Throughput *throughputResults `json:"throughput"`
	Toggle     *toggleResults     `json:"toggle"`
	Bridge     *bridgeResults     `json:"bridge"`
}

// fail prints one line naming the flag and exits 2, as the C++ lab does.
func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "chan-bench-twin: "+format+"\n", args...)
	os.Exit(2)
}

// has reports whether list (comma-separated) names name.
func has(list, name string) bool {
	for _, item := range strings.Split(list, ",") {
		if item == name {
			return true
		}
	}
	return false
}

func main() {
	asJSON := flag.Bool("json", false, "print the results as JSON (the C++ lab reads them)")
	parts := flag.String("parts", "throughput,toggle,bridge", "parts to run")
	variants := flag.String("variants", "unbuffered,buffered1,buffered1024,mutex,ring", "part 1's queues")
	messages := flag.Uint64("messages", 10_000_000, "values per throughput run")
	capacity := flag.Int("capacity", 1024, "slots of the mutex queue and the ring, a power of two")
	runs := flag.Int("runs", 3, "timed runs per variant")
	procs := flag.Int("procs", 2, "GOMAXPROCS")
	wait := flag.String("wait", "backoff", "backoff, spin or gosched")
	toggleMessages := flag.Uint64("toggle-messages", 1_000_000, "values upstream A sends (B: half)")
	bridgeMessages := flag.Uint64("bridge-messages", 2_000_000, "most messages the bridge's producer sends")
	bridgeTime := flag.Duration("bridge-time", 5*time.Second, "the bridge run's time limit")
	consumerDelay := flag.Duration("consumer-delay", time.Millisecond, "the consumer's pause after each message")
	sampleEvery := flag.Duration("sample-every", 50*time.Millisecond, "the memory sampling period")
	flag.Parse()
	if *messages < 1 || *runs < 1 || *procs < 1 || *toggleMessages < 2 || *bridgeMessages < 1 {
		fail("-messages, -runs, -procs, -bridge-messages must be at least 1, -toggle-messages at least 2")
	}
	if *capacity < 1 || *capacity&(*capacity-1) != 0 {
		fail("-capacity %d: expected a power of two", *capacity)
	}
	if *wait != "backoff" && *wait != "spin" && *wait != "gosched" {
		fail("-wait %q: expected backoff, spin or gosched", *wait)
	}
	if *bridgeTime <= 0 || *consumerDelay <= 0 || *sampleEvery <= 0 {
		fail("-bridge-time, -consumer-delay and -sample-every must be positive")
	}
	var names []string
	for _, v := range strings.Split(*variants, ",") {
		if !has("unbuffered,buffered1,buffered1024,mutex,ring", v) {
			fail("-variants: unknown variant %q", v)
		}
		names = append(names, v)
	}
	runtime.GOMAXPROCS(*procs)
	r := runtimeResults{Runtime: "go", Version: runtime.Version(), Gomaxprocs: runtime.GOMAXPROCS(0)}
	if has(*parts, "throughput") {
		r.Throughput = runThroughput(names, *messages, *capacity, *runs, *wait)
	}
	if has(*parts, "toggle") {
		fmt.Fprintln(os.Stderr, "chan-bench (Go): nil-channel toggle")
		r.Toggle = runToggle(*toggleMessages)
	}
	if has(*parts, "bridge") {
		fmt.Fprintf(os.Stderr, "chan-bench (Go): unbounded bridge (up to %v)\n", *bridgeTime)
		r.Bridge = runBridge(*bridgeMessages, *bridgeTime, *consumerDelay, *sampleEvery)
	}
	if *asJSON {
		out, err := json.Marshal(r)
		if err != nil {
			fail("%v", err)
		}
		fmt.Println(string(out))
		return
	}
	printText(r)
}

// printText prints a short plain summary when run by hand without -json.
func printText(r runtimeResults) {
	fmt.Printf("%s, GOMAXPROCS=%d\n", r.Version, r.Gomaxprocs)
	if t := r.Throughput; t != nil {
		for _, v := range t.Variants {
			ns := append([]int64(nil), v.RunNs...)
			sort.Slice(ns, func(i, j int) bool { return ns[i] < ns[j] })
			median := float64(ns[(len(ns)+1)/2-1]) / float64(t.Messages)
			fmt.Printf("%-13s %8.1f ns/msg  %8.2fM msgs/s  in order %v\n", v.Name, median, 1e3/median, v.InOrder)
		}
	}
	if t := r.Toggle; t != nil {
		for _, m := range t.Modes {
			fmt.Printf("%-13s from A %d, from B %d, repeats %d, closed receives %d, in order %v\n", m.Mode, m.FromA,
				m.FromB, m.Repeats, m.ClosedReceives, m.InOrder)
		}
		fmt.Printf("nil case + default: default ran %d of %d times\n", t.NilDefaultDefaults, t.NilDefaultSelects)
	}
	if b := r.Bridge; b != nil {
		var peak bridgeSample
		for _, s := range b.Samples {
			if s.RssBytes > peak.RssBytes {
				peak = s
			}
		}
		fmt.Printf("bridge: stopped by %s, sent %d, received %d, dropped %d, peak RSS %.1f MiB\n", b.StoppedBy, b.Sent,
			b.Received, b.Dropped, float64(peak.RssBytes)/(1<<20))
	}
}
