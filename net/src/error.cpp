// error.cpp — the texts of gort::net::Error, as Go's net prints its errors.
//
// Go's net.OpError.Error (net.go) joins Op, Net, Source "->" Addr and the
// wrapped error; the wrapped error is internal/poll's ErrNetClosing or
// ErrDeadlineExceeded, an os.SyscallError ("connect: connection refused",
// from wrapSyscallError) or an AddrError / DNSError.  syscall.Errno's texts
// are glibc's strerror with the first letter lowered (Go's zerrors_linux
// table is that, letter for letter, for every errno a socket reports).
#include "error.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>

namespace gort::net::detail {

std::string error_text(poll::Errno err, std::string_view syscall) {
  switch (err) {
    case poll::kErrNetClosing: return "use of closed network connection";
    case poll::kErrDeadlineExceeded: return "i/o timeout";
    case poll::kErrUnexpectedEOF: return "unexpected EOF";
    default: break;
  }
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  if (syscall.empty()) return text;
  return std::string(syscall) + ": " + text;
}

bool is_timeout(poll::Errno err) { return err == poll::kErrDeadlineExceeded || err == EAGAIN || err == ETIMEDOUT; }

Error op_error(std::string_view op, std::string_view net, std::string_view source, std::string_view addr,
               const std::string& text, bool timeout) {
  std::string s(op);
  if (!net.empty()) s.append(" ").append(net);
  if (!source.empty()) s.append(" ").append(source);
  if (!addr.empty()) s.append(source.empty() ? " " : "->").append(addr);
  s.append(": ").append(text);
  return Error(s, timeout);
}

Error op_error(std::string_view op, std::string_view net, std::string_view source, std::string_view addr,
               poll::Errno err, std::string_view syscall) {
  return op_error(op, net, source, addr, error_text(err, syscall), is_timeout(err));
}

std::string addr_error(std::string_view addr, std::string_view what) {
  if (addr.empty()) return std::string(what);
  return "address " + std::string(addr) + ": " + std::string(what);
}

}  // namespace gort::net::detail
