// Command net-go-echo is the Go 1.19 side of gort's network benchmarks: a TCP echo server
// with one goroutine per connection that reads into a 4 KiB buffer and writes back what it
// read, as the gort (bench/net/gort_echo.cpp) and Boost.Asio (bench/net/asio_echo.cpp) servers
// do. The load comes from bench/net/netload.cpp; bench/net_compare.py runs it with
// GOMAXPROCS=1, pinned to one CPU.
//
//	net-go-echo [-addr 127.0.0.1:0]
//
// Prints the bound address (127.0.0.1:PORT) on one line of stdout, then serves until SIGTERM
// or end of file on stdin. Standard library only.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
)

// bufSize is the per-connection buffer, the same 4 KiB on every side so that the idle
// connection's resident memory compares runtimes, not buffer choices.
const bufSize = 4096

// echo copies c's input back to it until end of stream or an error, then closes it.
func echo(c net.Conn) {
	defer c.Close()
	buf := make([]byte, bufSize)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "net-go-echo:", err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())

	stop := make(chan struct{}, 2)
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		stop <- struct{}{}
	}()
	go func() {
		io.Copy(io.Discard, os.Stdin)
		stop <- struct{}{}
	}()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				fmt.Fprintln(os.Stderr, "net-go-echo:", err)
				stop <- struct{}{}
				return
			}
			go echo(c)
		}
	}()
	<-stop
}
