// mem_profiles.cpp — the "heap", "allocs", "block" and "mutex" profiles and
// write_heap_profile (mirrors writeHeap/writeAlloc, writeHeapProto in
// protomem.go, writeBlock/writeMutex and printCountCycleProfile in pprof.go and
// proto.go of Go 1.19).
//
// The records come from the runtime (gort/runtime/internal/mprof.hpp, Go's
// MemProfile/BlockProfile/MutexProfile); this file only writes them:
//   - heap and allocs, debug 0: alloc_objects/count, alloc_space/bytes,
//     inuse_objects/count, inuse_space/bytes, period space/bytes = the current
//     MemProfileRate, each sample unsampled with scaleHeapSample and labelled
//     "bytes" with its object size; "allocs" differs only by its default
//     sample type, alloc_space.  debug 1: Go's legacy text ("heap profile:
//     ..." with raw, unscaled counts, then each stack's frames);
//   - block and mutex, debug 0: contentions/count and delay/nanoseconds,
//     period contentions/count = 1; the block records are already unbiased by
//     the runtime (Go 1.19's scaleBlockProfile is the identity), the mutex
//     records are multiplied by the sampling fraction (scaleMutexProfile).
//     debug 1: "--- contention:" / "--- mutex:", cycles/second (10^9: gort's
//     cycles are nanoseconds) and each record's cycles, count and stack.
// registry.cpp's list calls register_memory_profiles.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <tuple>
#include <string>
#include <vector>

#include <gort/pprof.hpp>
#include <gort/profile_rates.hpp>
#include <gort/runtime/internal/mprof.hpp>

#include "profile_builder.hpp"
#include "registry.hpp"
#include "stack_text.hpp"

namespace gort::pprof::detail {

namespace {

namespace rt = gort::runtime;

/// Writes text to path, or throws as ProfileBuilder::write_file does.
void write_text(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("pprof: cannot create " + path + ": " + std::strerror(errno));
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) throw std::runtime_error("pprof: cannot write " + path + ": " + std::strerror(errno));
}

// mirrors writeHeapProto in protomem.go
void write_heap_proto(const std::string& path, const std::string& default_sample_type) {
  const int64_t rate = rt::mem_profile_rate();
  ProfileBuilder b({{"alloc_objects", "count"}, {"alloc_space", "bytes"}, {"inuse_objects", "count"},
                    {"inuse_space", "bytes"}},
                   {"space", "bytes"}, rate);
  if (!default_sample_type.empty()) b.set_default_sample_type(default_sample_type);
  for (const auto& r : rt::mem_profile(/*inuse_zero=*/true)) {
    int64_t values[4];
    std::tie(values[0], values[1]) = rt::scale_heap_sample(r.alloc_objects, r.alloc_bytes, rate);
    std::tie(values[2], values[3]) =
        rt::scale_heap_sample(r.alloc_objects - r.free_objects, r.alloc_bytes - r.free_bytes, rate);
    const int64_t block_size = r.alloc_objects > 0 ? r.alloc_bytes / r.alloc_objects : 0;
    std::vector<std::pair<std::string, int64_t>> num_labels;
    if (block_size != 0) num_labels.emplace_back("bytes", block_size);
    b.add_sample(r.stack, values, {}, num_labels);
  }
  b.write_file(path);
}

// mirrors writeHeapInternal's debug != 0 branch (the MemStats trailer aside)
void write_heap_text(const std::string& path) {
  const auto records = rt::mem_profile(/*inuse_zero=*/false);
  rt::MemProfileRecord total;
  for (const auto& r : records) {
    total.alloc_bytes += r.alloc_bytes;
    total.free_bytes += r.free_bytes;
    total.alloc_objects += r.alloc_objects;
    total.free_objects += r.free_objects;
  }
  auto header = [](const rt::MemProfileRecord& r) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%lld: %lld [%lld: %lld]", static_cast<long long>(r.alloc_objects - r.free_objects),
                  static_cast<long long>(r.alloc_bytes - r.free_bytes), static_cast<long long>(r.alloc_objects),
                  static_cast<long long>(r.alloc_bytes));
    return std::string(buf);
  };
  // Go prints 2*MemProfileRate: its old profiles' sampling period convention.
  std::string out = "heap profile: " + header(total) + " @ heap/" + std::to_string(2 * rt::mem_profile_rate()) + "\n";
  for (const auto& r : records) {
    out += header(r) + " ";
    append_stack_key(&out, r.stack);
    out += "\n";
    append_stack_record(&out, r.stack);
  }
  write_text(path, out);
}

void write_heap(const std::string& path, int debug) {
  if (debug != 0) return write_heap_text(path);
  write_heap_proto(path, "");
}

void write_allocs(const std::string& path, int debug) {
  if (debug != 0) return write_heap_text(path);
  write_heap_proto(path, "alloc_space");
}

// mirrors printCountCycleProfile (debug 0) and writeProfileInternal (debug 1)
void write_count_cycle(const std::string& path, int debug, const char* text_name,
                       const std::vector<rt::BlockProfileRecord>& records, int64_t scale) {
  // The text keeps raw records (Go scales only the proto).
  if (debug == 0) {
    ProfileBuilder b({{"contentions", "count"}, {"delay", "nanoseconds"}}, {"contentions", "count"}, 1);
    for (const auto& r : records) {
      const int64_t values[2] = {r.count * scale, r.cycles * scale};
      b.add_sample(r.stack, values);
    }
    b.write_file(path);
    return;
  }
  std::string out = std::string("--- ") + text_name + ":\ncycles/second=1000000000\n";
  if (std::string(text_name) == "mutex") {
    out += "sampling period=" + std::to_string(gort::set_mutex_profile_fraction(-1)) + "\n";
  }
  for (const auto& r : records) {
    out += std::to_string(r.cycles) + " " + std::to_string(r.count) + " ";
    append_stack_key(&out, r.stack);
    out += "\n";
    append_stack_record(&out, r.stack, /*all_frames=*/true);
  }
  write_text(path, out);
}

void write_block(const std::string& path, int debug) {
  write_count_cycle(path, debug, "contention", rt::block_profile(), 1);
}

void write_mutex(const std::string& path, int debug) {
  // scaleMutexProfile: each sampled event stands for `fraction` events.
  const int64_t fraction = gort::set_mutex_profile_fraction(-1);
  write_count_cycle(path, debug, "mutex", rt::mutex_profile(), fraction > 0 ? fraction : 1);
}

}  // namespace

void register_memory_profiles() {
  register_profile(ProfileKind{"heap", [] { return int(rt::mem_profile(true).size()); }, write_heap});
  register_profile(ProfileKind{"allocs", [] { return int(rt::mem_profile(true).size()); }, write_allocs});
  register_profile(ProfileKind{"block", [] { return int(rt::block_profile().size()); }, write_block});
  register_profile(ProfileKind{"mutex", [] { return int(rt::mutex_profile().size()); }, write_mutex});
}

}  // namespace gort::pprof::detail

namespace gort::pprof {

// mirrors WriteHeapProfile (writeHeap with debug 0)
void write_heap_profile(const std::string& path) { detail::write_heap_proto(path, ""); }

}  // namespace gort::pprof
