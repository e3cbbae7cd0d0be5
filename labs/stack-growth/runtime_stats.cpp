// runtime_stats.cpp — MemStats and VmRSS in one reading (see runtime_stats.hpp).
#include "runtime_stats.hpp"

#include <gort/memstats.hpp>

#include "memory_probe.hpp"

namespace stacklab {

ProcessStacks read_process_stacks() {
  const gort::MemStats m = gort::read_mem_stats();
  ProcessStacks p;
  p.stack_inuse = m.StackInuse;
  p.stack_sys = m.StackSys;
  p.rss = process_rss_bytes();
  return p;
}

}  // namespace stacklab
