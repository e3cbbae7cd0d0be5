// The benchmarks: for each snippet, the course's code ("before") and the
// refactor ("after"), plus the harness's empty loop, which must allocate
// nothing. Each benchmark is one operation per b.N iteration.
package main

import "testing"

// firstBoxedValue is where snippet F's boxed values start: 256 is one past
// runtime.staticuint64s, so boxing allocates as it does for values in general.
const firstBoxedValue = 256

// benchmark is one row of the lab's table.
type benchmark struct {
	snippet string // "A".."G" or "harness"
	variant string // "before", "after" or "empty"
	fn      func(b *testing.B)
}

// benchmarks lists the rows in the course's order.
var benchmarks = []benchmark{
	{"harness", "empty", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
		}
	}},
	{"A", "before", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sinkInt += *A()
		}
	}},
	{"A", "after", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sinkInt += AValue()
		}
	}},
	{"B", "before", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sinkInt += *B()
		}
	}},
	{"B", "after", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var x int
			BInto(&x)
			sinkInt += x
		}
	}},
	{"C", "before", func(b *testing.B) {
		done := make(chan struct{})
		for i := 0; i < b.N; i++ {
			C(done)
			<-done
		}
	}},
	{"C", "after", func(b *testing.B) {
		work, done := make(chan int), make(chan struct{})
		go CWorker(work, done)
		for i := 0; i < b.N; i++ {
			CSend(work)
			<-done
		}
		close(work)
	}},
	{"D", "before", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			D()
		}
	}},
	{"D", "after", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			DArray()
		}
	}},
	{"E", "before", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sinkInt += ECallMake()
		}
	}},
	{"E", "after", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sinkInt += ECallArray()
		}
	}},
	{"F", "before", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sinkAny = FBox(firstBoxedValue + i)
		}
	}},
	{"F", "after", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sinkInt += FValue(firstBoxedValue + i)
		}
	}},
	{"G", "before", func(b *testing.B) {
		a := &adder{}
		for i := 0; i < b.N; i++ {
			G(a)
		}
		sinkInt += a.sum
	}},
	{"G", "after", func(b *testing.B) {
		a := &adder{}
		for i := 0; i < b.N; i++ {
			GConcrete(a)
		}
		sinkInt += a.sum
	}},
}
