// parse.hpp — HTTP/1.1 message parsing for the server and the client, over
// Boost.Beast's http::parser (parse.cpp says why Beast).  Only parse.cpp sees
// Beast's headers: they are heavy to compile, and nothing else needs them.
#pragma once

#include <gort/http.hpp>

#include <cstddef>
#include <memory>
#include <string_view>

namespace gort::http::detail {

/// Why a request could not be parsed, as the status the server answers with.
enum class ParseFailure {
  None,
  BadRequest,       // 400: malformed
  HeaderTooLarge,   // 431: request line and headers over the limit
  BodyTooLarge,     // 413: body over the limit
};

/// One request, parsed incrementally from the bytes a connection reads.
/// Not thread-safe: one per connection, one request at a time.
class RequestParser {
 public:
  /// A parser allowing max_header_bytes of request line and headers and max_body_bytes of body.
  RequestParser(std::size_t max_header_bytes, std::size_t max_body_bytes);
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  /// Parses from data; returns how many bytes it consumed (the rest belongs to
  /// a later call, or to the next request once done()).  On failure returns 0
  /// and failure() says which.  The headers need to be whole in data before
  /// any of them is consumed.
  std::size_t feed(std::string_view data);
  /// The first failure, or None.
  ParseFailure failure() const { return failure_; }
  /// True once the request line and headers are parsed.
  bool header_done() const;
  /// True once the whole request, body included, is parsed.
  bool done() const;
  /// With header_done: the client sent "Expect: 100-continue" and a body follows.
  bool expects_continue() const;
  /// With done, before take: whether the connection stays open after the
  /// response (the version's default, or what Connection says).
  bool keep_alive() const;
  /// With done: moves the request's line, headers and body into r.
  void take(Request& r);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ParseFailure failure_ = ParseFailure::None;
};

/// One response, parsed incrementally (the client's side).
class ResponseParser {
 public:
  /// A parser for the response to a request with method (HEAD responses have no body).
  explicit ResponseParser(std::string_view method);
  ~ResponseParser();
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  /// Parses from data; returns how many bytes it consumed; throws
  /// std::runtime_error "malformed HTTP response: ..." on a parse error.
  std::size_t feed(std::string_view data);
  /// The peer closed the connection: ends a body delimited by the close;
  /// throws std::runtime_error if the response is incomplete.
  void eof();
  /// True once the whole response is parsed.
  bool done() const;
  /// With done, before take: whether the connection may carry another request.
  bool keep_alive() const;
  /// With done: moves the response into r.
  void take(Response& r);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gort::http::detail
