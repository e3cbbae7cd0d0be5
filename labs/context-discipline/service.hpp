// service.hpp — the small HTTP service under audit, its downstream, and a
// client that honours a context: the lab's "every blocking operation takes
// ctx" made concrete.
//
// Three blocking operations, each taking the request's Context:
//   - SlowStore::get waits out its delay in a select with ctx.done(): the
//     simulated database query (and the stampede's upstream).
//   - fetch() is an HTTP GET over gort::net.  gort::http::get takes no
//     context, so fetch does what Go's net/http transport does under the hood:
//     an after_func on ctx moves the connection's deadline into the past,
//     which wakes the blocked read at once, and the call then reports ctx's
//     error instead of the i/o timeout.
//   - the Downstream server's handler waits out its delay on its own request
//     context, so a cancelled caller (which closes its connection) ends it too.
// Service routes /item (disciplined: store and downstream in an ErrGroup on
// r.ctx, waited for), /leaky (the classic leak: a goroutine holding r.ctx
// sends its result on an unbuffered channel nobody reads once the handler has
// given up) and /cached (the stampede: a cache in front of the upstream store,
// with or without SingleFlight).
#pragma once

#include <gort/gort.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ctxlab {

using Clock = std::chrono::steady_clock;

/// Nanoseconds since an arbitrary fixed point (steady clock), for intervals.
int64_t now_ns();

/// The text of an exception_ptr's exception ("" for null).
std::string error_text(const std::exception_ptr& e);

/// A store whose every read takes `delay` unless ctx ends first.
class SlowStore {
 public:
  /// A store answering after delay.
  explicit SlowStore(std::chrono::nanoseconds delay) : delay_(delay) {}
  /// The value of key ("value-of-<key>") after the delay; throws ctx's error
  /// (rethrows ctx.err()) as soon as ctx is done.  Precondition: on a goroutine.
  std::string get(const gort::Context& ctx, const std::string& key);
  /// Reads begun since construction or the last reset.
  int64_t calls() const { return calls_.load(); }
  /// Sets the call count back to zero.
  void reset() { calls_.store(0); }

 private:
  std::chrono::nanoseconds delay_;
  std::atomic<int64_t> calls_{0};
};

/// What fetch read.
struct Reply {
  int status = 0;
  std::string body;
};

/// GETs http://addr target on a fresh connection (Connection: close),
/// honouring ctx: once ctx is done every blocked read or write wakes, the
/// connection is closed and ctx's error is thrown.  *sent (when given) is set
/// once the whole request has been written (the server will see it).  Throws
/// net::Error for other failures, std::runtime_error for a malformed reply.
/// Precondition: on a goroutine.
Reply fetch(const gort::Context& ctx, const std::string& addr, const std::string& target, bool* sent = nullptr);

/// How one blocking operation of a handler ended, in the server's clock.
struct OpRecord {
  std::string result;  // "ok" or the error text
  bool context_error = false;
  int64_t returned_at = 0;
  /// For the downstream call: whether its request was written (so the
  /// downstream's handler runs and reports).
  bool request_sent = false;
};

/// What a /item or /leaky handler reports when it returns.
struct HandlerRecord {
  int64_t handler_goid = 0;
  /// When r.ctx's done() closed, seen by an after_func (0: not before the handler ended).
  int64_t ctx_done_at = 0;
  OpRecord store, downstream;
};

/// The downstream service: GET /price waits `delay` on its request context.
class Downstream {
 public:
  /// Starts serving on 127.0.0.1:0.  Precondition: on a goroutine.
  explicit Downstream(std::chrono::nanoseconds delay);
  /// Shuts the server down and waits for its serve goroutine.
  ~Downstream();
  Downstream(const Downstream&) = delete;
  Downstream& operator=(const Downstream&) = delete;
  /// "127.0.0.1:PORT".
  const std::string& addr() const { return addr_; }
  /// Receives one value per finished /price handler: true when its request
  /// context ended before its delay did.
  gort::Chan<bool> finished() const { return finished_; }
  /// Receives one value per /price handler that has started.
  gort::Chan<bool> arrived() const { return arrived_; }

 private:
  /// Buffered beyond the handful of /price requests the lab makes, so a
  /// handler never waits to report (try_send drops beyond it).
  gort::Chan<bool> finished_ = gort::make_chan<bool>(1024);
  gort::Chan<bool> arrived_ = gort::make_chan<bool>(1024);
  gort::http::ServeMux mux_;
  std::unique_ptr<gort::http::Server> server_;
  gort::net::Listener ln_;
  std::string addr_;
  gort::WaitGroup serving_;
};

/// The service under audit (see the file comment).
class Service {
 public:
  /// Starts serving on 127.0.0.1:0; /item's store waits store_delay, /cached's
  /// upstream upstream_delay, and /item calls downstream_addr's /price.
  /// Precondition: on a goroutine.
  Service(std::chrono::nanoseconds store_delay, std::chrono::nanoseconds upstream_delay, std::string downstream_addr);
  /// Shuts the server down and waits for its serve goroutine.
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  /// "127.0.0.1:PORT".
  const std::string& addr() const { return addr_; }
  /// One record per finished /item or /leaky handler.
  gort::Chan<HandlerRecord> handler_records() const { return records_; }
  /// Lets every goroutine /leaky abandoned finish; returns how many there were.
  int release_leaked();

  /// Empties the /cached cache and zeroes the stampede counters.
  void reset_cache();
  /// Calls /cached made to the upstream store since reset_cache.
  int64_t upstream_calls() const { return upstream_.calls(); }
  /// /cached requests answered from the cache since reset_cache.
  int64_t cache_hits() const { return hits_.load(); }
  /// /cached requests whose value came from a shared flight since reset_cache.
  int64_t shared_results() const { return shared_.load(); }

 private:
  /// GET /item?key=K: the store read and the downstream call in an ErrGroup on r.ctx.
  void item(gort::http::ResponseWriter& w, gort::http::Request& r);
  /// GET /leaky?key=K: the store read in a goroutine that outlives a client that gives up.
  void leaky(gort::http::ResponseWriter& w, gort::http::Request& r);
  /// GET /cached?key=K&sf=0|1: the cache in front of the upstream store.
  void cached(gort::http::ResponseWriter& w, gort::http::Request& r);
  /// The cached value of key, if any.
  std::optional<std::string> cache_get(const std::string& key);

  SlowStore store_;
  SlowStore upstream_;
  std::string downstream_addr_;
  /// Buffered beyond the few requests the lab has in flight at once on /item and /leaky.
  gort::Chan<HandlerRecord> records_ = gort::make_chan<HandlerRecord>(64);

  gort::Mutex mu_;  // guards cache_ and abandoned_
  std::map<std::string, std::string> cache_;
  std::vector<gort::Chan<std::string>> abandoned_;
  gort::SingleFlight<std::string, std::string> flights_;
  std::atomic<int64_t> hits_{0}, shared_{0};

  gort::http::ServeMux mux_;
  std::unique_ptr<gort::http::Server> server_;
  gort::net::Listener ln_;
  std::string addr_;
  gort::WaitGroup serving_;
};

}  // namespace ctxlab
