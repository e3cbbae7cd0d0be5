// The Go twin of gort's context-discipline lab (course week 11, "Context
// Discipline"): the same service, leak check, errgroup fan-out, cache
// stampede and AfterFunc cleanup on Go's net/http and context, standard
// library only.
//
// golang.org/x/sync cannot be fetched here (no module proxy), so errGroup and
// flightGroup below are the few lines of errgroup.WithContext and
// singleflight.Group the lab needs.  Go 1.19 has neither context.AfterFunc nor
// context.WithoutCancel (both arrived in Go 1.21): afterFunc is emulated with
// a goroutine waiting on ctx.Done(), and the stampede's flight runs under a
// fresh context.Background() with its own deadline.
//
// With -json it prints one JSON document with the field names of the C++
// lab's results.hpp, which the lab reads back with --go.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// mustArriveWithin bounds every wait for something that must happen, so a
// hang fails the run instead of stalling it.
const mustArriveWithin = 30 * time.Second

// ---- results (field names as results.hpp) ----

type opOutcome struct {
	Result              string `json:"result"`
	ContextError        bool   `json:"context_error"`
	AfterClientGaveUpNs int64  `json:"after_client_gave_up_ns"`
}

type requestCase struct {
	Client                     string    `json:"client"`
	Status                     int       `json:"status"`
	CtxDoneAfterNs             int64     `json:"ctx_done_after_ns"`
	Store                      opOutcome `json:"store"`
	Downstream                 opOutcome `json:"downstream"`
	DownstreamReached          bool      `json:"downstream_reached"`
	DownstreamHandlerCancelled bool      `json:"downstream_handler_cancelled"`
}

type serviceResult struct {
	StoreDelayNs      int64         `json:"store_delay_ns"`
	DownstreamDelayNs int64         `json:"downstream_delay_ns"`
	ClientPatienceNs  int64         `json:"client_patience_ns"`
	Cases             []requestCase `json:"cases"`
}

type leakRecord struct {
	ID           int64  `json:"id"`
	CreatedBy    string `json:"created_by"`
	CreationFile string `json:"creation_file"`
	CreationLine int    `json:"creation_line"`
	State        string `json:"state"`
	FromHandler  bool   `json:"from_handler"`
}

type leakCheck struct {
	Variant          string       `json:"variant"`
	Leaks            []leakRecord `json:"leaks"`
	Message          string       `json:"message"`
	LeftAfterRelease int64        `json:"left_after_release"`
}

type workerOutcome struct {
	Index                 int    `json:"index"`
	Outcome               string `json:"outcome"`
	ObservedCancelAfterNs int64  `json:"observed_cancel_after_ns"`
}

type fanoutResult struct {
	Workers             int             `json:"workers"`
	FailingWorker       int             `json:"failing_worker"`
	FailAfterNs         int64           `json:"fail_after_ns"`
	WorkerDelayNs       int64           `json:"worker_delay_ns"`
	WaitError           string          `json:"wait_error"`
	WaitReturnedAfterNs int64           `json:"wait_returned_after_ns"`
	Outcomes            []workerOutcome `json:"outcomes"`
}

type stampedeRun struct {
	Singleflight  bool  `json:"singleflight"`
	Requests      int   `json:"requests"`
	OK            int   `json:"ok"`
	UpstreamCalls int64 `json:"upstream_calls"`
	CacheHits     int64 `json:"cache_hits"`
	Shared        int64 `json:"shared"`
	WallNs        int64 `json:"wall_ns"`
}

type stampedeResult struct {
	UpstreamDelayNs int64         `json:"upstream_delay_ns"`
	Runs            []stampedeRun `json:"runs"`
}

type afterFuncCase struct {
	Trigger      string `json:"trigger"`
	Fired        bool   `json:"fired"`
	StopReturned bool   `json:"stop_returned"`
	FiredAfterNs int64  `json:"fired_after_ns"`
	CtxErr       string `json:"ctx_err"`
	HeldAtEnd    int    `json:"held_at_end"`
}

type afterFuncResult struct {
	TimeoutNs      int64           `json:"timeout_ns"`
	Implementation string          `json:"implementation"`
	Cases          []afterFuncCase `json:"cases"`
}

type runtimeResults struct {
	Runtime    string           `json:"runtime"`
	Version    string           `json:"version"`
	Gomaxprocs int              `json:"gomaxprocs"`
	Service    *serviceResult   `json:"service"`
	Leak       []leakCheck      `json:"leak"`
	Fanout     *fanoutResult    `json:"fanout"`
	Stampede   *stampedeResult  `json:"stampede"`
	Afterfunc  *afterFuncResult `json:"afterfunc"`
}

// ---- the pieces x/sync and Go 1.21 would give ----

// errGroup is errgroup.WithContext's Group: the first error cancels ctx.
type errGroup struct {
	wg      sync.WaitGroup
	errOnce sync.Once
	err     error
	cancel  context.CancelFunc
}

func withErrGroup(parent context.Context) (*errGroup, context.Context) {
	ctx, cancel := context.WithCancel(parent)
	return &errGroup{cancel: cancel}, ctx
}

func (g *errGroup) Go(f func() error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := f(); err != nil {
			g.errOnce.Do(func() {
				g.err = err
				g.cancel()
			})
		}
	}()
}

func (g *errGroup) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}

// flightGroup is singleflight.Group's Do: one call per key in flight.
type flightGroup struct {
	mu sync.Mutex
	m  map[string]*flight
}

type flight struct {
	wg   sync.WaitGroup
	val  string
	err  error
	dups int
}

func (g *flightGroup) Do(key string, fn func() (string, error)) (string, error, bool) {
	g.mu.Lock()
	if g.m == nil {
		g.m = make(map[string]*flight)
	}
	if c, ok := g.m[key]; ok {
		c.dups++
		g.mu.Unlock()
		c.wg.Wait()
		return c.val, c.err, true
	}
	c := new(flight)
	c.wg.Add(1)
	g.m[key] = c
	g.mu.Unlock()
	c.val, c.err = fn()
	g.mu.Lock()
	delete(g.m, key)
	shared := c.dups > 0
	g.mu.Unlock()
	c.wg.Done()
	return c.val, c.err, shared
}

// afterFunc emulates Go 1.21's context.AfterFunc: f runs in its own
// goroutine once ctx is done, unless stop() came first.  Unlike the real one
// it keeps a goroutine parked on ctx.Done() per registration until then.
func afterFunc(ctx context.Context, f func()) (stop func() bool) {
	const armed, started, stopped = 0, 1, 2
	var state int32
	stopCh := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			if atomic.CompareAndSwapInt32(&state, armed, started) {
				f()
			}
		case <-stopCh:
		}
	}()
	return func() bool {
		if atomic.CompareAndSwapInt32(&state, armed, stopped) {
			close(stopCh)
			return true
		}
		return false
	}
}

// ---- the service ----

func nowNs() int64 { return time.Now().UnixNano() }

type slowStore struct {
	delay time.Duration
	calls int64
}

func (s *slowStore) get(ctx context.Context, key string) (string, error) {
	atomic.AddInt64(&s.calls, 1)
	t := time.NewTimer(s.delay)
	defer t.Stop()
	select {
	case <-t.C:
		return "value-of-" + key, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// client makes one connection per request, as the C++ fetch does.
var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true, MaxIdleConns: -1}}

// fetch GETs http://addr+target with ctx: net/http's transport closes the
// connection once ctx is done and Do returns ctx's error.  *sent (when not
// nil) is set once the request has been written.
func fetch(ctx context.Context, addr, target string, sent *int32) (int, string, error) {
	if sent != nil {
		ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			WroteRequest: func(info httptrace.WroteRequestInfo) {
				if info.Err == nil {
					atomic.StoreInt32(sent, 1)
				}
			},
		})
	}
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+addr+target, nil)
	if err != nil {
		return 0, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", ctx.Err()
		}
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", ctx.Err()
		}
		return 0, "", err
	}
	return resp.StatusCode, string(body), nil
}

func serve(h http.Handler) (string, *http.Server) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	return ln.Addr().String(), srv
}

type opRecord struct {
	result       string
	contextError bool
	returnedAt   int64
	requestSent  int32
}

func record(r *opRecord, err error) error {
	r.returnedAt = nowNs()
	if err == nil {
		r.result = "ok"
		return nil
	}
	r.result = err.Error()
	r.contextError = errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	return err
}

type handlerRecord struct {
	ctxDoneAt         int64
	store, downstream opRecord
}

type service struct {
	store, upstream *slowStore
	downstreamAddr  string
	records         chan handlerRecord

	mu        sync.Mutex
	cache     map[string]string
	abandoned []chan string
	flights   flightGroup
	hits      int64
	shared    int64
}

func (s *service) item(w http.ResponseWriter, r *http.Request) {
	var rec handlerRecord
	var doneAt int64
	stored := make(chan struct{})
	stop := afterFunc(r.Context(), func() {
		atomic.StoreInt64(&doneAt, nowNs())
		close(stored)
	})
	key := r.URL.Query().Get("key")
	var value, price string
	g, ctx := withErrGroup(r.Context())
	g.Go(func() error {
		var err error
		value, err = s.store.get(ctx, key)
		return record(&rec.store, err)
	})
	g.Go(func() error {
		_, body, err := fetch(ctx, s.downstreamAddr, "/price?key="+key, &rec.downstream.requestSent)
		price = body
		return record(&rec.downstream, err)
	})
	if err := g.Wait(); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
	} else {
		io.WriteString(w, value+" "+price)
	}
	if !stop() {
		<-stored // it started: wait for its time
	}
	rec.ctxDoneAt = atomic.LoadInt64(&doneAt)
	s.records <- rec
}

func (s *service) leaky(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	reply := make(chan string) // the bug: unbuffered
	ctx := r.Context()
	go func() {
		v, err := s.store.get(ctx, key)
		if err != nil {
			v = err.Error()
		}
		reply <- v
	}()
	select {
	case v := <-reply:
		io.WriteString(w, v)
	case <-ctx.Done():
		s.mu.Lock()
		s.abandoned = append(s.abandoned, reply)
		s.mu.Unlock()
	}
	s.records <- handlerRecord{}
}

func (s *service) releaseLeaked() {
	s.mu.Lock()
	chans := s.abandoned
	s.abandoned = nil
	s.mu.Unlock()
	for _, c := range chans {
		<-c
	}
}

func (s *service) cacheGet(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.cache[key]
	return v, ok
}

func (s *service) load(ctx context.Context, key string) (string, error) {
	v, err := s.upstream.get(ctx, key)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.cache[key] = v
	s.mu.Unlock()
	return v, nil
}

func (s *service) cached(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	if v, ok := s.cacheGet(key); ok {
		atomic.AddInt64(&s.hits, 1)
		io.WriteString(w, v)
		return
	}
	var v string
	var err error
	if r.URL.Query().Get("sf") == "1" {
		var shared bool
		v, err, shared = s.flights.Do(key, func() (string, error) {
			if hit, ok := s.cacheGet(key); ok {
				return hit, nil
			}
			// Go 1.19 has no context.WithoutCancel: a fresh root, so the first
			// caller leaving cannot fail the others (its values are lost too).
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return s.load(ctx, key)
		})
		if shared {
			atomic.AddInt64(&s.shared, 1)
		}
	} else {
		v, err = s.load(r.Context(), key)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, v)
}

func (s *service) resetCache() {
	s.mu.Lock()
	s.cache = map[string]string{}
	s.mu.Unlock()
	atomic.StoreInt64(&s.upstream.calls, 0)
	atomic.StoreInt64(&s.hits, 0)
	atomic.StoreInt64(&s.shared, 0)
}

// ---- goroutine listing (runtime.Stack) ----

func liveGoroutines() []leakRecord {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []leakRecord
	for _, block := range strings.Split(string(buf), "\n\n") {
		lines := strings.Split(block, "\n")
		var g leakRecord
		if _, err := fmt.Sscanf(lines[0], "goroutine %d [", &g.ID); err != nil {
			continue
		}
		st := lines[0][strings.Index(lines[0], "[")+1:]
		g.State = strings.SplitN(strings.TrimSuffix(st, "]:"), ",", 2)[0]
		for i, l := range lines {
			if strings.HasPrefix(l, "created by ") && i+1 < len(lines) {
				g.CreatedBy = strings.TrimPrefix(l, "created by ")
				loc := strings.TrimSpace(lines[i+1])
				if sp := strings.LastIndex(loc, " +0x"); sp >= 0 {
					loc = loc[:sp]
				}
				if c := strings.LastIndex(loc, ":"); c >= 0 {
					g.CreationFile = loc[:c]
					g.CreationLine, _ = strconv.Atoi(loc[c+1:])
				}
			}
		}
		g.FromHandler = strings.HasPrefix(g.CreatedBy, "main.(*service).")
		out = append(out, g)
	}
	return out
}

// newSince waits up to maxWait (back-off from 1µs doubling to 10ms, as
// goleak's retries) until no goroutine outside before is alive, and returns
// those still alive then.
func newSince(before map[int64]bool, maxWait time.Duration) []leakRecord {
	deadline := time.Now().Add(maxWait)
	wait := time.Microsecond
	for {
		var fresh []leakRecord
		for _, g := range liveGoroutines() {
			if !before[g.ID] {
				fresh = append(fresh, g)
			}
		}
		if len(fresh) == 0 || time.Now().After(deadline) {
			sort.Slice(fresh, func(i, j int) bool { return fresh[i].ID < fresh[j].ID })
			return fresh
		}
		time.Sleep(wait)
		if wait < 10*time.Millisecond {
			wait *= 2
		}
	}
}

// ---- the parts ----

type config struct {
	parts, variants                                  map[string]bool
	variantList                                      []string
	storeDelay, downstreamDelay, patience, leakWait  time.Duration
	workers, failingWorker, requests, procs          int
	failAfter, workerDelay, upstreamDelay, afTimeout time.Duration
}

func recvWithin[T any](c <-chan T, what string) T {
	select {
	case v := <-c:
		return v
	case <-time.After(mustArriveWithin):
		panic("no " + what + " within " + mustArriveWithin.String())
	}
}

func outcome(r opRecord, gaveUpAt int64) opOutcome {
	o := opOutcome{Result: r.result, ContextError: r.contextError}
	if gaveUpAt != 0 {
		o.AfterClientGaveUpNs = r.returnedAt - gaveUpAt
	}
	return o
}

func runService(c *config, s *service, downFinished, downArrived chan bool) *serviceResult {
	res := &serviceResult{StoreDelayNs: int64(c.storeDelay), DownstreamDelayNs: int64(c.downstreamDelay),
		ClientPatienceNs: int64(c.patience)}
	for _, how := range []string{"completes", "client-deadline", "client-cancel"} {
		rc := requestCase{Client: how}
		// gaveUpAt: the instant the client's context ends (its deadline, or
		// just before its explicit cancel), the same reference as gort's.
		var ctx context.Context
		var cancel context.CancelFunc
		var gaveUpAt int64
		if how == "client-deadline" {
			ctx, cancel = context.WithTimeout(context.Background(), c.patience)
			d, _ := ctx.Deadline()
			gaveUpAt = d.UnixNano()
		} else {
			ctx, cancel = context.WithCancel(context.Background())
		}
		if how == "client-cancel" {
			// Cancel -patience after the handler's downstream call has
			// arrived, so both operations are blocked when the client leaves.
			for len(downArrived) > 0 {
				<-downArrived
			}
			go func() {
				select {
				case <-downArrived:
				case <-time.After(mustArriveWithin):
				}
				time.Sleep(c.patience)
				atomic.StoreInt64(&gaveUpAt, nowNs())
				cancel()
			}()
		}
		var sent int32
		status, _, _ := fetch(ctx, serviceAddr, "/item?key=k1", &sent)
		if atomic.LoadInt32(&sent) == 0 {
			panic(errNotSent)
		}
		rc.Status = status
		cancel()
		gaveUpAt = atomic.LoadInt64(&gaveUpAt)
		h := recvWithin(s.records, "handler record")
		rc.DownstreamReached = atomic.LoadInt32(&h.downstream.requestSent) == 1
		if rc.DownstreamReached {
			rc.DownstreamHandlerCancelled = recvWithin(downFinished, "downstream handler")
		}
		if gaveUpAt != 0 && h.ctxDoneAt != 0 {
			rc.CtxDoneAfterNs = h.ctxDoneAt - gaveUpAt
		}
		rc.Store = outcome(h.store, gaveUpAt)
		rc.Downstream = outcome(h.downstream, gaveUpAt)
		res.Cases = append(res.Cases, rc)
	}
	return res
}

// errNotSent stops a run whose client's deadline passed before it had even
// written its request (the server would never see it).
var errNotSent = errors.New("a client's deadline passed before its request was written: raise -patience")

// serviceAddr is the service's own address (set once it listens).
var serviceAddr string

func runLeakCheck(c *config, variant string, s *service, downFinished chan bool) leakCheck {
	lc := leakCheck{Variant: variant, Leaks: []leakRecord{}}
	before := map[int64]bool{}
	for _, g := range liveGoroutines() {
		before[g.ID] = true
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.patience)
	path := "/item"
	if variant == "leaky" {
		path = "/leaky"
	}
	var sent int32
	fetch(ctx, serviceAddr, path+"?key=k2", &sent)
	if atomic.LoadInt32(&sent) == 0 {
		panic(errNotSent)
	}
	cancel()
	h := recvWithin(s.records, "handler record")
	if atomic.LoadInt32(&h.downstream.requestSent) == 1 {
		recvWithin(downFinished, "downstream handler")
	}
	if lc.Leaks = newSince(before, c.leakWait); lc.Leaks == nil {
		lc.Leaks = []leakRecord{}
	}
	if len(lc.Leaks) > 0 {
		lc.Message = fmt.Sprintf("%s handler: %d goroutine(s) outlived the request", variant, len(lc.Leaks))
		fmt.Fprintf(os.Stderr, "context-discipline twin: leak check failed: %s\n", lc.Message)
	}
	s.releaseLeaked()
	lc.LeftAfterRelease = int64(len(newSince(before, c.leakWait)))
	return lc
}

func runFanout(c *config) *fanoutResult {
	res := &fanoutResult{Workers: c.workers, FailingWorker: c.failingWorker, FailAfterNs: int64(c.failAfter),
		WorkerDelayNs: int64(c.workerDelay)}
	store := &slowStore{delay: c.workerDelay}
	var failedAt int64
	outcomes := make([]workerOutcome, c.workers)
	returnedAt := make([]int64, c.workers)
	g, ctx := withErrGroup(context.Background())
	for i := 0; i < c.workers; i++ {
		i := i
		g.Go(func() error {
			outcomes[i].Index = i
			if i == c.failingWorker {
				time.Sleep(c.failAfter)
				outcomes[i].Outcome = "failed"
				atomic.StoreInt64(&failedAt, nowNs())
				return fmt.Errorf("worker %d: shard unavailable", i)
			}
			if _, err := store.get(ctx, fmt.Sprintf("shard-%d", i)); err != nil {
				outcomes[i].Outcome = "cancelled"
			} else {
				outcomes[i].Outcome = "completed"
			}
			returnedAt[i] = nowNs()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		res.WaitError = err.Error()
	}
	res.WaitReturnedAfterNs = nowNs() - failedAt
	for i := range outcomes {
		if i != c.failingWorker {
			outcomes[i].ObservedCancelAfterNs = returnedAt[i] - failedAt
		}
	}
	res.Outcomes = outcomes
	return res
}

func runStampede(c *config, s *service) *stampedeResult {
	res := &stampedeResult{UpstreamDelayNs: int64(c.upstreamDelay)}
	for _, sf := range []bool{false, true} {
		s.resetCache()
		run := stampedeRun{Singleflight: sf, Requests: c.requests}
		target := "/cached?key=hot&sf=0"
		if sf {
			target = "/cached?key=hot&sf=1"
		}
		start := make(chan struct{})
		var ok int64
		var wg sync.WaitGroup
		wg.Add(c.requests)
		for i := 0; i < c.requests; i++ {
			go func() {
				defer wg.Done()
				<-start
				ctx, cancel := context.WithTimeout(context.Background(), mustArriveWithin)
				defer cancel()
				status, body, err := fetch(ctx, serviceAddr, target, nil)
				if err != nil {
					fmt.Fprintf(os.Stderr, "context-discipline twin: stampede request failed: %v\n", err)
				} else if status == 200 && body == "value-of-hot" {
					atomic.AddInt64(&ok, 1)
				}
			}()
		}
		t0 := time.Now()
		close(start)
		wg.Wait()
		run.WallNs = int64(time.Since(t0))
		run.OK = int(ok)
		run.UpstreamCalls = atomic.LoadInt64(&s.upstream.calls)
		run.CacheHits = atomic.LoadInt64(&s.hits)
		run.Shared = atomic.LoadInt64(&s.shared)
		res.Runs = append(res.Runs, run)
	}
	return res
}

type resource struct {
	held    int32
	firedAt int64
	fired   chan int
}

func releaseOnDone(ctx context.Context, r *resource) func() bool {
	return afterFunc(ctx, func() {
		atomic.StoreInt64(&r.firedAt, nowNs())
		atomic.AddInt32(&r.held, -1)
		r.fired <- 1
	})
}

func newResource() *resource { return &resource{held: 1, fired: make(chan int, 1)} }

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func runAfterFunc(c *config) *afterFuncResult {
	res := &afterFuncResult{TimeoutNs: int64(c.afTimeout), Implementation: "emulated"}
	{
		k := afterFuncCase{Trigger: "timeout"}
		r := newResource()
		ctx, cancel := context.WithTimeout(context.Background(), c.afTimeout)
		deadline := nowNs() + int64(c.afTimeout)
		stop := releaseOnDone(ctx, r)
		recvWithin(r.fired, "afterFunc callback")
		k.Fired = true
		k.FiredAfterNs = atomic.LoadInt64(&r.firedAt) - deadline
		k.CtxErr = errText(ctx.Err())
		k.StopReturned = stop()
		cancel()
		k.HeldAtEnd = int(atomic.LoadInt32(&r.held))
		res.Cases = append(res.Cases, k)
	}
	{
		k := afterFuncCase{Trigger: "explicit-cancel"}
		r := newResource()
		ctx, cancel := context.WithCancel(context.Background())
		stop := releaseOnDone(ctx, r)
		cancelledAt := nowNs()
		cancel()
		recvWithin(r.fired, "afterFunc callback")
		k.Fired = true
		k.FiredAfterNs = atomic.LoadInt64(&r.firedAt) - cancelledAt
		k.CtxErr = errText(ctx.Err())
		k.StopReturned = stop()
		k.HeldAtEnd = int(atomic.LoadInt32(&r.held))
		res.Cases = append(res.Cases, k)
	}
	{
		k := afterFuncCase{Trigger: "stop-before-cancel"}
		r := newResource()
		ctx, cancel := context.WithCancel(context.Background())
		stop := releaseOnDone(ctx, r)
		k.StopReturned = stop()
		cancel()
		sentinel := newResource()
		releaseOnDone(ctx, sentinel)
		recvWithin(sentinel.fired, "sentinel callback")
		runtime.Gosched()
		k.Fired = atomic.LoadInt64(&r.firedAt) != 0
		k.CtxErr = errText(ctx.Err())
		k.HeldAtEnd = int(atomic.LoadInt32(&r.held))
		res.Cases = append(res.Cases, k)
	}
	return res
}

func main() {
	asJSON := flag.Bool("json", false, "print the results as JSON (results.hpp's field names)")
	parts := flag.String("parts", "service,leak,errgroup,stampede,afterfunc", "parts to run")
	variant := flag.String("variant", "disciplined", "leak check handler variants: disciplined, leaky")
	c := &config{}
	flag.DurationVar(&c.storeDelay, "store-delay", 200*time.Millisecond, "the slow store's read time")
	flag.DurationVar(&c.downstreamDelay, "downstream-delay", 200*time.Millisecond, "the downstream's answer time")
	flag.DurationVar(&c.patience, "patience", 20*time.Millisecond, "how long a client that gives up waits")
	flag.DurationVar(&c.leakWait, "leak-wait", time.Second, "how long the leak check waits")
	flag.IntVar(&c.workers, "workers", 8, "errgroup workers")
	flag.IntVar(&c.failingWorker, "failing-worker", 3, "the worker that fails")
	flag.DurationVar(&c.failAfter, "fail-after", 10*time.Millisecond, "when it fails")
	flag.DurationVar(&c.workerDelay, "worker-delay", time.Second, "the other workers' read time")
	flag.IntVar(&c.requests, "requests", 1000, "stampede requests")
	flag.DurationVar(&c.upstreamDelay, "upstream-delay", time.Second, "the upstream store's read time")
	flag.DurationVar(&c.afTimeout, "timeout", 50*time.Millisecond, "afterFunc's timeout case")
	flag.IntVar(&c.procs, "procs", 0, "GOMAXPROCS (0: the default)")
	flag.Parse()
	if c.procs > 0 {
		runtime.GOMAXPROCS(c.procs)
	}
	c.parts = map[string]bool{}
	for _, p := range strings.Split(*parts, ",") {
		c.parts[p] = true
	}
	c.variantList = strings.Split(*variant, ",")

	r := runtimeResults{Runtime: "go", Version: runtime.Version(), Gomaxprocs: runtime.GOMAXPROCS(0), Leak: []leakCheck{}}
	if c.parts["service"] || c.parts["leak"] || c.parts["stampede"] {
		downFinished := make(chan bool, 1024)
		downArrived := make(chan bool, 1024)
		downMux := http.NewServeMux()
		downMux.HandleFunc("/price", func(w http.ResponseWriter, r *http.Request) {
			select {
			case downArrived <- true:
			default:
			}
			t := time.NewTimer(c.downstreamDelay)
			defer t.Stop()
			select {
			case <-t.C:
				downFinished <- false
				io.WriteString(w, "42")
			case <-r.Context().Done():
				downFinished <- true
			}
		})
		downAddr, downSrv := serve(downMux)
		s := &service{store: &slowStore{delay: c.storeDelay}, upstream: &slowStore{delay: c.upstreamDelay},
			downstreamAddr: downAddr, records: make(chan handlerRecord, 64), cache: map[string]string{}}
		mux := http.NewServeMux()
		mux.HandleFunc("/item", s.item)
		mux.HandleFunc("/leaky", s.leaky)
		mux.HandleFunc("/cached", s.cached)
		addr, srv := serve(mux)
		serviceAddr = addr
		if c.parts["service"] {
			r.Service = runService(c, s, downFinished, downArrived)
		}
		if c.parts["leak"] {
			for _, v := range c.variantList {
				r.Leak = append(r.Leak, runLeakCheck(c, v, s, downFinished))
			}
		}
		if c.parts["stampede"] {
			r.Stampede = runStampede(c, s)
		}
		s.releaseLeaked()
		srv.Close()
		downSrv.Close()
	}
	if c.parts["errgroup"] {
		r.Fanout = runFanout(c)
	}
	if c.parts["afterfunc"] {
		r.Afterfunc = runAfterFunc(c)
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	out, _ := json.MarshalIndent(r, "", "  ")
	fmt.Println(string(out))
}
