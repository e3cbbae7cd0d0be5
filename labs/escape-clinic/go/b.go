// Snippet B: the address goes through a pointer variable first.
//
// Escape analysis follows data flow, not syntax: p is &x, so x moves to the
// heap as in A. The refactor lets the caller own the int and pass its
// address in ("p does not escape").
package main

//go:noinline
func B() *int { x := 7; p := &x; return p }

// BInto is the refactor: it writes through p and keeps nothing.
//
//go:noinline
func BInto(p *int) { x := 7; *p = x }
