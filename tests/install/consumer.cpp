// Uses the fixed public API names (README.md, <gort/gort.hpp>) that exist so far;
// a rename or removal breaks this build.
#include <gort/gort.hpp>

#include <cstdio>
#include <cstring>
#include <stdexcept>

// The traceback modes: run_install_test.sh checks that a Release build of this
// file names these functions and their lines, and none of gort's own frames.
void wait_forever(gort::Chan<int>& ch) { ch.recv(); }
void explode(int depth) {
  if (depth == 0) throw std::runtime_error("boom");
  explode(depth - 1);
}

int deadlock() {
  return gort::run([] {
    auto ch = gort::make_chan<int>();
    gort::go([&ch] { wait_forever(ch); });
    wait_forever(ch);
  });
}

int panic() {
  return gort::run([] {
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&wg] {
      explode(3);
      wg.done();
    });
    wg.wait();
  });
}

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "deadlock") == 0) return deadlock();
  if (argc > 1 && std::strcmp(argv[1], "panic") == 0) return panic();
  return gort::run([] {
    gort::WaitGroup wg;
    wg.add(2);
    int64_t ids[2] = {0, 0};
    for (int i = 0; i < 2; ++i) {
      gort::go([&wg, &ids](int k) {
        gort::lock_os_thread();
        gort::gosched();
        gort::preempt_point();
        ids[k] = gort::goid();
        gort::unlock_os_thread();
        wg.done();
      }, i);
    }
    wg.wait();
    const int procs = gort::gomaxprocs();
    gort::gomaxprocs(procs);
    // gort::net: one echo over loopback.
    auto ln = gort::net::listen("tcp", "127.0.0.1:0");
    gort::go([&ln] {
      auto s = ln.accept();
      char b[4];
      while (const size_t n = s.read(b)) s.write(std::span<const char>(b, n));
    });
    auto c = gort::net::dial("tcp", ln.addr());
    c.write(std::string_view("ping"));
    char echo[4];
    size_t got = 0;
    while (got < sizeof echo) {
      const size_t n = c.read(std::span<char>(echo + got, sizeof echo - got));
      if (n == 0) break;
      got += n;
    }
    const bool net_ok = got == 4 && std::memcmp(echo, "ping", 4) == 0;
    std::printf("ok %d %d %d\n", ids[0] != ids[1], gort::num_goroutine() >= 1, net_ok);
    return 0;
  });
}
