// process.cpp — gort::run_process: posix_spawnp, a poll loop over the child's
// stdin, stdout and stderr, and the SIGQUIT-then-SIGKILL timeout.
//
// stdin is a socket pair rather than a pipe so that input is written with
// MSG_NOSIGNAL: a child that exits without reading its input must not raise
// SIGPIPE in the caller (a test binary or a lab would die of it).  Every
// descriptor is close-on-exec, so a child spawned concurrently by another
// thread never inherits this child's pipes (which would hold them open).
//
// A program that links gort::net raises its soft RLIMIT_NOFILE to the hard
// limit at start-up (net/src/rlimit.cpp, as Go's os package does); its
// children get the limit it started with back, as Go 1.21's os/exec does
// (syscall.forkAndExecInChild1 calls setrlimit between fork and exec), since
// programs that use select(2) break above 1024 descriptors.  posix_spawn has
// no rlimit action, so such a child is started by spawn_restoring_limit, which
// does posix_spawn's work by hand in a vfork child.
#include "gort/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>

extern char** environ;

// The soft RLIMIT_NOFILE this process had before gort::net raised it
// (net/src/rlimit.cpp); false if it did not.  A weak reference: programs
// without gort::net link, and their children keep this process's limit.
extern "C" bool gort_net_original_open_file_limit(rlimit* out) __attribute__((weak));

namespace gort {

namespace {

int64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

std::string name_of(const std::string& entry) { return entry.substr(0, entry.find('=')); }

/// This process's environment with `overrides` replacing entries of the same name.
std::vector<std::string> child_environment(const std::vector<std::string>& overrides) {
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    bool overridden = false;
    for (const auto& mine : overrides) overridden = overridden || name_of(mine) == name_of(entry);
    if (!overridden) envs.push_back(entry);
  }
  envs.insert(envs.end(), overrides.begin(), overrides.end());
  return envs;
}

/// The three descriptors the parent keeps: child's stdin (write end), stdout
/// and stderr (read ends); -1 once closed.
struct ParentEnds {
  int in = -1, out = -1, err = -1;
  void close_all() {
    for (int* fd : {&in, &out, &err}) {
      if (*fd >= 0) close(*fd);
      *fd = -1;
    }
  }
};

/// What the child does between vfork and exec: stdin, stdout and stderr,
/// the working directory, no signal handler of the parent's (the child shares
/// its memory until exec) and the signals of `defaults` at their defaults,
/// nothing blocked, the limit, then the program; on failure *error is errno.
/// Runs only async-signal-safe calls, as posix_spawn's child does.
[[noreturn]] void vfork_child(const int fds[3], const char* cwd, const sigset_t& defaults, const rlimit& limit,
                              char* const argv[], char* const envp[], volatile int* error) {
  for (int i = 0; i < 3; ++i) {
    if (dup2(fds[i], i) < 0) {
      *error = errno;
      _exit(127);
    }
  }
  if (cwd != nullptr && chdir(cwd) != 0) {
    *error = errno;
    _exit(127);
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) != 0) continue;  // not a signal one may handle
    if (sigismember(&defaults, sig) == 1 || (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN)) {
      sigaction(sig, &dfl, nullptr);
    }
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  setrlimit(RLIMIT_NOFILE, &limit);
  execvpe(argv[0], argv, envp);
  *error = errno;
  _exit(127);
}

/// posix_spawnp's work for a child that must start with `limit` as its
/// RLIMIT_NOFILE; returns 0 or an errno value, as posix_spawnp does.  Every
/// signal stays blocked from the vfork until the child has reset the
/// handlers it shares with this process.
int spawn_restoring_limit(pid_t* pid, const int fds[3], const std::string& cwd, const sigset_t& defaults,
                          const rlimit& limit, char* const argv[], char* const envp[]) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  volatile int error = 0;
  const pid_t child = vfork();
  if (child == 0) vfork_child(fds, cwd.empty() ? nullptr : cwd.c_str(), defaults, limit, argv, envp, &error);
  const int spawn_errno = child < 0 ? errno : 0;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (child < 0) return spawn_errno;
  if (error != 0) {  // exec failed: the child has exited; reap it
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return error;
  }
  *pid = child;
  return 0;
}

}  // namespace

std::string env_with_option(const std::string& name, const std::string& option) {
  const char* base = std::getenv(name.c_str());
  std::string value = base != nullptr ? base : "";
  if (!value.empty()) value += ':';
  return name + "=" + value + option;
}

ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  ProcessResult r;
  if (argv.empty()) {
    r.error = "no program named";
    return r;
  }
  int in[2], out[2], err[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
    r.error = std::string("socketpair: ") + std::strerror(errno);
    return r;
  }
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    r.error = std::string("pipe2: ") + std::strerror(errno);
    return r;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[1], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err[1], 2);
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, options.cwd.c_str());
  // The child starts with no signal blocked and the signals a timeout or a
  // closed pipe use at their defaults, whatever thread of a gort program calls.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGQUIT, SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  const std::vector<std::string> envs = child_environment(options.env);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  pid_t pid = 0;
  // posix_spawnp searches this process's PATH for a bare name, as execvp does.
  rlimit original{};
  const bool restore = gort_net_original_open_file_limit != nullptr && gort_net_original_open_file_limit(&original);
  const int child_fds[3] = {in[1], out[1], err[1]};
  const int rc = restore ? spawn_restoring_limit(&pid, child_fds, options.cwd, defaults, original, cargv.data(),
                                                 cenv.data())
                         : posix_spawnp(&pid, cargv[0], &fa, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(in[1]);
  close(out[1]);
  close(err[1]);
  ParentEnds ends{in[0], out[0], err[0]};
  if (rc != 0) {
    ends.close_all();
    r.error = argv[0] + ": " + std::strerror(rc);
    return r;
  }
  r.started = true;
  fcntl(ends.in, F_SETFL, fcntl(ends.in, F_GETFL) | O_NONBLOCK);
  size_t written = 0;
  if (options.input.empty()) {
    close(ends.in);
    ends.in = -1;
  }

  int64_t deadline = options.timeout_ms > 0 ? now_ms() + options.timeout_ms : -1;
  int signals_sent = 0;
  // At the deadline: SIGQUIT first, SIGKILL a grace period later.
  auto escalate = [&] {
    r.timed_out = true;
    kill(pid, signals_sent == 0 ? SIGQUIT : SIGKILL);
    ++signals_sent;
    deadline = now_ms() + options.quit_grace_ms;
  };
  char buf[4096];
  while (ends.in >= 0 || ends.out >= 0 || ends.err >= 0) {
    int wait_ms = -1;
    if (deadline >= 0) {
      const int64_t left = deadline - now_ms();
      if (left <= 0) {
        if (signals_sent == 2) break;  // killed, yet a descendant holds the pipes: stop reading
        escalate();
        continue;
      }
      wait_ms = static_cast<int>(left);
    }
    pollfd fds[3] = {{ends.in, POLLOUT, 0}, {ends.out, POLLIN, 0}, {ends.err, POLLIN, 0}};
    if (poll(fds, 3, wait_ms) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents != 0) {
      const ssize_t n = send(ends.in, options.input.data() + written, options.input.size() - written,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == options.input.size()) {
        close(ends.in);  // all sent, or the child closed its stdin
        ends.in = -1;
      }
    }
    for (int i = 1; i < 3; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        close(fds[i].fd);
        (i == 1 ? ends.out : ends.err) = -1;
      } else {
        (i == 1 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  ends.close_all();
  // A child may close its output and keep running: the timeout still holds.
  // Polled every 10 ms, a delay no caller notices.
  int status = 0;
  for (;;) {
    const pid_t w = waitpid(pid, &status, deadline >= 0 ? WNOHANG : 0);
    if (w == pid || (w < 0 && errno != EINTR)) break;
    if (w == 0) {
      if (now_ms() >= deadline && signals_sent < 2) escalate();
      usleep(10'000);
    }
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace gort
