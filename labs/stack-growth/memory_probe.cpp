// memory_probe.cpp — mincore(2) and VmRSS (see memory_probe.hpp).
#include "memory_probe.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <vector>

namespace stacklab {

std::optional<std::uint64_t> resident_bytes(std::uintptr_t lo, std::uintptr_t hi) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const std::uintptr_t first = lo & ~(page - 1);
  const std::uintptr_t end = (hi + page - 1) & ~(page - 1);
  if (end <= first) return 0;
  std::vector<unsigned char> in_core((end - first) / page);
  if (mincore(reinterpret_cast<void*>(first), end - first, in_core.data()) != 0) return std::nullopt;
  std::uint64_t pages = 0;
  for (unsigned char v : in_core) pages += v & 1;  // bit 0: resident; the others are reserved
  return pages * page;
}

std::uint64_t process_rss_bytes() {
  static std::atomic<bool> warned{false};
  std::uint64_t kib = 0;
  bool found = false;
  if (FILE* f = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr) {
      unsigned long long v = 0;
      if (std::sscanf(line, "VmRSS: %llu kB", &v) == 1) {
        kib = v;
        found = true;
        break;
      }
    }
    std::fclose(f);
  }
  if (!found && !warned.exchange(true)) {
    std::fprintf(stderr, "stack-growth: cannot read VmRSS from /proc/self/status; RSS shows as 0\n");
  }
  return kib * 1024;
}

}  // namespace stacklab
