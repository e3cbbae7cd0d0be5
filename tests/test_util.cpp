// test_util.cpp — subprocess runner for crash tests.
#include "test_util.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <cstdlib>
#include <exception>

#include <execinfo.h>

extern char** environ;

namespace {

/// A std::terminate in a test binary prints where it came from before the
/// abort (libstdc++'s handler names only the exception), so a rare one seen
/// in CI can be traced from its log.
[[noreturn]] void terminate_with_backtrace() {
  void* pcs[64];
  const int n = backtrace(pcs, 64);
  std::fputs("std::terminate called from:\n", stderr);
  backtrace_symbols_fd(pcs, n, 2);
  if (std::current_exception()) {
    std::fputs("with an active exception\n", stderr);
  } else {
    std::fputs("without an active exception\n", stderr);
  }
  std::abort();
}

const bool terminate_handler_installed = (std::set_terminate(terminate_with_backtrace), true);

}  // namespace

namespace gort::test {

long process_cpu_us() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  auto us = [](const timeval& t) { return t.tv_sec * 1'000'000L + t.tv_usec; };
  return us(r.ru_utime) + us(r.ru_stime);
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                          int timeout_ms) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) return {};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  // The caller's entries replace inherited ones of the same name.
  auto name_of = [](const std::string& e) { return e.substr(0, e.find('=')); };
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    bool overridden = false;
    for (const auto& mine : env) overridden = overridden || name_of(mine) == name_of(entry);
    if (!overridden) envs.push_back(entry);
  }
  for (const auto& e : env) envs.push_back(e);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  pid_t pid = 0;
  ProcessResult r;
  int rc = posix_spawn(&pid, cargv[0], &fa, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    r.err = std::string("posix_spawn: ") + std::strerror(rc);
    return r;
  }
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[4096];
  // A hung child is asked for its goroutine dump first, then killed: 2 s is
  // ample for a dump, and bounds a dump that itself hangs.
  constexpr int kQuitGraceMs = 2000;
  auto now_ms = [] {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
  };
  int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : -1;
  int signals_sent = 0;
  while (open_fds > 0) {
    int wait_ms = -1;
    if (deadline >= 0) {
      const int64_t left = deadline - now_ms();
      if (left <= 0 && signals_sent < 2) {
        r.timed_out = true;
        kill(pid, signals_sent == 0 ? SIGQUIT : SIGKILL);
        deadline = ++signals_sent == 1 ? now_ms() + kQuitGraceMs : -1;
        continue;
      }
      wait_ms = left > 0 ? static_cast<int>(left) : 0;
    }
    if (poll(fds, 2, wait_ms) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace gort::test
