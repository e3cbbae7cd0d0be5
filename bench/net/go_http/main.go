// Command net-go-http is the Go 1.19 side of gort's HTTP benchmarks: a net/http server with
// TechEmpower's two simplest endpoints, as the gort server (bench/net/gort_http_hello.cpp)
// has. bench/http_compare.py runs it with GOMAXPROCS=1, pinned to one CPU, and loads it with
// wrk.
//
//	GET /       "Hello, World!" (text/plain)
//	GET /json   {"message":"Hello, World!"}, encoded per request by encoding/json
//	POST /order an order as JSON, decoded into a struct by encoding/json; answers
//	            {"id", "items", "total_cents"}; 400 for a body that is not an order, 405
//	            for another method (as the gort server)
//
//	net-go-http [-addr 127.0.0.1:0]
//
// Prints the bound address (127.0.0.1:PORT) on one line of stdout, then serves until end of
// file on stdin. Standard library only.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
)

type message struct {
	Message string `json:"message"`
}

type orderItem struct {
	SKU        string `json:"sku"`
	Qty        int64  `json:"qty"`
	PriceCents int64  `json:"price_cents"`
}

type order struct {
	ID       int64       `json:"id"`
	Customer string      `json:"customer"`
	Items    []orderItem `json:"items"`
}

type orderTotal struct {
	ID         int64 `json:"id"`
	Items      int   `json:"items"`
	TotalCents int64 `json:"total_cents"`
}

func handleOrder(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(r.Body)
	var o order
	if err == nil {
		err = json.Unmarshal(body, &o)
	}
	if err != nil {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "bad order: "+err.Error())
		return
	}
	t := orderTotal{ID: o.ID, Items: len(o.Items)}
	for _, it := range o.Items {
		t.TotalCents += it.Qty * it.PriceCents
	}
	b, _ := json.Marshal(t)
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "net-go-http:", err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "Hello, World!")
	})
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		b, _ := json.Marshal(message{"Hello, World!"})
		w.Write(b)
	})
	mux.HandleFunc("/order", handleOrder)
	srv := &http.Server{Handler: mux}
	go func() {
		io.Copy(io.Discard, os.Stdin)
		srv.Shutdown(context.Background())
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "net-go-http:", err)
		os.Exit(1)
	}
}
