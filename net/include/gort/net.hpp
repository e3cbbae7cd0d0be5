// gort/net.hpp — Go's package net over the runtime's netpoller: stream sockets
// (TCP over IPv4 and IPv6, Unix domain) whose reads, writes, accepts and
// connects park the calling goroutine, never its thread.
//
//   auto ln = gort::net::listen("tcp", "127.0.0.1:0");
//   gort::go([&] { auto c = ln.accept(); char b[512]; while (size_t n = c.read(b)) c.write({b, n}); });
//   auto c = gort::net::dial("tcp", ln.addr());
//   c.write(std::string_view("hello"));
//
// Errors are exceptions: gort::net::Error, whose what() is the text Go's
// net.OpError prints ("read tcp 127.0.0.1:41234->127.0.0.1:8080: i/o timeout",
// "dial tcp 127.0.0.1:1: connect: connection refused") and whose timeout() is
// Go's Timeout().  A read returns 0 at the end of the stream (Go's io.EOF).
//
// Listener and Conn are movable handles owning one socket; destroying one
// that is still open closes it.  A Conn may be read by one goroutine while
// another writes, and closed by a third: close wakes both with "use of closed
// network connection".  Every call, and the destruction of an open handle,
// is made from a goroutine (inside gort::run) on a handle that outlives the call.  The implementation (Go's internal/poll
// FD over the runtime's poll_* functions) is described in net/src/fd.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gort::net {

namespace detail {
class NetFD;
struct ConnAccess;
}  // namespace detail

/// A failed network operation (Go's *net.OpError): what() is Go's text.
class Error : public std::runtime_error {
 public:
  /// Creates an error with Go's message text; timeout is Go's Timeout().
  Error(const std::string& message, bool timeout) : std::runtime_error(message), timeout_(timeout) {}

  /// True when the operation failed because its deadline passed ("i/o timeout").
  bool timeout() const { return timeout_; }

 private:
  bool timeout_;
};

/// A stream connection (Go's net.Conn: a *TCPConn or *UnixConn).
class Conn {
 public:
  /// An empty handle (every call on it but close and the destructor throws).
  Conn();
  /// Takes other's connection, leaving other empty.
  Conn(Conn&& other) noexcept;
  /// Closes this handle's connection if open, then takes other's.
  Conn& operator=(Conn&& other) noexcept;
  /// Closes the connection if it is still open.  Precondition: on a goroutine if open.
  ~Conn();

  /// Reads into buf: at least one byte, or 0 at the end of the stream (or
  /// when buf is empty); throws Error on failure or when the read deadline
  /// passes.  Precondition: no other goroutine reads this Conn at the same time
  /// (a second reader waits for the first, as in Go).
  std::size_t read(std::span<char> buf);

  /// Writes all of data, waiting while the socket's buffer is full; throws
  /// Error (with the count written lost, as Go's n) if it cannot.  A peer that
  /// has gone raises "broken pipe", never SIGPIPE.
  std::size_t write(std::span<const char> data);

  /// Closes the connection, waking any goroutine blocked in read or write, and
  /// returns once no operation uses the descriptor; throws Error if it was
  /// already closed.
  void close();

  /// Shuts down the writing side (TCPConn.CloseWrite): the peer reads end of
  /// stream, and this side can still read.  Throws Error on failure.
  void close_write();

  /// Sets the read and write deadlines (Go's SetDeadline): an operation past
  /// it fails with an Error whose timeout() is true, including one already
  /// waiting; time_point{} clears it.  Throws Error if the Conn is closed.
  void set_deadline(std::chrono::system_clock::time_point t);
  /// Sets the read deadline only (Go's SetReadDeadline); as set_deadline.
  void set_read_deadline(std::chrono::system_clock::time_point t);
  /// Sets the write deadline only (Go's SetWriteDeadline); as set_deadline.
  void set_write_deadline(std::chrono::system_clock::time_point t);

  /// This end's address as Go prints it ("127.0.0.1:41234", "[::1]:5000", a path).
  std::string local_addr() const;
  /// The peer's address as Go prints it.
  std::string remote_addr() const;

 private:
  friend class Listener;
  friend struct detail::ConnAccess;  // net/src/conn_access.hpp: gort::http's reads without exceptions
  friend Conn dial_timeout(std::string_view, std::string_view, std::chrono::nanoseconds);
  explicit Conn(std::unique_ptr<detail::NetFD> fd);
  std::unique_ptr<detail::NetFD> fd_;
};

/// A stream listener (Go's net.Listener: a *TCPListener or *UnixListener).
class Listener {
 public:
  /// An empty handle.
  Listener();
  /// Takes other's listener, leaving other empty.
  Listener(Listener&& other) noexcept;
  /// Closes this handle's listener if open, then takes other's.
  Listener& operator=(Listener&& other) noexcept;
  /// Closes the listener if it is still open.  Precondition: on a goroutine if open.
  ~Listener();

  /// Waits for and returns the next connection; throws Error on failure
  /// ("accept tcp 127.0.0.1:8080: accept4: too many open files") or when the
  /// listener is closed ("... use of closed network connection").
  Conn accept();

  /// Closes the listener, waking a goroutine blocked in accept; a Unix
  /// listener removes its socket file, as Go's does.  Throws Error if it was
  /// already closed.
  void close();

  /// The address listened on, as Go prints it ("127.0.0.1:41234", "[::]:8080", a path).
  std::string addr() const;

 private:
  friend Listener listen(std::string_view, std::string_view);
  explicit Listener(std::unique_ptr<detail::NetFD> fd);
  std::unique_ptr<detail::NetFD> fd_;
};

/// Listens on address (Go's net.Listen): network "tcp", "tcp4", "tcp6" with
/// "host:port" ("127.0.0.1:0" picks a free port, ":8080" every address,
/// names resolved as Go does), or "unix" with a path.  Throws Error on failure.
/// Precondition: called from a goroutine.
Listener listen(std::string_view network, std::string_view address);

/// Connects to address (Go's net.Dial), networks and addresses as listen's;
/// a name with several addresses is tried in order.  Throws Error on failure.
/// Precondition: called from a goroutine.
Conn dial(std::string_view network, std::string_view address);

/// dial that gives up with an "i/o timeout" Error after d (Go's DialTimeout);
/// d <= 0 means no limit.  Precondition: called from a goroutine.
Conn dial_timeout(std::string_view network, std::string_view address, std::chrono::nanoseconds d);

}  // namespace gort::net
