// service.cpp — POST /order: decode, price, encode (see service.hpp).
#include "service.hpp"

#include <fmt/format.h>
#include <gort/gc.hpp>
#include <gort/pool.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iterator>
#include <mutex>
#include <ostream>
#include <streambuf>
#include <thread>

namespace pool_lab {

namespace gc = gort::gc;

const char* variant_name(Variant v) {
  switch (v) {
    case Variant::kBaseline: return "baseline";
    case Variant::kPooled: return "pooled";
    case Variant::kMisuseAssert: return "misuse-assert";
    case Variant::kMisuseRace: return "misuse-race";
  }
  return "?";
}

namespace {

/// Line items per order: enough fields that decoding is the bulk of the
/// allocations, as in a real order service.
constexpr int kItemsPerOrder = 8;

/// The direct encoder's stack buffer: an order's response (about 480 bytes
/// for eight items) fits, so it costs no C++ allocation.
constexpr std::size_t kDirectBufferBytes = 1024;

/// bytes.Buffer's first allocation (smallBufferSize in Go's bytes/buffer.go).
constexpr std::size_t kSmallBufferSize = 64;

/// A managed, growable byte buffer: Go's bytes.Buffer (its growth rule too).
class ByteBuffer {
 public:
  /// Appends n bytes, growing as bytes.Buffer does (to 2*cap + n, at least 64).
  void write(const char* p, std::size_t n) {
    const std::size_t len = buf_.len();
    if (len + n > buf_.cap()) {
      std::size_t cap = std::max(2 * buf_.cap() + n, kSmallBufferSize);
      gc::Slice<char> grown = gc::make_slice<char>(len, cap);
      if (len > 0) std::memcpy(grown.data(), buf_.data(), len);
      buf_ = grown;
    }
    std::memcpy(buf_.data() + len, p, n);
    buf_ = buf_.slice(0, len + n);
  }
  /// Empties the buffer, keeping its array (bytes.Buffer.Reset).
  void reset() { buf_ = buf_.slice(0, 0); }
  std::size_t len() const { return buf_.len(); }
  std::size_t cap() const { return buf_.cap(); }
  std::string_view view() const { return {buf_.data(), buf_.len()}; }
  void trace(gc::Tracer& t) const { t.visit(buf_); }

 private:
  gc::Slice<char> buf_;
};

/// A std::streambuf that appends to a ByteBuffer, so nlohmann's operator<<
/// encodes straight into managed memory (json.NewEncoder(&buf) in Go).
class ByteBufferSink : public std::streambuf {
 public:
  explicit ByteBufferSink(ByteBuffer* b) : b_(b) {}

 protected:
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) {
      const char ch = traits_type::to_char_type(c);
      b_->write(&ch, 1);
    }
    return traits_type::not_eof(c);
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    b_->write(s, static_cast<std::size_t>(n));
    return n;
  }

 private:
  ByteBuffer* b_;
};

/// One decoded line item (Go: struct{SKU, Name string; Qty int; Price float64}).
struct Item {
  gc::String sku;
  gc::String name;
  int64_t qty = 0;
  double price = 0;
  void trace(gc::Tracer& t) const {
    t.visit(sku);
    t.visit(name);
  }
};

/// One decoded order (Go: struct{ID int; Customer, Currency, Note string; Items []Item}).
struct Order {
  int64_t id = 0;
  gc::String customer;
  gc::String currency;
  gc::String note;
  gc::Slice<Item> items;
  void trace(gc::Tracer& t) const {
    t.visit(customer);
    t.visit(currency);
    t.visit(note);
    t.visit(items);
  }
};

/// The text of field `key` of object j ("" when absent or not a string).
std::string_view string_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

/// Decodes a parsed order into managed objects (json.Unmarshal into Order).
gc::Ref<Order> decode_order(const nlohmann::json& j) {
  gc::Ref<Order> o = gc::make<Order>();
  o->id = j.value("id", int64_t{0});
  o->customer = gc::String(string_field(j, "customer"));
  o->currency = gc::String(string_field(j, "currency"));
  o->note = gc::String(string_field(j, "note"));
  auto items = j.find("items");
  if (items != j.end() && items->is_array()) {
    for (const nlohmann::json& e : *items) {
      Item it;
      it.sku = gc::String(string_field(e, "sku"));
      it.name = gc::String(string_field(e, "name"));
      it.qty = e.value("qty", int64_t{0});
      it.price = e.value("price", 0.0);
      o->items = gc::append(o->items, it);
    }
  }
  return o;
}

/// The "little work": prices the order and builds the response document.
nlohmann::json price_order(const Order& o) {
  nlohmann::json lines = nlohmann::json::array();
  double total = 0;
  int64_t units = 0;
  for (const Item& it : o.items) {
    const double amount = static_cast<double>(it.qty) * it.price;
    total += amount;
    units += it.qty;
    lines.push_back({{"sku", it.sku.view()}, {"qty", it.qty}, {"amount", amount}});
  }
  return {{"id", o.id},
          {"customer", o.customer.view()},
          {"currency", o.currency.view()},
          {"units", units},
          {"total", total},
          {"lines", std::move(lines)},
          {"status", "accepted"}};
}

/// Encodes doc into b.
void encode_into(const nlohmann::json& doc, ByteBuffer* b) {
  ByteBufferSink sink(b);
  std::ostream os(&sink);
  os << doc;
}

/// Appends s to out as a JSON string, escaped as nlohmann's dump escapes it
/// (quote, backslash, the short escapes, other control bytes as \u00XX; UTF-8
/// passed through).
void append_json_string(fmt::basic_memory_buffer<char, kDirectBufferBytes>& out, std::string_view s) {
  out.push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"': out.append(std::string_view("\\\"")); break;
      case '\\': out.append(std::string_view("\\\\")); break;
      case '\b': out.append(std::string_view("\\b")); break;
      case '\f': out.append(std::string_view("\\f")); break;
      case '\n': out.append(std::string_view("\\n")); break;
      case '\r': out.append(std::string_view("\\r")); break;
      case '\t': out.append(std::string_view("\\t")); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

/// Appends v as nlohmann's dump prints a double: the shortest text that reads
/// back as v, with ".0" after an integral value.
void append_json_number(fmt::basic_memory_buffer<char, kDirectBufferBytes>& out, double v) {
  const std::size_t from = out.size();
  fmt::format_to(std::back_inserter(out), "{}", v);
  const std::string_view text(out.data() + from, out.size() - from);
  if (text.find_first_of(".eEn") == std::string_view::npos) out.append(std::string_view(".0"));
}

/// The fix: prices o and writes the response straight into b — the bytes
/// price_order + encode_into produce (nlohmann's objects keep their keys
/// sorted, so the keys go in sorted order here) without building a document
/// or going through std::ostream, in one write.
void price_and_encode_direct(const Order& o, ByteBuffer* b) {
  fmt::basic_memory_buffer<char, kDirectBufferBytes> out;
  auto it = std::back_inserter(out);
  double total = 0;
  int64_t units = 0;
  out.append(std::string_view(R"({"currency":)"));
  append_json_string(out, o.currency.view());
  out.append(std::string_view(R"(,"customer":)"));
  append_json_string(out, o.customer.view());
  fmt::format_to(it, R"(,"id":{},"lines":[)", o.id);
  bool first = true;
  for (const Item& item : o.items) {
    const double amount = static_cast<double>(item.qty) * item.price;
    total += amount;
    units += item.qty;
    out.append(std::string_view(first ? R"({"amount":)" : R"(,{"amount":)"));
    first = false;
    append_json_number(out, amount);
    fmt::format_to(it, R"(,"qty":{},"sku":)", item.qty);
    append_json_string(out, item.sku.view());
    out.push_back('}');
  }
  out.append(std::string_view(R"(],"status":"accepted","total":)"));
  append_json_number(out, total);
  fmt::format_to(it, R"(,"units":{}}})", units);
  b->write(out.data(), out.size());
}

/// The process's buffer pool (a package-level sync.Pool in Go).  Created on
/// first use inside gort::run and never destroyed: its Roots must not be
/// released after the runtime has stopped.
gort::Pool<gc::Root<ByteBuffer>>& buffer_pool() {
  static auto* pool = new gort::Pool<gc::Root<ByteBuffer>>([] { return gc::Root<ByteBuffer>(gc::make<ByteBuffer>()); });
  return *pool;
}

/// The deliberately inserted assertion: a buffer handed out by the pool must
/// be empty.  A dirty one means some Put skipped Reset; the process stops
/// with kAssertionExitCode and a message naming what it found.
void assert_clean(const ByteBuffer& b) {
  if (b.len() == 0) return;
  std::string head(b.view().substr(0, 40));
  std::fprintf(stderr,
               "pool-the-hot-path: assertion failed: a buffer from the pool holds %zu bytes of an earlier "
               "response (\"%s...\"): Put without Reset\n",
               b.len(), head.c_str());
  std::fflush(stderr);
  std::_Exit(kAssertionExitCode);
}

/// The access logger of the misuse-race variant: a C++ thread that reads each
/// buffer handed to it, after the handler has already put that buffer back.
class AccessLogger {
 public:
  /// Hands b to the logger thread, starting it on first use.
  void log(gc::Root<ByteBuffer> b) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    queue_.push_back(std::move(b));
    cv_.notify_one();
  }
  /// Stops and joins the thread.
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      cv_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
    queue_.clear();
  }

 private:
  /// How long the logger keeps reading one buffer: it reads, as a slow log
  /// writer would, until the bytes change under it or this bound passes.
  static constexpr std::chrono::milliseconds kReadWindow{50};

  void loop() {
    for (;;) {
      gc::Root<ByteBuffer> b;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        b = std::move(queue_.front());
        queue_.pop_front();
      }
      const std::size_t first_len = b->len();
      const auto until = std::chrono::steady_clock::now() + kReadWindow;
      uint64_t checksum = 0;
      while (std::chrono::steady_clock::now() < until) {
        for (char c : b->view()) checksum = checksum * 31 + static_cast<unsigned char>(c);
        if (b->len() != first_len) break;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      sink_ += checksum;
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<gc::Root<ByteBuffer>> queue_;
  bool stopping_ = false;
  std::thread thread_;
  /// Keeps the checksum observable so the reads are not optimised away.
  std::atomic<uint64_t> sink_{0};
};

AccessLogger& access_logger() {
  static auto* logger = new AccessLogger;
  return *logger;
}

/// Sends b as the response body with its Content-Length (so the client never
/// sees a chunked body, however large a misused buffer grows).
void write_body(gort::http::ResponseWriter& w, std::string_view b) {
  w.set_header("Content-Length", std::to_string(b.size()));
  w.write(b);
}

/// Handles one request with variant v.
void handle_order(Variant v, Encoding e, ServiceCounters* counters, gort::http::ResponseWriter& w,
                  gort::http::Request& r) {
  const nlohmann::json in = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (in.is_discarded() || !in.is_object()) {
    counters->rejected.fetch_add(1, std::memory_order_relaxed);
    gort::http::error(w, "invalid order", 400);
    return;
  }
  gc::Ref<Order> order = decode_order(in);
  w.set_header("Content-Type", "application/json");
  const auto encode = [&](ByteBuffer* b) {
    if (e == Encoding::kDirect) {
      price_and_encode_direct(*order, b);
    } else {
      encode_into(price_order(*order), b);
    }
  };
  if (v == Variant::kBaseline) {
    gc::Ref<ByteBuffer> b = gc::make<ByteBuffer>();
    encode(b.get());
    write_body(w, b->view());
  } else {
    gort::Pool<gc::Root<ByteBuffer>>& pool = buffer_pool();
    gc::Root<ByteBuffer> b = pool.get_or_new();
    if (v != Variant::kMisuseRace) assert_clean(*b);  // race: leave the catch to TSAN
    encode(b.get());
    write_body(w, b->view());
    if (v == Variant::kPooled) b->reset();  // the misuses skip this line
    if (v == Variant::kMisuseRace) {
      gc::Root<ByteBuffer> kept = b;  // the bug: a reference survives the Put
      pool.put(std::move(b));
      access_logger().log(std::move(kept));
    } else {
      pool.put(std::move(b));
    }
  }
  counters->served.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

std::string order_body(int64_t id) {
  std::string s = fmt::format(R"({{"id":{},"customer":"customer-{:04}","currency":"EUR","items":[)", id, id % 10000);
  for (int i = 0; i < kItemsPerOrder; ++i) {
    s += fmt::format(R"({}{{"sku":"sku-{:05}","name":"widget model {}","qty":{},"price":{}.25}})", i == 0 ? "" : ",",
                     (id * 7 + i) % 100000, i, 1 + (id + i) % 5, 2 + i);
  }
  s += R"(],"note":"leave at the door, ring twice"})";
  return s;
}

void install_service(gort::http::ServeMux& mux, Variant v, ServiceCounters* counters, Encoding e) {
  mux.handle_func("/order", [v, e, counters](gort::http::ResponseWriter& w, gort::http::Request& r) {
    handle_order(v, e, counters, w, r);
  });
}

std::string response_for(std::string_view body, Encoding e) {
  const nlohmann::json in = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (in.is_discarded() || !in.is_object()) return {};
  gc::Ref<Order> order = decode_order(in);
  gc::Ref<ByteBuffer> b = gc::make<ByteBuffer>();
  if (e == Encoding::kDirect) {
    price_and_encode_direct(*order, b.get());
  } else {
    encode_into(price_order(*order), b.get());
  }
  return std::string(b->view());
}

void stop_access_logger() { access_logger().stop(); }

}  // namespace pool_lab
