// conn.cpp — gort::net::Conn, Go's conn methods (net.go) over netFD: each
// failure becomes an OpError naming the operation and both addresses, and
// deadlines are converted from wall-clock time to the runtime's clock.
#include <sys/socket.h>

#include <gort/net.hpp>

#include "conn_access.hpp"
#include <gort/runtime/internal/netpoll.hpp>

#include "deadline.hpp"
#include "error.hpp"
#include "netfd.hpp"

namespace gort::net {

namespace {

/// The fd of a handle, or the error Go's nil-conn methods return (syscall.EINVAL).
detail::NetFD& checked(const std::unique_ptr<detail::NetFD>& fd, const char* op) {
  if (!fd) throw Error(std::string(op) + ": invalid argument", false);
  return *fd;
}

}  // namespace

Conn::Conn() = default;
Conn::Conn(std::unique_ptr<detail::NetFD> fd) : fd_(std::move(fd)) {}
Conn::Conn(Conn&&) noexcept = default;
Conn& Conn::operator=(Conn&& other) noexcept {
  if (this != &other) {
    if (fd_) fd_->pfd.close();
    fd_ = std::move(other.fd_);
  }
  return *this;
}
Conn::~Conn() {
  if (fd_) fd_->pfd.close();
}

std::size_t Conn::read(std::span<char> buf) {
  detail::NetFD& fd = checked(fd_, "read");
  const poll::IOResult r = fd.pfd.read(buf);
  if (r.err != 0) throw detail::op_error("read", fd.net, fd.laddr, fd.raddr, r.err, "read");
  return r.n;
}

detail::ReadOutcome detail::ConnAccess::read(Conn& c, std::span<char> buf) {
  detail::NetFD& fd = checked(c.fd_, "read");
  const poll::IOResult r = fd.pfd.read(buf);
  if (r.err != 0) return ReadOutcome{0, false, is_timeout(r.err)};
  return ReadOutcome{r.n, true, false};
}

std::size_t Conn::write(std::span<const char> data) {
  detail::NetFD& fd = checked(fd_, "write");
  const poll::IOResult r = fd.pfd.write(data);
  if (r.err != 0) throw detail::op_error("write", fd.net, fd.laddr, fd.raddr, r.err, "write");
  return r.n;
}

void Conn::close() {
  detail::NetFD& fd = checked(fd_, "close");
  if (poll::Errno e = fd.pfd.close()) throw detail::op_error("close", fd.net, fd.laddr, fd.raddr, e);
}

void Conn::close_write() {
  detail::NetFD& fd = checked(fd_, "close");
  if (poll::Errno e = fd.pfd.shutdown(SHUT_WR)) throw detail::op_error("close", fd.net, fd.laddr, fd.raddr, e, "shutdown");
}

namespace {

void set_deadline_mode(const std::unique_ptr<detail::NetFD>& fd_ptr, std::chrono::system_clock::time_point t,
                       runtime::PollMode mode) {
  detail::NetFD& fd = checked(fd_ptr, "set");
  if (poll::Errno e = fd.pfd.set_deadline(detail::runtime_deadline(t), mode)) {
    throw detail::op_error("set", fd.net, "", fd.laddr, e);
  }
}

}  // namespace

void Conn::set_deadline(std::chrono::system_clock::time_point t) { set_deadline_mode(fd_, t, runtime::PollMode::Both); }
void Conn::set_read_deadline(std::chrono::system_clock::time_point t) {
  set_deadline_mode(fd_, t, runtime::PollMode::Read);
}
void Conn::set_write_deadline(std::chrono::system_clock::time_point t) {
  set_deadline_mode(fd_, t, runtime::PollMode::Write);
}

std::string Conn::local_addr() const { return checked(fd_, "local_addr").laddr; }
std::string Conn::remote_addr() const { return checked(fd_, "remote_addr").raddr; }

}  // namespace gort::net
