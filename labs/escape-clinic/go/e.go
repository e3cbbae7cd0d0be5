// Snippet E: a slice made for a call that keeps nothing.
//
// E's parameter does not escape, and the make has a constant size, so Go puts
// the eight ints in the caller's frame: no allocation even before any
// refactor. The refactor (an array sliced with a[:]) is what gort needs, since
// gort has no escape analysis; in Go it measures the same.
package main

//go:noinline
func E(s []int) int { return len(s) }

// ECallMake is the course's call: E(make([]int, 8)).
//
//go:noinline
func ECallMake() int { return E(make([]int, 8)) }

// ECallArray is the refactor: an array in the frame, passed as a slice.
//
//go:noinline
func ECallArray() int { var a [8]int; return E(a[:]) }
