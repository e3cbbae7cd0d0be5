// trace_viewer_reader_test.cpp — the trace file reader: a round trip through
// the test builder, and every class of malformed input rejected with a
// TraceError at the right byte offset.
#include "trace_builder.hpp"

#include "reader.hpp"

#include <gtest/gtest.h>

#include <string>

namespace gort::viewer {
namespace {

using test::TraceBuilder;
using E = tf::Ev;

void put(std::vector<uint8_t>& out, uint64_t v) {
  uint8_t buf[tf::kMaxUvarintBytes];
  out.insert(out.end(), buf, tf::put_uvarint(buf, v));
}

std::vector<uint8_t> header(uint32_t version = tf::kVersion) {
  std::vector<uint8_t> out(tf::kMagic.begin(), tf::kMagic.end());
  for (int i = 0; i < 4; i++) out.push_back(uint8_t(version >> (8 * i)));
  return out;
}

/// Appends a batch with raw event bytes.
void batch(std::vector<uint8_t>& out, uint64_t thread, uint64_t base, const std::vector<uint8_t>& events) {
  out.push_back(tf::kBatchTag);
  put(out, thread);
  put(out, base);
  put(out, events.size());
  out.insert(out.end(), events.begin(), events.end());
}

void trailer(std::vector<uint8_t>& out, uint64_t batches, uint64_t end_ns) {
  out.push_back(tf::kTrailerTag);
  put(out, batches);
  put(out, end_ns);
}

/// Expects parse to fail at `offset` with a message containing `what`.
void expect_error(const std::vector<uint8_t>& bytes, uint64_t offset, const std::string& what) {
  try {
    Trace::parse(bytes);
    ADD_FAILURE() << "parsed; expected an error containing \"" << what << "\"";
  } catch (const TraceError& e) {
    EXPECT_TRUE(e.has_offset()) << e.what();
    EXPECT_EQ(e.offset(), offset) << e.what();
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << "message: " << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("offset " + std::to_string(offset) + ": ", 0), 0u) << e.what();
  }
}

TEST(TraceViewerReader, RoundTrip) {
  TraceBuilder b;
  const uint64_t s = b.site(0x401000, "main::{lambda()#1}", "labs/x.cpp", 57);
  const uint64_t two = b.stack({0x401000, 0x402000});
  b.ev(1, 10, E::ThreadName, {b.str("worker-1")});
  b.gomaxprocs(1, 10, 4);
  const size_t create = b.ev(1, 20, E::GoCreate, {7, s, two});
  b.cut(1);
  b.ev(1, 5000, E::UserLog, {3, b.str("cat")}, std::string("hello\0world", 11));
  b.ev(2, 30, E::HeapAlloc, {uint64_t(1) << 40});
  auto bytes = b.bytes(6000);

  Trace t = Trace::parse(bytes);
  EXPECT_EQ(t.version(), 1u);
  EXPECT_EQ(t.end_ns(), 6000);
  EXPECT_EQ(t.file_size(), bytes.size());
  ASSERT_EQ(t.batches().size(), 4u);  // definitions, thread 1 twice, thread 2
  ASSERT_EQ(t.threads().size(), 3u);
  EXPECT_EQ(t.threads().at(1).size(), 2u);
  EXPECT_EQ(t.string(b.str("labs/x.cpp")), "labs/x.cpp");
  EXPECT_EQ(t.string(0), "");
  ASSERT_EQ(t.stack(two).size(), 2u);
  EXPECT_EQ(t.stack(two)[1], 0x402000u);
  ASSERT_NE(t.frame(0x401000), nullptr);
  EXPECT_EQ(t.string(t.frame(0x401000)->func), "main::{lambda()#1}");
  EXPECT_EQ(t.frame(0x401000)->line, 57u);
  EXPECT_EQ(t.frame(0x999), nullptr);
  EXPECT_EQ(t.thread_name(1), "worker-1");
  EXPECT_EQ(t.count(E::GoCreate), 1u);
  EXPECT_EQ(t.count(E::String), 4u);

  Trace::Cursor c = t.cursor(1);
  RawEvent ev;
  std::vector<E> types;
  std::vector<int64_t> times;
  while (c.next(ev)) {
    types.push_back(ev.type);
    times.push_back(ev.time);
    if (ev.type == E::GoCreate) {
      EXPECT_EQ(ev.args[0], 7u);
      EXPECT_EQ(ev.args[1], s);
      EXPECT_EQ(ev.args[2], two);
      EXPECT_EQ(ev.offset, b.offset_of(create));
    }
    if (ev.type == E::UserLog) {
      EXPECT_EQ(ev.args[0], 3u);
      EXPECT_EQ(ev.bytes, std::string_view("hello\0world", 11));
    }
  }
  EXPECT_EQ(types, (std::vector<E>{E::ThreadName, E::GoMaxProcs, E::GoCreate, E::UserLog}));
  EXPECT_EQ(times, (std::vector<int64_t>{10, 10, 20, 5000}));
  Trace::Cursor c2 = t.cursor(2);
  ASSERT_TRUE(c2.next(ev));
  EXPECT_EQ(ev.args[0], uint64_t(1) << 40);
  EXPECT_FALSE(c2.next(ev));
  Trace::Cursor none = t.cursor(99);
  EXPECT_FALSE(none.next(ev));
}

TEST(TraceViewerReader, DefinitionsMayFollowTheirUse) {
  TraceBuilder b;
  b.defs_last(true);
  b.go_block(1, 5, "chan receive", b.site(0x10, "f", "f.cpp", 1));
  Trace t = Trace::parse(b.bytes(100));
  EXPECT_EQ(t.count(E::GoBlock), 1u);
}

TEST(TraceViewerReader, EmptyTraceIsValid) {
  auto bytes = header();
  trailer(bytes, 0, 0);
  Trace t = Trace::parse(bytes);
  EXPECT_EQ(t.event_count(), 0u);
  EXPECT_EQ(t.end_ns(), 0);
}

TEST(TraceViewerReader, RejectsTruncatedHeader) {
  auto bytes = header();
  bytes.resize(7);
  expect_error(bytes, 0, "truncated header: expected 16 bytes, the file has 7");
  bytes = header();
  bytes.resize(14);
  expect_error(bytes, 0, "truncated header");
}

TEST(TraceViewerReader, RejectsForeignFiles) {
  std::string gif = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff";
  expect_error(std::vector<uint8_t>(gif.begin(), gif.end()), 0, "not a gort trace (expected \"gort trace\" magic)");
  expect_error({}, 0, "not a gort trace");
  std::string go = "go 1.22 trace\x00\x00\x00";
  expect_error(std::vector<uint8_t>(go.begin(), go.end()), 0, "not a gort trace");
}

TEST(TraceViewerReader, RejectsUnsupportedVersion) {
  auto bytes = header(7);
  trailer(bytes, 0, 0);
  expect_error(bytes, 12, "unsupported version 7 (this reader knows 1)");
}

TEST(TraceViewerReader, RejectsBatchLongerThanTheFile) {
  TraceBuilder b;
  b.go_create(1, 10, 1);
  b.go_create(1, 20, 2);
  b.go_create(2, 30, 3);
  auto bytes = b.bytes(100);
  const uint64_t second = b.batch_offset(1);  // thread 2's batch
  // Its header: tag, thread 2, base 30, length.
  const uint64_t events_at = second + 4;
  const uint64_t length = bytes[second + 3];
  bytes.resize(events_at + 2);
  expect_error(bytes, second, "truncated batch: expected " + std::to_string(length) +
                                  " bytes of events, file ends after 2");

  // A huge claimed length is an error, not an allocation.
  auto huge = header();
  huge.push_back(tf::kBatchTag);
  put(huge, 1);
  put(huge, 0);
  put(huge, uint64_t(1) << 62);
  expect_error(huge, 16, "truncated batch: expected 4611686018427387904 bytes of events, file ends after 0");
}

TEST(TraceViewerReader, RejectsTruncatedUvarints) {
  // Inside an event: GoStart's goroutine id runs past the end of its batch.
  auto bytes = header();
  batch(bytes, 1, 0, {uint8_t(E::GoStart), 0, 0x80});
  trailer(bytes, 1, 10);
  expect_error(bytes, 20, "event GoStart: truncated: the first argument runs past the end of its batch");
  // Inside a batch header, at the end of the file.
  bytes = header();
  bytes.push_back(tf::kBatchTag);
  bytes.push_back(0x81);
  expect_error(bytes, 16, "truncated batch header: the file ends inside its thread id");
  // Inside the end-of-trace record.
  bytes = header();
  bytes.push_back(tf::kTrailerTag);
  bytes.push_back(0);
  expect_error(bytes, 16, "truncated end-of-trace record: the file ends inside its end time");
}

TEST(TraceViewerReader, RejectsArgumentOverflow) {
  auto bytes = header();
  std::vector<uint8_t> ev{uint8_t(E::HeapAlloc), 0};
  for (int i = 0; i < 10; i++) ev.push_back(0xff);
  ev.push_back(0x01);
  batch(bytes, 1, 0, ev);
  trailer(bytes, 1, 10);
  expect_error(bytes, 20, "event HeapAlloc: argument overflow: the first argument is longer than 64 bits");
  // A value out of its field's range.
  TraceBuilder b;
  size_t h = b.ev(1, 0, E::ProcStart, {uint64_t(1) << 40});
  bytes = b.bytes(10);
  expect_error(bytes, b.offset_of(h), "argument overflow: P 1099511627776 is out of range");
  TraceBuilder b2;
  h = b2.ev(1, 0, E::GoStatus, {5, 9, 0, 0});
  bytes = b2.bytes(10);
  expect_error(bytes, b2.offset_of(h), "goroutine status 9");
  // Timestamps that do not fit.
  bytes = header();
  batch(bytes, 1, uint64_t(1) << 62, {uint8_t(E::GoMaxProcs), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 1});
  trailer(bytes, 1, 10);
  expect_error(bytes, 16 + 1 + 1 + 9 + 1, "timestamp overflow");
}

TEST(TraceViewerReader, RejectsUnknownEventType) {
  auto bytes = header();
  batch(bytes, 3, 100, {uint8_t(E::ProcStop), 5, 99, 0});
  trailer(bytes, 1, 1000);
  expect_error(bytes, 16 + 4 + 2, "unknown event type 99 (this reader knows 1..37)");
  bytes = header();
  batch(bytes, 3, 100, {0});
  trailer(bytes, 1, 1000);
  expect_error(bytes, 16 + 4, "unknown event type 0");
}

TEST(TraceViewerReader, RejectsMissingTrailer) {
  TraceBuilder b;
  b.go_create(1, 10, 1);
  b.go_create(2, 20, 2);
  auto bytes = b.bytes(100, /*trailer=*/false);
  expect_error(bytes, bytes.size(),
               "file ends without the end-of-trace record: the trace was cut short (last complete batch ends at "
               "offset " + std::to_string(bytes.size()) + ")");
  expect_error(header(), 16, "last complete batch ends at offset 16");
}

TEST(TraceViewerReader, RejectsUndefinedIds) {
  TraceBuilder b;
  size_t h = b.ev(1, 10, E::GoBlock, {42, 0});
  auto bytes = b.bytes(100);
  expect_error(bytes, b.offset_of(h), "event GoBlock: undefined string id 42");
  TraceBuilder b2;
  h = b2.ev(1, 10, E::GoCreate, {5, 0, 17});
  bytes = b2.bytes(100);
  expect_error(bytes, b2.offset_of(h), "event GoCreate: undefined stack id 17");
}

TEST(TraceViewerReader, RejectsEventsOutOfOrder) {
  // Thread 1's second batch starts before its first one ended.
  auto bytes = header();
  batch(bytes, 1, 100, {uint8_t(E::HeapAlloc), 50, 1});
  const uint64_t second = bytes.size();
  batch(bytes, 1, 120, {uint8_t(E::HeapAlloc), 0, 2});
  trailer(bytes, 2, 1000);
  expect_error(bytes, second,
               "event out of order: batch of thread 1 starts at 120 ns, before the previous batch of that thread "
               "ended (150 ns)");
}

TEST(TraceViewerReader, RejectsOtherStructuralDamage) {
  // Not a batch or trailer tag.
  auto bytes = header();
  bytes.push_back(0x42);
  expect_error(bytes, 16, "expected a batch (0xB1) or the end-of-trace record (0xE1), found byte 0x42");
  // Wrong batch count, trailing garbage.
  bytes = header();
  batch(bytes, 1, 0, {});
  trailer(bytes, 2, 10);
  expect_error(bytes, 16 + 4, "end-of-trace record says 2 batches, the file has 1");
  bytes = header();
  trailer(bytes, 0, 10);
  bytes.push_back(0);
  bytes.push_back(0);
  expect_error(bytes, 19, "2 unexpected bytes after the end-of-trace record");
  // An event after the end of the trace.
  TraceBuilder b;
  size_t h = b.ev(1, 500, E::HeapAlloc, {1});
  bytes = b.bytes(400);
  expect_error(bytes, b.offset_of(h), "event HeapAlloc at 500 ns is after the end of the trace (400 ns)");
  // A string or stack byte count beyond its batch.
  bytes = header();
  batch(bytes, 1, 0, {uint8_t(E::String), 0, 1, 100, 'a'});
  trailer(bytes, 1, 10);
  expect_error(bytes, 20, "event String: claims 100 bytes, only 1 remain in its batch");
  bytes = header();
  batch(bytes, 1, 0, {uint8_t(E::Stack), 0, 1, 100, 1});
  trailer(bytes, 1, 10);
  expect_error(bytes, 20, "event Stack: claims 100 pcs, only 1 bytes remain in its batch");
  // Conflicting definitions.
  bytes = header();
  batch(bytes, 1, 0, {uint8_t(E::String), 0, 1, 1, 'a', uint8_t(E::String), 0, 1, 1, 'b'});
  trailer(bytes, 1, 10);
  expect_error(bytes, 25, "string id 1 defined twice with different text");
}

TEST(TraceViewerReader, FileErrorsNameNoOffset) {
  for (auto [path, what] : {std::pair{"/nonexistent/trace", "cannot open"}, std::pair{"/", "it is a directory"}}) {
    try {
      Trace::read_file(path);
      ADD_FAILURE() << path;
    } catch (const TraceError& e) {
      EXPECT_FALSE(e.has_offset());
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  }
}

TEST(TraceViewerReader, EveryPrefixOfAValidTraceIsRejected) {
  for (const auto& [name, bytes] : test::seed_traces()) {
    for (size_t n = 0; n < bytes.size(); n++) {
      std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + n);
      EXPECT_THROW(Trace::parse(cut), TraceError) << name << " cut to " << n << " bytes";
    }
    EXPECT_NO_THROW(Trace::parse(bytes)) << name;
  }
}

}  // namespace
}  // namespace gort::viewer
