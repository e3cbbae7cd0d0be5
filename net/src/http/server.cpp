// server.cpp — http::Server and the ResponseWriter (mirrors Server.Serve,
// conn.serve, conn.readRequest, response and chunkWriter in Go's
// net/http/server.go).
//
// The model is Go's: serve accepts and starts one goroutine per connection;
// that goroutine reads a request, runs the handler on itself, writes the
// response and loops while the connection is kept alive.  Blocking is parking:
// a read with nothing to read parks the connection's goroutine on the
// netpoller, so 10,000 idle keep-alive connections are 10,000 parked
// goroutines and no threads.
//
// Reading a request.  The connection keeps a buffer of bytes read and not yet
// parsed; RequestParser (parse.cpp, Boost.Beast) consumes a whole header at
// once and then body bytes, so pipelined requests are simply the bytes left
// after one request is done.  Deadlines as Go sets them: the idle timeout while
// waiting for a request's first byte, the header timeout until its headers
// are in, the read timeout for the whole request; an expired deadline closes
// the connection (the slow client is cut off, Go's slowloris defence).
// "Expect: 100-continue" is answered before the body is read: gort reads the
// whole body before the handler runs (Request::body is a string), where Go
// answers when the handler first reads.
//
// The request's context.  Each request gets a context derived from the
// server's (cancelled by shutdown) that is cancelled when the handler returns
// and when the client goes away.  To see the client go, the connection's
// reader goroutine reads in the background while the handler runs, as Go's
// startBackgroundRead does: end of stream or an error cancels the context;
// bytes that arrive (the next pipelined request) are kept for the next parse.
// When the handler returns, the background read is ended by a read deadline
// in the past (Go's abortPendingRead) and waited for.
//
// Writing the response.  Status line and headers go out with the first body
// bytes past the 2 KiB buffer, at flush, or when the handler returns; a
// response written whole before then gets a Content-Length (Go's
// bufferBeforeChunkingSize rule), a longer one without Content-Length is
// chunked (HTTP/1.1) or delimited by closing the connection (HTTP/1.0).  HEAD
// responses carry headers only.
//
// Shutdown (Go's Shutdown): the server is marked closing, its listeners are
// closed (serve's accept fails and serve waits for the connections), idle
// connections are closed, and a connection finishing a request closes instead
// of waiting for the next.  shutdown waits for the last connection or for its
// context, whichever comes first; on the context it cancels every request's
// context, closes every connection and throws the context's error.
#include <gort/http.hpp>

#include <gort/chan.hpp>
#include <gort/mutex.hpp>
#include <gort/runtime.hpp>
#include <gort/select.hpp>
#include <gort/waitgroup.hpp>

#include <gort/runtime/internal/callers.hpp>
#include <gort/runtime/internal/symbolize.hpp>

#include <atomic>
#include <cstdio>
#include <exception>
#include <mutex>
#include <set>
#include <string>
#include <variant>

#include "../conn_access.hpp"
#include "parse.hpp"

namespace gort::http {

namespace detail {

namespace {

using Clock = std::chrono::system_clock;

/// Bytes of response body held back before the headers go out, so that a
/// short response gets a Content-Length instead of chunks (Go's
/// bufferBeforeChunkingSize).
constexpr std::size_t kBufferBeforeChunking = 2048;

/// Bytes read from a connection at a time.
constexpr std::size_t kReadChunk = 16 << 10;

/// A deadline d from now, or none for d <= 0.
Clock::time_point deadline_after(std::chrono::nanoseconds d) {
  if (d <= std::chrono::nanoseconds::zero()) return Clock::time_point{};
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(d);
}

/// The calling goroutine's stack, in the shape of Go's debug.Stack (function
/// line, then a tab and file:line), for the handler-panic log.
std::string goroutine_stack_text() {
  uintptr_t pcs[64];
  const int n = runtime::callers(1, pcs, 64);
  std::string out = "goroutine " + std::to_string(goid()) + " [running]:\n";
  std::vector<runtime::SymbolizedFrame> frames;
  for (int i = 0; i < n; ++i) {
    frames.clear();
    runtime::symbolize_frames(pcs[i] - 1, &frames);
    for (const runtime::SymbolizedFrame& f : frames) {
      if (f.runtime) continue;
      out += f.function.empty() ? "?" : f.function;
      out += "\n\t" + (f.file.empty() ? std::string("?") : f.file) + ":" + std::to_string(f.line) + "\n";
    }
  }
  return out;
}

}  // namespace

/// One accepted connection, shared by its goroutine and shutdown.
struct ConnState {
  explicit ConnState(net::Conn c) : conn(std::move(c)) {}

  /// Closes the connection once, from whichever side gets here first.
  void close() {
    std::lock_guard<Mutex> g(mu);
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch (const net::Error&) {
    }
  }

  net::Conn conn;
  std::string remote_addr;  // the peer, for Request::remote_addr and the panic log
  Mutex mu;                 // guards closed, idle and cancel_request
  bool closed = false;      // close() ran
  bool idle = true;         // between requests (shutdown closes idle connections at once)
  CancelFunc cancel_request;  // the request in progress's context, cancelled at shutdown's deadline
};

/// What serve, the connections and shutdown share.
struct ServerState {
  Handler handler;
  Server* config = nullptr;          // the fields, read by the connections
  /// shutdown was called: set under mu (with the connection set), read without it by
  /// every response (Go's atomic inShutdown), so answering takes no server-wide lock.
  std::atomic<bool> shutting_down{false};
  Mutex mu;                          // guards everything below
  std::vector<net::Listener*> listeners;
  std::set<std::shared_ptr<ConnState>> conns;
  Chan<std::monostate> all_closed = make_chan<std::monostate>(0);  // closed when shutting down with no conns left
  bool all_closed_closed = false;
  WaitGroup conn_goroutines;         // one per live connection goroutine
  Context base;                      // every request's context derives from it
  CancelFunc cancel_base;            // cancelled when shutdown's context is done

  /// Closes all_closed if shutting down with no connection left.  Precondition: mu held.
  void maybe_all_closed() {
    if (shutting_down && conns.empty() && !all_closed_closed) {
      all_closed_closed = true;
      all_closed.close();
    }
  }
};

/// The response being written for one request (Go's response + chunkWriter).
struct ResponseState {
  ConnState* conn = nullptr;
  ServerState* server = nullptr;  // for its shutting_down (no keep-alive then, as Go's doKeepAlives)
  Header header;
  bool head = false;         // a HEAD request: no body bytes are sent
  bool http10 = false;       // the client speaks HTTP/1.0 (no chunking)
  bool keep_alive = true;    // the connection may carry another request
  bool wrote_header = false; // write_header ran (the status is chosen)
  bool sent_header = false;  // the status line and headers are on the wire
  bool chunked = false;      // the body goes out in chunks
  int status = 200;
  std::string pending;       // body bytes not yet sent (at most kBufferBeforeChunking before headers go)
  int64_t declared_length = -1;  // Content-Length the handler set, or -1
  int64_t body_written = 0;      // body bytes the handler wrote

  ResponseWriter writer() { return ResponseWriter(this); }

  void write_header(int code) {
    if (wrote_header) {
      std::fputs("http: superfluous response.WriteHeader call\n", stderr);
      return;
    }
    if (code < 100 || code > 999) throw std::invalid_argument("http: invalid WriteHeader code " + std::to_string(code));
    wrote_header = true;
    status = code;
    const std::string cl = header.get("Content-Length");
    if (!cl.empty()) {
      try {
        declared_length = std::stoll(cl);
      } catch (const std::exception&) {
        declared_length = -1;
        header.del("Content-Length");
      }
    }
  }

  /// Status codes whose responses have no body (1xx, 204, 304), as Go's bodyAllowedForStatus.
  bool body_allowed() const { return !((status >= 100 && status < 200) || status == 204 || status == 304); }

  /// Puts the status line and headers on the wire, choosing the framing
  /// (Go's chunkWriter.writeHeader).  final: the handler has returned, so
  /// pending is the whole body.
  void send_header(bool final) {
    sent_header = true;
    if (server->shutting_down.load(std::memory_order_acquire)) keep_alive = false;
    if (!header.has("Date")) {
      char date[64];
      const std::time_t now = std::time(nullptr);
      std::tm tm{};
      gmtime_r(&now, &tm);
      std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
      header.set("Date", date);
    }
    if (body_allowed() && !pending.empty() && !header.has("Content-Type")) {
      header.set("Content-Type", sniff_content_type(pending));
    }
    if (declared_length < 0 && body_allowed()) {
      if (final) {
        header.set("Content-Length", std::to_string(pending.size()));
        declared_length = static_cast<int64_t>(pending.size());
      } else if (http10) {
        keep_alive = false;  // the body ends when the connection does
      } else {
        chunked = true;
        header.set("Transfer-Encoding", "chunked");
      }
    }
    if (!keep_alive) {
      header.set("Connection", "close");
    } else if (http10) {
      header.set("Connection", "keep-alive");
    }
    std::string out = (http10 ? "HTTP/1.0 " : "HTTP/1.1 ") + std::to_string(status) + " " +
                      std::string(status_text(status).empty() ? "status code " + std::to_string(status)
                                                              : std::string(status_text(status))) +
                      "\r\n";
    for (const auto& [k, v] : header.fields()) out += k + ": " + v + "\r\n";
    out += "\r\n";
    send_body(&out);
  }

  /// Writes what is pending (framed), once the headers are out.
  void send_pending() {
    std::string out;
    send_body(&out);
  }

  /// Puts what is buffered on the wire, the status line and headers with it the
  /// first time (final: the handler has returned, see send_header).
  void send_buffered(bool final) {
    if (!wrote_header) write_header(200);
    if (!sent_header) {
      send_header(final);
    } else {
      send_pending();
    }
  }

  /// Appends pending (framed) to out and writes out.
  void send_body(std::string* out) {
    if (!head && body_allowed() && !pending.empty()) {
      if (chunked) {
        char size[24];
        std::snprintf(size, sizeof size, "%zx\r\n", pending.size());
        *out += size;
        *out += pending;
        *out += "\r\n";
      } else {
        *out += pending;
      }
    }
    pending.clear();
    if (!out->empty()) conn->conn.write(*out);
  }

  std::size_t write(std::string_view data) {
    if (!wrote_header) write_header(200);
    if (!body_allowed()) throw std::logic_error("http: request method or response status code does not allow body");
    body_written += static_cast<int64_t>(data.size());
    pending.append(data);
    if (!sent_header) {
      if (pending.size() > kBufferBeforeChunking) send_header(false);
    } else if (pending.size() >= kBufferBeforeChunking) {
      send_pending();
    }
    return data.size();
  }

  void flush() { send_buffered(false); }

  /// Ends the response when the handler returns (Go's finishRequest).
  void finish() {
    send_buffered(true);
    // Headers sent only now (final) chose a Content-Length: chunked means they went earlier.
    if (chunked && !head) conn->conn.write(std::string_view("0\r\n\r\n"));
    // A handler that wrote less than its Content-Length leaves the client
    // waiting for bytes that never come: close, as Go does.
    if (declared_length >= 0 && !head && body_allowed() && body_written != declared_length) keep_alive = false;
  }

  /// Go's DetectContentType, reduced to what gort's handlers send: HTML, JSON is text, else octet-stream.
  static std::string sniff_content_type(std::string_view body) {
    std::size_t i = 0;
    while (i < body.size() && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n')) ++i;
    const std::string_view rest = body.substr(i);
    auto starts_ci = [&](std::string_view p) {
      if (rest.size() < p.size()) return false;
      for (std::size_t k = 0; k < p.size(); ++k) {
        if ((rest[k] | 0x20) != (p[k] | 0x20)) return false;
      }
      return true;
    };
    if (starts_ci("<!doctype html") || starts_ci("<html") || starts_ci("<head") || starts_ci("<body")) {
      return "text/html; charset=utf-8";
    }
    for (unsigned char c : body.substr(0, 512)) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x0c && c != 0x1b) return "application/octet-stream";
    }
    return "text/plain; charset=utf-8";
  }
};

namespace {

/// Answers a request that could not be read and ends the connection (Go's
/// "400 Bad Request" / 431 / 413 replies in conn.serve).
void reply_and_close(ConnState& c, int code, std::string_view text) {
  std::string out = "HTTP/1.1 " + std::to_string(code) + " " + std::string(status_text(code)) +
                    "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n" + std::string(text);
  try {
    c.conn.write(out);
  } catch (const net::Error&) {
  }
}

/// read_request's body; throws net::Error when the connection fails or was
/// closed under it (shutdown closes idle connections from another goroutine,
/// so even setting a deadline can fail).
bool read_request_or_throw(ServerState& s, ConnState& c, std::string& buf, RequestParser& parser, bool first) {
  const Server& cfg = *s.config;
  const auto header_timeout = cfg.read_header_timeout > std::chrono::nanoseconds::zero() ? cfg.read_header_timeout
                                                                                          : cfg.read_timeout;
  const auto idle = cfg.idle_timeout > std::chrono::nanoseconds::zero() ? cfg.idle_timeout : cfg.read_timeout;
  bool started = !buf.empty();
  c.conn.set_read_deadline(deadline_after(started || first ? header_timeout : idle));
  Clock::time_point whole_request = Clock::time_point{};
  bool sent_continue = false;
  bool busy = false;
  for (;;) {
    if (!buf.empty()) {
      const std::size_t used = parser.feed(buf);
      buf.erase(0, used);
      switch (parser.failure()) {
        case ParseFailure::None:
          break;
        case ParseFailure::BadRequest:
          reply_and_close(c, 400, "400 Bad Request");
          return false;
        case ParseFailure::HeaderTooLarge:
          reply_and_close(c, 431, "431 Request Header Fields Too Large");
          return false;
        case ParseFailure::BodyTooLarge:
          reply_and_close(c, 413, "413 Request Entity Too Large");
          return false;
      }
      if (parser.header_done() && !busy) {
        busy = true;  // shutdown now waits for this request instead of closing the connection
        std::lock_guard<Mutex> g(c.mu);
        c.idle = false;
      }
      if (parser.done()) return true;
      if (parser.header_done()) {
        if (whole_request == Clock::time_point{}) {
          whole_request = deadline_after(cfg.read_timeout);
          c.conn.set_read_deadline(whole_request);
        }
        if (!sent_continue && parser.expects_continue()) {
          sent_continue = true;
          c.conn.write(std::string_view("HTTP/1.1 100 Continue\r\n\r\n"));
        }
      }
    }
    char chunk[kReadChunk];
    std::size_t n = 0;
    try {
      n = c.conn.read(chunk);
    } catch (const net::Error&) {
      return false;  // timeout, reset, or closed by shutdown
    }
    if (n == 0) return false;  // end of stream (mid-request too: nothing to answer)
    if (!started) {
      started = true;
      c.conn.set_read_deadline(deadline_after(header_timeout));
    }
    buf.append(chunk, n);
  }
}

/// Reads until parser has a whole request, or the connection ends.  Returns
/// false when the connection is to be closed (end of stream, timeout, an error,
/// closed by shutdown, or a malformed request, which has been answered).
bool read_request(ServerState& s, ConnState& c, std::string& buf, RequestParser& parser, bool first) {
  try {
    return read_request_or_throw(s, c, buf, parser, first);
  } catch (const net::Error&) {
    return false;
  }
}

/// The background read while a handler runs (Go's startBackgroundRead): ends
/// the request's context when the client goes away, keeps bytes that arrive.
struct BackgroundRead {
  Chan<std::monostate> done = make_chan<std::monostate>(1);
  std::string got;       // bytes read (a pipelined request's start)
  std::atomic<bool> aborted{false};  // ended by abort(), not by the client

  void start(ConnState* c, CancelFunc cancel) {
    go([this, c, cancel] {
      char b[kReadChunk];
      // Ended by abort's deadline on every request: no exception for that
      // (conn_access.hpp says what one cost).
      const net::detail::ReadOutcome r = net::detail::ConnAccess::read(c->conn, b);
      if (r.ok && r.n > 0) {
        got.assign(b, r.n);
      } else if (!(r.timeout && aborted.load(std::memory_order_acquire))) {
        cancel();  // end of stream or an error: the client is gone
      }
      done.send(std::monostate{});
    });
  }

  /// Ends the read now (Go's abortPendingRead) and waits for it.
  void abort(ConnState* c) {
    aborted.store(true, std::memory_order_release);
    try {
      c->conn.set_read_deadline(Clock::now() - std::chrono::hours(1));
    } catch (const net::Error&) {
    }
    done.recv();
  }
};

/// Runs the handler, reporting an exception as Go reports a handler's panic;
/// returns false if it threw (the connection is then closed).
bool run_handler(ServerState& s, ConnState& c, ResponseWriter& w, Request& r) {
  try {
    s.handler(w, r);
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "http: panic serving %s: %s\n%s", c.remote_addr.c_str(), e.what(),
                 goroutine_stack_text().c_str());
  } catch (...) {
    std::fprintf(stderr, "http: panic serving %s: unknown exception\n%s", c.remote_addr.c_str(),
                 goroutine_stack_text().c_str());
  }
  return false;
}

// mirrors conn.serve
void serve_conn(ServerState& s, std::shared_ptr<ConnState> c) {
  std::string buf;
  bool first = true;
  for (;;) {
    RequestParser parser(s.config->max_header_bytes, s.config->max_body_bytes);
    if (!read_request(s, *c, buf, parser, first)) break;
    first = false;
    const bool keep_alive = parser.keep_alive();  // before take: it moves the message out
    Request r;
    parser.take(r);
    r.remote_addr = c->remote_addr;
    auto [ctx, cancel] = with_cancel(s.base);
    r.ctx = ctx;
    {
      std::lock_guard<Mutex> g(c->mu);
      c->cancel_request = cancel;
    }
    ResponseState rs;
    rs.conn = c.get();
    rs.server = &s;
    rs.head = r.method == "HEAD";
    rs.http10 = r.proto == "HTTP/1.0";
    rs.keep_alive = keep_alive;
    try {
      c->conn.set_read_deadline(Clock::time_point{});
      c->conn.set_write_deadline(deadline_after(s.config->write_timeout));
    } catch (const net::Error&) {
      break;
    }
    BackgroundRead bg;
    const bool watch = buf.empty();
    if (watch) bg.start(c.get(), cancel);
    ResponseWriter w = rs.writer();
    bool ok = run_handler(s, *c, w, r);
    if (ok) {
      try {
        rs.finish();
      } catch (const std::exception&) {
        ok = false;  // the client went away while we wrote
      }
    }
    cancel();
    if (watch) {
      bg.abort(c.get());
      buf += bg.got;
    }
    {
      std::lock_guard<Mutex> g(c->mu);
      c->cancel_request = CancelFunc();
      c->idle = true;
    }
    if (!ok || !rs.keep_alive || s.shutting_down.load(std::memory_order_acquire)) break;
    try {
      c->conn.set_write_deadline(Clock::time_point{});
    } catch (const net::Error&) {
      break;
    }
  }
  c->close();
}

}  // namespace

}  // namespace detail

// ---------------------------------------------------------------- ResponseWriter

Header& ResponseWriter::header() { return state_->header; }

void ResponseWriter::set_header(std::string_view key, std::string_view value) { state_->header.set(key, value); }

void ResponseWriter::write_header(int status) { state_->write_header(status); }

std::size_t ResponseWriter::write(std::string_view data) { return state_->write(data); }

void ResponseWriter::flush() { state_->flush(); }

void error(ResponseWriter& w, std::string_view message, int code) {
  w.header().del("Content-Length");
  w.set_header("Content-Type", "text/plain; charset=utf-8");
  w.set_header("X-Content-Type-Options", "nosniff");
  w.write_header(code);
  w.write(std::string(message) + "\n");
}

void not_found(ResponseWriter& w, Request&) { error(w, "404 page not found", 404); }

// ---------------------------------------------------------------- Server

Server::Server(Handler h) : state_(std::make_shared<detail::ServerState>()) {
  state_->handler = std::move(h);
  state_->config = this;
  auto [ctx, cancel] = with_cancel(background());
  state_->base = ctx;
  state_->cancel_base = cancel;
}

Server::~Server() { state_->cancel_base(); }

// mirrors Server.Serve
void Server::serve(net::Listener& ln) {
  detail::ServerState& s = *state_;
  {
    std::lock_guard<Mutex> g(s.mu);
    if (s.shutting_down) throw net::Error("http: Server closed", false);
    s.listeners.push_back(&ln);
  }
  std::exception_ptr failure;
  for (;;) {
    net::Conn conn;
    try {
      conn = ln.accept();
    } catch (const net::Error&) {
      std::lock_guard<Mutex> g(s.mu);
      if (!s.shutting_down) failure = std::current_exception();
      break;
    }
    auto c = std::make_shared<detail::ConnState>(std::move(conn));
    try {
      c->remote_addr = c->conn.remote_addr();
    } catch (const net::Error&) {
    }
    {
      std::lock_guard<Mutex> g(s.mu);
      if (s.shutting_down) {
        c->close();
        break;
      }
      s.conns.insert(c);
    }
    s.conn_goroutines.add(1);
    go([st = state_, c] {
      detail::serve_conn(*st, c);
      {
        std::lock_guard<Mutex> g(st->mu);
        st->conns.erase(c);
        st->maybe_all_closed();
      }
      st->conn_goroutines.done();
    });
  }
  {
    std::lock_guard<Mutex> g(s.mu);
    std::erase(s.listeners, &ln);
  }
  if (failure) std::rethrow_exception(failure);
  s.conn_goroutines.wait();
}

// mirrors Server.Shutdown
void Server::shutdown(const Context& ctx) {
  detail::ServerState& s = *state_;
  std::vector<std::shared_ptr<detail::ConnState>> idle;
  {
    std::lock_guard<Mutex> g(s.mu);
    s.shutting_down.store(true, std::memory_order_release);
    for (net::Listener* ln : s.listeners) {
      try {
        ln->close();
      } catch (const net::Error&) {
      }
    }
    for (const auto& c : s.conns) {
      std::lock_guard<Mutex> cg(c->mu);
      if (c->idle) idle.push_back(c);
    }
    s.maybe_all_closed();
  }
  for (const auto& c : idle) c->close();
  bool expired = false;
  select(on_recv(s.all_closed), on_recv(ctx.done(), [&] { expired = true; }));
  if (!expired) return;
  s.cancel_base();
  std::vector<std::shared_ptr<detail::ConnState>> left;
  {
    std::lock_guard<Mutex> g(s.mu);
    left.assign(s.conns.begin(), s.conns.end());
  }
  for (const auto& c : left) c->close();
  std::rethrow_exception(ctx.err());
}

}  // namespace gort::http
