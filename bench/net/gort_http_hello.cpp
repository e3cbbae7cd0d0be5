// gort_http_hello.cpp — the gort side of the HTTP benchmarks (bench/http_compare.py): a
// gort::http server with TechEmpower's two simplest endpoints, as bench/net/go_http does with
// Go 1.19's net/http.
//
//   GET /       "Hello, World!" (text/plain)
//   GET /json   {"message":"Hello, World!"}, serialised per request by nlohmann_json
//
//   gort_http_hello [port]     (0 or none: any free port)
//
// Prints the bound address (127.0.0.1:PORT) as the first line of stdout, then serves until
// end of file on stdin (then shuts down and exits 0).
#include <gort/gort.hpp>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

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
