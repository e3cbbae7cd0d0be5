// dial.cpp — gort::net::dial and dial_timeout, Go's Dialer.DialContext
// (dial.go): resolve, then try each address in turn (dialSerial) and report
// the first failure; a timeout bounds the whole dial as Go's deadline does
// (the connect waits, not the name lookup, which is a blocking getaddrinfo).
#include <gort/net.hpp>

#include "addr.hpp"
#include "deadline.hpp"
#include "error.hpp"
#include "netfd.hpp"
#include "rlimit.hpp"

namespace gort::net {

Conn dial(std::string_view network, std::string_view address) {
  return dial_timeout(network, address, std::chrono::nanoseconds(0));
}

Conn dial_timeout(std::string_view network, std::string_view address, std::chrono::nanoseconds d) {
  detail::raise_open_file_limit();
  const int64_t deadline = detail::runtime_deadline_after(d);
  detail::Network net;
  if (!detail::parse_network(network, &net)) {
    throw detail::op_error("dial", network, "", "", "unknown network " + std::string(network), false);
  }
  std::string error;
  const std::vector<detail::Sockaddr> addrs = detail::resolve(net, address, &error);
  if (addrs.empty()) throw detail::op_error("dial", net.name, "", "", error, false);
  // mirrors dialSerial: the first error is the one reported.
  poll::Errno first_err = 0;
  const char* first_call = "";
  std::string first_addr;
  for (const detail::Sockaddr& sa : addrs) {
    poll::Errno err = 0;
    const char* call = "";
    if (auto fd = detail::dial_stream(net, sa, deadline, &err, &call)) return Conn(std::move(fd));
    if (first_err == 0) first_err = err, first_call = call, first_addr = detail::addr_string(sa);
    if (err == poll::kErrDeadlineExceeded) break;  // the dial's time is up for every address
  }
  throw detail::op_error("dial", net.name, "", first_addr, first_err, first_call);
}

}  // namespace gort::net
