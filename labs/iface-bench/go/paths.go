// The three-way call (course 7.3, step 1): one method, Step, called in a
// tight loop on the concrete type, through an interface, through a func value
// and through a generic type parameter, each loop its own non-inlined
// function so `go tool objdump -s 'main\.bench'` shows it whole (step 2).
package main

// Stepper is the interface of the experiment: one small method.
type Stepper interface {
	Step(x int64) int64
}

// affine is the concrete type: Step is x*mul + add, a dependency chain the
// compiler can neither vectorise nor fold away.
type affine struct {
	mul, add int64
}

// Step advances x by one affine step.
func (a *affine) Step(x int64) int64 { return x*a.mul + a.add }

// benchConcrete calls Step on the concrete type: the compiler inlines it.
//
//go:noinline
func benchConcrete(a *affine, x int64, n int) int64 {
	for i := 0; i < n; i++ {
		x = a.Step(x)
	}
	return x
}

// benchInterface calls Step through the interface: an itab load and an
// indirect CALL per iteration.
//
//go:noinline
func benchInterface(s Stepper, x int64, n int) int64 {
	for i := 0; i < n; i++ {
		x = s.Step(x)
	}
	return x
}

// benchFunc calls Step through a func value (a method value's closure): an
// indirect CALL through the closure's code pointer.
//
//go:noinline
func benchFunc(f func(int64) int64, x int64, n int) int64 {
	for i := 0; i < n; i++ {
		x = f(x)
	}
	return x
}

// benchGeneric calls Step through a type parameter.  Go 1.19 compiles one
// body per GC shape (every pointer type shares go.shape.*uint8) and passes a
// dictionary, so T's Step is looked up at run time: still an indirect CALL.
//
//go:noinline
func benchGeneric[T Stepper](s T, x int64, n int) int64 {
	for i := 0; i < n; i++ {
		x = s.Step(x)
	}
	return x
}

// benchDevirtualised assigns the concrete value to an interface in the same
// function: the compiler sees the dynamic type and devirtualises the call.
//
//go:noinline
func benchDevirtualised(mul, add, x int64, n int) int64 {
	var s Stepper = &affine{mul: mul, add: add}
	for i := 0; i < n; i++ {
		x = s.Step(x)
	}
	return x
}

// runPath runs one path's loop over n calls from x; f is a.Step as a func
// value, made once outside the timed runs (as the C++ lab's std::function).
func runPath(path string, a *affine, f func(int64) int64, x int64, n int) int64 {
	switch path {
	case "concrete":
		return benchConcrete(a, x, n)
	case "interface":
		return benchInterface(a, x, n)
	case "function":
		return benchFunc(f, x, n)
	case "generic":
		return benchGeneric[*affine](a, x, n)
	case "generic-iface":
		return benchGeneric[Stepper](a, x, n)
	case "devirtualised":
		return benchDevirtualised(a.mul, a.add, x, n)
	}
	panic("unknown path " + path)
}
