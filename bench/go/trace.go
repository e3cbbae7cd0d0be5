// Execution-tracer workloads: gosched_pingpong and chan_unbuffered_pingpong
// run again while runtime/trace writes a trace. Keys and units must match
// bench/compare.py and the C++ suite (trace_bench.cpp): the trace starts
// before the workload's runs and stops after them; only the runs are timed.
package main

import (
	"runtime/trace"
)

func traceWorkloads(procs []int) []workload {
	ws := perProcs("traced_gosched_pingpong", procs, tracedAt(goschedPingpong))
	return append(ws, perProcs("traced_chan_unbuffered_pingpong", procs, tracedAt(chanUnbufferedPingpong))...)
}

// tracedAt wraps a per-procs workload so that it runs while a trace is
// written to a temporary file, removed afterwards.
func tracedAt(run func(procs int) float64) func(procs int) (float64, error) {
	return recordedAt(".trace", trace.Start, trace.Stop, run)
}
