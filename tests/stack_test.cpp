// stack_test.cpp — stack slots: guards fault, and guards do not cost VMAs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "stack.hpp"

namespace {

using namespace gort::runtime;

int count_vmas() {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  int n = 0;
  while (std::getline(maps, line)) ++n;
  return n;
}

TEST(Stack, TouchingTheGuardRegionFaults) {
  stack_init();
  StackSlot slot = stackpool_carve();
  ASSERT_TRUE(slot.guarded) << "first slots are always guarded";
  slot.lo[0] = 1;  // the usable stack is writable
  slot.hi[-1] = 1;
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGSEGV, SIG_DFL);
    volatile char* guard = slot.lo - 1;
    *guard = 1;
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) << "status " << status;
  stack_release_all();
}

// With MADV_GUARD_INSTALL, 50,000 guarded stacks add a few mappings per
// 256-slot chunk (one, plus sanitizer shadow mappings in those builds), not
// 100,000: that is what lets a million goroutines live under
// vm.max_map_count = 65530.
TEST(Stack, GuardsDoNotSplitMappings) {
  stack_init();
  if (stack_guard_mode() != GuardMode::GuardInstall) {
    GTEST_SKIP() << "kernel lacks MADV_GUARD_INSTALL (mode " << guard_mode_name(stack_guard_mode()) << ")";
  }
  const int before = count_vmas();
  for (int i = 0; i < 50'000; ++i) {
    StackSlot s = stackpool_carve();
    ASSERT_TRUE(s.guarded);
  }
  const int after = count_vmas();
  EXPECT_LE(after - before, 4 * (50'000 / int(kChunkSlots) + 1) + 8);
  EXPECT_EQ(stack_slots_in_use(), 50'000u);
  stack_release_all();
}

}  // namespace
