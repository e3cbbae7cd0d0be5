// The boxing example (course 7.3, step 4): an int handed to fmt's ...any
// parameter is boxed, and the box escapes to the heap (convT64; values below
// 256 point into runtime.staticuint64s instead, so the loop formats values
// from 1000 up).  `go build -gcflags=-m` says so for the line of fmtAny.
// The output goes to io.Discard: the course prints with fmt.Println, a
// benchmark cannot print millions of lines, and the boxing is the same.
package main

import (
	"fmt"
	"io"
	"strconv"
)

// firstBoxedValue is above runtime.staticuint64s (0..255) and above
// strconv's small-number table (0..99), so neither boxing nor Itoa is spared.
const firstBoxedValue = 1000

// fmtAny is the course's worst case: fmt.Println(x).
//
//go:noinline
func fmtAny(w io.Writer, x int) { fmt.Fprintln(w, x) }

// fmtItoa is the course's refactor: fmt.Println(strconv.Itoa(x)).
//
//go:noinline
func fmtItoa(w io.Writer, x int) { fmt.Fprintln(w, strconv.Itoa(x)) }

// appendInt formats into the caller's buffer without fmt at all.
//
//go:noinline
func appendInt(w io.Writer, buf []byte, x int) []byte {
	buf = strconv.AppendInt(buf[:0], int64(x), 10)
	buf = append(buf, '\n')
	w.Write(buf)
	return buf
}

// runBoxing formats n values one way; returns the last value formatted.
func runBoxing(variant string, n int) int64 {
	w := io.Discard
	last := firstBoxedValue + n - 1
	switch variant {
	case "fmt-any":
		for i := 0; i < n; i++ {
			fmtAny(w, firstBoxedValue+i)
		}
	case "fmt-itoa":
		for i := 0; i < n; i++ {
			fmtItoa(w, firstBoxedValue+i)
		}
	case "append-int":
		var buf [32]byte
		b := buf[:0]
		for i := 0; i < n; i++ {
			b = appendInt(w, b, firstBoxedValue+i)
		}
	default:
		panic("unknown boxing variant " + variant)
	}
	return int64(last)
}
