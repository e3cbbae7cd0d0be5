// addr.hpp — networks and addresses: parsing "host:port", resolving names,
// and printing socket addresses as Go does.  See addr.cpp.
#pragma once

#include <sys/socket.h>

#include <string>
#include <string_view>
#include <vector>

namespace gort::net::detail {

/// A socket address with its length.
struct Sockaddr {
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family() const { return ss.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&ss); }
};

/// A network name checked: "tcp", "tcp4", "tcp6" or "unix".
struct Network {
  std::string name;
  bool unix = false;
  int family = AF_UNSPEC;  // AF_INET for tcp4, AF_INET6 for tcp6, AF_UNIX, else AF_UNSPEC
};

/// Parses network (Go's parseNetwork); false for an unknown one.
bool parse_network(std::string_view network, Network* out);

/// Resolves address for network (Go's internetAddrList / ResolveUnixAddr):
/// the addresses to try, IPv4 first for "tcp" as Go's resolver orders them;
/// an empty host is the wildcard address (IPv6's, dual-stack, for "tcp" when
/// the kernel has IPv6).  On failure returns empty with *error set to Go's text
/// ("address 127.0.0.1: missing port in address", "lookup x: no such host").
/// Precondition: called from a goroutine (a name is resolved in a blocking call).
std::vector<Sockaddr> resolve(const Network& net, std::string_view address, std::string* error);

/// The address as Go's Addr.String prints it: "127.0.0.1:80", "[::1]:80"
/// (an IPv4-mapped IPv6 address as IPv4), a Unix path, "@" for an unnamed
/// Unix socket and "@name" for an abstract one.
std::string addr_string(const Sockaddr& sa);

/// True when sa is an IPv6 wildcard address (listen on "tcp" ":port").
bool is_ipv6_wildcard(const Sockaddr& sa);

}  // namespace gort::net::detail
