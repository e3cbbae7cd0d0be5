// Command survival-pool-twin is the Go program of gort's survival-pool lab:
// the course's week-12 exercise ("Worker Pool Survival Test", Appendix B.7)
// with the same scenarios, flags and JSON as the C++ lab (labs/survival-pool),
// so both runtimes can be compared side by side.
//
// The pool is the one the course sketches: N workers on a buffered task
// channel; try-send with drop-and-count on overflow (or a blocking send for
// backpressure); each task under context.WithTimeout(hard, timeout); each
// task call wrapped in a deferred recover(); on ctx.Done() the workers drain
// the queue until the drain deadline, then the running tasks' contexts are
// cancelled and the rest of the queue is abandoned and counted.  The broken
// variant ranges over a channel nobody closes and ignores ctx.
//
// The leak check is go.uber.org/goleak's idea built from runtime.Stack(buf,
// true): goleak itself cannot be fetched here (no network for Go modules), so
// liveGoroutines parses the dump's "goroutine N [state]:" headers and
// "created by F" lines, and verifyNone retries with back-off until a deadline.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ---- the goroutine leak check (goleak's Find/VerifyNone on runtime.Stack) ----

// goroutineRecord is one goroutine of a runtime.Stack(buf, true) dump.
type goroutineRecord struct {
	ID           int64  `json:"id"`
	CreatedBy    string `json:"created_by"`
	CreationFile string `json:"creation_file"`
	CreationLine int    `json:"creation_line"`
	State        string `json:"state"`
}

// liveGoroutines lists every goroutine but the caller, as runtime.Stack(buf,
// true) shows them (it stops the world; system goroutines are left out).
func liveGoroutines() []goroutineRecord {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []goroutineRecord
	blocks := bytes.Split(buf, []byte("\n\n"))
	for i, b := range blocks {
		if i == 0 {
			continue // the caller's own stack comes first
		}
		var r goroutineRecord
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
		expectFile := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "goroutine "):
				// goroutine 7 [chan receive, 2 minutes]:
				rest := strings.TrimPrefix(line, "goroutine ")
				sp := strings.IndexByte(rest, ' ')
				if sp < 0 {
					continue
				}
				r.ID, _ = strconv.ParseInt(rest[:sp], 10, 64)
				st := strings.TrimSuffix(strings.TrimPrefix(rest[sp+1:], "["), "]:")
				if c := strings.IndexByte(st, ','); c >= 0 {
					st = st[:c]
				}
				r.State = st
			case strings.HasPrefix(line, "created by "):
				f := strings.TrimPrefix(line, "created by ")
				if k := strings.Index(f, " in goroutine "); k >= 0 {
					f = f[:k]
				}
				r.CreatedBy = f
				expectFile = true
			case expectFile && strings.HasPrefix(line, "\t"):
				loc := strings.TrimSpace(line)
				if k := strings.LastIndex(loc, " +0x"); k >= 0 {
					loc = loc[:k]
				}
				if k := strings.LastIndexByte(loc, ':'); k >= 0 {
					r.CreationFile = loc[:k]
					r.CreationLine, _ = strconv.Atoi(loc[k+1:])
				}
				expectFile = false
			}
		}
		if r.ID != 0 {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// verifyNone waits until no goroutine but the caller is alive, or maxWait
// passed, and returns the ones still alive (goleak.Find's retry loop: a run
// of yields, then sleeps doubling to a millisecond, as the C++ side polls).
func verifyNone(maxWait time.Duration) []goroutineRecord {
	deadline := time.Now().Add(maxWait)
	pause := 10 * time.Microsecond
	for poll := 0; ; poll++ {
		if runtime.NumGoroutine() <= 1 {
			return nil
		}
		now := time.Now()
		if !now.Before(deadline) {
			return liveGoroutines()
		}
		if poll < 64 {
			runtime.Gosched()
		} else {
			d := deadline.Sub(now)
			if pause < d {
				d = pause
			}
			time.Sleep(d)
			if pause *= 2; pause > time.Millisecond {
				pause = time.Millisecond
			}
		}
	}
}

// ---- the pool ----

type taskKind int

const (
	kindCompute taskKind = iota
	kindWait
	kindPanic
)

type task struct {
	id        int64
	kind      taskKind
	spin      int64
	wait      time.Duration
	submitted time.Time
}

type poolCounts struct {
	Submitted        int64 `json:"submitted"`
	Completed        int64 `json:"completed"`
	Dropped          int64 `json:"dropped"`
	TimedOut         int64 `json:"timed_out"`
	Failed           int64 `json:"failed"`
	Abandoned        int64 `json:"abandoned"`
	ServedAfterPanic int64 `json:"served_after_panic"`
	AddsUp           bool  `json:"adds_up"`
}

type poolConfig struct {
	workers, queue        int
	taskTimeout, drain    time.Duration
	recordLatency, broken bool
}

// workerStats are one worker's counters, padded to their own cache lines.
type workerStats struct {
	completed, timedOut, failed, abandoned, servedAfterPanic atomic.Int64
	latency                                                  []int64
	_                                                        [64]byte
}

type pool struct {
	ctx                            context.Context
	cfg                            poolConfig
	tasks                          chan task
	hard                           context.Context
	hardCancel                     context.CancelFunc
	workersExited                  chan struct{}
	running                        atomic.Int32
	goroutines, inFlight           sync.WaitGroup
	stats                          []workerStats
	submitted, dropped, qAbandoned atomic.Int64
	shutdownEnded                  time.Time
	panicMu                        sync.Mutex
	firstPanic                     string
}

func newPool(ctx context.Context, cfg poolConfig) *pool {
	p := &pool{ctx: ctx, cfg: cfg, tasks: make(chan task, cfg.queue), workersExited: make(chan struct{}),
		stats: make([]workerStats, cfg.workers)}
	p.hard, p.hardCancel = context.WithCancel(context.Background())
	p.running.Store(int32(cfg.workers))
	for i := 0; i < cfg.workers; i++ {
		p.goroutines.Add(1)
		if cfg.broken {
			go p.brokenWorker(i)
		} else {
			go p.worker(i)
		}
	}
	if !cfg.broken {
		p.goroutines.Add(1)
		go p.supervise()
	}
	return p
}

func (p *pool) trySubmit(t task) bool {
	p.submitted.Add(1)
	if p.cfg.broken {
		p.inFlight.Add(1)
	}
	select {
	case p.tasks <- t:
		return true
	default:
		if p.cfg.broken {
			p.inFlight.Done()
		}
		p.dropped.Add(1)
		return false
	}
}

func (p *pool) submit(t task) bool {
	if p.cfg.broken {
		p.inFlight.Add(1)
	}
	select {
	case p.tasks <- t:
		p.submitted.Add(1)
		return true
	case <-p.ctx.Done():
		if p.cfg.broken {
			p.inFlight.Done()
		}
		return false
	}
}

type ending int

const (
	endCompleted ending = iota
	endFailed
	endCancelled
)

var sink atomic.Uint64

func compute(spin int64) uint64 {
	x := uint64(spin)
	for i := int64(0); i < spin; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// call runs one task under its context, recovering a panic (the course's
// defer recover()).
func (p *pool) call(ctx context.Context, t task) (end ending) {
	defer func() {
		if r := recover(); r != nil {
			end = endFailed
			p.panicMu.Lock()
			if p.firstPanic == "" {
				p.firstPanic = fmt.Sprint(r)
			}
			p.panicMu.Unlock()
		}
	}()
	switch t.kind {
	case kindCompute:
		sink.Store(compute(t.spin))
	case kindWait:
		reply := time.NewTimer(t.wait)
		defer reply.Stop()
		select {
		case <-reply.C:
		case <-ctx.Done():
			return endCancelled
		}
	case kindPanic:
		panic(fmt.Sprintf("task %d: simulated bug", t.id))
	}
	return endCompleted
}

func (p *pool) runTask(t task, s *workerStats, recovered *bool) {
	ctx, cancel := context.WithTimeout(p.hard, p.cfg.taskTimeout)
	end := p.call(ctx, t)
	cancel()
	switch end {
	case endCompleted:
		s.completed.Add(1)
		if *recovered {
			s.servedAfterPanic.Add(1)
		}
		if p.cfg.recordLatency {
			s.latency = append(s.latency, int64(time.Since(t.submitted)))
		}
	case endFailed:
		s.failed.Add(1)
		*recovered = true
	case endCancelled:
		if p.hard.Err() != nil {
			s.abandoned.Add(1)
		} else {
			s.timedOut.Add(1)
		}
	}
}

func (p *pool) worker(i int) {
	defer p.goroutines.Done()
	s := &p.stats[i]
	recovered := false
serve:
	for {
		select {
		case t := <-p.tasks:
			p.runTask(t, s, &recovered)
		case <-p.ctx.Done():
			break serve
		}
	}
	for p.hard.Err() == nil {
		select {
		case t := <-p.tasks:
			p.runTask(t, s, &recovered)
			continue
		default:
		}
		break
	}
	if p.running.Add(-1) == 0 {
		close(p.workersExited)
	}
}

func (p *pool) brokenWorker(i int) {
	defer p.goroutines.Done()
	s := &p.stats[i]
	recovered := false
	for t := range p.tasks { // the bug: nobody closes tasks, ctx is never looked at
		p.runTask(t, s, &recovered)
		p.inFlight.Done()
	}
}

func (p *pool) supervise() {
	defer p.goroutines.Done()
	select {
	case <-p.ctx.Done():
	case <-p.workersExited:
	}
	deadline := time.NewTimer(p.cfg.drain)
	select {
	case <-deadline.C:
	case <-p.workersExited:
	}
	deadline.Stop()
	p.hardCancel()
	<-p.workersExited
	p.shutdownEnded = time.Now()
}

func (p *pool) wait() {
	if p.cfg.broken {
		p.inFlight.Wait()
		return
	}
	p.goroutines.Wait()
	for {
		select {
		case <-p.tasks:
			p.qAbandoned.Add(1)
			continue
		default:
		}
		break
	}
}

func (p *pool) releaseLeaked() {
	close(p.tasks)
	p.goroutines.Wait()
}

func (p *pool) counts() poolCounts {
	c := poolCounts{Submitted: p.submitted.Load(), Dropped: p.dropped.Load(), Abandoned: p.qAbandoned.Load()}
	for i := range p.stats {
		s := &p.stats[i]
		c.Completed += s.completed.Load()
		c.TimedOut += s.timedOut.Load()
		c.Failed += s.failed.Load()
		c.Abandoned += s.abandoned.Load()
		c.ServedAfterPanic += s.servedAfterPanic.Load()
	}
	c.AddsUp = c.Submitted == c.Completed+c.Dropped+c.TimedOut+c.Failed+c.Abandoned
	return c
}

func ended(c poolCounts) int64 { return c.Completed + c.TimedOut + c.Failed + c.Abandoned }

// ---- the scenarios (constants as in scenarios.cpp) ----

const (
	backpressureWorkers = 4
	backpressureQueue   = 64
	backpressureBurst   = 2000
	backpressureWait    = time.Millisecond
	shutdownWorkers     = 8
	shutdownQueue       = 256
	shutdownWait        = 5 * time.Millisecond
	timeoutSlowTasks    = 16
	timeoutFastTasks    = 16
	slowFactor          = 10
	panicTasks          = 25
	panicEvery          = 5
	settleBound         = 30 * time.Second
	leakWait            = time.Second
	leakSample          = 3
	cdfPoints           = 200
)

type config struct {
	scenarios                   []string
	timeout, drain              time.Duration
	broken                      bool
	leakWorkers                 int
	tasks                       int64
	workers, queue, producers   int
	drop                        bool
	spin, panicEvery, slowEvery int64
}

func settle(pred func() bool) bool {
	giveUp := time.Now().Add(settleBound)
	for !pred() {
		if !time.Now().Before(giveUp) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

func waitTask(id int64, d time.Duration) task {
	return task{id: id, kind: kindWait, wait: d, submitted: time.Now()}
}

func (c *config) pool(ctx context.Context, workers, queue int) *pool {
	return newPool(ctx, poolConfig{workers: workers, queue: queue, taskTimeout: c.timeout, drain: c.drain})
}

type backpressureResult struct {
	Workers    int        `json:"workers"`
	Queue      int        `json:"queue"`
	TaskWaitNs int64      `json:"task_wait_ns"`
	Counts     poolCounts `json:"counts"`
}

func runBackpressure(c *config) *backpressureResult {
	r := &backpressureResult{Workers: backpressureWorkers, Queue: backpressureQueue, TaskWaitNs: int64(backpressureWait)}
	ctx, cancel := context.WithCancel(context.Background())
	p := c.pool(ctx, r.Workers, r.Queue)
	for i := 0; i < backpressureBurst; i++ {
		p.trySubmit(waitTask(int64(i), backpressureWait))
	}
	settle(func() bool { n := p.counts(); return ended(n)+n.Dropped == backpressureBurst })
	cancel()
	p.wait()
	r.Counts = p.counts()
	return r
}

type shutdownResult struct {
	Workers         int        `json:"workers"`
	Queue           int        `json:"queue"`
	TaskWaitNs      int64      `json:"task_wait_ns"`
	DrainDeadlineNs int64      `json:"drain_deadline_ns"`
	ShutdownNs      int64      `json:"shutdown_ns"`
	Counts          poolCounts `json:"counts"`
}

func runShutdown(c *config) *shutdownResult {
	r := &shutdownResult{Workers: shutdownWorkers, Queue: shutdownQueue, TaskWaitNs: int64(shutdownWait),
		DrainDeadlineNs: int64(c.drain)}
	ctx, cancel := context.WithCancel(context.Background())
	p := c.pool(ctx, r.Workers, r.Queue)
	for i := 0; i < r.Workers+r.Queue; i++ {
		p.submit(waitTask(int64(i), shutdownWait))
	}
	cancelled := time.Now()
	cancel()
	p.wait()
	r.ShutdownNs = int64(p.shutdownEnded.Sub(cancelled))
	r.Counts = p.counts()
	return r
}

type timeoutResult struct {
	Workers    int        `json:"workers"`
	TimeoutNs  int64      `json:"timeout_ns"`
	SlowTasks  int        `json:"slow_tasks"`
	SlowWaitNs int64      `json:"slow_wait_ns"`
	FastTasks  int        `json:"fast_tasks"`
	BatchNs    int64      `json:"batch_ns"`
	Counts     poolCounts `json:"counts"`
}

func runTimeouts(c *config) *timeoutResult {
	r := &timeoutResult{SlowTasks: timeoutSlowTasks, FastTasks: timeoutFastTasks, TimeoutNs: int64(c.timeout),
		SlowWaitNs: int64(c.timeout * slowFactor)}
	r.Workers = r.SlowTasks + r.FastTasks
	ctx, cancel := context.WithCancel(context.Background())
	p := c.pool(ctx, r.Workers, r.Workers)
	start := time.Now()
	for i := 0; i < r.Workers; i++ {
		t := waitTask(int64(i), c.timeout*slowFactor)
		if i%2 == 1 { // quick compute tasks that never look at ctx: they cannot time out
			t.kind = kindCompute
			t.spin = c.spin
		}
		p.submit(t)
	}
	settle(func() bool { return ended(p.counts()) == int64(r.Workers) })
	r.BatchNs = int64(time.Since(start))
	cancel()
	p.wait()
	r.Counts = p.counts()
	return r
}

type panicResult struct {
	Workers          int        `json:"workers"`
	PanickingTasks   int        `json:"panicking_tasks"`
	OrdinaryTasks    int        `json:"ordinary_tasks"`
	GoroutinesBefore int        `json:"goroutines_before"`
	GoroutinesAfter  int        `json:"goroutines_after"`
	FirstPanic       string     `json:"first_panic"`
	Counts           poolCounts `json:"counts"`
}

func runPanics(c *config) *panicResult {
	r := &panicResult{Workers: 1}
	ctx, cancel := context.WithCancel(context.Background())
	p := c.pool(ctx, r.Workers, panicTasks)
	r.GoroutinesBefore = runtime.NumGoroutine()
	for i := 0; i < panicTasks; i++ {
		t := waitTask(int64(i), 0)
		if i%panicEvery == 0 {
			t.kind = kindPanic
			r.PanickingTasks++
		} else {
			t.kind = kindCompute
			t.spin = c.spin
			r.OrdinaryTasks++
		}
		p.submit(t)
	}
	settle(func() bool { return ended(p.counts()) == panicTasks })
	r.GoroutinesAfter = runtime.NumGoroutine()
	cancel()
	p.wait()
	r.Counts = p.counts()
	r.FirstPanic = p.firstPanic
	return r
}

type leakResult struct {
	Workers                  int               `json:"workers"`
	CleanLeaks               []goroutineRecord `json:"clean_leaks"`
	CleanCounts              poolCounts        `json:"clean_counts"`
	BrokenRan                bool              `json:"broken_ran"`
	BrokenLeaks              int64             `json:"broken_leaks"`
	BrokenLeaksWorkerReceive int64             `json:"broken_leaks_worker_receive"`
	BrokenSample             []goroutineRecord `json:"broken_sample"`
	BrokenLeaksAfterRelease  int64             `json:"broken_leaks_after_release"`
}

func runLeak(c *config) *leakResult {
	r := &leakResult{Workers: c.leakWorkers, CleanLeaks: []goroutineRecord{}, BrokenSample: []goroutineRecord{}}
	{
		ctx, cancel := context.WithCancel(context.Background())
		p := c.pool(ctx, r.Workers, r.Workers)
		for i := 0; i < 2*r.Workers; i++ {
			p.submit(waitTask(int64(i), time.Millisecond))
		}
		cancel()
		p.wait()
		r.CleanLeaks = append(r.CleanLeaks, verifyNone(leakWait)...)
		r.CleanCounts = p.counts()
	}
	if !c.broken {
		return r
	}
	r.BrokenRan = true
	ctx, cancel := context.WithCancel(context.Background())
	p := newPool(ctx, poolConfig{workers: r.Workers, queue: r.Workers, taskTimeout: c.timeout, drain: c.drain, broken: true})
	for i := 0; i < 2*r.Workers; i++ {
		p.submit(waitTask(int64(i), time.Millisecond))
	}
	cancel()
	p.wait()
	leaks := verifyNone(100 * time.Millisecond)
	r.BrokenLeaks = int64(len(leaks))
	for _, g := range leaks {
		if g.State == "chan receive" && strings.Contains(g.CreatedBy, "newPool") {
			r.BrokenLeaksWorkerReceive++
		}
	}
	for i := 0; i < len(leaks) && i < leakSample; i++ {
		r.BrokenSample = append(r.BrokenSample, leaks[i])
	}
	p.releaseLeaked()
	r.BrokenLeaksAfterRelease = int64(len(verifyNone(leakWait)))
	return r
}

type stressResult struct {
	Tasks       int64      `json:"tasks"`
	Workers     int        `json:"workers"`
	Queue       int        `json:"queue"`
	Producers   int        `json:"producers"`
	Overflow    string     `json:"overflow"`
	Spin        int64      `json:"spin"`
	PanicEvery  int64      `json:"panic_every"`
	SlowEvery   int64      `json:"slow_every"`
	WallNs      int64      `json:"wall_ns"`
	LatencyP50  int64      `json:"latency_p50_ns"`
	LatencyP90  int64      `json:"latency_p90_ns"`
	LatencyP99  int64      `json:"latency_p99_ns"`
	LatencyMax  int64      `json:"latency_max_ns"`
	LatencyCdf  []int64    `json:"latency_cdf_ns"`
	LeaksAfter  int64      `json:"leaks_after"`
	Counts      poolCounts `json:"counts"`
	TasksPerSec float64    `json:"tasks_per_sec"`
}

func (c *config) stressTask(i int64) task {
	t := task{id: i, submitted: time.Now()}
	switch {
	case c.panicEvery > 0 && i%c.panicEvery == c.panicEvery-1:
		t.kind = kindPanic
	case c.slowEvery > 0 && i%c.slowEvery == c.slowEvery/2:
		t.kind = kindWait
		t.wait = c.timeout * slowFactor
	default:
		t.kind = kindCompute
		t.spin = c.spin
	}
	return t
}

// nearestRank is the smallest sample with at least q of the samples at or below it.
func nearestRank(sorted []int64, q float64) int64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(q*float64(len(sorted)) + 0.999999999)
	if rank < 1 {
		rank = 1
	}
	if rank > len(sorted) {
		rank = len(sorted)
	}
	return sorted[rank-1]
}

func runStress(c *config) *stressResult {
	r := &stressResult{Tasks: c.tasks, Workers: c.workers, Queue: c.queue, Producers: c.producers, Overflow: "block",
		Spin: c.spin, PanicEvery: c.panicEvery, SlowEvery: c.slowEvery, LatencyCdf: []int64{}}
	if c.drop {
		r.Overflow = "drop"
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := newPool(ctx, poolConfig{workers: c.workers, queue: c.queue, taskTimeout: c.timeout, drain: 10 * time.Second,
		recordLatency: true})
	var next atomic.Int64
	var producers sync.WaitGroup
	start := time.Now()
	for i := 0; i < c.producers; i++ {
		producers.Add(1)
		go func() {
			defer producers.Done()
			for i := next.Add(1) - 1; i < c.tasks; i = next.Add(1) - 1 {
				t := c.stressTask(i)
				if c.drop {
					p.trySubmit(t)
				} else {
					p.submit(t)
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { producers.Wait(); close(done) }()
	tick := time.NewTicker(time.Second)
loop:
	for {
		select {
		case <-done:
			break loop
		case <-tick.C:
			n := p.counts()
			fmt.Fprintf(os.Stderr, "survival-pool-twin: stress tasks ended: %d/%d\n", ended(n)+n.Dropped, c.tasks)
		}
	}
	tick.Stop()
	settle(func() bool { n := p.counts(); return ended(n)+n.Dropped == c.tasks })
	cancel()
	p.wait()
	r.WallNs = int64(time.Since(start))
	r.Counts = p.counts()
	var lat []int64
	for i := range p.stats {
		lat = append(lat, p.stats[i].latency...)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	r.LatencyP50, r.LatencyP90, r.LatencyP99 = nearestRank(lat, 0.5), nearestRank(lat, 0.9), nearestRank(lat, 0.99)
	if len(lat) > 0 {
		r.LatencyMax = lat[len(lat)-1]
		for i := 1; i <= cdfPoints; i++ {
			r.LatencyCdf = append(r.LatencyCdf, nearestRank(lat, float64(i)/cdfPoints))
		}
	}
	if r.WallNs > 0 {
		r.TasksPerSec = float64(r.Counts.Completed) * 1e9 / float64(r.WallNs)
	}
	r.LeaksAfter = int64(len(verifyNone(leakWait)))
	return r
}

type results struct {
	Runtime      string              `json:"runtime"`
	Version      string              `json:"version"`
	Gomaxprocs   int                 `json:"gomaxprocs"`
	Backpressure *backpressureResult `json:"backpressure"`
	Shutdown     *shutdownResult     `json:"shutdown"`
	Timeouts     *timeoutResult      `json:"timeouts"`
	Panics       *panicResult        `json:"panics"`
	Leak         *leakResult         `json:"leak"`
	Stress       *stressResult       `json:"stress"`
}

func main() {
	var (
		scenarios = flag.String("scenarios", "backpressure,shutdown,timeouts,panics,leak,stress", "scenarios to run")
		c         config
		overflow  string
		procs     int
		asJSON    bool
	)
	flag.Int64Var(&c.tasks, "tasks", 1000000, "stress: tasks")
	flag.IntVar(&c.workers, "workers", 1000, "stress: workers")
	flag.IntVar(&c.queue, "queue", 1000, "stress: queue slots")
	flag.IntVar(&c.producers, "producers", 4, "stress: producer goroutines")
	flag.StringVar(&overflow, "overflow", "block", "stress: block or drop")
	flag.Int64Var(&c.spin, "spin", 200, "stress: compute iterations per task")
	flag.Int64Var(&c.panicEvery, "panic-every", 10000, "stress: every n-th task panics")
	flag.Int64Var(&c.slowEvery, "slow-every", 100000, "stress: every n-th task times out")
	flag.DurationVar(&c.timeout, "timeout", 100*time.Millisecond, "per-task timeout")
	flag.DurationVar(&c.drain, "drain", 50*time.Millisecond, "shutdown drain deadline")
	flag.IntVar(&c.leakWorkers, "leak-workers", 100, "leak: workers")
	flag.BoolVar(&c.broken, "broken", false, "leak: also run the broken pool")
	flag.IntVar(&procs, "procs", 0, "GOMAXPROCS (0: default)")
	flag.BoolVar(&asJSON, "json", false, "print JSON instead of a summary")
	flag.Parse()
	if overflow != "block" && overflow != "drop" {
		fmt.Fprintf(os.Stderr, "survival-pool-twin: -overflow %q: expected block or drop\n", overflow)
		os.Exit(2)
	}
	c.drop = overflow == "drop"
	if procs > 0 {
		runtime.GOMAXPROCS(procs)
	}
	r := results{Runtime: "go", Version: runtime.Version(), Gomaxprocs: runtime.GOMAXPROCS(0)}
	for _, s := range strings.Split(*scenarios, ",") {
		// The previous scenario's goroutines ran their deferred Done when its
		// wait returned, but may still be returning: let them go first.
		verifyNone(leakWait)
		fmt.Fprintf(os.Stderr, "survival-pool-twin: %s (go)\n", s)
		switch s {
		case "backpressure":
			r.Backpressure = runBackpressure(&c)
		case "shutdown":
			r.Shutdown = runShutdown(&c)
		case "timeouts":
			r.Timeouts = runTimeouts(&c)
		case "panics":
			r.Panics = runPanics(&c)
		case "leak":
			r.Leak = runLeak(&c)
		case "stress":
			r.Stress = runStress(&c)
		default:
			fmt.Fprintln(os.Stderr, errors.New("survival-pool-twin: unknown scenario "+s))
			os.Exit(2)
		}
	}
	if asJSON {
		out, _ := json.MarshalIndent(r, "", " ")
		os.Stdout.Write(append(out, '\n'))
		return
	}
	// Without -json: one line of counts per scenario.
	line := func(name string, c poolCounts) {
		fmt.Printf("%-12s submitted %d = completed %d + dropped %d + timed out %d + failed %d + abandoned %d (adds up: %v)\n",
			name, c.Submitted, c.Completed, c.Dropped, c.TimedOut, c.Failed, c.Abandoned, c.AddsUp)
	}
	if r.Backpressure != nil {
		line("backpressure", r.Backpressure.Counts)
	}
	if r.Shutdown != nil {
		line("shutdown", r.Shutdown.Counts)
	}
	if r.Timeouts != nil {
		line("timeouts", r.Timeouts.Counts)
	}
	if r.Panics != nil {
		line("panics", r.Panics.Counts)
	}
	if r.Leak != nil {
		fmt.Printf("%-12s leaked after cancel + wait: %d (broken pool: %d)\n", "leak", len(r.Leak.CleanLeaks), r.Leak.BrokenLeaks)
	}
	if r.Stress != nil {
		line("stress", r.Stress.Counts)
		fmt.Printf("%-12s %.0f completed/s, p50 %v p99 %v\n", "", r.Stress.TasksPerSec,
			time.Duration(r.Stress.LatencyP50), time.Duration(r.Stress.LatencyP99))
	}
}
