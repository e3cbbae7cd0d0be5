// gort/http.hpp — Go's net/http over gort::net: an HTTP/1.1 server whose
// connections are goroutines parked on the netpoller, a ServeMux with Go 1.19's
// pattern rules, and a small client for tests, tools and load.
//
//   gort::http::ServeMux mux;
//   mux.handle_func("/hello", [](gort::http::ResponseWriter& w, gort::http::Request& r) {
//     w.set_header("Content-Type", "text/plain");
//     w.write("hello\n");
//   });
//   gort::http::Server srv(mux);
//   auto ln = gort::net::listen("tcp", "127.0.0.1:8080");
//   srv.serve(ln);   // returns once shut down (srv.shutdown(ctx) from another goroutine)
//
// Behaviour follows net/http: keep-alive and pipelined requests on one
// connection, chunked request and response bodies, HEAD, HTTP/1.0 clients,
// Expect: 100-continue; a malformed request gets 400 and the connection is
// closed, headers over max_header_bytes 431, a body over max_body_bytes 413; a
// handler that throws is logged as Go logs a handler's panic ("http: panic
// serving ADDR: ...") and only its connection is closed.  Requests are parsed
// by Boost.Beast's http::parser over the bytes the connection read
// (net/src/http/parse.cpp says why Beast).  The design is in
// net/src/http/server.cpp.  Every call is made from a goroutine.
#pragma once

#include <gort/context.hpp>
#include <gort/net.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gort::http {

/// Header fields (Go's http.Header): keys are case-insensitive and kept in
/// Go's canonical form ("content-type" -> "Content-Type"); a key may hold
/// several values, in the order added.  Not safe for concurrent mutation.
class Header {
 public:
  /// The first value of key, or "" (Go's Get).
  std::string get(std::string_view key) const;
  /// Replaces key's values by value (Go's Set).
  void set(std::string_view key, std::string_view value);
  /// Appends value to key's values (Go's Add).
  void add(std::string_view key, std::string_view value);
  /// Every value of key, in order (Go's Values).
  std::vector<std::string> values(std::string_view key) const;
  /// Removes key (Go's Del).
  void del(std::string_view key);
  /// True if key has at least one value.
  bool has(std::string_view key) const;
  /// The fields as (canonical key, value) pairs, in the order added.
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// key in Go's canonical form (textproto.CanonicalMIMEHeaderKey): the first
/// letter and every letter after a '-' upper case, the rest lower case; a key
/// with a space or a byte that is not a token character is returned unchanged.
std::string canonical_header_key(std::string_view key);

/// Go's http.StatusText: "OK" for 200, "Not Found" for 404, "" if unknown.
std::string_view status_text(int code);

/// An incoming request (Go's *http.Request, server side).
struct Request {
  std::string method, target, proto;  // target as sent: "/path?query"; proto "HTTP/1.1"
  /// The target without its query.
  std::string path() const;
  /// The target's query, without the '?' ("" when there is none).
  std::string query() const;
  Header header;
  std::string body;         // read up to Server::max_body_bytes (chunked bodies decoded)
  std::string remote_addr;  // the client's address, as net prints it
  /// Cancelled when the client goes away, the handler returns, or the server shuts down.
  Context ctx;
};

namespace detail {
struct ResponseState;
}  // namespace detail

/// What a handler writes its response through (Go's http.ResponseWriter).
/// Valid only during the handler's call, on the handler's goroutine.
class ResponseWriter {
 public:
  /// The response's header fields, sent with the status line: changes after
  /// the first write_header or write are ignored, as in Go.
  Header& header();
  /// header().set(key, value).
  void set_header(std::string_view key, std::string_view value);
  /// Sends the status line and headers; only the first call counts (Go logs
  /// "http: superfluous response.WriteHeader call" for later ones, gort too).
  void write_header(int status);
  /// Writes body bytes, calling write_header(200) first if needed.  Without a
  /// Content-Length the body is sent chunked (HTTP/1.1) or until close
  /// (HTTP/1.0), except that a response whose whole body is written before the
  /// handler returns gets a Content-Length, as Go does for bodies under 2 KiB.
  /// Returns data.size(); throws net::Error when the client is gone.
  std::size_t write(std::string_view data);
  /// Sends what is buffered now (Go's Flusher).
  void flush();

 private:
  friend struct detail::ResponseState;
  explicit ResponseWriter(detail::ResponseState* state) : state_(state) {}
  detail::ResponseState* state_;
};

/// A request handler (Go's http.Handler / HandlerFunc).
using Handler = std::function<void(ResponseWriter&, Request&)>;

/// Go's http.Error: sets Content-Type text/plain and X-Content-Type-Options,
/// writes the status and message followed by a newline.
void error(ResponseWriter& w, std::string_view message, int code);

/// Go's http.NotFound: error(w, "404 page not found", 404).
void not_found(ResponseWriter& w, Request& r);

/// A request router with Go 1.19's pattern rules (Go's http.ServeMux): a
/// pattern ending in '/' names a subtree ("/images/" matches "/images/a.png"),
/// any other an exact path; the longest pattern wins; "/" matches everything
/// no other pattern does; a request for "/images" when only "/images/" is
/// registered is redirected there (301).  A handle: copies share one route
/// table (Server holds a copy).  Safe for concurrent use.
class ServeMux {
 public:
  ServeMux();
  /// Registers h for pattern; throws std::invalid_argument for an empty
  /// pattern or one registered already ("http: multiple registrations for /x").
  void handle_func(std::string pattern, Handler h);
  /// Routes the request: the matching handler, or not_found.
  void operator()(ResponseWriter& w, Request& r) const;

 private:
  struct Routes;
  std::shared_ptr<Routes> routes_;
};

namespace detail {
struct ServerState;
}  // namespace detail

/// An HTTP/1.1 server (Go's http.Server).  Set the fields before serve.
class Server {
 public:
  /// A server that hands every request to h.
  explicit Server(Handler h);
  /// Precondition: no serve call is running (shutdown first, as Go's programs do).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Time allowed to read a request's headers (0: read_timeout, or no limit), Go's ReadHeaderTimeout.
  std::chrono::nanoseconds read_header_timeout{};
  /// Time allowed to read a whole request, headers and body (0: no limit), Go's ReadTimeout.
  std::chrono::nanoseconds read_timeout{};
  /// Time allowed from the end of the request's headers to the end of the response (0: none), Go's WriteTimeout.
  std::chrono::nanoseconds write_timeout{};
  /// Time a keep-alive connection may wait for its next request (0: read_timeout), Go's IdleTimeout.
  std::chrono::nanoseconds idle_timeout{};
  /// Largest request line plus headers; larger gets 431 (Go's MaxHeaderBytes, 1 MiB).
  std::size_t max_header_bytes = 1 << 20;
  /// Largest request body; larger gets 413.
  std::size_t max_body_bytes = 32 << 20;

  /// Accepts connections on ln and serves each on a goroutine of its own,
  /// until shutdown; returns once shut down (every connection closed).
  /// Throws net::Error if accepting fails for another reason.
  void serve(net::Listener& ln);

  /// Stops accepting, closes idle connections and waits for in-flight
  /// requests to finish, or for ctx to be done (then closes what is left and
  /// throws ctx's error), as Go's Shutdown.  Every request context is
  /// cancelled once ctx is done.
  void shutdown(const Context& ctx);

 private:
  std::shared_ptr<detail::ServerState> state_;
};

/// A response read by the client (Go's *http.Response, body read in full).
struct Response {
  int status_code = 0;
  std::string status;  // "200 OK"
  Header header;
  std::string body;
};

/// GETs url ("http://host:port/path?query"), reusing an idle keep-alive
/// connection to the same host:port when one is there (Go's http.Get with the
/// default client, no redirects followed).  Throws std::invalid_argument for
/// a URL that is not http://, net::Error when the connection fails, and
/// std::runtime_error for a malformed response.
Response get(std::string_view url);

}  // namespace gort::http
