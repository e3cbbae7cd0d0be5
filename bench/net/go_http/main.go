// Command net-go-http is the Go 1.19 side of gort's HTTP benchmarks: a net/http server with
// TechEmpower's two simplest endpoints, as the gort server (bench/net/gort_http_hello.cpp)
// has. bench/http_compare.py runs it with GOMAXPROCS=1, pinned to one CPU, and loads it with
// wrk.
//
//	GET /       "Hello, World!" (text/plain)
//	GET /json   {"message":"Hello, World!"}, encoded per request by encoding/json
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
