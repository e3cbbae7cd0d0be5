// conn_access.hpp — what net/'s own layers above Conn (gort::http, src/http/)
// may do with a Conn that its public API does not offer: a read that reports
// its failure instead of throwing it.  A server's background read ends by a
// deadline on every request (server.cpp); an exception per request cost it
// about a sixth of its CPU (C++ unwinding through libgcc), where Go's Read
// returns an error value.
#pragma once

#include <gort/net.hpp>

#include <cstddef>
#include <span>

namespace gort::net::detail {

/// How a read ended, without the exception Conn::read throws.
struct ReadOutcome {
  std::size_t n = 0;     // bytes read; 0 with ok at the end of the stream
  bool ok = true;        // false: the read failed
  bool timeout = false;  // with !ok: the read deadline passed ("i/o timeout")
};

struct ConnAccess {
  /// Conn::read, reporting a failure in the result.  Precondition: c is open
  /// (an empty Conn still throws, as every call on it does).
  static ReadOutcome read(Conn& c, std::span<char> buf);
};

}  // namespace gort::net::detail
