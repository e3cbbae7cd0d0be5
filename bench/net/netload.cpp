// netload — the one load client of gort's network benchmarks, used unchanged against every
// echo server (gort on io_uring and on epoll, Go 1.19 net, Boost.Asio; bench/net/README.md).
//
// One thread, one epoll set, level-triggered, non-blocking sockets with TCP_NODELAY: the
// client's cost per message is the same whichever server it drives, so with the client pinned
// to one CPU and the server to the other (bench/net_compare.py uses taskset) a ratio between
// two servers is a ratio of the servers' cost per core, as in PhotonLibOS's published method.
// The client reports its own CPU use and the server's (from /proc/<pid>/stat) so that a row in
// which the client, not the server, was saturated can be told apart.
//
// Modes (one per process; one JSON line on stdout, progress and nothing else on stderr):
//   pingpong  N connections, each with one S-byte message in flight: send, wait for all S
//             bytes of the echo, check them, send the next.  After --warmup seconds, counts
//             the messages completed in --duration seconds and the round trip of each
//             (send to last byte received): msg_per_s, p50_us, p99_us, and the server's CPU
//             time per message, server_us_per_msg (a cost per message that holds whether or
//             not the server was the saturated side).
//   stream    N connections, each writing --chunk bytes at a time as fast as the socket takes
//             them while reading the echo back: MB/s (10^6 bytes) of echo received and checked.
//   idle      --conns connections (10,000 in the table) opened at most --batch at a time; each
//             sends 1 byte and waits for its echo, so the server has accepted it and its
//             per-connection goroutine/coroutine is parked in read.  VmRSS of --server-pid is
//             read before the first connection and --settle seconds after the last echo:
//             bytes_per_conn = (after - before) / conns.
// Every mode first establishes its connections that way (1 byte out, 1 byte echoed), and ends
// them in order: shutdown(SHUT_WR), wait for the server's end of stream, close.  Every echoed
// byte is compared with what was sent (a fixed pseudo-random pattern, each connection and
// message at its own offset); a wrong or missing byte, an early end of stream, or no progress
// for --timeout seconds prints {"mode":…,"error":…} and exits 1.
//
// Usage:
//   netload --addr 127.0.0.1:PORT --mode pingpong --conns 64 --size 64 [--warmup 0.5] [--duration 2]
//   netload --addr 127.0.0.1:PORT --mode stream --conns 1 [--chunk 65536]
//   netload --addr 127.0.0.1:PORT --mode idle --conns 10000 --server-pid PID [--settle 0.5]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// The byte pattern every message is cut from.  kPatternPeriod is prime so that the offsets of
// different connections and messages (conn * 977 + seq * 131, mod the period) rarely repeat;
// the buffer is kMaxChunk longer than the period so any slice up to kMaxChunk bytes starting
// below the period is contiguous.
constexpr std::size_t kPatternPeriod = 65521;
constexpr std::size_t kMaxChunk = 65536;
std::vector<char> g_pattern;

void init_pattern() {
  g_pattern.resize(kPatternPeriod + kMaxChunk);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (std::size_t i = 0; i < kPatternPeriod; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
    g_pattern[i] = static_cast<char>(x >> 56);
  }
  for (std::size_t i = kPatternPeriod; i < g_pattern.size(); ++i) g_pattern[i] = g_pattern[i - kPatternPeriod];
}

const char* pattern_at(uint64_t offset) { return g_pattern.data() + offset % kPatternPeriod; }

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string mode = "pingpong";
  int conns = 1;
  std::size_t size = 64;       // pingpong message bytes
  std::size_t chunk = 65536;   // stream write size
  double warmup = 0.5;         // seconds before counting (pingpong, stream)
  double duration = 2.0;       // seconds counted (pingpong, stream)
  double settle = 0.5;         // idle: seconds between the last echo and reading VmRSS
  double timeout = 30.0;       // seconds without progress before giving up
  int batch = 256;             // connections being established at once (listen backlogs)
  long server_pid = 0;         // for VmRSS and CPU use; 0 = not reported
};

[[noreturn]] void fail(const Options& o, const std::string& what) {
  // what never holds a quote or backslash (all messages are ours plus strerror).
  std::printf("{\"mode\":\"%s\",\"conns\":%d,\"size\":%zu,\"error\":\"%s\"}\n", o.mode.c_str(), o.conns,
              o.size, what.c_str());
  std::fflush(stdout);
  std::exit(1);
}

std::string errno_text(const char* call) { return std::string(call) + ": " + std::strerror(errno); }

double now_s() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// CPU seconds (user + system) of process pid, all threads; -1 if unreadable.
double proc_cpu_seconds(long pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s;
  if (!std::getline(f, s)) return -1;
  const auto rp = s.rfind(')');  // the command name may hold spaces
  if (rp == std::string::npos) return -1;
  std::istringstream in(s.substr(rp + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Fields after the name start at field 3 (state); utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// VmRSS of pid in KiB; -1 if unreadable.
long vm_rss_kib(long pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

double self_cpu_seconds() {
  rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

// The counted interval of a run: it opens `warmup` seconds after the start and closes
// `duration` seconds later; this process's and the server's CPU time are sampled at both ends.
struct Window {
  double open_at, close_at;  // planned times (now_s)
  long server_pid;           // 0: the server's CPU time is not reported
  double opened = 0, closed = 0;
  double cpu0 = 0, srv0 = 0, cpu1 = 0, srv1 = 0;
  bool measuring = false;    // inside the interval: what completes now is counted
  bool stopping = false;     // past it: no new work, drain what is in flight

  Window(double warmup, double duration, long pid)
      : open_at(now_s() + warmup), close_at(open_at + duration), server_pid(pid) {}

  // Opens or closes the interval if time t has reached it; true when this call closed it.
  bool advance(double t) {
    if (!measuring && !stopping && t >= open_at) {
      measuring = true;
      opened = t;
      cpu0 = self_cpu_seconds();
      srv0 = server_pid ? proc_cpu_seconds(server_pid) : 0;
    }
    if (measuring && t >= close_at) {
      measuring = false, stopping = true;
      closed = t;
      cpu1 = self_cpu_seconds();
      srv1 = server_pid ? proc_cpu_seconds(server_pid) : 0;
      return true;
    }
    return false;
  }
  // How long an epoll wait may block: until the next edge of the interval, not at all after it.
  double deadline() const { return stopping ? 0 : (measuring ? close_at : open_at); }
  double seconds() const { return closed - opened; }
  double client_cpu() const { return (cpu1 - cpu0) / seconds(); }
  // CPUs the server used over the interval, -1 when not reported.
  double server_cpu() const { return server_pid ? (srv1 - srv0) / seconds() : -1.0; }
  // Server CPU microseconds per unit counted, -1 when not reported.
  double server_us_per(uint64_t counted) const {
    return server_pid ? (srv1 - srv0) * 1e6 / static_cast<double>(counted) : -1.0;
  }
};

// As Go 1.19 does at start-up: 10,000 connections need more than the usual soft limit.
void raise_nofile_limit() {
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

struct Conn {
  int fd = -1;
  int id = 0;
  uint64_t seq = 0;           // pingpong: messages completed
  std::size_t out_done = 0;   // pingpong: bytes of the current message written
  std::size_t in_done = 0;    // pingpong: bytes of the current echo read
  int64_t sent_ns = 0;        // pingpong: when the current message's first byte went out
  uint64_t sent = 0;          // stream: bytes written
  uint64_t recvd = 0;         // stream: bytes read and checked
  bool want_out = false;      // EPOLLOUT registered
  bool eof = false;
};

class Client {
 public:
  explicit Client(Options o) : o_(std::move(o)) {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) fail(o_, errno_text("epoll_create1"));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(o_.port));
    if (inet_pton(AF_INET, o_.host.c_str(), &sa.sin_addr) != 1) fail(o_, "bad host " + o_.host);
    addr_ = sa;
    rbuf_.resize(kMaxChunk);
    events_.resize(1024);
  }

  void run() {
    if (o_.mode == "pingpong") {
      if (o_.size == 0 || o_.size > kMaxChunk) fail(o_, "--size must be 1..65536");
      establish();
      pingpong();
      finish();
    } else if (o_.mode == "stream") {
      if (o_.chunk == 0 || o_.chunk > kMaxChunk) fail(o_, "--chunk must be 1..65536");
      establish();
      stream();
      finish();
    } else if (o_.mode == "idle") {
      idle();
    } else {
      fail(o_, "unknown --mode " + o_.mode);
    }
  }

 private:
  // Waits for events; fails after o_.timeout seconds without any.  deadline_s (monotonic
  // seconds) bounds the wait when > 0.  Returns the number of events in events_.
  int wait(double deadline_s) {
    int ms = static_cast<int>(o_.timeout * 1000);
    if (deadline_s > 0) ms = std::max(0, std::min(ms, static_cast<int>((deadline_s - now_s()) * 1000) + 1));
    for (;;) {
      const int n = epoll_wait(ep_, events_.data(), static_cast<int>(events_.size()), ms);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail(o_, errno_text("epoll_wait"));
      if (n == 0 && (deadline_s <= 0 || now_s() < deadline_s)) {
        fail(o_, "no progress for " + std::to_string(o_.timeout) + " s");
      }
      return n;
    }
  }

  void ctl(int op, Conn& c, uint32_t ev) {
    epoll_event e{};
    e.events = ev;
    e.data.u32 = static_cast<uint32_t>(c.id);
    if (epoll_ctl(ep_, op, c.fd, &e) != 0) fail(o_, errno_text("epoll_ctl"));
  }

  // Opens o_.conns connections, at most o_.batch not yet echoed at a time: each connects, sends
  // one byte and reads its echo (so the server has accepted it and waits in read).  Listen
  // backlogs (Linux caps them at net.core.somaxconn) are never the limit this way.
  void establish() {
    conns_.resize(static_cast<std::size_t>(o_.conns));
    int next = 0, pending = 0, done = 0;
    auto start = [&](Conn& c) {
      c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (c.fd < 0) fail(o_, errno_text("socket"));
      const int one = 1;
      setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (connect(c.fd, reinterpret_cast<const sockaddr*>(&addr_), sizeof addr_) != 0 && errno != EINPROGRESS) {
        fail(o_, errno_text("connect"));
      }
      ctl(EPOLL_CTL_ADD, c, EPOLLOUT);
      c.want_out = true;
    };
    while (done < o_.conns) {
      while (next < o_.conns && pending < o_.batch) {
        conns_[next].id = next;
        start(conns_[next]);
        ++next, ++pending;
      }
      const int n = wait(0);
      for (int i = 0; i < n; ++i) {
        Conn& c = conns_[events_[i].data.u32];
        if (c.want_out) {  // connected (or failed): send the byte, then wait for its echo
          int err = 0;
          socklen_t len = sizeof err;
          getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
          if (err != 0) {
            errno = err;
            fail(o_, errno_text("connect"));
          }
          if (send(c.fd, pattern_at(static_cast<uint64_t>(c.id)), 1, MSG_NOSIGNAL) != 1) fail(o_, errno_text("send"));
          ctl(EPOLL_CTL_MOD, c, EPOLLIN);
          c.want_out = false;
        } else {
          char b;
          const ssize_t r = recv(c.fd, &b, 1, 0);
          if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
          if (r < 0) fail(o_, errno_text("recv"));
          if (r == 0) fail(o_, "end of stream before the first echo");
          if (b != *pattern_at(static_cast<uint64_t>(c.id))) fail(o_, "wrong byte in the first echo");
          ++done, --pending;
        }
      }
    }
  }

  static uint64_t message_offset(const Conn& c) { return static_cast<uint64_t>(c.id) * 977 + c.seq * 131; }

  // Writes what is left of c's current message; registers EPOLLOUT if the socket is full.
  void pp_send(Conn& c) {
    const char* p = pattern_at(message_offset(c));
    while (c.out_done < o_.size) {
      const ssize_t w = send(c.fd, p + c.out_done, o_.size - c.out_done, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) break;
      if (w < 0) fail(o_, errno_text("send"));
      c.out_done += static_cast<std::size_t>(w);
    }
    const bool want = c.out_done < o_.size;
    if (want != c.want_out) {
      ctl(EPOLL_CTL_MOD, c, want ? (EPOLLIN | EPOLLOUT) : EPOLLIN);
      c.want_out = want;
    }
  }

  void pingpong() {
    std::vector<uint32_t> rtt_ns;
    rtt_ns.reserve(1 << 20);
    Window w(o_.warmup, o_.duration, o_.server_pid);
    uint64_t counted = 0;
    int in_flight = 0;
    for (Conn& c : conns_) {
      c.sent_ns = now_ns();
      pp_send(c);
      ++in_flight;
    }
    while (in_flight > 0) {
      w.advance(now_s());
      const int n = wait(w.deadline());
      for (int i = 0; i < n; ++i) {
        Conn& c = conns_[events_[i].data.u32];
        if (events_[i].events & EPOLLOUT) pp_send(c);
        if (!(events_[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
        // Never read past the current message: a byte more would be a server error, caught
        // as a mismatch in the next message.
        const ssize_t r = recv(c.fd, rbuf_.data() + c.in_done, o_.size - c.in_done, 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (r < 0) fail(o_, errno_text("recv"));
        if (r == 0) fail(o_, "end of stream in the middle of a message");
        c.in_done += static_cast<std::size_t>(r);
        if (c.in_done > c.out_done) fail(o_, "echo ahead of what was sent");
        if (c.in_done < o_.size) continue;
        const int64_t done_ns = now_ns();
        if (std::memcmp(rbuf_.data(), pattern_at(message_offset(c)), o_.size) != 0) {
          fail(o_, "echoed bytes differ from the bytes sent");
        }
        if (w.measuring) {
          rtt_ns.push_back(static_cast<uint32_t>(std::min<int64_t>(done_ns - c.sent_ns, UINT32_MAX)));
          ++counted;
        }
        ++c.seq;
        c.in_done = c.out_done = 0;
        if (w.stopping) {
          --in_flight;
        } else {
          c.sent_ns = done_ns;
          pp_send(c);
        }
      }
    }
    if (rtt_ns.empty()) fail(o_, "no message completed in the measured interval");
    const double secs = w.seconds();
    auto pct = [&](double q) {
      const std::size_t k = std::min(rtt_ns.size() - 1, static_cast<std::size_t>(q * static_cast<double>(rtt_ns.size())));
      std::nth_element(rtt_ns.begin(), rtt_ns.begin() + static_cast<std::ptrdiff_t>(k), rtt_ns.end());
      return rtt_ns[k] / 1000.0;
    };
    const double p50 = pct(0.50), p99 = pct(0.99);
    std::printf(
        "{\"mode\":\"pingpong\",\"size\":%zu,\"conns\":%d,\"seconds\":%.3f,\"messages\":%" PRIu64
        ",\"msg_per_s\":%.1f,\"p50_us\":%.2f,\"p99_us\":%.2f,\"client_cpu\":%.3f,\"server_cpu\":%.3f"
        ",\"server_us_per_msg\":%.3f}\n",
        o_.size, o_.conns, secs, counted, static_cast<double>(counted) / secs, p50, p99, w.client_cpu(),
        w.server_cpu(), w.server_us_per(counted));
  }

  void stream() {
    Window w(o_.warmup, o_.duration, o_.server_pid);
    uint64_t counted = 0;
    for (Conn& c : conns_) {
      ctl(EPOLL_CTL_MOD, c, EPOLLIN | EPOLLOUT);
      c.want_out = true;
    }
    auto pending = [&] {
      for (const Conn& c : conns_) {
        if (c.recvd < c.sent) return true;
      }
      return false;
    };
    while (!w.stopping || pending()) {
      if (w.advance(now_s())) {
        for (Conn& c : conns_) {
          ctl(EPOLL_CTL_MOD, c, EPOLLIN);
          c.want_out = false;
        }
      }
      const int n = wait(w.deadline());
      for (int i = 0; i < n; ++i) {
        Conn& c = conns_[events_[i].data.u32];
        const uint64_t base = static_cast<uint64_t>(c.id) * 977;
        if ((events_[i].events & EPOLLOUT) && c.want_out) {
          const ssize_t w = send(c.fd, pattern_at(base + c.sent), o_.chunk, MSG_NOSIGNAL);
          if (w < 0 && errno != EAGAIN && errno != EINTR) fail(o_, errno_text("send"));
          if (w > 0) c.sent += static_cast<uint64_t>(w);
        }
        if (!(events_[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
        const ssize_t r = recv(c.fd, rbuf_.data(), rbuf_.size(), 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (r < 0) fail(o_, errno_text("recv"));
        if (r == 0) fail(o_, "end of stream while streaming");
        if (c.recvd + static_cast<uint64_t>(r) > c.sent) fail(o_, "echo ahead of what was sent");
        if (std::memcmp(rbuf_.data(), pattern_at(base + c.recvd), static_cast<std::size_t>(r)) != 0) {
          fail(o_, "echoed bytes differ from the bytes sent");
        }
        c.recvd += static_cast<uint64_t>(r);
        if (w.measuring) counted += static_cast<uint64_t>(r);
      }
    }
    const double secs = w.seconds();
    std::printf(
        "{\"mode\":\"stream\",\"chunk\":%zu,\"conns\":%d,\"seconds\":%.3f,\"bytes\":%" PRIu64
        ",\"mb_per_s\":%.1f,\"client_cpu\":%.3f,\"server_cpu\":%.3f}\n",
        o_.chunk, o_.conns, secs, counted, static_cast<double>(counted) / secs / 1e6, w.client_cpu(),
        w.server_cpu());
  }

  void idle() {
    if (o_.server_pid <= 0) fail(o_, "--mode idle needs --server-pid");
    const long before = vm_rss_kib(o_.server_pid);
    if (before < 0) fail(o_, "cannot read VmRSS of the server");
    establish();
    const timespec settle{static_cast<time_t>(o_.settle),
                          static_cast<long>((o_.settle - static_cast<double>(static_cast<time_t>(o_.settle))) * 1e9)};
    nanosleep(&settle, nullptr);
    const long after = vm_rss_kib(o_.server_pid);
    if (after < 0) fail(o_, "cannot read VmRSS of the server");
    std::printf(
        "{\"mode\":\"idle\",\"conns\":%d,\"rss_before_kib\":%ld,\"rss_after_kib\":%ld,\"bytes_per_conn\":%.1f}\n",
        o_.conns, before, after, static_cast<double>(after - before) * 1024.0 / o_.conns);
    finish();
  }

  // Ends every connection in order: half-close, wait for the server's end of stream (no byte
  // may come before it), close.
  void finish() {
    int open = 0;
    for (Conn& c : conns_) {
      if (shutdown(c.fd, SHUT_WR) != 0) fail(o_, errno_text("shutdown"));
      ctl(EPOLL_CTL_MOD, c, EPOLLIN);
      c.want_out = false;
      ++open;
    }
    while (open > 0) {
      const int n = wait(0);
      for (int i = 0; i < n; ++i) {
        Conn& c = conns_[events_[i].data.u32];
        if (c.eof) continue;
        const ssize_t r = recv(c.fd, rbuf_.data(), rbuf_.size(), 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (r < 0) fail(o_, errno_text("recv at close"));
        if (r > 0) fail(o_, "bytes after the last echo");
        c.eof = true;
        close(c.fd);  // also removes it from the epoll set
        --open;
      }
    }
    std::fflush(stdout);
  }

  Options o_;
  int ep_ = -1;
  sockaddr_in addr_{};
  std::vector<Conn> conns_;
  std::vector<char> rbuf_;
  std::vector<epoll_event> events_;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "netload: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    try {
      if (a == "--addr") {
        const std::string v = val();
        const auto colon = v.rfind(':');
        if (colon == std::string::npos) throw std::invalid_argument("HOST:PORT");
        o.host = v.substr(0, colon);
        o.port = std::stoi(v.substr(colon + 1));
      } else if (a == "--mode") {
        o.mode = val();
      } else if (a == "--conns") {
        o.conns = std::stoi(val());
      } else if (a == "--size") {
        o.size = std::stoul(val());
      } else if (a == "--chunk") {
        o.chunk = std::stoul(val());
      } else if (a == "--warmup") {
        o.warmup = std::stod(val());
      } else if (a == "--duration") {
        o.duration = std::stod(val());
      } else if (a == "--settle") {
        o.settle = std::stod(val());
      } else if (a == "--timeout") {
        o.timeout = std::stod(val());
      } else if (a == "--batch") {
        o.batch = std::stoi(val());
      } else if (a == "--server-pid") {
        o.server_pid = std::stol(val());
      } else {
        std::fprintf(stderr, "netload: unknown flag %s (see the header of bench/net/netload.cpp)\n", a.c_str());
        std::exit(2);
      }
    } catch (const std::exception&) {
      std::fprintf(stderr, "netload: bad value for %s\n", a.c_str());
      std::exit(2);
    }
  }
  if (o.port <= 0 || o.conns <= 0 || o.batch <= 0 || o.duration <= 0 || o.warmup < 0 || o.timeout <= 0) {
    std::fprintf(stderr, "netload: need --addr HOST:PORT and positive --conns, --batch, --duration, --timeout\n");
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  raise_nofile_limit();
  init_pattern();
  Client(o).run();
  return 0;
}
