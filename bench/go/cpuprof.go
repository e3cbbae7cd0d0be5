// CPU-profiler workloads: gosched_pingpong, chan_unbuffered_pingpong and
// alloc_24 run again while runtime/pprof takes a CPU profile (100 Hz). Keys
// and units must match the C++ suite (cpuprof_bench.cpp): the profile starts
// before the workload's runs and stops after them; only the runs are timed.
package main

import (
	"runtime"
	"runtime/pprof"
)

func cpuprofWorkloads(procs []int) []workload {
	ws := perProcs("cpuprof_gosched_pingpong", procs, profiledAt(goschedPingpong))
	ws = append(ws, perProcs("cpuprof_chan_unbuffered_pingpong", procs, profiledAt(chanUnbufferedPingpong))...)
	alloc := profiledAt(func(int) float64 { return timeOps(runtime.NumCPU(), smallObjects, alloc24) })
	return append(ws, workload{key: "cpuprof_alloc_24", run: func() (float64, error) { return alloc(0) }})
}

// profiledAt wraps a per-procs workload so that it runs while a CPU profile
// is written to a temporary file, removed afterwards.
func profiledAt(run func(procs int) float64) func(procs int) (float64, error) {
	return recordedAt(".pprof", pprof.StartCPUProfile, pprof.StopCPUProfile, run)
}
