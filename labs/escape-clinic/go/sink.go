// Sinks that keep the benchmarks' results observable without printing.
package main

// discarded counts the bytes "printed" to the discarding sink.
var discarded int

// sinkInt and sinkAny receive results so the compiler keeps the calls.
var (
	sinkInt int
	sinkAny any
)

// discardLine drops one line (plus its newline), counting its bytes; a
// concrete function, so its argument does not escape.
//
//go:noinline
func discardLine(b []byte) { discarded += len(b) + 1 }
