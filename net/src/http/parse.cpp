// parse.cpp — RequestParser and ResponseParser over Boost.Beast's http::parser.
//
// Why Beast: it is a well-kept HTTP/1.1 parser in the Boost that Debian 12
// ships (1.74), header-only, and its parser takes plain byte buffers
// (basic_parser::put), so it runs over gort::net's goroutine-parking reads
// with no Asio socket or io_context.  It enforces header and body limits
// itself, decodes chunked bodies, and knows the keep-alive rules of HTTP/1.0
// and 1.1.  libhttp-parser (Node's old parser) would do too, but it is a
// callback API that leaves the body assembly, the limits and keep-alive to us
// and is unmaintained upstream; llhttp, its successor, is not in Debian 12.
//
// put() consumes nothing until a whole header is in the buffer, then the
// header at once, then body bytes as they come (eager mode), so the caller
// keeps its unconsumed bytes and offers them again with what it reads next.
#include "parse.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <stdexcept>
#include <string>

namespace gort::http::detail {

namespace beast_http = boost::beast::http;

namespace {

/// Beast's string_view (Boost's, in 1.74) as the standard one.
std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

/// Copies a Beast message's fields into h, in order.
template <class Fields>
void copy_fields(const Fields& fields, Header& h) {
  for (const auto& f : fields) h.add(sv(f.name_string()), sv(f.value()));
}

}  // namespace

struct RequestParser::Impl {
  beast_http::request_parser<beast_http::string_body> parser;
};

RequestParser::RequestParser(std::size_t max_header_bytes, std::size_t max_body_bytes) : impl_(new Impl) {
  impl_->parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(max_header_bytes, UINT32_MAX)));
  impl_->parser.body_limit(max_body_bytes);
  impl_->parser.eager(true);
}

RequestParser::~RequestParser() = default;

namespace {

/// A request target Go's server accepts (url.ParseRequestURI's forms): origin
/// form "/path", absolute form "http://host/path", "*" for OPTIONS, and an
/// authority "host:port" for CONNECT.
bool valid_target(std::string_view method, std::string_view target) {
  if (target.empty()) return false;
  if (target[0] == '/') return true;
  if (target == "*") return method == "OPTIONS";
  if (method == "CONNECT") return target.find('/') == std::string_view::npos;
  return target.starts_with("http://") || target.starts_with("https://");
}

}  // namespace

std::size_t RequestParser::feed(std::string_view data) {
  if (failure_ != ParseFailure::None || data.empty()) return 0;
  boost::beast::error_code ec;
  const bool had_header = impl_->parser.is_header_done();
  const std::size_t n = impl_->parser.put(boost::asio::const_buffer(data.data(), data.size()), ec);
  if (!had_header && impl_->parser.is_header_done()) {
    const auto& m = impl_->parser.get();
    if (!valid_target(sv(m.method_string()), sv(m.target()))) {
      failure_ = ParseFailure::BadRequest;  // Go: 400 "invalid URI for request"
      return 0;
    }
  }
  if (!ec || ec == beast_http::error::need_more) return n;
  if (ec == beast_http::error::header_limit) {
    failure_ = ParseFailure::HeaderTooLarge;
  } else if (ec == beast_http::error::body_limit) {
    failure_ = ParseFailure::BodyTooLarge;
  } else {
    failure_ = ParseFailure::BadRequest;
  }
  return 0;
}

bool RequestParser::header_done() const { return impl_->parser.is_header_done(); }

bool RequestParser::done() const { return impl_->parser.is_done(); }

bool RequestParser::expects_continue() const {
  const auto& m = impl_->parser.get();
  const auto expect = m[beast_http::field::expect];
  if (expect.size() != 12) return false;
  static constexpr std::string_view kContinue = "100-continue";
  for (std::size_t i = 0; i < kContinue.size(); ++i) {
    if ((expect[i] | 0x20) != kContinue[i]) return false;
  }
  return !impl_->parser.is_done();
}

bool RequestParser::keep_alive() const { return impl_->parser.get().keep_alive(); }

void RequestParser::take(Request& r) {
  auto m = impl_->parser.release();
  r.method = std::string(sv(m.method_string()));
  r.target = std::string(sv(m.target()));
  r.proto = m.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
  r.header = Header();
  copy_fields(m, r.header);
  r.body = std::move(m.body());
}

struct ResponseParser::Impl {
  beast_http::response_parser<beast_http::string_body> parser;
};

ResponseParser::ResponseParser(std::string_view method) : impl_(new Impl) {
  impl_->parser.eager(true);
  impl_->parser.body_limit(boost::none);
  if (method == "HEAD") impl_->parser.skip(true);
}

ResponseParser::~ResponseParser() = default;

std::size_t ResponseParser::feed(std::string_view data) {
  if (data.empty()) return 0;
  boost::beast::error_code ec;
  const std::size_t n = impl_->parser.put(boost::asio::const_buffer(data.data(), data.size()), ec);
  if (ec && ec != beast_http::error::need_more) throw std::runtime_error("malformed HTTP response: " + ec.message());
  return n;
}

void ResponseParser::eof() {
  boost::beast::error_code ec;
  impl_->parser.put_eof(ec);
  if (ec) throw std::runtime_error("malformed HTTP response: " + ec.message());
}

bool ResponseParser::done() const { return impl_->parser.is_done(); }

bool ResponseParser::keep_alive() const { return impl_->parser.get().keep_alive(); }

void ResponseParser::take(Response& r) {
  auto m = impl_->parser.release();
  r.status_code = static_cast<int>(m.result_int());
  r.status = std::to_string(r.status_code) + " " + std::string(sv(m.reason()));
  r.header = Header();
  copy_fields(m, r.header);
  r.body = std::move(m.body());
}

}  // namespace gort::http::detail
