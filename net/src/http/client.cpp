// client.cpp — http::get (a reduced Go http.Get through the default
// Transport: GET only, no redirects, no TLS), for tests, tools and load
// generators written with gort.
//
// Idle connections are kept for the next request to the same host:port, as
// Go's Transport does, at most kMaxIdlePerHost of them (Go's
// DefaultMaxIdleConnsPerHost).  A request on a kept connection that fails
// before any byte of the response arrives (the server closed it meanwhile) is
// sent again on a new connection, as Go retries a request it knows was not
// processed.  A Conn must be closed on a goroutine of the run that opened it,
// so the pool is emptied by an exit hook at the end of every gort::run
// (hooks.hpp's register_exit_hook), before the netpoller goes.
#include <gort/http.hpp>

#include <gort/mutex.hpp>
#include <gort/runtime/internal/hooks.hpp>

#include <map>
#include <optional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

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

/// Idle connections a host:port keeps (Go's DefaultMaxIdleConnsPerHost).
constexpr std::size_t kMaxIdlePerHost = 2;

/// The idle connections by host:port (Go's Transport.idleConn).
struct IdlePool {
  Mutex mu;  // guards idle
  std::map<std::string, std::vector<net::Conn>, std::less<>> idle;
};

IdlePool& pool() {
  static IdlePool p;
  return p;
}

/// The exit hook: closes every idle connection on the main goroutine.
void close_idle_connections() {
  std::map<std::string, std::vector<net::Conn>, std::less<>> idle;
  {
    std::lock_guard<Mutex> g(pool().mu);
    idle.swap(pool().idle);
  }
  idle.clear();  // each Conn closes as it goes
}

/// An idle connection to host_port, if one is kept.
std::optional<net::Conn> take_idle(const std::string& host_port) {
  std::lock_guard<Mutex> g(pool().mu);
  auto it = pool().idle.find(host_port);
  if (it == pool().idle.end() || it->second.empty()) return std::nullopt;
  std::optional<net::Conn> c(std::move(it->second.back()));
  it->second.pop_back();
  return c;
}

/// Keeps c for the next request to host_port, or closes it if the host has enough.
void put_idle(const std::string& host_port, net::Conn c) {
  static std::once_flag hooked;
  std::call_once(hooked, [] { runtime::register_exit_hook(&close_idle_connections); });
  std::unique_lock<Mutex> g(pool().mu);
  auto& conns = pool().idle[host_port];
  if (conns.size() < kMaxIdlePerHost) {
    conns.push_back(std::move(c));
    return;
  }
  g.unlock();
  c.close();
}

/// Sends request on c and reads the response.  *got_bytes: whether any byte
/// of a response arrived (a retry is safe only if none did).
Response round_trip(net::Conn& c, const std::string& request, bool* keep_alive, bool* got_bytes) {
  c.write(request);
  detail::ResponseParser parser("GET");
  std::string buf;
  char chunk[16 << 10];
  while (!parser.done()) {
    const std::size_t n = c.read(chunk);
    if (n == 0) {
      if (!*got_bytes) throw net::Error("http: server closed idle connection", false);
      parser.eof();
      break;
    }
    *got_bytes = true;
    buf.append(chunk, n);
    buf.erase(0, parser.feed(buf));
  }
  *keep_alive = parser.keep_alive() && buf.empty();
  Response r;
  parser.take(r);
  return r;
}

}  // namespace

Response get(std::string_view url) {
  const Url u = parse_url(url);
  const std::string request =
      "GET " + u.target + " HTTP/1.1\r\nHost: " + u.host + "\r\nUser-Agent: gort-http-client/1.1\r\n\r\n";
  for (int attempt = 0;; ++attempt) {
    std::optional<net::Conn> idle = attempt == 0 ? take_idle(u.host_port) : std::nullopt;
    const bool reused = idle.has_value();
    net::Conn c = reused ? std::move(*idle) : net::dial("tcp", u.host_port);
    bool keep_alive = false, got_bytes = false;
    try {
      Response r = round_trip(c, request, &keep_alive, &got_bytes);
      if (keep_alive) {
        put_idle(u.host_port, std::move(c));
      } else {
        c.close();
      }
      return r;
    } catch (const net::Error&) {
      if (!reused || got_bytes) throw;  // a fresh connection's failure, or a response cut short
    }
  }
}

}  // namespace gort::http
