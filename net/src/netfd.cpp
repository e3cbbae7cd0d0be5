// netfd.cpp — the socket set-up of Go's net (sock_posix.go socket,
// listenStream; fd_unix.go netFD.connect and netFD.accept; sockopt_linux.go;
// tcpsockopt_unix.go), over poll::FD.
//
// Every socket is created SOCK_NONBLOCK | SOCK_CLOEXEC (Go's sysSocket).  TCP
// connections get TCP_NODELAY and 15 s keep-alives, Go's defaults for
// dialed and accepted connections (newTCPConn, Dialer/ListenConfig.KeepAlive).
#include "netfd.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>

#include "error.hpp"

namespace gort::net::detail {

namespace {

// Go's defaultTCPKeepAlive: idle time and probe interval of a connection.
constexpr int kKeepAliveSeconds = 15;

/// The kernel's listen backlog limit (Go's maxListenerBacklog): somaxconn,
/// capped as Go caps it to fit the kernel's 16-bit field.
int max_listener_backlog() {
  static const int backlog = [] {
    int n = SOMAXCONN;
    if (std::FILE* f = std::fopen("/proc/sys/net/core/somaxconn", "r")) {
      if (std::fscanf(f, "%d", &n) != 1 || n <= 0) n = SOMAXCONN;
      std::fclose(f);
    }
    return n > 65535 ? 65535 : n;
  }();
  return backlog;
}

void set_int(int s, int level, int name, int value) { ::setsockopt(s, level, name, &value, sizeof value); }

/// Go's newTCPConn (TCP_NODELAY) plus setKeepAlive / setKeepAlivePeriod.
void set_tcp_conn_options(const NetFD& fd) {
  if (fd.family == AF_UNIX) return;
  const int s = fd.pfd.sysfd();
  set_int(s, IPPROTO_TCP, TCP_NODELAY, 1);
  set_int(s, SOL_SOCKET, SO_KEEPALIVE, 1);
  set_int(s, IPPROTO_TCP, TCP_KEEPINTVL, kKeepAliveSeconds);
  set_int(s, IPPROTO_TCP, TCP_KEEPIDLE, kKeepAliveSeconds);
}

Sockaddr sockname(int s, bool peer) {
  Sockaddr sa;
  sa.len = sizeof sa.ss;
  const int rc = peer ? ::getpeername(s, reinterpret_cast<sockaddr*>(&sa.ss), &sa.len)
                      : ::getsockname(s, reinterpret_cast<sockaddr*>(&sa.ss), &sa.len);
  if (rc != 0) sa.len = 0;
  return sa;
}

/// A new non-blocking socket for sa's family (Go's sysSocket + setDefaultSockopts).
int sys_socket(const Network& net, const Sockaddr& sa, poll::Errno* err) {
  const int s = ::socket(sa.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s < 0) {
    *err = errno;
    return -1;
  }
  // IPv6 sockets take IPv4 too only for "tcp" on the wildcard (Go's ipv6only:
  // favoriteAddrFamily), otherwise they are IPv6 only.
  if (sa.family() == AF_INET6) set_int(s, IPPROTO_IPV6, IPV6_V6ONLY, net.family == AF_INET6 || !is_ipv6_wildcard(sa));
  return s;
}

}  // namespace

std::unique_ptr<NetFD> listen_stream(const Network& net, const Sockaddr& sa, std::string_view address) {
  poll::Errno err = 0;
  const char* call = "socket";
  const int s = sys_socket(net, sa, &err);
  if (s < 0) throw op_error("listen", net.name, "", address, err, call);
  auto fd = std::make_unique<NetFD>(s, sa.family(), net.name);
  if (sa.family() != AF_UNIX) set_int(s, SOL_SOCKET, SO_REUSEADDR, 1);  // setDefaultListenerSockopts
  if (::bind(s, sa.get(), sa.len) != 0) {
    err = errno, call = "bind";
  } else if (::listen(s, max_listener_backlog()) != 0) {
    err = errno, call = "listen";
  } else if ((err = fd->pfd.init()) != 0) {
    call = "";
  }
  if (err != 0) {
    fd->pfd.close();
    throw op_error("listen", net.name, "", address, err, call);
  }
  fd->laddr = addr_string(sockname(s, false));
  if (net.unix) fd->unlink_on_close = std::string(address);
  return fd;
}

std::unique_ptr<NetFD> dial_stream(const Network& net, const Sockaddr& sa, int64_t deadline_ns, poll::Errno* err,
                                   const char** errcall) {
  *errcall = "socket";
  const int s = sys_socket(net, sa, err);
  if (s < 0) return nullptr;
  auto fd = std::make_unique<NetFD>(s, sa.family(), net.name);
  auto fail = [&](poll::Errno e, const char* call) {
    fd->pfd.close();
    *err = e;
    *errcall = call;
    return nullptr;
  };
  // mirrors netFD.connect
  if (::connect(s, sa.get(), sa.len) != 0 && errno != EISCONN) {
    const int e = errno;
    if (e != EINPROGRESS && e != EALREADY && e != EINTR) return fail(e, "connect");
    if (poll::Errno ie = fd->pfd.init()) return fail(ie, "");
    if (deadline_ns != 0) fd->pfd.set_deadline(deadline_ns, runtime::PollMode::Write);
    for (;;) {
      if (poll::Errno we = fd->pfd.wait_write()) return fail(we, "");
      int so_error = 0;
      if (poll::Errno ge = fd->pfd.getsockopt_int(SOL_SOCKET, SO_ERROR, &so_error)) return fail(ge, "getsockopt");
      if (so_error == 0 || so_error == EISCONN) break;
      if (so_error != EINPROGRESS && so_error != EALREADY && so_error != EINTR) return fail(so_error, "connect");
    }
    if (deadline_ns != 0) fd->pfd.set_deadline(0, runtime::PollMode::Write);
  } else if (poll::Errno ie = fd->pfd.init()) {
    return fail(ie, "");
  }
  fd->laddr = addr_string(sockname(s, false));
  fd->raddr = addr_string(sockname(s, true));
  if (fd->raddr.empty() || fd->raddr == "@") fd->raddr = addr_string(sa);
  set_tcp_conn_options(*fd);
  *err = 0;
  return fd;
}

std::unique_ptr<NetFD> accept_stream(NetFD& ln) {
  Sockaddr rsa;
  poll::Errno err = 0;
  const char* errcall = "";
  const int s = ln.pfd.accept(&rsa.ss, &rsa.len, &err, &errcall);
  if (s < 0) throw op_error("accept", ln.net, "", ln.laddr, err, errcall);
  auto fd = std::make_unique<NetFD>(s, ln.family, ln.net);
  if (poll::Errno e = fd->pfd.init()) {
    fd->pfd.close();
    throw op_error("accept", ln.net, "", ln.laddr, e);
  }
  fd->laddr = addr_string(sockname(s, false));
  fd->raddr = addr_string(rsa);
  set_tcp_conn_options(*fd);
  return fd;
}

}  // namespace gort::net::detail
