// client.cpp — the in-process client (see client.hpp).
//
// It speaks HTTP/1.1 over raw gort::net connections with its requests
// prebuilt, so it allocates nothing on the managed heap and almost nothing on
// the C++ heap per request: the allocations counted during a load are the
// server's.
#include "client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <span>
#include <stdexcept>
#include <string_view>

namespace pool_lab {

namespace {

using Clock = std::chrono::steady_clock;

/// Distinct request bodies the in-process client cycles through, so the
/// server decodes varying data without the client formatting per request.
constexpr int kDistinctBodies = 16;

/// The prebuilt requests (request line, headers and body).
std::vector<std::string> prebuilt_requests() {
  std::vector<std::string> reqs;
  for (int i = 0; i < kDistinctBodies; ++i) {
    const std::string body = order_body(i + 1);
    reqs.push_back(fmt::format(
        "POST /order HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        body.size(), body));
  }
  return reqs;
}

/// The value of Content-Length in a response head (case-insensitive), or -1.
int64_t content_length(std::string_view head) {
  std::string lower(head);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::size_t at = lower.find("\r\ncontent-length:");
  if (at == std::string::npos) return -1;
  return std::strtoll(lower.c_str() + at + 17, nullptr, 10);
}

/// Sends `count` requests on one keep-alive connection to addr, one at a
/// time, recording each one's latency into *stats.  Precondition: a goroutine.
void client_connection(const std::string& addr, const std::vector<std::string>& reqs, int64_t count, int offset,
                       ClientStats* stats) {
  gort::net::Conn c = gort::net::dial("tcp", addr);
  std::string acc;
  acc.reserve(1 << 16);
  std::vector<char> buf(1 << 16);
  for (int64_t i = 0; i < count; ++i) {
    const std::string& req = reqs[static_cast<std::size_t>((offset + i) % kDistinctBodies)];
    const Clock::time_point t0 = Clock::now();
    c.write(std::span<const char>(req.data(), req.size()));
    acc.clear();
    std::size_t head_end = std::string::npos;
    int64_t length = -1;
    for (;;) {
      if (head_end == std::string::npos) {
        head_end = acc.find("\r\n\r\n");
        if (head_end != std::string::npos) length = content_length(std::string_view(acc).substr(0, head_end + 2));
      }
      if (head_end != std::string::npos && length >= 0 &&
          acc.size() >= head_end + 4 + static_cast<std::size_t>(length)) {
        break;
      }
      const std::size_t n = c.read(std::span<char>(buf.data(), buf.size()));
      if (n == 0) throw std::runtime_error("the server closed the connection mid-response");
      acc.append(buf.data(), n);
    }
    stats->latencies_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    if (acc.compare(0, 12, "HTTP/1.1 200") != 0) ++stats->errors;
    if (i == 0) stats->first_body_bytes = length;
    stats->last_body_bytes = length;
  }
  c.close();
}

}  // namespace

ClientStats run_client(const std::string& addr, int connections, int64_t requests) {
  static const std::vector<std::string> reqs = prebuilt_requests();
  std::vector<ClientStats> per(static_cast<std::size_t>(connections));
  std::vector<std::string> failures(static_cast<std::size_t>(connections));
  gort::WaitGroup wg;
  for (int k = 0; k < connections; ++k) {
    const int64_t share = requests / connections + (k < requests % connections ? 1 : 0);
    if (share == 0) continue;
    per[k].latencies_us.reserve(static_cast<std::size_t>(share));
    wg.add(1);
    gort::go([&, k, share] {
      try {
        client_connection(addr, reqs, share, k, &per[k]);
      } catch (const std::exception& e) {
        failures[k] = e.what();
      }
      wg.done();
    });
  }
  wg.wait();
  ClientStats all;
  for (std::size_t k = 0; k < per.size(); ++k) {
    if (!failures[k].empty()) throw std::runtime_error("in-process client: " + failures[k]);
    all.latencies_us.insert(all.latencies_us.end(), per[k].latencies_us.begin(), per[k].latencies_us.end());
    all.errors += per[k].errors;
  }
  if (!per.empty()) {
    all.first_body_bytes = per[0].first_body_bytes;
    all.last_body_bytes = per[0].last_body_bytes;
  }
  return all;
}

}  // namespace pool_lab
