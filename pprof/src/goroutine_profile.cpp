// goroutine_profile.cpp — the "goroutine" and "threadcreate" profiles (mirrors
// writeGoroutine, writeThreadCreate, writeGoroutineStacks and
// printCountProfile in golang/go src/runtime/pprof/pprof.go).
//
// Both are count profiles: one record per goroutine (per thread), grouped by
// identical stack.  debug 0 writes the proto with Go's types — sample type
// and period type "<name>"/"count", period 1 — and one sample per distinct
// stack, valued by how many records share it; debug 1 writes Go's text:
//     goroutine profile: total 52
//     50 @ 0x55d1c0 0x55d0f4 ...
//     #	0x55d1bf	park_one(gort::Chan<int>&)+0x1f	/src/app/main.cpp:17
//     ...
// stacks ordered by count, most first, ties by key.  "goroutine" with debug 2
// is the runtime's full dump of every goroutine (Go's runtime.Stack(buf,
// true)).  The records come from the scheduler
// (gort/runtime/internal/goroutine_profile.hpp): goroutine stacks are taken
// with the world stopped and named after it restarts.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <gort/runtime.hpp>
#include <gort/runtime/internal/gc_support.hpp>
#include <gort/runtime/internal/goroutine_profile.hpp>

#include "profile_builder.hpp"
#include "registry.hpp"
#include "stack_text.hpp"

namespace gort::pprof::detail {

namespace {

using runtime::StackPcs;

/// Writes records grouped by stack (mirrors printCountProfile).
void write_count_profile(const std::string& path, int debug, const std::string& name,
                         const std::vector<StackPcs>& records) {
  struct Group {
    const StackPcs* stack;
    int64_t count;
  };
  std::map<std::string, Group> groups;  // by Go's key, "@ 0x... 0x..."
  for (const StackPcs& s : records) {
    std::string key;
    append_stack_key(&key, s);
    auto [it, added] = groups.try_emplace(std::move(key), Group{&s, 0});
    ++it->second.count;
  }
  std::vector<std::pair<const std::string*, Group>> keys;
  for (const auto& [key, g] : groups) keys.emplace_back(&key, g);
  // keysByCount: higher counts first, ties by key (the map's order, kept).
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.second.count > b.second.count; });

  if (debug > 0) {
    std::string text = name + " profile: total " + std::to_string(records.size()) + "\n";
    for (const auto& [key, g] : keys) {
      text += std::to_string(g.count) + " " + *key + "\n";
      append_stack_record(&text, *g.stack);
    }
    write_whole_file(path, text);
    return;
  }
  ProfileBuilder b({{name, "count"}}, {name, "count"}, 1);
  for (const auto& [key, g] : keys) {
    const int64_t v[1] = {g.count};
    b.add_sample(*g.stack, v);
  }
  b.write_file(path);
}

void require_goroutine(const char* what) {
  if (!runtime::on_goroutine_with_p()) {
    throw std::logic_error(std::string("gort::pprof: ") + what + " must be called from a goroutine (inside gort::run)");
  }
}

/// debug=2: the full dump (mirrors writeGoroutineStacks).
void write_goroutine_stacks(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("gort::pprof: cannot write " + path + ": " + std::strerror(errno));
  runtime::goroutine_dump_all(f);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  if (std::fclose(f) != 0 || failed) {
    throw std::runtime_error("gort::pprof: cannot write " + path + ": " + std::strerror(failed ? err : errno));
  }
}

void write_goroutine(const std::string& path, int debug) {
  require_goroutine("the goroutine profile");
  if (debug >= 2) {
    write_goroutine_stacks(path);
    return;
  }
  std::vector<StackPcs> records;
  runtime::goroutine_profile(&records);
  write_count_profile(path, debug, "goroutine", records);
}

void write_thread_create(const std::string& path, int debug) {
  std::vector<StackPcs> records;
  runtime::thread_create_profile(&records);
  write_count_profile(path, debug, "threadcreate", records);
}

int count_thread_create() {
  std::vector<StackPcs> records;
  return runtime::thread_create_profile(&records);
}

}  // namespace

void register_goroutine_profiles() {
  register_profile(ProfileKind{"goroutine", [] { return gort::num_goroutine(); }, write_goroutine});
  register_profile(ProfileKind{"threadcreate", count_thread_create, write_thread_create});
}

}  // namespace gort::pprof::detail
