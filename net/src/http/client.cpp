// client.cpp — http::get (a reduced Go http.Get: GET only, no redirects, no
// TLS), for tests, tools and load generators written with gort.
//
// Each call dials the URL's host:port, sends one GET with "Connection: close"
// and reads the response until parsed (or until the server closes, for a body
// delimited by the close).  Keeping idle connections for the next call, as Go's
// Transport does, needs a pool whose connections are closed before gort::run
// ends (a Conn must be closed on a goroutine); not built yet.
#include <gort/http.hpp>

#include <stdexcept>
#include <string>

#include "parse.hpp"

namespace gort::http {

namespace {

/// The pieces of "http://host[:port][/path][?query]".
struct Url {
  std::string host_port;  // with ":80" added when there is no port
  std::string host;       // as written (the Host header)
  std::string target;     // "/path?query", "/" when empty
};

Url parse_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    throw std::invalid_argument("http: unsupported protocol scheme in \"" + std::string(url) + "\"");
  }
  url.remove_prefix(kScheme.size());
  const std::size_t slash = url.find_first_of("/?");
  Url u;
  u.host = std::string(url.substr(0, slash));
  if (u.host.empty()) throw std::invalid_argument("http: no Host in request URL");
  u.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (u.target[0] == '?') u.target.insert(0, "/");
  const bool bracketed = u.host[0] == '[';
  const std::size_t colon = u.host.rfind(':');
  const bool has_port = colon != std::string::npos && (!bracketed || colon > u.host.find(']'));
  u.host_port = has_port ? u.host : u.host + ":80";
  return u;
}

}  // namespace

Response get(std::string_view url) {
  const Url u = parse_url(url);
  net::Conn c = net::dial("tcp", u.host_port);
  const std::string request = "GET " + u.target + " HTTP/1.1\r\nHost: " + u.host +
                              "\r\nUser-Agent: gort-http-client/1.1\r\nConnection: close\r\n\r\n";
  c.write(request);
  detail::ResponseParser parser("GET");
  std::string buf;
  char chunk[16 << 10];
  while (!parser.done()) {
    const std::size_t n = c.read(chunk);
    if (n == 0) {
      parser.eof();
      break;
    }
    buf.append(chunk, n);
    buf.erase(0, parser.feed(buf));
  }
  Response r;
  parser.take(r);
  c.close();
  return r;
}

}  // namespace gort::http
