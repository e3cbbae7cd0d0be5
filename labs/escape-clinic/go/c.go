// Snippet C: a goroutine capturing a local.
//
// The goroutine outlives C's frame, so the closure holding x is allocated on
// the heap ("func literal escapes to heap"). done lets the benchmark wait for
// the goroutine, and the course's fmt.Println prints to io.Discard instead of
// the terminal.
//
// Passing x as an argument does not help in Go 1.19: since Go 1.17 the
// compiler wraps `go f(x)` in a closure capturing x, which escapes the same
// way. What keeps x off the heap is not starting a goroutine per value: a
// long-lived worker receives x over a channel (CWorker, CSend).
package main

import (
	"fmt"
	"io"
)

//go:noinline
func C(done chan<- struct{}) { x := 7; go func() { fmt.Fprintln(io.Discard, x); done <- struct{}{} }() }

// CWorker is the refactor's goroutine: started once, it prints every x it
// receives and signals done, until work is closed.
func CWorker(work <-chan int, done chan<- struct{}) {
	for x := range work {
		fmt.Fprintln(io.Discard, x)
		done <- struct{}{}
	}
}

// CSend is the refactor's per-operation half: x is copied into the channel.
//
//go:noinline
func CSend(work chan<- int) { x := 7; work <- x }
