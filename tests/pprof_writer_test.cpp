// pprof_writer_test.cpp — the profile.proto writer and the goroutine and
// threadcreate profiles, read back by the real `go tool pprof` (-top,
// -traces, -raw; Go 1.19's, /usr/bin/go) and, for the encoder, decoded here
// field by field.
#include <gort/gort.hpp>

#include <gtest/gtest.h>
#include <zlib.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "profile_builder.hpp"
#include "protobuf.hpp"
#include "sched.hpp"
#include "test_util.hpp"

// Where the parked goroutines of the goroutine profile tests wait: outside the
// anonymous namespace, so the compiler makes no specialised clone of them.
/// Where the parked goroutines wait: inlined into pprof_test_park_here, so it
/// is a line of its own in the same location.
[[gnu::always_inline]] inline void pprof_test_inlined_wait(gort::Chan<int>& ch) { ch.recv(); }
const int g_inlined_wait_line = __LINE__ - 1;

[[gnu::noinline]] void pprof_test_park_here(gort::Chan<int>& ch) {
  pprof_test_inlined_wait(ch);
  asm volatile("");  // keeps the call from being a tail call
}
const int g_park_call_line = __LINE__ - 3;

/// Spins without a safe point until stop, so that only an asynchronous
/// preemption takes its P.
[[gnu::noinline]] void pprof_test_spin_here(const std::atomic<bool>& stop) {
  gort::AsyncPreemptible region;
  while (!stop.load(std::memory_order_relaxed)) {
  }
  asm volatile("");  // keeps the call from being a tail call
}

namespace {

namespace pd = gort::pprof::detail;

// ---- a minimal protobuf decoder: what the encoder is checked against ------------

struct Field {
  int tag;
  int wire;       // 0 varint, 2 length-delimited
  uint64_t v;     // varint value
  std::string b;  // bytes of a length-delimited field
};

uint64_t read_varint(const std::string& s, std::size_t* i) {
  uint64_t x = 0;
  for (int shift = 0; *i < s.size(); shift += 7) {
    const auto c = static_cast<unsigned char>(s[(*i)++]);
    x |= uint64_t(c & 0x7f) << shift;
    if ((c & 0x80) == 0) return x;
  }
  throw std::runtime_error("truncated varint");
}

std::vector<Field> decode(const std::string& s) {
  std::vector<Field> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const uint64_t key = read_varint(s, &i);
    Field f{static_cast<int>(key >> 3), static_cast<int>(key & 7), 0, {}};
    if (f.wire == 0) {
      f.v = read_varint(s, &i);
    } else if (f.wire == 2) {
      const uint64_t n = read_varint(s, &i);
      if (i + n > s.size()) throw std::runtime_error("truncated field");
      f.b = s.substr(i, n);
      i += n;
    } else {
      throw std::runtime_error("unexpected wire type " + std::to_string(f.wire));
    }
    out.push_back(f);
  }
  return out;
}

/// The varints of a repeated integer field, packed or not.
std::vector<uint64_t> ints(const std::vector<Field>& fs, int tag) {
  std::vector<uint64_t> out;
  for (const Field& f : fs) {
    if (f.tag != tag) continue;
    if (f.wire == 0) {
      out.push_back(f.v);
    } else {
      for (std::size_t i = 0; i < f.b.size();) out.push_back(read_varint(f.b, &i));
    }
  }
  return out;
}

std::vector<std::string> messages(const std::vector<Field>& fs, int tag) {
  std::vector<std::string> out;
  for (const Field& f : fs) {
    if (f.tag == tag && f.wire == 2) out.push_back(f.b);
  }
  return out;
}

std::string gunzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string out;
  char buf[16384];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  EXPECT_EQ(rc, Z_STREAM_END);
  return out;
}

// ---- files and go tool pprof ---------------------------------------------------

/// A file in the temporary directory, removed by the destructor unless the test failed.
class TempFile {
 public:
  explicit TempFile(const std::string& tag)
      : path_((std::filesystem::temp_directory_path() /
               ("gort_pprof_test_" + std::to_string(::getpid()) + "_" + tag))
                  .string()) {}
  ~TempFile() {
    if (::testing::Test::HasFailure() && std::filesystem::exists(path_)) {
      std::fprintf(stderr, "profile kept: %s\n", path_.c_str());
      return;
    }
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string read() const {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string path_;
};

/// gort::test::go_tool_pprof with one mode.
std::string go_pprof(const std::string& mode, const std::string& file) {
  return gort::test::go_tool_pprof({mode}, file);
}

/// The sample count -traces gives the trace containing needle (0 if none).
int64_t traces_count(const std::string& traces, const std::string& needle) {
  // Traces are separated by lines of dashes; a trace's first line starts with its value.
  std::stringstream in(traces);
  std::string line, block;
  std::vector<std::string> blocks;
  while (std::getline(in, line)) {
    if (line.find("-----------+") == 0) {
      blocks.push_back(block);
      block.clear();
    } else {
      block += line + "\n";
    }
  }
  blocks.push_back(block);
  int64_t total = 0;
  for (const std::string& b : blocks) {
    if (b.find(needle) == std::string::npos) continue;
    total += std::stoll(b);
  }
  return total;
}

// ---- the encoder -----------------------------------------------------------------

TEST(PprofProto, VarintsPackedFieldsAndNestedMessagesAsProtobufEncodesThem) {
  gort::pprof::proto::ProtoBuffer b;
  b.uint64(1, 150);  // the protobuf documentation's example: 08 96 01
  const uint64_t three[] = {3, 270, 86942};
  b.uint64s(4, three);  // packed: 22 06 03 8e 02 9e a7 05
  const uint64_t two[] = {1, 2};
  b.uint64s(5, two);  // two elements stay unpacked: 28 01 28 02
  b.string(2, "testing");  // 12 07 74 65 73 74 69 6e 67
  const std::size_t start = b.start_message();
  b.uint64_opt(1, 0);  // omitted
  b.int64(2, -1);      // ten bytes, as a negative int64 always is
  b.end_message(3, start);
  b.bool_opt(6, false);  // omitted
  const std::string want =
      "\x08\x96\x01"
      "\x22\x06\x03\x8e\x02\x9e\xa7\x05"
      "\x28\x01\x28\x02"
      "\x12\x07testing"
      "\x1a\x0b\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01";
  EXPECT_EQ(b.data(), want);
}

/// A function whose return address the builder symbolizes.
[[gnu::noinline]] uintptr_t pprof_test_return_address() {
  return reinterpret_cast<uintptr_t>(__builtin_return_address(0));
}

TEST(PprofProto, ABuiltProfileDecodesToItsSamplesStringsLocationsAndMappings) {
  const uintptr_t pc = pprof_test_return_address();
  const int call_line = __LINE__ - 1;
  pd::ProfileBuilder b({{"samples", "count"}, {"cpu", "nanoseconds"}}, {"cpu", "nanoseconds"}, 10'000'000);
  b.set_time_nanos(1234);
  b.set_duration_nanos(5678);
  b.add_comment("hello");
  b.set_default_sample_type("cpu");
  const uintptr_t stack[] = {pc};
  const int64_t values[] = {3, 30'000'000};
  const std::pair<std::string, std::string> labels[] = {{"k", "v"}};
  const std::pair<std::string, int64_t> nums[] = {{"bytes", 64}};
  b.add_sample(stack, values, labels, nums);
  b.add_sample(stack, values);

  const std::string raw = b.encode();
  EXPECT_EQ(gunzip(b.encode_gzip()), raw);
  const std::vector<Field> p = decode(raw);
  std::vector<std::string> strings;
  for (const std::string& s : messages(p, 6)) strings.push_back(s);
  ASSERT_FALSE(strings.empty());
  EXPECT_EQ(strings[0], "");
  auto str = [&](uint64_t i) { return i < strings.size() ? strings[i] : std::string("<bad index>"); };

  const auto types = messages(p, 1);
  ASSERT_EQ(types.size(), 2u);
  EXPECT_EQ(str(ints(decode(types[1]), 1).at(0)), "cpu");
  EXPECT_EQ(str(ints(decode(types[1]), 2).at(0)), "nanoseconds");
  const auto period_type = messages(p, 11);
  ASSERT_EQ(period_type.size(), 1u);
  EXPECT_EQ(str(ints(decode(period_type[0]), 1).at(0)), "cpu");
  EXPECT_EQ(ints(p, 12), std::vector<uint64_t>{10'000'000});
  EXPECT_EQ(ints(p, 9), std::vector<uint64_t>{1234});
  EXPECT_EQ(ints(p, 10), std::vector<uint64_t>{5678});
  ASSERT_EQ(ints(p, 13).size(), 1u);
  EXPECT_EQ(str(ints(p, 13)[0]), "hello");
  EXPECT_EQ(str(ints(p, 14).at(0)), "cpu");

  const auto samples = messages(p, 2);
  ASSERT_EQ(samples.size(), 2u);
  const auto s0 = decode(samples[0]);
  EXPECT_EQ(ints(s0, 2), (std::vector<uint64_t>{3, 30'000'000}));
  const auto locs0 = ints(s0, 1);
  ASSERT_EQ(locs0.size(), 1u);
  EXPECT_EQ(ints(decode(samples[1]), 1), locs0);  // one location per distinct pc
  const auto lbls = messages(s0, 3);
  ASSERT_EQ(lbls.size(), 2u);
  EXPECT_EQ(str(ints(decode(lbls[0]), 1).at(0)), "k");
  EXPECT_EQ(str(ints(decode(lbls[0]), 2).at(0)), "v");
  EXPECT_EQ(str(ints(decode(lbls[1]), 1).at(0)), "bytes");
  EXPECT_EQ(ints(decode(lbls[1]), 3), std::vector<uint64_t>{64});

  const auto locations = messages(p, 4);
  ASSERT_EQ(locations.size(), 1u);
  const auto loc = decode(locations[0]);
  EXPECT_EQ(ints(loc, 1), locs0);
  EXPECT_EQ(ints(loc, 3), std::vector<uint64_t>{pc - 1});  // the call, not the return address
  const auto lines = messages(loc, 4);
  ASSERT_FALSE(lines.empty());
  // The outermost line is the physical function: this test's body.
  const auto outer = decode(lines.back());
  EXPECT_EQ(ints(outer, 2), std::vector<uint64_t>{static_cast<uint64_t>(call_line)});
  const uint64_t fn_id = ints(outer, 1).at(0);
  bool found = false;
  for (const std::string& f : messages(p, 5)) {
    const auto fn = decode(f);
    if (ints(fn, 1).at(0) != fn_id) continue;
    found = true;
    EXPECT_NE(str(ints(fn, 2).at(0)).find("ABuiltProfileDecodesToItsSamplesStringsLocationsAndMappings"),
              std::string::npos)
        << str(ints(fn, 2).at(0));
    EXPECT_NE(str(ints(fn, 4).at(0)).find("pprof_writer_test.cpp"), std::string::npos);
  }
  EXPECT_TRUE(found);

  // The location's mapping is this executable, marked as symbolized.
  const uint64_t map_id = ints(loc, 2).at(0);
  const auto mappings = messages(p, 3);
  ASSERT_GE(mappings.size(), map_id);
  const auto m = decode(mappings[map_id - 1]);
  EXPECT_LE(ints(m, 2).at(0), pc - 1);
  EXPECT_GT(ints(m, 3).at(0), pc - 1);
  EXPECT_EQ(std::filesystem::canonical(str(ints(m, 5).at(0))), std::filesystem::canonical("/proc/self/exe"));
  for (int tag : {7, 8, 9, 10}) EXPECT_EQ(ints(m, tag), std::vector<uint64_t>{1}) << "has_* field " << tag;
}

TEST(PprofProto, AFileThatCannotBeWrittenIsAnErrorNamingIt) {
  pd::ProfileBuilder b({{"goroutine", "count"}}, {"goroutine", "count"}, 1);
  const std::string path = "/nonexistent-gort-dir/profile.pb.gz";
  try {
    b.write_file(path);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "gort::pprof: cannot write " + path + ": No such file or directory");
  }
}

TEST(PprofProto, GoToolPprofReadsABuiltProfile) {
  const uintptr_t pc = pprof_test_return_address();
  pd::ProfileBuilder b({{"samples", "count"}}, {"samples", "count"}, 1);
  const uintptr_t stack[] = {pc};
  const int64_t values[] = {7};
  b.add_sample(stack, values);
  TempFile f("built.pb.gz");
  b.write_file(f.path());
  const std::string top = go_pprof("-top", f.path());
  EXPECT_NE(top.find("GoToolPprofReadsABuiltProfile"), std::string::npos) << top;
  EXPECT_NE(top.find("Type: samples"), std::string::npos) << top;
  EXPECT_TRUE(std::regex_search(top, std::regex(R"(\n\s+7\s+100%\s+100%\s+7\s+100%\s+\S*GoToolPprofReadsABuiltProfile)")))
      << top;
}

// ---- lookup and the null profile ----------------------------------------------------

TEST(PprofLookup, AnUnknownNameIsTheNullProfile) {
  const gort::pprof::Profile p = gort::pprof::lookup("no-such-profile");
  EXPECT_FALSE(p);
  EXPECT_EQ(p.name(), "");
  EXPECT_THROW(p.count(), std::logic_error);
  EXPECT_THROW(p.write_to("/tmp/unused"), std::logic_error);
  const gort::pprof::Profile g = gort::pprof::lookup("goroutine");
  EXPECT_TRUE(g);
  EXPECT_EQ(g.name(), "goroutine");
  EXPECT_TRUE(gort::pprof::lookup("threadcreate"));
}

TEST(PprofLookup, TheGoroutineProfileOutsideARunIsAnError) {
  EXPECT_THROW(gort::pprof::lookup("goroutine").write_to("/tmp/unused"), std::logic_error);
}

// ---- the goroutine profile -----------------------------------------------------------

constexpr int kParked = 50;

/// The goroutines a debug=1 goroutine profile shows in records whose frames
/// name needle (several records when the runtime's own frames differ).
int64_t text_count(const std::string& text, const std::string& needle) {
  std::stringstream in(text);
  std::string line;
  int64_t total = 0, record = 0;
  bool counted = false;
  while (std::getline(in, line)) {
    const std::size_t at = line.find(" @ ");
    if (at != std::string::npos && line[0] != '#') {
      record = std::stoll(line.substr(0, at));
      counted = false;
    } else if (!counted && line.rfind("#", 0) == 0 && line.find(needle) != std::string::npos) {
      total += record;
      counted = true;
    }
  }
  return total;
}

/// Runs body with kParked goroutines parked in pprof_test_park_here, then
/// releases them.  Waits until the debug=1 profile shows them all parked.
template <class Body>
void with_parked_goroutines(Body body) {
  gort::run([&] {
    gort::Chan<int> ch = gort::make_chan<int>(0);
    gort::WaitGroup wg;
    wg.add(kParked);
    for (int i = 0; i < kParked; ++i) {
      gort::go([&] {
        pprof_test_park_here(ch);
        wg.done();
      });
    }
    // Parked goroutines show as one stack of count kParked; until then some
    // are still on their way.  Bounded: each round yields to them.
    TempFile probe("probe.txt");
    bool all_parked = false;
    for (int round = 0; round < 10'000 && !all_parked; ++round) {
      gort::pprof::lookup("goroutine").write_to(probe.path(), 1);
      all_parked = text_count(probe.read(), "\tpprof_test_park_here(") == kParked;
      if (!all_parked) gort::gosched();
    }
    ASSERT_TRUE(all_parked) << probe.read();
    body();
    for (int i = 0; i < kParked; ++i) ch.send(i);
    wg.wait();
  });
}

TEST(PprofGoroutine, GoToolPprofShowsFiftyParkedGoroutinesInTheirFunctionAndLines) {
  TempFile f("goroutine.pb.gz");
  int count = 0;
  with_parked_goroutines([&] {
    count = gort::pprof::lookup("goroutine").count();
    gort::pprof::lookup("goroutine").write_to(f.path());
  });
  EXPECT_EQ(count, kParked + 1);

  const std::string traces = go_pprof("-traces", f.path());
  EXPECT_NE(traces.find("Type: goroutine"), std::string::npos) << traces;
  EXPECT_EQ(traces_count(traces, "pprof_test_park_here"), kParked) << traces;
  // The caller's own stack: the profile was written from this test's lambda.
  EXPECT_EQ(traces_count(traces, "GoToolPprofShowsFiftyParkedGoroutinesInTheirFunctionAndLines"), 1) << traces;

  // -top: the cumulative column of the parking function is 50 goroutines.
  const std::string top = gort::test::go_tool_pprof({"-top", "-cum"}, f.path());
  const std::regex row(R"(\n\s*\d+\s+[\d.]+%\s+[\d.]+%\s+(\d+)\s+[\d.]+%\s+pprof_test_park_here)");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(top, m, row)) << top;
  EXPECT_EQ(m[1].str(), std::to_string(kParked)) << top;
  EXPECT_NE(top.find(std::to_string(kParked + 1) + " total"), std::string::npos) << top;

  // -raw: one location holds the inlined wait and the function it is inlined
  // into, innermost first, with their lines.
  const std::string raw = go_pprof("-raw", f.path());
  // -raw lists a location's lines innermost first, each as
  // "<short name> <file>:<line> s=<start line>(<full name>)".
  std::vector<std::string> raw_lines;
  {
    std::stringstream in(raw);
    std::string line;
    while (std::getline(in, line)) raw_lines.push_back(line);
  }
  bool found = false;
  for (std::size_t i = 0; i + 1 < raw_lines.size() && !found; ++i) {
    if (raw_lines[i].find(" pprof_test_inlined_wait ") == std::string::npos) continue;
    found = true;
    EXPECT_NE(raw_lines[i].find("pprof_writer_test.cpp:" + std::to_string(g_inlined_wait_line) + " s=" +
                                std::to_string(g_inlined_wait_line)),
              std::string::npos)
        << raw_lines[i];
    // The next line is the function it is inlined into, in the same location
    // (a continuation line, not "<id>: 0x<address>").
    const std::string& next = raw_lines[i + 1];
    EXPECT_NE(next.find(" pprof_test_park_here "), std::string::npos) << next;
    EXPECT_NE(next.find("pprof_writer_test.cpp:" + std::to_string(g_park_call_line)), std::string::npos) << next;
    EXPECT_EQ(next.find("0x"), std::string::npos) << next;
  }
  EXPECT_TRUE(found) << raw;
}

TEST(PprofGoroutine, DebugOneIsGoTextWithCountsByStackAndNamedFrames) {
  TempFile f("goroutine.txt");
  with_parked_goroutines([&] { gort::pprof::lookup("goroutine").write_to(f.path(), 1); });
  const std::string text = f.read();
  EXPECT_EQ(text.rfind("goroutine profile: total " + std::to_string(kParked + 1) + "\n", 0), 0u) << text;
  // The most common stack first, its frames as "#\t0x<pc>\t<name>+0x<off>\t<file>:<line>".
  const std::regex first(R"(^goroutine profile: total \d+\n\d+ @( 0x[0-9a-f]+)+\n(#\t0x[0-9a-f]+\t[^\t\n]+\+0x[0-9a-f]+\t[^\t\n]+:\d+\n)+\n)");
  EXPECT_TRUE(std::regex_search(text, first)) << text;
  EXPECT_EQ(text_count(text, "\tpprof_test_park_here("), kParked) << text;
  const std::regex park("\n#\t0x[0-9a-f]+\tpprof_test_park_here\\(gort::Chan<int>&\\)\\+0x[0-9a-f]+\t[^\t\n]*pprof_writer_test\\.cpp:" +
                        std::to_string(g_park_call_line) + "\n");
  EXPECT_TRUE(std::regex_search(text, park)) << text;
  const std::regex inl("\n#\t0x[0-9a-f]+\tpprof_test_inlined_wait\\(gort::Chan<int>&\\)\\+0x[0-9a-f]+\t[^\t\n]*pprof_writer_test\\.cpp:" +
                       std::to_string(g_inlined_wait_line) + "\n");
  EXPECT_TRUE(std::regex_search(text, inl)) << text;
  EXPECT_NE(text.find("\n1 @ "), std::string::npos) << text;  // the writer's own stack
}

TEST(PprofGoroutine, DebugTwoIsTheFullDumpOfEveryGoroutine) {
  TempFile f("goroutine_stacks.txt");
  with_parked_goroutines([&] { gort::pprof::lookup("goroutine").write_to(f.path(), 2); });
  const std::string text = f.read();
  EXPECT_EQ(text.rfind("goroutine 1 [running]:\n", 0), 0u) << text;
  int parked = 0;
  for (std::size_t at = 0; (at = text.find(" [chan receive]:\n", at)) != std::string::npos; ++at) ++parked;
  EXPECT_EQ(parked, kParked) << text;
  int named = 0;
  for (std::size_t at = 0; (at = text.find("\npprof_test_park_here(gort::Chan<int>&)\n", at)) != std::string::npos; ++at) {
    ++named;
  }
  EXPECT_EQ(named, kParked) << text;
}

/// The debug=1 record (count line and frames) whose frames name needle, or "".
std::string text_record(const std::string& text, const std::string& needle) {
  std::size_t at = 0;
  while ((at = text.find(" @ ", at)) != std::string::npos) {
    const std::size_t start = text.rfind('\n', at) + 1;
    const std::size_t end = std::min(text.find("\n\n", at), text.size());
    const std::string record = text.substr(start, end - start);
    if (record.find(needle) != std::string::npos) return record;
    at = end;
  }
  return "";
}

// A goroutine stopped by asynchronous preemption is parked inside
// gort_async_preempt_entry, whose rbp points at the registers it saved: its
// record must go on through the interrupted function to the function below it,
// not read saved registers as a frame record.
TEST(PprofGoroutine, AnAsynchronouslyPreemptedGoroutineShowsTheFunctionItWasStoppedInAndItsCallers) {
#if defined(GORT_TSAN)
  GTEST_SKIP() << "TSAN delivers the preemption signal only at the goroutine's next interceptor";
#endif
  for (int iter = 0; iter < gort::test::scaled(20); ++iter) {
    TempFile f("preempted.txt");
    gort::run([&] {
      gort::gomaxprocs(1);
      const uint64_t before = gort::runtime::async_preemptions();
      std::atomic<bool> stop{false};
      gort::WaitGroup wg;
      wg.add(1);
      gort::go([&] {
        pprof_test_spin_here(stop);
        wg.done();
      });
      // The spinner runs until sysmon preempts it asynchronously: only then does
      // this goroutine, queued behind it on the only P, run again.
      gort::gosched();
      gort::pprof::lookup("goroutine").write_to(f.path(), 1);
      stop.store(true, std::memory_order_relaxed);
      wg.wait();
      EXPECT_GT(gort::runtime::async_preemptions(), before);
    });
    const std::string text = f.read();
    const std::string record = text_record(text, "\tpprof_test_spin_here(");
    ASSERT_NE(record, "") << text;
    EXPECT_EQ(record.rfind("1 @ ", 0), 0u) << record;
    EXPECT_NE(record.find("\tgort_async_preempt_entry+"), std::string::npos) << record;
    // The lambda that called it, in this test's body.
    EXPECT_NE(record.find("AnAsynchronouslyPreemptedGoroutineShowsTheFunctionItWasStoppedInAndItsCallers"),
              std::string::npos)
        << record;
  }
}

TEST(PprofGoroutine, AnUnwritablePathIsAClearErrorAndTheRunGoesOn) {
  gort::run([] {
    for (int debug : {0, 1, 2}) {
      try {
        gort::pprof::lookup("goroutine").write_to("/nonexistent-gort-dir/g.pb.gz", debug);
        ADD_FAILURE() << "no error for debug=" << debug;
      } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "gort::pprof: cannot write /nonexistent-gort-dir/g.pb.gz: No such file or directory");
      }
    }
  });
}

// ---- threadcreate --------------------------------------------------------------------

TEST(PprofThreadCreate, EveryThreadOfTheRunIsASampleWithTheStackThatCreatedIt) {
  TempFile f("threadcreate.pb.gz");
  TempFile t("threadcreate.txt");
  int count = 0;
  gort::run([&] {
    // A goroutine main waits for inside a blocking call: the `go` woke another M,
    // or the call hands its P, which has work, to one — a thread is created either way.
    std::atomic<bool> ran{false};
    gort::go([&] { ran.store(true); });
    gort::blocking([&] {
      for (int i = 0; i < 100'000 && !ran.load(); ++i) ::usleep(100);  // at most 10 s
    });
    ASSERT_TRUE(ran.load()) << "the goroutine never ran while main was in its blocking call";
    count = gort::pprof::lookup("threadcreate").count();
    gort::pprof::lookup("threadcreate").write_to(f.path());
    gort::pprof::lookup("threadcreate").write_to(t.path(), 1);
  });
  // Each snapshot is checked against its own total: writing a profile may
  // itself start an M (its file I/O is a blocking call that hands the P on),
  // so a later snapshot can count more threads than an earlier one, never fewer.
  EXPECT_GE(count, 2);  // m0 and the M that took the P
  const std::string text = t.read();
  const std::string text_head = "threadcreate profile: total ";
  ASSERT_EQ(text.rfind(text_head, 0), 0u) << text;
  const int text_total = std::atoi(text.c_str() + text_head.size());
  EXPECT_GE(text_total, count) << text;
  const std::string traces = go_pprof("-traces", f.path());
  EXPECT_NE(traces.find("Type: threadcreate"), std::string::npos) << traces;
  const std::string top = go_pprof("-top", f.path());
  // "Showing nodes accounting for N, 100% of N total"
  const std::size_t total_at = top.find(" total");
  ASSERT_NE(total_at, std::string::npos) << top;
  const std::size_t of_at = top.rfind("of ", total_at);
  ASSERT_NE(of_at, std::string::npos) << top;
  const int proto_total = std::atoi(top.c_str() + of_at + 3);
  EXPECT_GE(proto_total, count) << top;
  EXPECT_LE(proto_total, text_total) << top << text;  // written before the text
  // Every M but m0 was made by newm.
  EXPECT_EQ(traces_count(traces, "gort::runtime::newm\n"), proto_total - 1) << traces;
}

}  // namespace
