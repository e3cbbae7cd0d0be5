// chan_bench.cpp — placeholder suite of gort_bench; its workloads are added with the
// chan primitives (see gort_harness.hpp for how a suite registers).
#include "gort_harness.hpp"

void gort_bench::register_chan_benchmarks() {}
