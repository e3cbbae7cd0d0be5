// net.cpp — gort_testprog programs for net_test.cpp: many clients in a
// process of their own, descriptor exhaustion under a low RLIMIT_NOFILE, and
// a program whose only goroutine waits in accept.
#include <gort/gort.hpp>
#include <gort/net.hpp>
#include <gort/support/process.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "testprog.hpp"

namespace {

using gort::net::Conn;
using gort::net::Error;

/// GORT_NET_CONNS connections to GORT_NET_ADDR, all open (the many-clients programs' start).
std::vector<Conn> dial_from_environment() {
  const std::string addr = std::getenv("GORT_NET_ADDR");
  const int n = std::atoi(std::getenv("GORT_NET_CONNS"));
  std::vector<Conn> conns;
  conns.reserve(n);
  for (int i = 0; i < n; ++i) conns.push_back(gort::net::dial("tcp", addr));
  return conns;
}

// Dials GORT_NET_CONNS connections to GORT_NET_ADDR and holds them all open,
// then sends one byte on each and checks its echo; prints "echoed N".
GORT_TESTPROG(NetManyClients) {
  return gort::run([] {
    std::vector<Conn> conns = dial_from_environment();
    const int n = static_cast<int>(conns.size());
    for (int i = 0; i < n; ++i) {
      const char b = static_cast<char>(i);
      conns[i].write(std::span<const char>(&b, 1));
    }
    int echoed = 0;
    for (int i = 0; i < n; ++i) {
      char b = 0;
      if (conns[i].read(std::span<char>(&b, 1)) == 1 && b == static_cast<char>(i)) ++echoed;
    }
    std::printf("echoed %d\n", echoed);
    return echoed == n ? 0 : 1;
  });
}

// The clients of HttpServer.TenThousandKeepAliveConnectionsAtOnce: dials
// GORT_NET_CONNS connections to the HTTP server at GORT_NET_ADDR, sends a GET
// on each and reads its response, then with every connection still open a
// second GET on each; prints how many got both answers.
GORT_TESTPROG(HttpManyClients) {
  return gort::run([] {
    std::vector<Conn> conns = dial_from_environment();
    const int n = static_cast<int>(conns.size());
    std::vector<int> answered(n, 0);
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < n; ++i) {
        conns[i].write(std::string_view("GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
      }
      for (int i = 0; i < n; ++i) {
        const std::string want = "\r\n\r\n" + std::to_string(i);  // the body is the path's number
        std::string got;
        char b[1024];
        while (!got.ends_with(want)) {
          const std::size_t k = conns[i].read(b);
          if (k == 0) break;
          got.append(b, k);
        }
        if (got.starts_with("HTTP/1.1 200 OK\r\n") && got.ends_with(want)) ++answered[i];
      }
    }
    int both = 0;
    for (int a : answered) both += a == 2;
    std::printf("answered twice %d\n", both);
    return both == n ? 0 : 1;
  });
}

// Lowers RLIMIT_NOFILE to just above the descriptors in use, dials until
// dial fails, then accepts until accept fails (printing both errors), frees
// the descriptors and checks that a server loop serves a new client.
GORT_TESTPROG(NetDescriptorExhaustion) {
  return gort::run([] {
    auto ln = gort::net::listen("tcp", "127.0.0.1:0");
    // UBSan's vptr check (ASAN build) validates a type it has not seen yet
    // through a pipe, impossible once every descriptor is taken, and would
    // report the Error thrown then as an invalid object: one Error made now
    // puts its type in the check's cache.
    try {
      gort::net::dial("tcp", "no port");
    } catch (const Error& e) {
      if (e.timeout()) std::printf("%s\n", e.what());
    }
    const int lowest_free = ::dup(0);
    ::close(lowest_free);
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = static_cast<rlim_t>(lowest_free + 8);  // room for a few connections
    setrlimit(RLIMIT_NOFILE, &lim);
    std::vector<Conn> clients;
    for (;;) {
      try {
        clients.push_back(gort::net::dial("tcp", ln.addr()));
      } catch (const Error& e) {
        std::printf("dial: %s\n", e.what());
        break;
      }
    }
    try {
      ln.accept();
      std::printf("accept: succeeded with no descriptor free\n");
    } catch (const Error& e) {
      std::printf("accept: %s\n", e.what());
    }
    clients.clear();  // frees the descriptors
    gort::WaitGroup wg;
    wg.add(1);
    gort::go([&] {
      // A server loop: the queued connections (their clients gone) end at
      // once, then the new client is echoed.
      for (;;) {
        Conn c;
        try {
          c = ln.accept();
        } catch (const Error&) {
          break;  // closed below
        }
        char b[16];
        try {
          while (size_t k = c.read(b)) c.write(std::span<const char>(b, k));
        } catch (const Error&) {
        }
      }
      wg.done();
    });
    Conn c = gort::net::dial("tcp", ln.addr());
    const std::string hello = "hello";
    c.write(hello);
    c.close_write();
    std::string got;
    char b[16];
    while (size_t k = c.read(b)) got.append(b, k);
    std::printf("served %s\n", got.c_str());
    ln.close();
    wg.wait();
    return 0;
  });
}

// The main goroutine waits in accept with nothing else to run and no timer
// pending; a plain thread (not a goroutine) connects a little later.  Go
// reports no deadlock here: the poller will wake the program.
GORT_TESTPROG(NetAcceptIsNotDeadlock) {
  return gort::run([] {
    auto ln = gort::net::listen("tcp", "127.0.0.1:0");
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(static_cast<uint16_t>(std::stoi(ln.addr().substr(ln.addr().rfind(':') + 1))));
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    std::thread dialer([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      ::connect(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    });
    Conn c = ln.accept();
    std::printf("accepted\n");
    dialer.join();
    ::close(s);
    return 0;
  });
}

// Started with a soft RLIMIT_NOFILE below the hard limit: prints whether
// start-up raised it to the hard limit, then the soft limit a child started
// through run_process sees (the original one, given back).
GORT_TESTPROG(NetOpenFileLimit) {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  std::printf("raised to hard limit: %s\n", lim.rlim_cur == lim.rlim_max ? "yes" : "no");
  const gort::ProcessResult child = gort::run_process({"sh", "-c", "ulimit -Sn"});
  std::printf("child's soft limit: %s", child.out.c_str());
  // Keeps listen in the program, as a program using gort::net would.
  return gort::run([] { gort::net::listen("tcp", "127.0.0.1:0"); });
}

}  // namespace
