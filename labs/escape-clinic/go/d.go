// Snippet D: a bytes.Buffer written and printed.
//
// Three heap objects per call: the Buffer's first backing array (64 bytes),
// the string String() copies out, and the string header boxed into Println's
// ...any. The refactor appends into an array in the frame and prints it
// through a concrete function (an io.Writer would be an interface call, which
// makes the bytes escape: snippet G).
package main

import (
	"bytes"
	"fmt"
	"io"
)

//go:noinline
func D() { x := bytes.Buffer{}; x.WriteString("hi"); fmt.Fprintln(io.Discard, x.String()) }

// DArray is the refactor: the bytes live in a, in this frame.
//
//go:noinline
func DArray() { var a [64]byte; b := append(a[:0], "hi"...); discardLine(b) }
