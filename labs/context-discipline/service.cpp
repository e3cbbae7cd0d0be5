// service.cpp — the service, its downstream and the context-honouring client
// (see service.hpp).
#include "service.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace ctxlab {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

std::string error_text(const std::exception_ptr& e) {
  if (!e) return "";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown exception";
  }
}

namespace {

/// A deadline long past, which fails every pending and future I/O on a
/// connection at once (Go's net.aLongTimeAgo, time.Unix(1, 0)); the epoch
/// itself would mean "no deadline".
const std::chrono::system_clock::time_point kLongAgo{std::chrono::seconds(1)};

/// Upper bound on a reply's size: the service's replies are a few dozen bytes.
constexpr std::size_t kMaxReplyBytes = 1 << 20;

/// The value of name in a query string "a=1&b=2" ("" when absent).
std::string query_param(const std::string& query, const std::string& name) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    const std::string field = query.substr(pos, amp - pos);
    if (field.rfind(name + "=", 0) == 0) return field.substr(name.size() + 1);
    pos = amp + 1;
  }
  return "";
}

/// Runs op and records how it ended; rethrows its exception after recording.
template <class F>
void record_op(OpRecord* rec, F&& op) {
  try {
    op();
    rec->result = "ok";
    rec->returned_at = now_ns();
  } catch (const gort::ContextError& e) {
    rec->returned_at = now_ns();
    rec->result = e.what();
    rec->context_error = true;
    throw;
  } catch (const std::exception& e) {
    rec->returned_at = now_ns();
    rec->result = e.what();
    throw;
  }
}

/// Serves mux on a fresh 127.0.0.1:0 listener in a goroutine counted by wg;
/// returns the server, and the listener's address in *addr.
std::unique_ptr<gort::http::Server> start_server(const gort::http::ServeMux& mux, gort::net::Listener* ln,
                                                 std::string* addr, gort::WaitGroup* wg) {
  *ln = gort::net::listen("tcp", "127.0.0.1:0");
  *addr = ln->addr();
  auto server = std::make_unique<gort::http::Server>(mux);
  wg->add(1);
  gort::go([s = server.get(), ln, wg] {
    s->serve(*ln);
    wg->done();
  });
  return server;
}

}  // namespace

std::string SlowStore::get(const gort::Context& ctx, const std::string& key) {
  calls_.fetch_add(1);
  gort::Timer timer(delay_);
  bool done = false;
  gort::select(gort::on_recv(timer.c(), [] {}), gort::on_recv(ctx.done(), [&] { done = true; }));
  if (done) {
    timer.stop();
    std::rethrow_exception(ctx.err());
  }
  return "value-of-" + key;
}

Reply fetch(const gort::Context& ctx, const std::string& addr, const std::string& target, bool* sent) {
  if (auto e = ctx.err()) std::rethrow_exception(e);
  // Loopback dials complete at once; a remote one would take ctx's deadline
  // (dial_timeout) as Go's DialContext does.
  auto conn = std::make_shared<gort::net::Conn>(gort::net::dial("tcp", addr));
  gort::StopFunc stop = gort::after_func(ctx, [conn] {
    try {
      conn->set_deadline(kLongAgo);
    } catch (const gort::net::Error&) {
      // Already closed by its owner: nothing left to wake.
    }
  });
  std::string raw;
  try {
    const std::string request =
        fmt::format("GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", target, addr);
    conn->write(request);
    if (sent != nullptr) *sent = true;
    char buf[4096];
    for (std::size_t n; (n = conn->read(buf)) > 0;) {
      raw.append(buf, n);
      if (raw.size() > kMaxReplyBytes) throw std::runtime_error("fetch: reply too large");
    }
  } catch (const gort::net::Error&) {
    stop();
    if (auto e = ctx.err()) {
      conn->close();
      std::rethrow_exception(e);
    }
    throw;
  }
  stop();
  conn->close();
  Reply reply;
  const std::size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12 || head_end == std::string::npos) {
    throw std::runtime_error("fetch: malformed reply from " + addr);
  }
  reply.status = std::stoi(raw.substr(9, 3));
  reply.body = raw.substr(head_end + 4);
  return reply;
}

Downstream::Downstream(std::chrono::nanoseconds delay) {
  mux_.handle_func("/price", [this, delay](gort::http::ResponseWriter& w, gort::http::Request& r) {
    arrived_.try_send(true);
    gort::Timer timer(delay);
    bool cancelled = false;
    gort::select(gort::on_recv(timer.c(), [] {}), gort::on_recv(r.ctx.done(), [&] { cancelled = true; }));
    finished_.try_send(cancelled);
    if (cancelled) return;  // nobody is listening any more
    w.write("42");
  });
  server_ = start_server(mux_, &ln_, &addr_, &serving_);
}

Downstream::~Downstream() {
  server_->shutdown(gort::background());
  serving_.wait();
}

Service::Service(std::chrono::nanoseconds store_delay, std::chrono::nanoseconds upstream_delay,
                 std::string downstream_addr)
    : store_(store_delay), upstream_(upstream_delay), downstream_addr_(std::move(downstream_addr)) {
  mux_.handle_func("/item", [this](gort::http::ResponseWriter& w, gort::http::Request& r) { item(w, r); });
  mux_.handle_func("/leaky", [this](gort::http::ResponseWriter& w, gort::http::Request& r) { leaky(w, r); });
  mux_.handle_func("/cached", [this](gort::http::ResponseWriter& w, gort::http::Request& r) { cached(w, r); });
  server_ = start_server(mux_, &ln_, &addr_, &serving_);
}

Service::~Service() {
  release_leaked();
  server_->shutdown(gort::background());
  serving_.wait();
}

void Service::item(gort::http::ResponseWriter& w, gort::http::Request& r) {
  HandlerRecord rec;
  rec.handler_goid = gort::goid();
  // When r.ctx ends, seen by an after_func; `stored` says its callback has
  // written the time (the callback runs in a goroutine of its own).
  struct DoneWatch {
    std::atomic<int64_t> at{0};
    gort::Chan<int> stored = gort::make_chan<int>(1);
  };
  auto watch = std::make_shared<DoneWatch>();
  gort::StopFunc stop_watch = gort::after_func(r.ctx, [watch] {
    watch->at.store(now_ns());
    watch->stored.send(1);
  });
  const std::string key = query_param(r.query(), "key");
  std::string value, price, failed;
  {
    // Both blocking operations take the request's context (through the
    // group's, which derives from it) and the handler waits for both.
    gort::ErrGroup g(r.ctx);
    g.go([&](const gort::Context& c) { record_op(&rec.store, [&] { value = store_.get(c, key); }); });
    g.go([&](const gort::Context& c) {
      record_op(&rec.downstream, [&] { price = fetch(c, downstream_addr_, "/price?key=" + key, &rec.downstream.request_sent).body; });
    });
    try {
      g.wait();
    } catch (const std::exception& e) {
      failed = e.what();
    }
  }
  try {
    if (failed.empty()) {
      w.write(value + " " + price);
    } else {
      gort::http::error(w, failed, 503);
    }
  } catch (const gort::net::Error&) {
    // The client has gone: nobody to answer.
  }
  // The after_func fires on cancellation, which (when the client stayed)
  // happens only as the handler returns: stop it, then read what it saw.
  if (!stop_watch()) watch->stored.recv();  // it started: wait for its time
  rec.ctx_done_at = watch->at.load();
  records_.send(rec);
}

void Service::leaky(gort::http::ResponseWriter& w, gort::http::Request& r) {
  HandlerRecord rec;
  rec.handler_goid = gort::goid();
  const std::string key = query_param(r.query(), "key");
  // The bug: an unbuffered reply channel.  Once the handler stops listening,
  // the goroutine (which holds r.ctx) blocks on its send for ever.
  auto reply = gort::make_chan<std::string>();
  gort::go([store = &store_, ctx = r.ctx, key, reply] {
    std::string v;
    try {
      v = store->get(ctx, key);
    } catch (const gort::ContextError& e) {
      v = e.what();
    }
    reply.send(v);
  });
  bool gave_up = false;
  gort::select(gort::on_recv(reply, [&](std::string v) { w.write(v); }),
               gort::on_recv(r.ctx.done(), [&] { gave_up = true; }));
  if (gave_up) {
    std::lock_guard lock(mu_);
    abandoned_.push_back(reply);
  }
  records_.send(rec);
}

int Service::release_leaked() {
  std::vector<gort::Chan<std::string>> chans;
  {
    std::lock_guard lock(mu_);
    chans.swap(abandoned_);
  }
  for (auto& c : chans) c.recv();
  return static_cast<int>(chans.size());
}

std::optional<std::string> Service::cache_get(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  return it->second;
}

void Service::reset_cache() {
  std::lock_guard lock(mu_);
  cache_.clear();
  upstream_.reset();
  hits_.store(0);
  shared_.store(0);
}

void Service::cached(gort::http::ResponseWriter& w, gort::http::Request& r) {
  const std::string key = query_param(r.query(), "key");
  if (auto v = cache_get(key)) {
    hits_.fetch_add(1);
    w.write(*v);
    return;
  }
  const auto load = [&](const gort::Context& ctx) {
    std::string v = upstream_.get(ctx, key);
    std::lock_guard lock(mu_);
    cache_[key] = v;
    return v;
  };
  std::string value;
  try {
    if (query_param(r.query(), "sf") == "1") {
      auto [v, shared] = flights_.call(key, [&] {
        // Another flight may have filled the cache between our miss and this
        // flight's start: look again, so the key is loaded once in all.
        if (auto hit = cache_get(key)) return *hit;
        // The flight serves every waiting request, so it must not die with
        // the first caller's context: keep its values, drop its cancellation
        // (Go 1.21's WithoutCancel), and bound it by its own deadline.
        auto [ctx, cancel] = gort::with_timeout(gort::without_cancel(r.ctx), std::chrono::seconds(10));
        std::string loaded = load(ctx);
        cancel();
        return loaded;
      });
      if (shared) shared_.fetch_add(1);
      value = v;
    } else {
      value = load(r.ctx);
    }
  } catch (const std::exception& e) {
    gort::http::error(w, e.what(), 503);
    return;
  }
  w.write(value);
}

}  // namespace ctxlab
