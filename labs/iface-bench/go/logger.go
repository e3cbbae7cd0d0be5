// The Logger refactor (course 7.3, step 3): a request handler that logs ten
// times, written against a Logger interface, against the concrete logger and
// against a type parameter.  Debug logging is off (the usual state of a hot
// path in production), so each call only checks the level: the interface
// version pays ten indirect calls for ten comparisons.
package main

// Levels of the logger, lowest first.
const (
	levelDebug = 0
	levelInfo  = 1
)

// Logger is what the handler is written against.
type Logger interface {
	Debug(msg string, v int64)
}

// levelLogger is the concrete logger: it counts what it would have written.
type levelLogger struct {
	level int
	lines int64
	bytes int64
}

// Debug records msg and v when the level allows it.
func (l *levelLogger) Debug(msg string, v int64) {
	if l.level > levelDebug {
		return
	}
	l.lines++
	l.bytes += int64(len(msg)) + 8
	_ = v
}

// The handler's ten steps; every version has the same body.

//go:noinline
func handleInterface(l Logger, req int64) int64 {
	x := uint64(req) // unsigned: the C++ handler shifts the same bits
	l.Debug("request received", int64(x))
	x = x*31 + 7
	l.Debug("headers parsed", int64(x))
	x ^= x >> 7
	l.Debug("user looked up", int64(x))
	x = x*17 + 3
	l.Debug("quota checked", int64(x))
	x ^= x << 9
	l.Debug("cache missed", int64(x))
	x = x*13 + 5
	l.Debug("backend called", int64(x))
	x ^= x >> 11
	l.Debug("backend answered", int64(x))
	x = x*7 + 1
	l.Debug("response built", int64(x))
	x ^= x << 3
	l.Debug("response written", int64(x))
	x = x*5 + 9
	l.Debug("request done", int64(x))
	return int64(x)
}

//go:noinline
func handleConcrete(l *levelLogger, req int64) int64 {
	x := uint64(req) // unsigned: the C++ handler shifts the same bits
	l.Debug("request received", int64(x))
	x = x*31 + 7
	l.Debug("headers parsed", int64(x))
	x ^= x >> 7
	l.Debug("user looked up", int64(x))
	x = x*17 + 3
	l.Debug("quota checked", int64(x))
	x ^= x << 9
	l.Debug("cache missed", int64(x))
	x = x*13 + 5
	l.Debug("backend called", int64(x))
	x ^= x >> 11
	l.Debug("backend answered", int64(x))
	x = x*7 + 1
	l.Debug("response built", int64(x))
	x ^= x << 3
	l.Debug("response written", int64(x))
	x = x*5 + 9
	l.Debug("request done", int64(x))
	return int64(x)
}

//go:noinline
func handleGeneric[L Logger](l L, req int64) int64 {
	x := uint64(req) // unsigned: the C++ handler shifts the same bits
	l.Debug("request received", int64(x))
	x = x*31 + 7
	l.Debug("headers parsed", int64(x))
	x ^= x >> 7
	l.Debug("user looked up", int64(x))
	x = x*17 + 3
	l.Debug("quota checked", int64(x))
	x ^= x << 9
	l.Debug("cache missed", int64(x))
	x = x*13 + 5
	l.Debug("backend called", int64(x))
	x ^= x >> 11
	l.Debug("backend answered", int64(x))
	x = x*7 + 1
	l.Debug("response built", int64(x))
	x ^= x << 3
	l.Debug("response written", int64(x))
	x = x*5 + 9
	l.Debug("request done", int64(x))
	return int64(x)
}

// runLogger handles n requests with one version of the handler; returns the
// sum of their results.
func runLogger(version string, l *levelLogger, n int) int64 {
	var sum int64
	switch version {
	case "interface":
		var li Logger = l
		for r := 0; r < n; r++ {
			sum += handleInterface(li, int64(r))
		}
	case "concrete":
		for r := 0; r < n; r++ {
			sum += handleConcrete(l, int64(r))
		}
	case "generic":
		for r := 0; r < n; r++ {
			sum += handleGeneric[*levelLogger](l, int64(r))
		}
	default:
		panic("unknown logger version " + version)
	}
	return sum
}
