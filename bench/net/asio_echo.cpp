// asio_echo — the Boost.Asio side of gort's network benchmarks (Debian's Boost 1.74): a TCP
// echo server with one C++20 coroutine per connection that reads into a 4 KiB buffer and
// writes back what it read, on one io_context run by one thread (concurrency hint 1: no
// locking inside Asio), as a C++ programmer would write it.  The Go (bench/net/go) and gort
// (gort_echo.cpp) servers do the same; the load comes from netload.cpp.
//
//   asio_echo [PORT]        (0, the default, picks a free port)
//
// Prints the bound address (127.0.0.1:PORT) on one line of stdout, then serves until SIGTERM
// or end of file on stdin.
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// The per-connection buffer, the same 4 KiB on every side (bench/net/go/main.go, bufSize).
constexpr std::size_t kBufSize = 4096;

// Copies the connection's input back to it until end of stream or an error.
asio::awaitable<void> echo(tcp::socket sock) {
  std::array<char, kBufSize> buf;  // in the coroutine frame, on the heap
  boost::system::error_code ec;
  for (;;) {
    const std::size_t n =
        co_await sock.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    co_await asio::async_write(sock, asio::buffer(buf.data(), n), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
  for (;;) {
    tcp::socket sock = co_await acceptor.async_accept(asio::use_awaitable);
    sock.set_option(tcp::no_delay(true));  // Go sets TCP_NODELAY on every TCP connection
    asio::co_spawn(acceptor.get_executor(), echo(std::move(sock)), asio::detached);
  }
}

// Reads stdin to its end, then stops the server.
asio::awaitable<void> watch_stdin(asio::posix::stream_descriptor& in, asio::io_context& io) {
  std::array<char, 256> buf;
  boost::system::error_code ec;
  while (!ec) co_await in.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
  io.stop();
}

}  // namespace

int main(int argc, char** argv) {
  // As Go 1.19 does at start-up (and gort), so that 10,000 connections need no ulimit.
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  const unsigned short port = argc > 1 ? static_cast<unsigned short>(std::atoi(argv[1])) : 0;
  asio::io_context io(1);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  std::printf("127.0.0.1:%u\n", acceptor.local_endpoint().port());
  std::fflush(stdout);

  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  // stdin may be a file or /dev/null, which epoll refuses: then only a signal stops the server.
  asio::posix::stream_descriptor in(io);
  boost::system::error_code in_ec;
  in.assign(::dup(STDIN_FILENO), in_ec);
  if (!in_ec) asio::co_spawn(io, watch_stdin(in, io), asio::detached);
  asio::co_spawn(io, accept_loop(acceptor), [&](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        std::fprintf(stderr, "asio_echo: accept: %s\n", ex.what());
      }
      io.stop();
    }
  });
  io.run();
  return 0;
}
