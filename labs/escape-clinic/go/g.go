// Snippet G: a method call through an interface versus on the concrete type.
//
// Through the interface the compiler cannot see which Add runs, so it assumes
// p is kept and x moves to the heap. On the concrete type it reads Add, sees p
// only dereferenced, and x stays on the stack.
package main

// Adder is the interface of the snippet.
type Adder interface{ Add(p *int) }

// adder implements Adder; it keeps nothing.
type adder struct{ sum int }

func (a *adder) Add(p *int) { a.sum += *p }

//go:noinline
func G(a Adder) { x := 7; a.Add(&x) }

// GConcrete is the refactor: the same call on the concrete type.
//
//go:noinline
func GConcrete(a *adder) { x := 7; a.Add(&x) }
