// Command profile-tune-profile-twin is the Go program of gort's
// profile-tune-profile lab: the course's week-23 exercise (profile, tune,
// profile again) on the order service of pool-the-hot-path's twin — net/http,
// encoding/json — with the same flags and JSON fields as the C++ lab, so the
// two runtimes sit side by side in its report.
//
//  1. a CPU profile (runtime/pprof) of the load, written for `go tool pprof -top`
//     (the C++ lab reads it);
//     2./3. the same fix as the C++ service: the response built as a generic
//     document (map[string]any, encoded by json.NewEncoder) against the priced
//     order appended to the buffer directly with strconv — the same bytes —
//     as interleaved repeated runs, and profiled again;
//  4. runtime/trace of the same load at GOGC=100 and at the tuned GOGC, with
//     the collector's cycles and pauses from runtime.MemStats (Go 1.19's trace
//     analysis has no command-line form; `go tool trace FILE` views it);
//  5. no PGO: Go 1.19 has none (default.pgo arrived in Go 1.21).
//
// Standard library only.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// itemsPerOrder and distinctBodies match the C++ service and client.
const (
	itemsPerOrder  = 8
	distinctBodies = 16
)

// Item and Order are the decoded request (as in pool-the-hot-path's twin).
type Item struct {
	SKU   string  `json:"sku"`
	Name  string  `json:"name"`
	Qty   int64   `json:"qty"`
	Price float64 `json:"price"`
}

type Order struct {
	ID       int64  `json:"id"`
	Customer string `json:"customer"`
	Currency string `json:"currency"`
	Note     string `json:"note"`
	Items    []Item `json:"items"`
}

// orderBody is the request body, byte for byte the C++ lab's order_body.
func orderBody(id int64) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"id":%d,"customer":"customer-%04d","currency":"EUR","items":[`, id, id%10000)
	for i := int64(0); i < itemsPerOrder; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"sku":"sku-%05d","name":"widget model %d","qty":%d,"price":%d.25}`,
			(id*7+i)%100000, i, 1+(id+i)%5, 2+i)
	}
	b.WriteString(`],"note":"leave at the door, ring twice"}`)
	return b.String()
}

// encodeDocument is the "before": the priced order as a generic document,
// encoded by encoding/json (a map's keys come out sorted).
func encodeDocument(o *Order, buf *bytes.Buffer) {
	lines := make([]any, 0, len(o.Items))
	var total float64
	var units int64
	for _, it := range o.Items {
		amount := float64(it.Qty) * it.Price
		total += amount
		units += it.Qty
		lines = append(lines, map[string]any{"sku": it.SKU, "qty": it.Qty, "amount": amount})
	}
	doc := map[string]any{"id": o.ID, "customer": o.Customer, "currency": o.Currency, "units": units,
		"total": total, "lines": lines, "status": "accepted"}
	json.NewEncoder(buf).Encode(doc)
}

// appendString appends s as encoding/json writes a string (HTML-safe escapes included).
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20 || c == '<' || c == '>' || c == '&':
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendFloat appends v as encoding/json writes a float64 in this range.
func appendFloat(b []byte, v float64) []byte { return strconv.AppendFloat(b, v, 'f', -1, 64) }

// encodeDirect is the fix: the same bytes appended straight into the buffer.
func encodeDirect(o *Order, buf *bytes.Buffer) {
	var scratch [1024]byte // the response fits: no allocation
	b := scratch[:0]
	var total float64
	var units int64
	b = append(b, `{"currency":`...)
	b = appendString(b, o.Currency)
	b = append(b, `,"customer":`...)
	b = appendString(b, o.Customer)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, o.ID, 10)
	b = append(b, `,"lines":[`...)
	for i, it := range o.Items {
		amount := float64(it.Qty) * it.Price
		total += amount
		units += it.Qty
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"amount":`...)
		b = appendFloat(b, amount)
		b = append(b, `,"qty":`...)
		b = strconv.AppendInt(b, it.Qty, 10)
		b = append(b, `,"sku":`...)
		b = appendString(b, it.SKU)
		b = append(b, '}')
	}
	b = append(b, `],"status":"accepted","total":`...)
	b = appendFloat(b, total)
	b = append(b, `,"units":`...)
	b = strconv.AppendInt(b, units, 10)
	b = append(b, "}\n"...)
	buf.Write(b)
}

func respond(body []byte, direct bool) ([]byte, error) {
	var o Order
	if err := json.Unmarshal(body, &o); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if direct {
		encodeDirect(&o, &buf)
	} else {
		encodeDocument(&o, &buf)
	}
	return buf.Bytes(), nil
}

func handler(direct bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		var out []byte
		if err == nil {
			out, err = respond(body, direct)
		}
		if err != nil {
			http.Error(w, "invalid order", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		w.Write(out)
	}
}

// ---- server and in-process client ----

type server struct {
	addr string
	srv  *http.Server
	done chan struct{}
}

func startServer(direct bool) *server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/order", handler(direct))
	s := &server{addr: ln.Addr().String(), srv: &http.Server{Handler: mux}, done: make(chan struct{})}
	go func() { s.srv.Serve(ln); close(s.done) }()
	return s
}

func (s *server) stop() { s.srv.Close(); <-s.done }

var prebuilt = func() [][]byte {
	reqs := make([][]byte, distinctBodies)
	for i := range reqs {
		body := orderBody(int64(i + 1))
		reqs[i] = []byte(fmt.Sprintf("POST /order HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"+
			"Content-Length: %d\r\n\r\n%s", len(body), body))
	}
	return reqs
}()

// oneConnection sends count requests on one keep-alive connection and
// appends each latency (µs); reads responses by Content-Length.
func oneConnection(addr string, count int64, offset int, lat *[]float64) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	acc := make([]byte, 0, 1<<16)
	buf := make([]byte, 1<<16)
	key := []byte("\r\nContent-Length: ")
	for i := int64(0); i < count; i++ {
		t0 := time.Now()
		if _, err := c.Write(prebuilt[(int64(offset)+i)%distinctBodies]); err != nil {
			return err
		}
		acc = acc[:0]
		for {
			if h := bytes.Index(acc, []byte("\r\n\r\n")); h >= 0 {
				if k := bytes.Index(acc[:h+2], key); k >= 0 {
					n, _ := strconv.Atoi(string(acc[k+len(key) : k+len(key)+bytes.IndexByte(acc[k+len(key):], '\r')]))
					if len(acc) >= h+4+n {
						break
					}
				}
			}
			n, err := c.Read(buf)
			acc = append(acc, buf[:n]...)
			if err != nil {
				return fmt.Errorf("the server closed the connection mid-response: %v", err)
			}
		}
		if !bytes.HasPrefix(acc, []byte("HTTP/1.1 200")) {
			return fmt.Errorf("a request failed: %q", acc[:12])
		}
		*lat = append(*lat, float64(time.Since(t0).Nanoseconds())/1e3)
	}
	return nil
}

func runClient(addr string, conns int, n int64) []float64 {
	per := make([][]float64, conns)
	errs := make([]error, conns)
	var wg sync.WaitGroup
	for k := 0; k < conns; k++ {
		share := n / int64(conns)
		if int64(k) < n%int64(conns) {
			share++
		}
		wg.Add(1)
		go func(k int, share int64) {
			defer wg.Done()
			errs[k] = oneConnection(addr, share, k, &per[k])
		}(k, share)
	}
	wg.Wait()
	var all []float64
	for k := range per {
		if errs[k] != nil {
			fail(errs[k])
		}
		all = append(all, per[k]...)
	}
	return all
}

// ---- measurement ----

type runSample struct {
	RequestsPerSecond float64 `json:"requests_per_second"`
	CPUUsPerRequest   float64 `json:"cpu_us_per_request"`
	P99Us             float64 `json:"p99_us"`
	GCCycles          int64   `json:"gc_cycles"`
}

type sideRuns struct {
	Label string      `json:"label"`
	Runs  []runSample `json:"runs"`
}

type setting struct {
	label  string
	direct bool
	gogc   int
}

var cfg struct {
	requests, profileRequests, warmup int64
	runs, connections, gogc, procs    int
	workDir                           string
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// p99 by nearest rank, as lab::summarize.
func p99(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	i := int(0.99*float64(len(v))+0.999999) - 1
	if i < 0 {
		i = 0
	}
	return v[i]
}

func warm(s setting) *server {
	srv := startServer(s.direct)
	debug.SetGCPercent(s.gogc)
	if cfg.warmup > 0 {
		runClient(srv.addr, cfg.connections, cfg.warmup)
	}
	return srv
}

func measure(s setting, srv *server) runSample {
	debug.SetGCPercent(s.gogc)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0, t0 := cpuSeconds(), time.Now()
	lat := runClient(srv.addr, cfg.connections, cfg.requests)
	secs, cpu := time.Since(t0).Seconds(), cpuSeconds()-c0
	runtime.ReadMemStats(&m1)
	n := float64(cfg.requests)
	return runSample{n / secs, cpu * 1e6 / n, p99(lat), int64(m1.NumGC - m0.NumGC)}
}

// interleaved runs the two settings' runs alternately (a b, b a, ...).
func interleaved(a, b setting) (sideRuns, sideRuns) {
	ra, rb := sideRuns{Label: a.label}, sideRuns{Label: b.label}
	sa, sb := warm(a), warm(b)
	for i := 0; i < cfg.runs; i++ {
		fmt.Fprintf(os.Stderr, "profile-tune-profile-twin: run %d/%d: %s and %s\n", i+1, cfg.runs, a.label, b.label)
		if i%2 == 0 {
			ra.Runs = append(ra.Runs, measure(a, sa))
			rb.Runs = append(rb.Runs, measure(b, sb))
		} else {
			rb.Runs = append(rb.Runs, measure(b, sb))
			ra.Runs = append(ra.Runs, measure(a, sa))
		}
	}
	sa.stop()
	sb.stop()
	debug.SetGCPercent(100)
	return ra, rb
}

// minProfile is the least time a CPU profile runs: 30 samples at 100 Hz.  Go
// serves --short's thousand requests in tens of milliseconds, a profile of
// no samples; the load is repeated until both bounds are met.
const minProfile = 300 * time.Millisecond

// profile runs at least cfg.profileRequests requests of s, and for at least
// minProfile, under the CPU profiler; returns the requests served.
func profile(s setting, path string) int64 {
	srv := warm(s)
	f, err := os.Create(path)
	if err != nil {
		fail(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fail(err)
	}
	var served int64
	for t0 := time.Now(); served < cfg.profileRequests || time.Since(t0) < minProfile; served += cfg.profileRequests {
		runClient(srv.addr, cfg.connections, cfg.profileRequests)
	}
	pprof.StopCPUProfile()
	f.Close()
	srv.stop()
	debug.SetGCPercent(100)
	return served
}

type traceFindings struct {
	Setting        string  `json:"setting"`
	Path           string  `json:"path"`
	Requests       int64   `json:"requests"`
	DurationMs     float64 `json:"duration_ms"`
	GCCycles       int64   `json:"gc_cycles"`
	Pauses         int64   `json:"pauses"`
	PauseTotalUs   float64 `json:"pause_total_us"`
	PauseMaxUs     float64 `json:"pause_max_us"`
	PauseMaxReason string  `json:"pause_max_reason"`
	Error          string  `json:"error"`
}

// traced runs the load under runtime/trace and reads the cycles and their
// pauses from MemStats (PauseNs holds one entry per cycle: both of its
// stop-the-world pauses together).
func traced(s setting, path string) traceFindings {
	t := traceFindings{Setting: s.label, Path: path, Requests: cfg.profileRequests,
		PauseMaxReason: "MemStats.PauseNs: a cycle's two stops"}
	srv := warm(s)
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		fail(err)
	}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	t0 := time.Now()
	if err := trace.Start(f); err != nil {
		fail(err)
	}
	runClient(srv.addr, cfg.connections, cfg.profileRequests)
	trace.Stop()
	t.DurationMs = float64(time.Since(t0).Microseconds()) / 1e3
	runtime.ReadMemStats(&m1)
	f.Close()
	srv.stop()
	debug.SetGCPercent(100)
	t.GCCycles = int64(m1.NumGC - m0.NumGC)
	t.Pauses = t.GCCycles
	t.PauseTotalUs = float64(m1.PauseTotalNs-m0.PauseTotalNs) / 1e3
	for c := m0.NumGC + 1; c <= m1.NumGC && m1.NumGC-c < 256; c++ {
		if us := float64(m1.PauseNs[(c+255)%256]) / 1e3; us > t.PauseMaxUs {
			t.PauseMaxUs = us
		}
	}
	return t
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "profile-tune-profile-twin: %v\n", err)
	os.Exit(1)
}

func main() {
	flag.Int64Var(&cfg.requests, "requests", 20000, "requests per measured run")
	flag.IntVar(&cfg.runs, "runs", 10, "repeated runs per setting, interleaved")
	flag.IntVar(&cfg.connections, "connections", 16, "keep-alive connections of the in-process client")
	flag.Int64Var(&cfg.profileRequests, "profile-requests", 60000, "requests under each CPU profile and trace")
	flag.Int64Var(&cfg.warmup, "warmup", 2000, "requests before a server's first measured run")
	flag.IntVar(&cfg.gogc, "gogc", 400, "step 4's fix: GOGC of the tuned runs (before: 100)")
	flag.IntVar(&cfg.procs, "procs", 0, "GOMAXPROCS (0: the CPU count)")
	flag.StringVar(&cfg.workDir, "work-dir", os.TempDir(), "where the profiles and traces go")
	flag.Parse()
	if cfg.requests < 1 || cfg.runs < 1 || cfg.connections < 1 || cfg.profileRequests < 1 || cfg.gogc < 10 {
		fmt.Fprintln(os.Stderr, "profile-tune-profile-twin: -requests, -runs, -connections, -profile-requests must be >= 1, -gogc >= 10")
		os.Exit(2)
	}
	if cfg.procs > 0 {
		runtime.GOMAXPROCS(cfg.procs)
	}
	identical := true
	for i := 1; i <= distinctBodies; i++ {
		a, err1 := respond([]byte(orderBody(int64(i))), false)
		b, err2 := respond([]byte(orderBody(int64(i))), true)
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			identical = false
			fmt.Fprintf(os.Stderr, "profile-tune-profile-twin: body %d encodes differently:\n  %s  %s", i, a, b)
		}
	}
	document := setting{"document", false, 100}
	direct := setting{"direct", true, 100}
	direct100 := setting{"GOGC=100", true, 100}
	tuned := setting{fmt.Sprintf("GOGC=%d", cfg.gogc), true, cfg.gogc}
	before := filepath.Join(cfg.workDir, "go-cpu-document.pprof")
	after := filepath.Join(cfg.workDir, "go-cpu-direct.pprof")
	fmt.Fprintf(os.Stderr, "profile-tune-profile-twin: step 1: CPU profile of %d requests\n", cfg.profileRequests)
	profiledBefore := profile(document, before)
	fmt.Fprintf(os.Stderr, "profile-tune-profile-twin: step 3: the fix, %d runs per side\n", cfg.runs)
	fixBefore, fixAfter := interleaved(document, direct)
	profiledAfter := profile(direct, after)
	fmt.Fprintf(os.Stderr, "profile-tune-profile-twin: step 4: traces at GOGC=100 and GOGC=%d\n", cfg.gogc)
	traceBefore := traced(direct100, filepath.Join(cfg.workDir, "go-gogc100.trace"))
	traceAfter := traced(tuned, filepath.Join(cfg.workDir, fmt.Sprintf("go-gogc%d.trace", cfg.gogc)))
	gcBefore, gcAfter := interleaved(direct100, tuned)
	out := map[string]any{
		"procs": runtime.GOMAXPROCS(0), "requests_per_run": cfg.requests, "connections": cfg.connections,
		"profile_before_path": before, "profile_after_path": after, "profile_requests": cfg.profileRequests,
		"profile_before_requests": profiledBefore, "profile_after_requests": profiledAfter,
		"encodings_identical": identical, "fix_before": fixBefore, "fix_after": fixAfter,
		"tuned_gogc": cfg.gogc, "trace_before": traceBefore, "trace_after": traceAfter,
		"gc_before": gcBefore, "gc_after": gcAfter,
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fail(err)
	}
}
