// netfd.hpp — Go's net.netFD: a poll::FD with its network and addresses, and
// the socket set-up behind listen, dial and accept.  See netfd.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "addr.hpp"
#include "fd.hpp"

namespace gort::net::detail {

class NetFD {
 public:
  /// Takes ownership of non-blocking socket s.
  NetFD(int s, int family, std::string net) : pfd(s), family(family), net(std::move(net)) {}

  poll::FD pfd;
  const int family;
  const std::string net;  // "tcp", "tcp4", "tcp6" or "unix", as the caller named it
  std::string laddr;      // Go's laddr.String(), empty for none
  std::string raddr;      // Go's raddr.String(), empty for none
  std::string unlink_on_close;  // a Unix listener's socket file (UnixListener.unlink)
};

/// A socket listening on sa (Go's socket + netFD.listenStream): SO_REUSEADDR,
/// IPV6_V6ONLY off for "tcp" on the IPv6 wildcard, bind, listen, registered
/// with the poller.  On failure throws Error for op "listen" at address.
std::unique_ptr<NetFD> listen_stream(const Network& net, const Sockaddr& sa, std::string_view address);

/// A socket connected to sa (Go's socket + netFD.connect): a non-blocking
/// connect, parked until writable, then SO_ERROR; deadline_ns (runtime
/// clock, 0 for none) bounds the wait.  On failure returns null with *err and
/// *errcall ("socket", "connect", ...) set.  Precondition: called from a goroutine.
std::unique_ptr<NetFD> dial_stream(const Network& net, const Sockaddr& sa, int64_t deadline_ns, poll::Errno* err,
                                   const char** errcall);

/// Accepts the next connection on listener fd (Go's netFD.accept); on
/// failure throws Error for op "accept".  Precondition: called from a goroutine.
std::unique_ptr<NetFD> accept_stream(NetFD& fd);

}  // namespace gort::net::detail
