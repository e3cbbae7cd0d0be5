// Snippet F: boxing an int into an interface.
//
// The course's F returns the constant 7, which Go 1.19 boxes without
// allocating (a constant points to read-only data; any value below 256 points
// into runtime.staticuint64s), although -m reports "7 escapes to heap". The
// benchmark boxes a value the compiler cannot know (FBox), counter+256, which
// is what boxing costs in general. The refactor returns the concrete type.
package main

//go:noinline
func F() any { return 7 }

// FBox boxes a runtime value: convT64 copies it to the heap.
//
//go:noinline
func FBox(v int) any { return v }

// FValue is the refactor: no interface, the int stays in a register.
//
//go:noinline
func FValue(v int) int { return v }
