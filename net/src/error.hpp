// error.hpp — gort::net::Error with Go's texts (net.OpError, os.SyscallError,
// net.AddrError, internal/poll's errors).  See error.cpp.
#pragma once

#include <string>
#include <string_view>

#include <gort/net.hpp>

#include "fd.hpp"

namespace gort::net::detail {

/// Go's text of err: "i/o timeout", "use of closed network connection",
/// "unexpected EOF", or the errno's text as Go's syscall.Errno prints it
/// ("connection refused"), prefixed "call: " when syscall names one (os.SyscallError).
std::string error_text(poll::Errno err, std::string_view syscall = {});

/// Go's OpError.Timeout for err: a passed deadline, or EAGAIN / ETIMEDOUT.
bool is_timeout(poll::Errno err);

/// The Error of a failed operation as Go's OpError prints it:
/// "op net source->addr: text", "op net addr: text" when source is empty,
/// "op net: text" when both are.
Error op_error(std::string_view op, std::string_view net, std::string_view source, std::string_view addr,
               const std::string& text, bool timeout);

/// op_error for err (wrapped in syscall's name, if any).
Error op_error(std::string_view op, std::string_view net, std::string_view source, std::string_view addr,
               poll::Errno err, std::string_view syscall = {});

/// Go's AddrError text: "address addr: what" ("address 127.0.0.1: missing port in address").
std::string addr_error(std::string_view addr, std::string_view what);

}  // namespace gort::net::detail
