// service.hpp — the JSON-handling HTTP service whose hot path the lab pools.
//
// POST /order takes an order as JSON (a customer and eight line items),
// decodes it into managed objects (gc::String, gc::Slice: what Go's
// encoding/json builds when it unmarshals into a struct), prices it, and
// encodes the priced order into a byte buffer that becomes the response body.
// nlohmann_json is the JSON codec; its own allocations are on the C++ heap.
//
// The variants differ only in where the encode buffer comes from:
//   baseline: a fresh managed ByteBuffer per request (Go: new(bytes.Buffer)),
//             grown by doubling as bytes.Buffer grows;
//   pooled:   a ByteBuffer from a gort::Pool, reset and put back after the
//             response is written (Go: sync.Pool of *bytes.Buffer).
// And two deliberate misuses of the pooled variant, each for a child process:
//   misuse-assert: Put without Reset; the assertion inserted in the pooled
//                  path (a buffer from the pool must be empty) catches it;
//   misuse-race:   Put without Reset and keep using the buffer afterwards (an
//                  access logger on its own thread reads it) while the next
//                  request reuses it: the TSAN build reports the data race.
#pragma once

#include <gort/http.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace pool_lab {

/// Which handler the service runs.
enum class Variant { kBaseline, kPooled, kMisuseAssert, kMisuseRace };

/// How the priced order becomes the response body:
///   kDocument: a nlohmann::json document built, then streamed through
///              std::ostream into the buffer (what pool-the-hot-path measures);
///   kDirect:   written straight into the buffer with fmt, no document (the
///              fix profile-tune-profile makes; the same bytes).
enum class Encoding { kDocument, kDirect };

/// "baseline", "pooled", "misuse-assert", "misuse-race".
const char* variant_name(Variant v);

/// Exit status of a child whose pooled buffer failed the emptiness assertion.
inline constexpr int kAssertionExitCode = 3;

/// The service's counters, read by the load driver.
struct ServiceCounters {
  /// Requests answered with 200.
  std::atomic<int64_t> served{0};
  /// Requests answered with 400 (a body that is not a valid order).
  std::atomic<int64_t> rejected{0};
};

/// The request body the load sends: order `id` with eight line items, about
/// 600 bytes of JSON (the same bytes as the Go twin's).
std::string order_body(int64_t id);

/// Registers POST /order with the variant's handler, encoding its responses
/// as e, on mux.  counters must outlive the server.  Precondition: called
/// from a goroutine.
void install_service(gort::http::ServeMux& mux, Variant v, ServiceCounters* counters,
                     Encoding e = Encoding::kDocument);

/// The response body POST /order answers to request `body` when encoding as
/// e ("" when body is not an order): how a lab checks that both encodings
/// give the same bytes.  Precondition: called from a goroutine.
std::string response_for(std::string_view body, Encoding e);

/// Joins the misuse-race access logger's thread, if it was started (end of
/// the race child).  Precondition: the server has shut down.
void stop_access_logger();

}  // namespace pool_lab
