// http_fuzz.cpp — libFuzzer target for the request path of gort::http: bytes
// in, RequestParser (Boost.Beast), the Request's path and query, ServeMux's
// path cleaning and Header.  Built with clang by scripts/run_libfuzzer.sh (the
// ctest Http.Fuzz); the response side (server.cpp's writer) needs a
// connection and is covered by gort_http_tests instead.
//
// The input is a byte stream a client sent; its first byte picks where the
// stream is split into two reads, so partial headers and bodies are offered
// as a connection delivers them.  Checked on every input: the parser never
// consumes more than it was given; it ends in a request, a failure or a need
// for more bytes; pipelined requests parse one after another; a cleaned path
// is rooted, has no empty, "." or ".." segment and cleans to itself; header
// keys are canonical and a value set is the value got.
#include "parse.hpp"
#include "request_path.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace gort::http;

namespace {

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "http_fuzz: %s: %.*s\n", what, int(detail.size()), detail.data());
  std::abort();
}

void check_clean_path(std::string_view path) {
  const std::string c = detail::clean_path(path);
  if (c.empty() || c[0] != '/') fail("clean path not rooted", c);
  if (c.find("//") != std::string::npos) fail("clean path has an empty segment", c);
  if (c.find("/./") != std::string::npos || c.ends_with("/.")) fail("clean path has a . segment", c);
  if (c.find("/../") != std::string::npos || c.ends_with("/..")) fail("clean path has a .. segment", c);
  if (detail::clean_path(c) != c) fail("clean path is not clean", c);
}

void check_request(Request& r) {
  const std::string p = r.path();
  if (p == "*" && r.method == "OPTIONS") return;
  if (r.method == "CONNECT") return;  // an authority, not a path
  if (p.empty() || p[0] != '/') fail("path not rooted", p);
  if (p.find('?') != std::string::npos) fail("path holds the query", p);
  check_clean_path(p);
  (void)r.query();
  for (const auto& [k, v] : r.header.fields()) {
    if (canonical_header_key(k) != k) fail("header key not canonical", k);
    Header h;
    h.set(k, v);
    if (h.get(k) != v || !h.has(k)) fail("header set/get", k);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t split = in.empty() ? 0 : data[0] % in.size();
  check_clean_path(in.substr(0, 256));
  std::string buf;
  std::size_t offered = 0;
  // The next read of the connection: up to split first, then 4 KiB at a time.
  auto read_more = [&]() {
    if (offered == in.size()) return false;
    std::size_t end = offered < split ? split : offered + 4096;
    if (end > in.size()) end = in.size();
    buf.append(in.substr(offered, end - offered));
    offered = end;
    return true;
  };
  read_more();
  for (int requests = 0; requests < 64; ++requests) {
    detail::RequestParser parser(4096, 1 << 16);
    for (;;) {
      const std::size_t before = buf.size();
      const std::size_t used = parser.feed(buf);
      if (used > before) fail("consumed more than offered", buf);
      buf.erase(0, used);
      if (parser.failure() != detail::ParseFailure::None) return 0;
      if (parser.done()) break;
      if (!read_more()) return 0;  // needs bytes the client never sent
    }
    (void)parser.keep_alive();
    (void)parser.expects_continue();
    Request r;
    parser.take(r);
    check_request(r);
  }
  return 0;
}
