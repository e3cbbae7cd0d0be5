// Snippet A: returning the address of a local.
//
// The address outlives A's frame, so escape analysis moves x to the heap
// ("moved to heap: x"). The refactor returns the value instead.
// Every snippet function is //go:noinline: inlined into the benchmark loop,
// the compiler could see the pointer die there and keep x on the stack, and
// the benchmark would no longer measure the snippet.
package main

//go:noinline
func A() *int { x := 7; return &x }

// AValue is the refactor: the int comes back in a register.
//
//go:noinline
func AValue() int { x := 7; return x }
