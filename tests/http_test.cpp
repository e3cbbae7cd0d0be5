// http_test.cpp — gort::http as Go's net/http behaves, over real loopback
// sockets: headers, routing, keep-alive and pipelining, chunked bodies, HEAD,
// HTTP/1.0, 100-continue, the 400/413/431 answers, the header timeout, a
// throwing handler, the request context and shutdown.
#include <gort/gort.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "poll_util.hpp"
#include "test_util.hpp"

namespace {

using namespace std::chrono_literals;
namespace http = gort::http;

/// A server on 127.0.0.1:0 serving h for the life of the object (inside gort::run).
class TestServer {
 public:
  explicit TestServer(http::Handler h, std::function<void(http::Server&)> configure = {})
      : server_(std::move(h)), ln_(gort::net::listen("tcp", "127.0.0.1:0")), addr_(ln_.addr()) {
    if (configure) configure(server_);
    serving_.add(1);
    gort::go([this] {
      server_.serve(ln_);
      serving_.done();
    });
  }
  ~TestServer() {
    server_.shutdown(gort::background());
    serving_.wait();
  }
  const std::string& addr() const { return addr_; }
  std::string url(const std::string& path) const { return "http://" + addr_ + path; }
  http::Server& server() { return server_; }
  /// Waits until serve has returned.
  void wait_served() { serving_.wait(); }

 private:
  http::Server server_;
  gort::net::Listener ln_;
  std::string addr_;
  gort::WaitGroup serving_;
};

/// Sends raw bytes on a new connection and reads until the server closes it.
std::string send_raw(const std::string& addr, const std::string& raw) {
  auto c = gort::net::dial("tcp", addr);
  c.set_read_deadline(std::chrono::system_clock::now() + 30s);  // a hang fails instead of hanging
  c.write(raw);
  std::string out;
  char b[4096];
  try {
    while (std::size_t n = c.read(b)) out.append(b, n);
  } catch (const gort::net::Error& e) {
    ADD_FAILURE() << "read: " << e.what() << " after:\n" << out;
  }
  return out;
}

int count_of(const std::string& s, const std::string& what) {
  int n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

TEST(HttpHeader, KeysAreCanonicalAndCaseInsensitive) {
  EXPECT_EQ(http::canonical_header_key("content-type"), "Content-Type");
  EXPECT_EQ(http::canonical_header_key("X-FORWARDED-FOR"), "X-Forwarded-For");
  EXPECT_EQ(http::canonical_header_key("bad key"), "bad key");
  http::Header h;
  h.add("accept", "a");
  h.add("ACCEPT", "b");
  EXPECT_EQ(h.get("Accept"), "a");
  EXPECT_EQ(h.values("accept"), (std::vector<std::string>{"a", "b"}));
  h.set("Accept", "c");
  EXPECT_EQ(h.values("accept"), (std::vector<std::string>{"c"}));
  h.del("aCCept");
  EXPECT_FALSE(h.has("Accept"));
  EXPECT_EQ(h.get("Accept"), "");
  EXPECT_EQ(http::status_text(404), "Not Found");
  EXPECT_EQ(http::status_text(799), "");
}

TEST(HttpServer, HelloWorldThroughGetWithContentLengthAndSniffedType) {
  ASSERT_EQ(gort::run([] {
              TestServer s([](http::ResponseWriter& w, http::Request& r) {
                EXPECT_EQ(r.method, "GET");
                EXPECT_EQ(r.path(), "/hello");
                EXPECT_EQ(r.query(), "x=1");
                EXPECT_EQ(r.header.get("host"), "127.0.0.1:" + r.header.get("Host").substr(10));
                EXPECT_FALSE(r.remote_addr.empty());
                w.write("hello, world\n");
              });
              http::Response resp = http::get(s.url("/hello?x=1"));
              EXPECT_EQ(resp.status_code, 200);
              EXPECT_EQ(resp.status, "200 OK");
              EXPECT_EQ(resp.body, "hello, world\n");
              EXPECT_EQ(resp.header.get("Content-Length"), "13");
              EXPECT_EQ(resp.header.get("Content-Type"), "text/plain; charset=utf-8");
              EXPECT_FALSE(resp.header.get("Date").empty());
            }),
            0);
}

TEST(HttpServer, KeepAliveCarriesPipelinedRequestsInOrder) {
  ASSERT_EQ(gort::run([] {
              TestServer s([](http::ResponseWriter& w, http::Request& r) { w.write("path=" + r.path()); });
              const std::string out =
                  send_raw(s.addr(),
                           "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /b HTTP/1.1\r\nHost: x\r\n\r\n"
                           "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
              EXPECT_EQ(count_of(out, "HTTP/1.1 200 OK\r\n"), 3) << out;
              const auto a = out.find("path=/a"), b = out.find("path=/b"), c = out.find("path=/c");
              EXPECT_TRUE(a != std::string::npos && a < b && b < c && c != std::string::npos) << out;
              EXPECT_EQ(count_of(out, "Connection: close"), 1) << out;
            }),
            0);
}

TEST(HttpServer, ChunkedRequestBodyIsDecodedAndALongResponseIsChunked) {
  ASSERT_EQ(gort::run([] {
              TestServer s([](http::ResponseWriter& w, http::Request& r) {
                if (r.path() == "/echo") {
                  w.write("got " + r.body);
                } else {
                  for (int i = 0; i < 100; ++i) w.write(std::string(100, char('a' + i % 26)));
                }
              });
              const std::string out = send_raw(s.addr(),
                                               "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                               "Connection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
              EXPECT_NE(out.find("\r\n\r\ngot hello world"), std::string::npos) << out;
              const std::string big = send_raw(s.addr(), "GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
              EXPECT_NE(big.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << big.substr(0, 300);
              EXPECT_EQ(big.find("Content-Length"), std::string::npos);
              EXPECT_TRUE(big.ends_with("0\r\n\r\n"));
              http::Response resp = http::get(s.url("/big"));
              ASSERT_EQ(resp.body.size(), 10'000u);
              EXPECT_EQ(resp.body.substr(0, 3), "aaa");
              EXPECT_EQ(resp.body.substr(9'900, 3), "vvv");
            }),
            0);
}

TEST(HttpServer, HeadGetsHeadersOnlyAndHttp10ClientsGetAClosedConnection) {
  ASSERT_EQ(gort::run([] {
              TestServer s([](http::ResponseWriter& w, http::Request& r) { w.write("twelve bytes"); });
              const std::string head = send_raw(s.addr(), "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
              EXPECT_NE(head.find("Content-Length: 12\r\n"), std::string::npos) << head;
              EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
              const std::string old = send_raw(s.addr(), "GET / HTTP/1.0\r\n\r\n");
              EXPECT_TRUE(old.starts_with("HTTP/1.0 200 OK\r\n")) << old;
              EXPECT_TRUE(old.ends_with("twelve bytes")) << old;
              EXPECT_NE(old.find("Connection: close"), std::string::npos) << old;
            }),
            0);
}

TEST(HttpServer, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
  ASSERT_EQ(gort::run([] {
              TestServer s([](http::ResponseWriter& w, http::Request& r) { w.write("body=" + r.body); });
              auto c = gort::net::dial("tcp", s.addr());
              c.set_read_deadline(std::chrono::system_clock::now() + 30s);
              c.write(std::string_view(
                  "PUT /u HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"));
              char b[256];
              const std::size_t n = c.read(b);
              EXPECT_EQ(std::string(b, n), "HTTP/1.1 100 Continue\r\n\r\n");
              c.write(std::string_view("data"));
              std::string rest;
              while (std::size_t k = c.read(b)) rest.append(b, k);
              EXPECT_TRUE(rest.starts_with("HTTP/1.1 200 OK\r\n")) << rest;
              EXPECT_TRUE(rest.ends_with("body=data")) << rest;
            }),
            0);
}

TEST(HttpServer, MalformedOversizedHeadersAndBodiesGet400And431And413) {
  ASSERT_EQ(gort::run([] {
              int calls = 0;
              TestServer s([&](http::ResponseWriter& w, http::Request&) { ++calls; },
                           [](http::Server& srv) {
                             srv.max_header_bytes = 4096;
                             srv.max_body_bytes = 1000;
                           });
              std::string out = send_raw(s.addr(), "GARBAGE\r\n\r\n");
              EXPECT_TRUE(out.starts_with("HTTP/1.1 400 Bad Request\r\n")) << out;
              out = send_raw(s.addr(), "GET nowhere HTTP/1.1\r\nHost: x\r\n\r\n");  // not a request URI
              EXPECT_TRUE(out.starts_with("HTTP/1.1 400 Bad Request\r\n")) << out;
              out = send_raw(s.addr(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8000, 'a') + "\r\n\r\n");
              EXPECT_TRUE(out.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n")) << out.substr(0, 100);
              out = send_raw(s.addr(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
                                           std::string(5000, 'b'));
              EXPECT_TRUE(out.starts_with("HTTP/1.1 413 Request Entity Too Large\r\n")) << out.substr(0, 100);
              EXPECT_EQ(calls, 0);
            }),
            0);
}

TEST(HttpServer, ASlowClientIsCutOffByTheHeaderTimeout) {
  ASSERT_EQ(gort::run([] {
              TestServer s([](http::ResponseWriter& w, http::Request&) { w.write("never"); },
                           [](http::Server& srv) { srv.read_header_timeout = 50ms; });
              auto c = gort::net::dial("tcp", s.addr());
              c.set_read_deadline(std::chrono::system_clock::now() + 30s);
              c.write(std::string_view("GET / HTTP/1.1\r\nHost: x\r\n"));  // and never the blank line
              char b[256];
              std::size_t n = 1;
              try {
                n = c.read(b);
              } catch (const gort::net::Error& e) {
                ADD_FAILURE() << "the server kept the connection: " << e.what();
              }
              EXPECT_EQ(n, 0u) << "the server answered a request it never got";
            }),
            0);
}

TEST(HttpServer, AThrowingHandlerIsLoggedAsGoLogsAPanicAndOthersAreStillServed) {
  testing::internal::CaptureStderr();
  ASSERT_EQ(gort::run([] {
              TestServer s([](http::ResponseWriter& w, http::Request& r) {
                if (r.path() == "/boom") throw std::runtime_error("boom");
                w.write("fine");
              });
              const std::string out = send_raw(s.addr(), "GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
              EXPECT_EQ(out, "") << "the connection is closed without a response, as Go's";
              EXPECT_EQ(http::get(s.url("/ok")).body, "fine");
            }),
            0);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("http: panic serving 127.0.0.1:"), std::string::npos) << err;
  EXPECT_NE(err.find(": boom\ngoroutine "), std::string::npos) << err;
  EXPECT_NE(err.find("[running]:\n"), std::string::npos) << err;
}

TEST(HttpServer, TheRequestContextEndsWhenTheClientGoes) {
  ASSERT_EQ(gort::run([] {
              auto seen = gort::make_chan<bool>(1);
              TestServer s([&](http::ResponseWriter&, http::Request& r) {
                bool cancelled = false;
                gort::select(gort::on_recv(r.ctx.done(), [&] { cancelled = true; }),
                             gort::on_recv(gort::after(30s)));
                seen.send(cancelled);
              });
              {
                auto c = gort::net::dial("tcp", s.addr());
                c.write(std::string_view("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n"));
                c.close();
              }
              EXPECT_TRUE(seen.recv()) << "the handler waited out its 30 s instead";
            }),
            0);
}

TEST(HttpServer, ShutdownWaitsForInFlightRequestsAndItsDeadlineCancelsThem) {
  ASSERT_EQ(gort::run([] {
              auto release = gort::make_chan<int>(0);
              auto entered = gort::make_chan<int>(1);
              http::Server srv([&](http::ResponseWriter& w, http::Request& r) {
                entered.send(1);
                gort::select(gort::on_recv(release), gort::on_recv(r.ctx.done()));
                w.write("done");
              });
              auto ln = gort::net::listen("tcp", "127.0.0.1:0");
              const std::string addr = ln.addr();
              auto served = gort::make_chan<int>(1);
              gort::go([&] {
                srv.serve(ln);
                served.send(1);
              });
              auto got = gort::make_chan<std::string>(1);
              gort::go([&] { got.send(send_raw(addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")); });
              entered.recv();
              auto shut = gort::make_chan<int>(1);
              gort::go([&] {
                srv.shutdown(gort::background());
                shut.send(1);
              });
              // Shutdown has begun once the listener refuses connections (it sets
              // shutting_down and closes the listeners under one lock): only then is
              // the in-flight response due to say "Connection: close".  A probe that
              // still got in is closed at once, so shutdown does not wait for it.
              EXPECT_TRUE(gort::test::eventually([&] {
                try {
                  gort::net::dial("tcp", addr).close();
                  return false;
                } catch (const gort::net::Error&) {
                  return true;
                }
              }));
              // The request is in flight: neither shutdown nor serve may return yet.
              bool early = false;
              gort::select(gort::on_recv(shut, [&] { early = true; }), gort::on_recv(gort::after(20ms)));
              EXPECT_FALSE(early);
              release.send(1);
              shut.recv();
              served.recv();
              const std::string out = got.recv();
              EXPECT_TRUE(out.ends_with("done")) << out;
              EXPECT_NE(out.find("Connection: close"), std::string::npos) << out;
              EXPECT_THROW(gort::net::dial("tcp", addr), gort::net::Error) << "the listener is closed";
            }),
            0);
  ASSERT_EQ(gort::run([] {
              auto entered = gort::make_chan<int>(1);
              auto handler_saw = gort::make_chan<bool>(1);
              http::Server srv([&](http::ResponseWriter&, http::Request& r) {
                entered.send(1);
                bool cancelled = false;
                gort::select(gort::on_recv(r.ctx.done(), [&] { cancelled = true; }), gort::on_recv(gort::after(30s)));
                handler_saw.send(cancelled);
              });
              auto ln = gort::net::listen("tcp", "127.0.0.1:0");
              const std::string addr = ln.addr();
              gort::WaitGroup wg;
              wg.add(2);
              gort::go([&] {
                srv.serve(ln);
                wg.done();
              });
              gort::go([&] {
                send_raw(addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                wg.done();
              });
              entered.recv();
              auto [ctx, cancel] = gort::with_timeout(gort::background(), 20ms);
              bool deadline = false;
              try {
                srv.shutdown(ctx);
              } catch (const gort::DeadlineExceeded&) {
                deadline = true;
              }
              EXPECT_TRUE(deadline);
              EXPECT_TRUE(handler_saw.recv()) << "the request's context was not cancelled";
              cancel();
              wg.wait();
            }),
            0);
}

TEST(HttpServeMux, ExactSubtreeLongestRedirectsAndNotFoundAsGo119) {
  ASSERT_EQ(gort::run([] {
              http::ServeMux mux;
              auto tag = [](std::string t) {
                return [t](http::ResponseWriter& w, http::Request&) { w.write(t); };
              };
              mux.handle_func("/", tag("root"));
              mux.handle_func("/a", tag("a"));
              mux.handle_func("/tree/", tag("tree"));
              mux.handle_func("/tree/deep/", tag("deep"));
              EXPECT_THROW(mux.handle_func("/a", tag("again")), std::invalid_argument);
              EXPECT_THROW(mux.handle_func("", tag("empty")), std::invalid_argument);
              http::ServeMux only;
              only.handle_func("/only", tag("only"));
              TestServer s(mux);
              TestServer t(only);
              EXPECT_EQ(http::get(s.url("/a")).body, "a");
              EXPECT_EQ(http::get(s.url("/a/b")).body, "root");
              EXPECT_EQ(http::get(s.url("/tree/x")).body, "tree");
              EXPECT_EQ(http::get(s.url("/tree/deep/x")).body, "deep");
              EXPECT_EQ(http::get(s.url("/nothing")).body, "root");
              http::Response r = http::get(s.url("/tree?q=1"));
              EXPECT_EQ(r.status_code, 301);
              EXPECT_EQ(r.header.get("Location"), "/tree/?q=1");
              r = http::get(s.url("/x/../a"));
              EXPECT_EQ(r.status_code, 301);
              EXPECT_EQ(r.header.get("Location"), "/a");
              r = http::get(t.url("/missing"));
              EXPECT_EQ(r.status_code, 404);
              EXPECT_EQ(r.body, "404 page not found\n");
              EXPECT_EQ(r.header.get("X-Content-Type-Options"), "nosniff");
            }),
            0);
}

}  // namespace

namespace {

/// go tool pprof ARGS URL from a goroutine: the wait is a blocking call, so the
/// server keeps its P meanwhile.
std::string pprof_of(const std::vector<std::string>& args, const std::string& url) {
  return gort::blocking([&] { return gort::test::go_tool_pprof(args, url); });
}

TEST(HttpPprof, GoToolPprofReadsEveryProfileFromARunningServer) {
  ASSERT_EQ(gort::run([] {
              http::ServeMux mux;
              mux.handle_func("/debug/pprof/", http::pprof_handler());
              TestServer s(mux);
              const std::string base = s.url("/debug/pprof/");
              http::Response index = http::get(base);
              EXPECT_EQ(index.status_code, 200);
              for (const char* name : {"allocs", "block", "goroutine", "heap", "mutex", "threadcreate"}) {
                EXPECT_NE(index.body.find(std::string("<a href='") + name + "?debug=1'>"), std::string::npos)
                    << name << "\n" << index.body;
              }
              const std::string heap = pprof_of({"-top", "-sample_index=inuse_space"}, base + "heap?gc=1");
              EXPECT_NE(heap.find("Type: inuse_space"), std::string::npos) << heap;
              const std::string goroutines = pprof_of({"-top"}, base + "goroutine");
              EXPECT_NE(goroutines.find("Type: goroutine"), std::string::npos) << goroutines;
              EXPECT_NE(goroutines.find("gort::http"), std::string::npos) << "the server's goroutines\n" << goroutines;
              const std::string cpu = pprof_of({"-top"}, base + "profile?seconds=1");
              EXPECT_NE(cpu.find("Type: cpu"), std::string::npos) << cpu;
              http::Response text = http::get(base + "goroutine?debug=1");
              EXPECT_TRUE(text.body.starts_with("goroutine profile: total ")) << text.body.substr(0, 200);
              EXPECT_EQ(text.header.get("Content-Type"), "text/plain; charset=utf-8");
              http::Response trace = http::get(base + "trace?seconds=1");
              EXPECT_EQ(trace.status_code, 200);
              EXPECT_TRUE(trace.body.starts_with(std::string_view("gort trace\0\0", 12))) << trace.body.substr(0, 20);
              EXPECT_EQ(http::get(base + "nosuch").status_code, 404);
              EXPECT_EQ(http::get(base + "heap?debug=x").status_code, 400);
              EXPECT_EQ(http::get(base + "cmdline").body.find("gort_http_tests") != std::string::npos, true);
            }),
            0);
}

}  // namespace

namespace {

TEST(HttpClient, GetKeepsItsConnectionAndRetriesOneTheServerClosed) {
  ASSERT_EQ(gort::run([] {
              auto peers = std::make_shared<std::vector<std::string>>();
              {
                TestServer a([peers](http::ResponseWriter& w, http::Request& r) {
                  peers->push_back(r.remote_addr);
                  w.write("a");
                });
                EXPECT_EQ(http::get(a.url("/1")).body, "a");
                EXPECT_EQ(http::get(a.url("/2")).body, "a");
                ASSERT_EQ(peers->size(), 2u);
                EXPECT_EQ((*peers)[0], (*peers)[1]) << "the second request came on a new connection";
              }
              // A server that answers a connection's first request as keep-alive and then
              // closes it: the client keeps that connection, finds it closed on the next
              // request and sends the request again on a new one.
              auto ln = gort::net::listen("tcp", "127.0.0.1:0");
              const std::string addr = ln.addr();
              gort::WaitGroup wg;
              wg.add(1);
              gort::go([&] {
                for (const char* body : {"first", "second"}) {
                  gort::net::Conn c = ln.accept();
                  std::string got;
                  char b[1024];
                  while (got.find("\r\n\r\n") == std::string::npos) {
                    const std::size_t n = c.read(b);
                    if (n == 0) break;
                    got.append(b, n);
                  }
                  c.write(std::string("HTTP/1.1 200 OK\r\nContent-Length: ") + std::to_string(std::strlen(body)) +
                          "\r\n\r\n" + body);
                  c.close();
                }
                wg.done();
              });
              EXPECT_EQ(http::get("http://" + addr + "/1").body, "first");
              EXPECT_EQ(http::get("http://" + addr + "/2").body, "second");
              wg.wait();
            }),
            0);
}

TEST(HttpClient, BadUrlsAreRejected) {
  ASSERT_EQ(gort::run([] {
              EXPECT_THROW(http::get("https://127.0.0.1/"), std::invalid_argument);
              EXPECT_THROW(http::get("http:///x"), std::invalid_argument);
              EXPECT_THROW(http::get("http://127.0.0.1:1/"), gort::net::Error);
            }),
            0);
}

}  // namespace

namespace {

// 10,000 keep-alive connections open at once, each carrying two requests: the
// clients are a child process (gort_testprog HttpManyClients), which sends
// the second request on each only after the first was answered on all, so
// this server holds every connection at once (both ends in one process would
// need 20,000 descriptors, this machine's hard limit).
TEST(HttpServer, TenThousandKeepAliveConnectionsAtOnce) {
  const int conns = gort::test::tsan_capped(gort::test::scaled(10000));  // a thousand under TSAN
  ASSERT_EQ(gort::run([conns] {
              std::atomic<int> requests{0};
              TestServer s([&](http::ResponseWriter& w, http::Request& r) {
                requests.fetch_add(1);
                w.write(r.path().substr(1));
              });
              const gort::test::ProcessResult r = gort::blocking([&] {
                return gort::test::run_testprog("HttpManyClients", {"GORT_NET_ADDR=" + s.addr(),
                                                                     "GORT_NET_CONNS=" + std::to_string(conns)});
              });
              EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
              EXPECT_EQ(r.out, "answered twice " + std::to_string(conns) + "\n") << r.err;
              EXPECT_EQ(requests.load(), 2 * conns);
            }),
            0);
}

}  // namespace
