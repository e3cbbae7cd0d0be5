// gort_echo — the gort side of gort's network benchmarks: a TCP echo server with one goroutine
// per connection that reads into a 4 KiB buffer and writes back what it read, on gort::net
// (#include <gort/net.hpp>), as the Go (bench/net/go) and Boost.Asio (asio_echo.cpp) servers
// do.  bench/net_compare.py runs it with GOMAXPROCS=1 pinned to one CPU, once with
// GODEBUG=netpoll=uring and once with GODEBUG=netpoll=epoll; the load comes from netload.cpp.
//
//   gort_echo [PORT]        (0, the default, picks a free port)
//
// Prints the bound address (127.0.0.1:PORT) on one line of stdout, then serves until SIGTERM
// (its default action) or end of file on stdin.
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <gort/gort.hpp>
#include <gort/net.hpp>

namespace {

// The per-connection buffer, the same 4 KiB on every side (bench/net/go/main.go, bufSize).
constexpr std::size_t kBufSize = 4096;

// Copies c's input back to it until end of stream or an error, then closes it.
void echo(gort::net::Conn c) {
  std::array<char, kBufSize> buf;  // on the goroutine's stack
  try {
    for (;;) {
      const std::size_t n = c.read(buf);
      if (n == 0) break;
      c.write(std::span<const char>(buf.data(), n));
    }
  } catch (const gort::net::Error&) {
    // A reset or a closed peer ends this connection only, as in the Go server.
  }
  c.close();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string port = argc > 1 ? argv[1] : "0";
  return gort::run([&]() -> int {
    gort::net::Listener ln = gort::net::listen("tcp", "127.0.0.1:" + port);
    std::printf("%s\n", ln.addr().c_str());
    std::fflush(stdout);
    gort::go([&ln] {
      for (;;) {
        try {
          gort::go(echo, ln.accept());
        } catch (const gort::net::Error& e) {
          std::fprintf(stderr, "gort_echo: %s\n", e.what());
          std::_Exit(1);
        }
      }
    });
    // The main goroutine reads stdin to its end in a blocking call, then returns: the program
    // ends, as a Go main that returns.
    std::array<char, 256> b;
    for (;;) {
      const ssize_t r = gort::blocking([&] { return ::read(STDIN_FILENO, b.data(), b.size()); });
      if (r == 0 || (r < 0 && errno != EINTR)) break;
    }
    return 0;
  });
}
