// listener.cpp — gort::net::listen and Listener, Go's Listen (dial.go
// ListenConfig.Listen) and TCPListener / UnixListener (tcpsock.go,
// unixsock.go): the first IPv4 address of a name for "tcp", Go's errors.
#include <unistd.h>

#include <gort/net.hpp>

#include "addr.hpp"
#include "error.hpp"
#include "netfd.hpp"
#include "rlimit.hpp"

namespace gort::net {

namespace {

/// Closes the listener's descriptor and, if that closed it, removes a Unix
/// listener's socket file (mirrors UnixListener.close; an abstract name has none).
poll::Errno close_listener(detail::NetFD& fd) {
  const poll::Errno e = fd.pfd.close();
  if (e == 0 && !fd.unlink_on_close.empty() && fd.unlink_on_close[0] != '@') ::unlink(fd.unlink_on_close.c_str());
  return e;
}

}  // namespace

Listener listen(std::string_view network, std::string_view address) {
  detail::raise_open_file_limit();
  detail::Network net;
  if (!detail::parse_network(network, &net)) {
    throw detail::op_error("listen", network, "", "", "unknown network " + std::string(network), false);
  }
  std::string error;
  const std::vector<detail::Sockaddr> addrs = detail::resolve(net, address, &error);
  if (addrs.empty()) throw detail::op_error("listen", net.name, "", "", error, false);
  return Listener(detail::listen_stream(net, addrs.front(), address));
}

Listener::Listener() = default;
Listener::Listener(std::unique_ptr<detail::NetFD> fd) : fd_(std::move(fd)) {}
Listener::Listener(Listener&&) noexcept = default;
Listener& Listener::operator=(Listener&& other) noexcept {
  if (this != &other) {
    if (fd_) close_listener(*fd_);
    fd_ = std::move(other.fd_);
  }
  return *this;
}
Listener::~Listener() {
  if (fd_) close_listener(*fd_);
}

Conn Listener::accept() {
  if (!fd_) throw Error("accept: invalid argument", false);
  return Conn(detail::accept_stream(*fd_));
}

void Listener::close() {
  if (!fd_) throw Error("close: invalid argument", false);
  if (poll::Errno e = close_listener(*fd_)) throw detail::op_error("close", fd_->net, "", fd_->laddr, e);
}

std::string Listener::addr() const { return fd_ ? fd_->laddr : std::string(); }

}  // namespace gort::net
