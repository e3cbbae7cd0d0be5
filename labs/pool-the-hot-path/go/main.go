// Command pool-the-hot-path-twin is the Go program of gort's pool-the-hot-path
// lab: the course's week-8 exercise ("Pool the Hot Path") as the course poses
// it, on net/http with encoding/json and sync.Pool, with the same flags and
// JSON as the C++ lab (labs/pool-the-hot-path), so both runtimes can be
// compared side by side.
//
// POST /order decodes an order (json.Unmarshal into a struct), prices it and
// encodes the answer with json.NewEncoder into a bytes.Buffer: a fresh one per
// request (baseline) or one from a sync.Pool (pooled).  Each variant serves a
// profiled phase (runtime.MemProfileRate = 1, then the "allocs" profile is
// written for go tool pprof), a warm-up and the measured load: wrk, or an
// in-process client on raw TCP connections whose buffers are reused, so the
// process's MemStats.Mallocs delta is the server's allocations.
//
// -misuse=assert puts buffers back without Reset; the assertion inserted in
// the pooled path (a buffer from the pool must be empty) stops the process
// with status 3.  -misuse=race also keeps using the buffer after Put (an
// access logger reads it while the next request encodes into it): built with
// -race, the race detector reports it.  Standard library only.
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
	"os/exec"
	"regexp"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// itemsPerOrder matches the C++ service's kItemsPerOrder.
const itemsPerOrder = 8

// distinctBodies matches the C++ client's kDistinctBodies.
const distinctBodies = 16

// misuseRequests matches the C++ lab's kMisuseRequests.
const misuseRequests = 100

// maxPlotSamples matches the C++ lab's kMaxPlotSamples.
const maxPlotSamples = 2000

// assertionExitCode matches the C++ lab's kAssertionExitCode.
const assertionExitCode = 3

// Item and Order are the decoded request.
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

// Line and Priced are the response.
type Line struct {
	SKU    string  `json:"sku"`
	Qty    int64   `json:"qty"`
	Amount float64 `json:"amount"`
}

type Priced struct {
	Currency string  `json:"currency"`
	Customer string  `json:"customer"`
	ID       int64   `json:"id"`
	Lines    []Line  `json:"lines"`
	Status   string  `json:"status"`
	Total    float64 `json:"total"`
	Units    int64   `json:"units"`
}

// orderBody is the request body, byte for byte the C++ lab's order_body.
func orderBody(id int64) string {
	var b strings.Builder
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

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// assertClean is the deliberately inserted assertion: a buffer from the pool
// must be empty.
func assertClean(b *bytes.Buffer) {
	if b.Len() == 0 {
		return
	}
	head := b.Bytes()
	if len(head) > 40 {
		head = head[:40]
	}
	fmt.Fprintf(os.Stderr, "pool-the-hot-path-twin: assertion failed: a buffer from the pool holds %d bytes of an "+
		"earlier response (%q...): Put without Reset\n", b.Len(), head)
	os.Exit(assertionExitCode)
}

// accessLog is the misuse-race variant's logger: it reads each buffer handed
// to it after the handler has put that buffer back.
var accessLog = make(chan *bytes.Buffer, 64)

func accessLogger() {
	var sum uint64
	for b := range accessLog {
		first := b.Len()
		until := time.Now().Add(50 * time.Millisecond)
		for time.Now().Before(until) {
			for _, c := range b.Bytes() {
				sum = sum*31 + uint64(c)
			}
			if b.Len() != first {
				break
			}
			time.Sleep(200 * time.Microsecond)
		}
	}
	_ = sum
}

// counters of the service.
var served, rejected atomic.Int64

func handler(variant string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		var o Order
		if err == nil {
			err = json.Unmarshal(body, &o)
		}
		if err != nil {
			rejected.Add(1)
			http.Error(w, "invalid order", http.StatusBadRequest)
			return
		}
		p := Priced{ID: o.ID, Customer: o.Customer, Currency: o.Currency, Status: "accepted",
			Lines: make([]Line, 0, len(o.Items))}
		for _, it := range o.Items {
			amount := float64(it.Qty) * it.Price
			p.Total += amount
			p.Units += it.Qty
			p.Lines = append(p.Lines, Line{SKU: it.SKU, Qty: it.Qty, Amount: amount})
		}
		w.Header().Set("Content-Type", "application/json")
		if variant == "baseline" {
			var buf bytes.Buffer
			json.NewEncoder(&buf).Encode(&p)
			writeBody(w, buf.Bytes())
		} else {
			buf := bufPool.Get().(*bytes.Buffer)
			if variant != "misuse-race" {
				assertClean(buf)
			}
			json.NewEncoder(buf).Encode(&p)
			writeBody(w, buf.Bytes())
			if variant == "pooled" {
				buf.Reset() // the misuses skip this line
			}
			bufPool.Put(buf)
			if variant == "misuse-race" {
				// The bug: a reference survives the Put.  The logger drops
				// what it cannot keep up with, as access loggers do.
				select {
				case accessLog <- buf:
				default:
				}
			}
		}
		served.Add(1)
	}
}

func writeBody(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// ---- the in-process client ----

type clientStats struct {
	latencies []float64
	errors    int64
	firstBody int64
	lastBody  int64
}

var contentLengthKey = []byte("\r\nContent-Length: ")
var headEnd = []byte("\r\n\r\n")
var okStatus = []byte("HTTP/1.1 200")

func prebuiltRequests() [][]byte {
	reqs := make([][]byte, distinctBodies)
	for i := range reqs {
		body := orderBody(int64(i + 1))
		reqs[i] = []byte(fmt.Sprintf("POST /order HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"+
			"Content-Length: %d\r\n\r\n%s", len(body), body))
	}
	return reqs
}

// parseDigits reads a decimal number at the start of b without allocating.
func parseDigits(b []byte) int64 {
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func clientConnection(addr string, reqs [][]byte, count int64, offset int, st *clientStats) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	acc := make([]byte, 0, 1<<16)
	buf := make([]byte, 1<<16)
	for i := int64(0); i < count; i++ {
		req := reqs[(int64(offset)+i)%distinctBodies]
		t0 := time.Now()
		if _, err := c.Write(req); err != nil {
			return err
		}
		acc = acc[:0]
		head, length := -1, int64(-1)
		for {
			if head < 0 {
				if head = bytes.Index(acc, headEnd); head >= 0 {
					if k := bytes.Index(acc[:head+2], contentLengthKey); k >= 0 {
						length = parseDigits(acc[k+len(contentLengthKey):])
					}
				}
			}
			if head >= 0 && length >= 0 && int64(len(acc)) >= int64(head)+4+length {
				break
			}
			n, err := c.Read(buf)
			if n > 0 {
				acc = append(acc, buf[:n]...)
			}
			if err != nil {
				return fmt.Errorf("the server closed the connection mid-response: %v", err)
			}
		}
		st.latencies = append(st.latencies, float64(time.Since(t0).Nanoseconds())/1e3)
		if !bytes.HasPrefix(acc, okStatus) {
			st.errors++
		}
		if i == 0 {
			st.firstBody = length
		}
		st.lastBody = length
	}
	return nil
}

var requests = prebuiltRequests()

func runClient(addr string, conns int, n int64) (clientStats, error) {
	per := make([]clientStats, conns)
	errs := make([]error, conns)
	var wg sync.WaitGroup
	for k := 0; k < conns; k++ {
		share := n / int64(conns)
		if int64(k) < n%int64(conns) {
			share++
		}
		if share == 0 {
			continue
		}
		per[k].latencies = make([]float64, 0, share)
		wg.Add(1)
		go func(k int, share int64) {
			defer wg.Done()
			errs[k] = clientConnection(addr, requests, share, k, &per[k])
		}(k, share)
	}
	wg.Wait()
	var all clientStats
	for k := range per {
		if errs[k] != nil {
			return all, fmt.Errorf("in-process client: %v", errs[k])
		}
		all.latencies = append(all.latencies, per[k].latencies...)
		all.errors += per[k].errors
	}
	all.firstBody, all.lastBody = per[0].firstBody, per[0].lastBody
	return all, nil
}

// ---- wrk ----

type wrkResult struct {
	requests, errors                 int64
	seconds, rps, p50, p90, p99, max float64
}

// wrkUS reads a wrk duration ("512.34us", "1.23ms", "2.00s") in µs.
func wrkUS(num, unit string) float64 {
	v, _ := strconv.ParseFloat(num, 64)
	switch unit {
	case "ms":
		return v * 1e3
	case "s":
		return v * 1e6
	case "m":
		return v * 60e6
	}
	return v
}

func runWrk(url, script string, threads, conns, seconds int) (wrkResult, error) {
	var w wrkResult
	out, err := exec.Command("wrk", fmt.Sprintf("-t%d", threads), fmt.Sprintf("-c%d", conns),
		fmt.Sprintf("-d%ds", seconds), "--timeout", "10s", "--latency", "-s", script, url).Output()
	if err != nil {
		return w, fmt.Errorf("wrk: %v", err)
	}
	t := string(out)
	m := regexp.MustCompile(`(\d+) requests in ([\d.]+)(us|ms|s|m),`).FindStringSubmatch(t)
	if m == nil {
		return w, fmt.Errorf("unreadable wrk output: %s", t)
	}
	w.requests, _ = strconv.ParseInt(m[1], 10, 64)
	w.seconds = wrkUS(m[2], m[3]) / 1e6
	if m := regexp.MustCompile(`Requests/sec:\s+([\d.]+)`).FindStringSubmatch(t); m != nil {
		w.rps, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := regexp.MustCompile(`Latency\s+([\d.]+)(us|ms|s|m)\s+([\d.]+)(us|ms|s|m)\s+([\d.]+)(us|ms|s|m)`).FindStringSubmatch(t); m != nil {
		w.max = wrkUS(m[5], m[6])
	}
	for _, m := range regexp.MustCompile(`\s+(50|90|99)%\s+([\d.]+)(us|ms|s|m)`).FindAllStringSubmatch(t, -1) {
		v := wrkUS(m[2], m[3])
		switch m[1] {
		case "50":
			w.p50 = v
		case "90":
			w.p90 = v
		case "99":
			w.p99 = v
		}
	}
	if m := regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`).FindStringSubmatch(t); m != nil {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		w.errors += n
	}
	if m := regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`).FindStringSubmatch(t); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.ParseInt(s, 10, 64)
			w.errors += n
		}
	}
	return w, nil
}

// ---- the experiment ----

type profileSite struct {
	Function    string  `json:"function"`
	Flat        int64   `json:"flat"`
	FlatPercent float64 `json:"flat_percent"`
}

type variantResult struct {
	Variant           string        `json:"variant"`
	Load              string        `json:"load"`
	Connections       int           `json:"connections"`
	Requests          int64         `json:"requests"`
	Errors            int64         `json:"errors"`
	Seconds           float64       `json:"seconds"`
	RequestsPerSecond float64       `json:"requests_per_second"`
	P50US             float64       `json:"p50_us"`
	P90US             float64       `json:"p90_us"`
	P99US             float64       `json:"p99_us"`
	MaxUS             float64       `json:"max_us"`
	AllocsPerOp       float64       `json:"allocs_per_op"`
	BytesPerOp        float64       `json:"bytes_per_op"`
	GCCycles          int64         `json:"gc_cycles"`
	ProfileRequests   int64         `json:"profile_requests"`
	ProfilePath       string        `json:"profile_path"`
	TopObjects        []profileSite `json:"top_objects"`
	TopSpace          []profileSite `json:"top_space"`
	LatencySampleUS   []float64     `json:"latency_sample_us"`
}

type runtimeResult struct {
	Runtime  string          `json:"runtime"`
	Procs    int             `json:"procs"`
	Version  string          `json:"version"`
	Variants []variantResult `json:"variants"`
}

type config struct {
	variants                          []string
	useWrk                            bool
	duration                          time.Duration
	requests, profileRequests, warmup int64
	connections, threads              int
	profileDir                        string
}

type server struct {
	srv  *http.Server
	addr string
	done chan struct{}
}

func startServer(variant string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/order", handler(variant))
	s := &server{srv: &http.Server{Handler: mux}, addr: ln.Addr().String(), done: make(chan struct{})}
	go func() {
		s.srv.Serve(ln)
		close(s.done)
	}()
	return s, nil
}

func (s *server) stop() {
	s.srv.Close()
	<-s.done
}

func subsample(v []float64) []float64 {
	if len(v) <= maxPlotSamples {
		return v
	}
	out := make([]float64, maxPlotSamples)
	step := float64(len(v)) / maxPlotSamples
	for i := range out {
		out[i] = v[int(float64(i)*step)]
	}
	return out
}

// percentile is the nearest-rank percentile of sorted (as lab::nearest_rank).
func percentile(sorted []float64, q float64) float64 {
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

func runVariant(variant string, c config, script string) (variantResult, error) {
	r := variantResult{Variant: variant, Load: "in-process", Connections: c.connections, ProfileRequests: c.profileRequests}
	if c.useWrk {
		r.Load = "wrk"
	}
	s, err := startServer(variant)
	if err != nil {
		return r, err
	}
	defer s.stop()
	fmt.Fprintf(os.Stderr, "pool-the-hot-path-twin: go %s: profiling %d requests\n", variant, c.profileRequests)
	runtime.MemProfileRate = 1
	if _, err := runClient(s.addr, c.connections, c.profileRequests); err != nil {
		return r, err
	}
	// Sampling stops before the profile is written, so the writer's own
	// allocations stay out of the next variant's profile.
	runtime.MemProfileRate = 0
	runtime.GC()
	runtime.GC()
	r.ProfilePath = fmt.Sprintf("%s/go-%s.pb.gz", c.profileDir, variant)
	f, err := os.Create(r.ProfilePath)
	if err != nil {
		return r, err
	}
	pprof.Lookup("allocs").WriteTo(f, 0)
	f.Close()
	if c.warmup > 0 {
		if _, err := runClient(s.addr, c.connections, c.warmup); err != nil {
			return r, err
		}
	}
	fmt.Fprintf(os.Stderr, "pool-the-hot-path-twin: go %s: measuring (%s)\n", variant, r.Load)
	served0 := served.Load()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	t0 := time.Now()
	var cs clientStats
	var w wrkResult
	if c.useWrk {
		w, err = runWrk("http://"+s.addr+"/order", script, c.threads, c.connections, int(c.duration/time.Second))
	} else {
		cs, err = runClient(s.addr, c.connections, c.requests)
	}
	secs := time.Since(t0).Seconds()
	runtime.ReadMemStats(&m1)
	if err != nil {
		return r, err
	}
	n := served.Load() - served0
	r.Requests = n
	ops := float64(n)
	if ops < 1 {
		ops = 1
	}
	r.AllocsPerOp = float64(m1.Mallocs-m0.Mallocs) / ops
	r.BytesPerOp = float64(m1.TotalAlloc-m0.TotalAlloc) / ops
	r.GCCycles = int64(m1.NumGC - m0.NumGC)
	if c.useWrk {
		r.Errors, r.Seconds, r.RequestsPerSecond = w.errors, w.seconds, w.rps
		r.P50US, r.P90US, r.P99US, r.MaxUS = w.p50, w.p90, w.p99, w.max
	} else {
		sorted := append([]float64(nil), cs.latencies...)
		sort.Float64s(sorted)
		r.Errors = cs.errors + int64(len(cs.latencies)) - n
		r.Seconds = secs
		r.RequestsPerSecond = float64(n) / secs
		r.P50US, r.P90US, r.P99US = percentile(sorted, 0.50), percentile(sorted, 0.90), percentile(sorted, 0.99)
		if len(sorted) > 0 {
			r.MaxUS = sorted[len(sorted)-1]
		}
		r.LatencySampleUS = subsample(cs.latencies)
	}
	return r, nil
}

// runMisuse serves a misusing variant on one P and sends it a bounded series
// of requests; it returns only when nothing caught the misuse.
func runMisuse(mode string) int {
	runtime.GOMAXPROCS(1)
	go accessLogger()
	s, err := startServer("misuse-" + mode)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pool-the-hot-path-twin:", err)
		return 1
	}
	cs, err := runClient(s.addr, 1, misuseRequests)
	s.stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pool-the-hot-path-twin:", err)
		return 1
	}
	fmt.Printf("misuse %s: %d requests served; first_response_bytes=%d last_response_bytes=%d\n", mode,
		misuseRequests, cs.firstBody, cs.lastBody)
	return 0
}

func main() {
	jsonOut := flag.Bool("json", false, "print the results as JSON (for the C++ lab) instead of a table")
	variants := flag.String("variant", "baseline,pooled", "baseline, pooled or both (comma-separated)")
	load := flag.String("load", "inproc", "wrk or inproc")
	duration := flag.Duration("duration", 10*time.Second, "wrk: how long each variant is loaded")
	nreq := flag.Int64("requests", 20000, "inproc: requests per variant")
	conns := flag.Int("connections", 16, "keep-alive connections")
	threads := flag.Int("threads", 1, "wrk: threads")
	profileReq := flag.Int64("profile-requests", 2000, "requests of the profiled phase")
	warmup := flag.Int64("warmup", 2000, "requests before the measured load")
	procs := flag.Int("procs", 0, "GOMAXPROCS (0: the default)")
	profileDir := flag.String("profile-dir", os.TempDir(), "where the heap profiles go (go-<variant>.pb.gz)")
	misuse := flag.String("misuse", "", "assert or race: run only that misuse (build with -race for the race)")
	flag.Parse()
	if *misuse != "" {
		if *misuse != "assert" && *misuse != "race" {
			fmt.Fprintf(os.Stderr, "pool-the-hot-path-twin: -misuse %q: expected assert or race\n", *misuse)
			os.Exit(2)
		}
		os.Exit(runMisuse(*misuse))
	}
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	c := config{useWrk: *load == "wrk", duration: *duration, requests: *nreq, profileRequests: *profileReq,
		warmup: *warmup, connections: *conns, threads: *threads, profileDir: *profileDir}
	if *load != "wrk" && *load != "inproc" {
		fmt.Fprintf(os.Stderr, "pool-the-hot-path-twin: -load %q: expected wrk or inproc\n", *load)
		os.Exit(2)
	}
	for _, v := range strings.Split(*variants, ",") {
		if v != "baseline" && v != "pooled" {
			fmt.Fprintf(os.Stderr, "pool-the-hot-path-twin: -variant %q: expected baseline or pooled\n", v)
			os.Exit(2)
		}
		c.variants = append(c.variants, v)
	}
	script := ""
	if c.useWrk {
		script = c.profileDir + "/order-go.lua"
		lua := "-- POST /order with one JSON order (pool-the-hot-path-twin)\nwrk.method = \"POST\"\nwrk.body = [[" +
			orderBody(1) + "]]\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
		if err := os.WriteFile(script, []byte(lua), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "pool-the-hot-path-twin:", err)
			os.Exit(1)
		}
	}
	res := runtimeResult{Runtime: "go", Procs: runtime.GOMAXPROCS(0), Version: runtime.Version()}
	for _, v := range c.variants {
		r, err := runVariant(v, c, script)
		if err != nil {
			fmt.Fprintf(os.Stderr, "pool-the-hot-path-twin: %s: %v\n", v, err)
			os.Exit(1)
		}
		res.Variants = append(res.Variants, r)
	}
	if *jsonOut {
		json.NewEncoder(os.Stdout).Encode(res)
		return
	}
	fmt.Printf("%-9s %8s %10s %10s %10s %10s %10s\n", "variant", "requests", "req/s", "p50", "p99", "allocs/op", "B/op")
	for _, r := range res.Variants {
		fmt.Printf("%-9s %8d %10.0f %9.0fµs %9.0fµs %10.1f %10.0f\n", r.Variant, r.Requests, r.RequestsPerSecond,
			r.P50US, r.P99US, r.AllocsPerOp, r.BytesPerOp)
	}
	fmt.Printf("profiles: %s/go-<variant>.pb.gz (go tool pprof -top -sample_index=alloc_objects)\n", c.profileDir)
}
