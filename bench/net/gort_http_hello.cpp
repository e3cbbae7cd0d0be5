// gort_http_hello.cpp — the gort side of the HTTP benchmarks (bench/http_compare.py): a
// gort::http server with TechEmpower's two simplest endpoints, as bench/net/go_http does with
// Go 1.19's net/http.
//
//   GET /       "Hello, World!" (text/plain)
//   GET /json   {"message":"Hello, World!"}, serialised per request by nlohmann_json
//   POST /order an order as JSON ({"id", "customer", "items": [{"sku", "qty", "price_cents"}]}),
//               parsed by nlohmann_json; answers {"id", "items", "total_cents"} (the week-8
//               lab's hot path: parse, compute, emit); 400 for a body that is not such an
//               order, 405 for another method
//
//   gort_http_hello [port]     (0 or none: any free port)
//
// Prints the bound address (127.0.0.1:PORT) as the first line of stdout, then serves until
// end of file on stdin (then shuts down and exits 0).
#include <gort/gort.hpp>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

/// POST /order: the order's total, or 400 naming what is wrong with the body.
void order(gort::http::ResponseWriter& w, gort::http::Request& r) {
  if (r.method != "POST") {
    w.set_header("Allow", "POST");
    w.write_header(405);
    return;
  }
  int64_t id = 0, total = 0;
  std::size_t items = 0;
  try {
    const auto j = nlohmann::json::parse(r.body);
    id = j.at("id").get<int64_t>();
    for (const auto& item : j.at("items")) {
      total += item.at("qty").get<int64_t>() * item.at("price_cents").get<int64_t>();
      ++items;
    }
  } catch (const nlohmann::json::exception& e) {
    w.set_header("Content-Type", "text/plain");
    w.write_header(400);
    w.write(std::string("bad order: ") + e.what());
    return;
  }
  w.set_header("Content-Type", "application/json");
  w.write(nlohmann::json{{"id", id}, {"items", items}, {"total_cents", total}}.dump());
}

}  // namespace

int main(int argc, char** argv) {
  const std::string port = argc > 1 ? argv[1] : "0";
  return gort::run([&] {
    gort::http::ServeMux mux;
    mux.handle_func("/", [](gort::http::ResponseWriter& w, gort::http::Request&) {
      w.set_header("Content-Type", "text/plain");
      w.write("Hello, World!");
    });
    mux.handle_func("/json", [](gort::http::ResponseWriter& w, gort::http::Request&) {
      w.set_header("Content-Type", "application/json");
      w.write(nlohmann::json{{"message", "Hello, World!"}}.dump());
    });
    mux.handle_func("/order", order);
    gort::http::Server server(mux);
    auto ln = gort::net::listen("tcp", "127.0.0.1:" + port);
    std::printf("%s\n", ln.addr().c_str());
    std::fflush(stdout);
    gort::go([&server] {
      char b[64];
      while (gort::blocking([&] { return ::read(0, b, sizeof b); }) > 0) {
      }
      server.shutdown(gort::background());
    });
    server.serve(ln);
  });
}
