// client.hpp — the order service's in-process load: a server of one variant
// on 127.0.0.1:0 and a client of keep-alive HTTP/1.1 connections on raw
// gort::net connections with prebuilt requests.  pool-the-hot-path and
// profile-tune-profile both drive the service with it (library
// gort_lab_order_service, labs/common/CMakeLists.txt).
#pragma once

#include <gort/gort.hpp>
#include <gort/http.hpp>
#include <gort/net.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "service.hpp"

namespace pool_lab {

/// What the in-process client saw: every request's latency, the non-200
/// answers, and the body sizes of one connection's first and last response.
struct ClientStats {
  std::vector<double> latencies_us;
  int64_t errors = 0;
  int64_t first_body_bytes = 0;
  int64_t last_body_bytes = 0;
};

/// Sends `requests` requests over `connections` connections at once and
/// returns what they saw; throws std::runtime_error when a connection fails.
/// Precondition: a goroutine; connections >= 1.
ClientStats run_client(const std::string& addr, int connections, int64_t requests);

/// A server of one variant on 127.0.0.1:0, serving until stop() or destruction.
/// Precondition: constructed, stopped and destroyed on goroutines.
class RunningServer {
 public:
  explicit RunningServer(Variant v, Encoding e = Encoding::kDocument)
      : server_(make_mux(v, e, &counters_)), ln_(gort::net::listen("tcp", "127.0.0.1:0")) {
    addr_ = ln_.addr();
    wg_.add(1);
    gort::go([this] {
      try {
        server_.serve(ln_);
      } catch (const gort::net::Error&) {
        // Shut down before serve began: Go's Serve returns ErrServerClosed then.
        if (!stopped_.load()) throw;
      }
      wg_.done();
    });
  }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;
  /// Stops the server if stop() has not: destroying the listener under a
  /// serving server would make its accept fail outside a shutdown.
  ~RunningServer() { stop(); }
  /// Shuts the server down and waits for serve to return; once.
  void stop() {
    if (stopped_.exchange(true)) return;
    server_.shutdown(gort::background());
    wg_.wait();
  }
  const std::string& addr() const { return addr_; }
  ServiceCounters& counters() { return counters_; }

 private:
  static gort::http::ServeMux make_mux(Variant v, Encoding e, ServiceCounters* counters) {
    gort::http::ServeMux mux;
    install_service(mux, v, counters, e);
    return mux;
  }
  ServiceCounters counters_;
  gort::http::Server server_;
  gort::net::Listener ln_;
  std::string addr_;
  gort::WaitGroup wg_;
  std::atomic<bool> stopped_{false};  // stop() has begun
};

}  // namespace pool_lab
