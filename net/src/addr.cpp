// addr.cpp — networks and addresses as Go's net parses, resolves and prints
// them: parseNetwork (dial.go), SplitHostPort and JoinHostPort (ipsock.go),
// parsePort (port.go), internetAddrList (ipsock.go), IP.String (ip.go) and
// UnixAddr (unixsock.go).  Names go through getaddrinfo in a blocking call
// (Go's cgo resolver); IP literals never leave the goroutine.
#include "addr.hpp"

#include <arpa/inet.h>
#include <net/if.h>  // the system header (check_doc_paths: ignore)
#include <netdb.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <gort/runtime.hpp>

#include "error.hpp"

namespace gort::net::detail {

namespace {

/// Go's SplitHostPort; false with *error set on a malformed address.
bool split_host_port(std::string_view hostport, std::string_view* host, std::string_view* port,
                     std::string* error) {
  constexpr std::string_view kMissingPort = "missing port in address";
  constexpr std::string_view kTooManyColons = "too many colons in address";
  const size_t i = hostport.rfind(':');
  if (i == std::string_view::npos) return *error = addr_error(hostport, kMissingPort), false;
  size_t j = 0, k = 0;
  if (hostport[0] == '[') {
    const size_t end = hostport.find(']');
    if (end == std::string_view::npos) return *error = addr_error(hostport, "missing ']' in address"), false;
    if (end + 1 == hostport.size()) return *error = addr_error(hostport, kMissingPort), false;
    if (end + 1 != i) {
      *error = addr_error(hostport, hostport[end + 1] == ':' ? kTooManyColons : kMissingPort);
      return false;
    }
    *host = hostport.substr(1, end - 1);
    j = 1;
    k = end + 1;
  } else {
    *host = hostport.substr(0, i);
    if (host->find(':') != std::string_view::npos) return *error = addr_error(hostport, kTooManyColons), false;
  }
  if (hostport.find('[', j) != std::string_view::npos) {
    return *error = addr_error(hostport, "unexpected '[' in address"), false;
  }
  if (hostport.find(']', k) != std::string_view::npos) {
    return *error = addr_error(hostport, "unexpected ']' in address"), false;
  }
  *port = hostport.substr(i + 1);
  return true;
}

/// Go's parsePort for a stream network: a decimal number up to 65535 (empty
/// is 0); service names are not looked up, so they are Go's "unknown port".
bool parse_port(const Network& net, std::string_view port, uint16_t* out, std::string* error) {
  uint32_t value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') {
      *error = addr_error(net.name + "/" + std::string(port), "unknown port");
      return false;
    }
    value = value * 10 + static_cast<uint32_t>(c - '0');
    if (value > 65535) return *error = addr_error(port, "invalid port"), false;
  }
  *out = static_cast<uint16_t>(value);
  return true;
}

Sockaddr make_inet4(const in_addr& a, uint16_t port) {
  Sockaddr sa;
  auto* sin = reinterpret_cast<sockaddr_in*>(&sa.ss);
  sin->sin_family = AF_INET;
  sin->sin_port = htons(port);
  sin->sin_addr = a;
  sa.len = sizeof *sin;
  return sa;
}

Sockaddr make_inet6(const in6_addr& a, uint16_t port, uint32_t scope) {
  Sockaddr sa;
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&sa.ss);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  sin6->sin6_addr = a;
  sin6->sin6_scope_id = scope;
  sa.len = sizeof *sin6;
  return sa;
}

/// True when the kernel offers IPv6 sockets (Go's supportsIPv6, probed once).
bool kernel_has_ipv6() {
  static const bool has = [] {
    const int s = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return false;
    ::close(s);
    return true;
  }();
  return has;
}

/// An IP literal ("127.0.0.1", "::1", "fe80::1%eth0"); false if host is not one.
bool parse_ip_literal(const std::string& host, uint16_t port, Sockaddr* out) {
  in_addr a4{};
  if (inet_pton(AF_INET, host.c_str(), &a4) == 1) return *out = make_inet4(a4, port), true;
  const size_t pct = host.find('%');
  const std::string ip = host.substr(0, pct);
  in6_addr a6{};
  if (inet_pton(AF_INET6, ip.c_str(), &a6) != 1) return false;
  uint32_t scope = 0;
  if (pct != std::string::npos) {
    const std::string zone = host.substr(pct + 1);
    scope = if_nametoindex(zone.c_str());
    if (scope == 0) scope = static_cast<uint32_t>(std::strtoul(zone.c_str(), nullptr, 10));
  }
  *out = make_inet6(a6, port, scope);
  return true;
}

bool family_fits(const Network& net, int family) { return net.family == AF_UNSPEC || net.family == family; }

}  // namespace

bool parse_network(std::string_view network, Network* out) {
  out->name = std::string(network);
  out->unix = network == "unix";
  if (network == "tcp") {
    out->family = AF_UNSPEC;
  } else if (network == "tcp4") {
    out->family = AF_INET;
  } else if (network == "tcp6") {
    out->family = AF_INET6;
  } else if (network == "unix") {
    out->family = AF_UNIX;
  } else {
    return false;
  }
  return true;
}

std::vector<Sockaddr> resolve(const Network& net, std::string_view address, std::string* error) {
  if (net.unix) {
    Sockaddr sa;
    auto* sun = reinterpret_cast<sockaddr_un*>(&sa.ss);
    if (address.size() >= sizeof sun->sun_path) {
      *error = addr_error(address, "invalid argument");
      return {};
    }
    sun->sun_family = AF_UNIX;
    std::memcpy(sun->sun_path, address.data(), address.size());
    if (!address.empty() && address[0] == '@') sun->sun_path[0] = '\0';  // abstract, as Go's '@'
    sa.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size() +
                                    (address.empty() || address[0] == '@' ? 0 : 1));
    return {sa};
  }
  std::string_view host_view, port_view;
  if (!split_host_port(address, &host_view, &port_view, error)) return {};
  uint16_t port = 0;
  if (!parse_port(net, port_view, &port, error)) return {};
  const std::string host(host_view);
  std::vector<Sockaddr> addrs;
  Sockaddr literal;
  if (host.empty()) {
    if (net.family == AF_INET || (net.family == AF_UNSPEC && !kernel_has_ipv6())) {
      addrs.push_back(make_inet4(in_addr{htonl(INADDR_ANY)}, port));
    } else {
      addrs.push_back(make_inet6(in6addr_any, port, 0));
    }
    return addrs;
  }
  if (parse_ip_literal(host, port, &literal)) {
    if (family_fits(net, literal.family())) return {literal};
    *error = addr_error(host, "no suitable address found");
    return {};
  }
  // A name: getaddrinfo in a blocking call, as Go's cgo resolver.
  addrinfo hints{};
  hints.ai_family = net.family;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const int rc = gort::blocking([&] { return getaddrinfo(host.c_str(), nullptr, &hints, &list); });
  if (rc != 0) {
    const bool not_found = rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_AGAIN || rc == EAI_FAIL;
    *error = "lookup " + host + ": " + (not_found ? "no such host" : gai_strerror(rc));
    return {};
  }
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    Sockaddr sa;
    if (ai->ai_family == AF_INET) {
      sa = make_inet4(reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr, port);
    } else if (ai->ai_family == AF_INET6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
      sa = make_inet6(sin6->sin6_addr, port, sin6->sin6_scope_id);
    } else {
      continue;
    }
    const bool dup = std::any_of(addrs.begin(), addrs.end(), [&](const Sockaddr& a) {
      return a.len == sa.len && std::memcmp(&a.ss, &sa.ss, sa.len) == 0;
    });
    if (!dup) addrs.push_back(sa);
  }
  freeaddrinfo(list);
  // IPv4 first, as Go's dial and listen pick first(isIPv4) for "tcp".
  std::stable_partition(addrs.begin(), addrs.end(), [](const Sockaddr& a) { return a.family() == AF_INET; });
  if (addrs.empty()) *error = addr_error(host, "no suitable address found");
  return addrs;
}

std::string addr_string(const Sockaddr& sa) {
  char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  if (sa.family() == AF_INET) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&sa.ss);
    inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(ntohs(sin->sin_port));
  }
  if (sa.family() == AF_INET6) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&sa.ss);
    const std::string port = std::to_string(ntohs(sin6->sin6_port));
    if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {  // Go prints a 4-in-6 address as IPv4
      inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], buf, sizeof buf);
      return std::string(buf) + ":" + port;
    }
    inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof buf);
    std::string host(buf);
    char zone[IF_NAMESIZE];
    if (sin6->sin6_scope_id != 0) {
      host += "%";
      host += if_indextoname(sin6->sin6_scope_id, zone) != nullptr ? zone : std::to_string(sin6->sin6_scope_id);
    }
    return "[" + host + "]:" + port;
  }
  if (sa.family() == AF_UNIX) {
    const auto* sun = reinterpret_cast<const sockaddr_un*>(&sa.ss);
    const size_t n = sa.len > offsetof(sockaddr_un, sun_path) ? sa.len - offsetof(sockaddr_un, sun_path) : 0;
    if (n == 0) return "@";  // unnamed: syscall's anyToSockaddr rewrites the empty path as "@"
    std::string path(sun->sun_path, n);
    if (path[0] == '\0') return "@" + path.substr(1);  // abstract
    return path.substr(0, path.find('\0'));
  }
  return "";
}

bool is_ipv6_wildcard(const Sockaddr& sa) {
  return sa.family() == AF_INET6 &&
         IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6*>(&sa.ss)->sin6_addr);
}

}  // namespace gort::net::detail
