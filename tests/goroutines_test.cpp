// goroutines_test.cpp — gort::live_goroutines and gort::goleak::verify_none as
// a Go programmer observes runtime.Stack(buf, true) and go.uber.org/goleak: a
// leaked goroutine is listed with the function, file and line of its go
// statement and the wait reason of a Go traceback's header; a released one
// is not; the caller and the runtime's own goroutines never are.
#include <gort/gort.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <string>
#include <vector>

#include "poll_util.hpp"
#include "test_util.hpp"

namespace {

using gort::GoroutineRecord;
using gort::test::eventually;
using gort::test::scaled;

/// Line of the go statement in start_leaky_receiver, set when it runs.
int g_leak_line = 0;

/// Starts a goroutine that blocks receiving from c, on one line so the test
/// knows the go statement's line.
__attribute__((noinline)) void start_leaky_receiver(gort::Chan<int> c) {
  gort::go([c]() mutable { c.recv(); }); g_leak_line = __LINE__;
}

/// Line of the go statement in start_leaky_template, set when it runs.
int g_template_leak_line = 0;

/// start_leaky_receiver as a function template kept out of line: the
/// demangler prints its name with its return type and template arguments
/// ("void (anonymous namespace)::start_leaky_template<int>(...)").
template <class T>
__attribute__((noinline)) void start_leaky_template(gort::Chan<T> c) {
  gort::go([c]() mutable { c.recv(); }); g_template_leak_line = __LINE__;
}

/// The record with id `id` in rs, if any.
std::optional<GoroutineRecord> find(const std::vector<GoroutineRecord>& rs, int64_t id) {
  for (const GoroutineRecord& r : rs) {
    if (r.id == id) return r;
  }
  return std::nullopt;
}

/// Whether s ends with suffix.
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST(LiveGoroutines, LeakedReceiverIsListedWithCreationSiteAndWaitReason) {
  gort::run([] {
    auto c = gort::make_chan<int>();
    int64_t leaked_id = 0;
    start_leaky_receiver(c);
    // The leaked goroutine's id: the only record besides the caller.
    std::vector<GoroutineRecord> rs;
    ASSERT_TRUE(eventually([&] {
      rs = gort::live_goroutines();
      return rs.size() == 1 && rs[0].state == "chan receive";
    }));
    leaked_id = rs[0].id;
    const GoroutineRecord& r = rs[0];
    EXPECT_NE(r.id, gort::goid());
    EXPECT_EQ(r.parent_id, gort::goid());
    EXPECT_NE(r.created_by.find("start_leaky_receiver"), std::string::npos) << r.created_by;
    EXPECT_TRUE(ends_with(r.creation_file, "goroutines_test.cpp")) << r.creation_file;
    EXPECT_EQ(r.creation_line, g_leak_line);
    const std::string text = gort::describe(r);
    EXPECT_EQ(text.rfind("goroutine " + std::to_string(r.id) + " [chan receive]:\ncreated by ", 0), 0u) << text;
    EXPECT_NE(text.find(" in goroutine " + std::to_string(gort::goid()) + "\n\t"), std::string::npos) << text;

    // verify_none reports it once its wait is over, with goleak's header.
    const auto leaks = gort::goleak::verify_none(std::chrono::milliseconds(20));
    ASSERT_EQ(leaks.size(), 1u);
    EXPECT_EQ(leaks[0].id, leaked_id);
    EXPECT_EQ(gort::goleak::describe(leaks).rfind("found unexpected goroutines:\n\ngoroutine ", 0), 0u);

    c.send(1);  // released: it returns
    EXPECT_TRUE(gort::goleak::verify_none(gort::test::kPollBound).empty());
    EXPECT_TRUE(gort::live_goroutines().empty());
  });
}

// A go statement in an out-of-line function template names that template as
// the creator in every build, -O0 included (gort::go is always inlined into its
// caller), and goleak's ignore list matches it by its qualified name, without
// the return type or template arguments the demangled name carries.
TEST(LiveGoroutines, ACreatorThatIsAFunctionTemplateIsNamedAndIgnoredByItsName) {
  gort::run([] {
    auto c = gort::make_chan<int>();
    start_leaky_template(c);
    std::vector<GoroutineRecord> rs;
    ASSERT_TRUE(eventually([&] {
      rs = gort::live_goroutines();
      return rs.size() == 1 && rs[0].state == "chan receive";
    }));
    const GoroutineRecord& r = rs[0];
    EXPECT_NE(r.created_by.find("start_leaky_template<int>"), std::string::npos) << r.created_by;
    EXPECT_TRUE(ends_with(r.creation_file, "goroutines_test.cpp")) << r.creation_file;
    EXPECT_EQ(r.creation_line, g_template_leak_line);
    const std::string name = "(anonymous namespace)::start_leaky_template";
    EXPECT_TRUE(gort::goleak::verify_none(std::chrono::milliseconds(1), {.ignore_created_by = {name}}).empty())
        << r.created_by;
    // Neither a prefix that stops inside the name nor the return type alone matches.
    for (const std::string& other : {name.substr(0, name.size() - 1), std::string("void")}) {
      EXPECT_EQ(gort::goleak::verify_none(std::chrono::milliseconds(1), {.ignore_created_by = {other}}).size(), 1u)
          << other;
    }
    c.send(1);
    EXPECT_TRUE(gort::goleak::verify_none(gort::test::kPollBound).empty());
  });
}

TEST(LiveGoroutines, WaitReasonsAreGos) {
  gort::run([] {
    gort::gomaxprocs(2);
    auto release = gort::make_chan<int>();
    auto unreceived = gort::make_chan<int>();
    gort::Mutex mu;
    gort::WaitGroup gate;
    std::atomic<bool> stop_sleeping{false};
    const int64_t main_id = gort::goid();
    gort::test::Goroutines gs;
    mu.lock();
    gate.add(1);
    gs.go([&] { gort::select(gort::on_recv(release), gort::on_recv(gort::Chan<int>())); });
    gs.go([&] {
      mu.lock();
      mu.unlock();
    });
    gs.go([&] { gate.wait(); });
    gs.go([&] { unreceived.send(1); });
    gs.go([&] {
      // Sleeps the run can end; each long against a poll of the list (a stop
      // of the world and a symbolization: milliseconds on a loaded machine),
      // so a poll finds it asleep, not just woken and runnable.
      while (!stop_sleeping.load()) gort::sleep(std::chrono::milliseconds(250));
    });
    std::vector<std::string> want = {"chan send", "select", "sleep", "sync.Mutex.Lock", "sync.WaitGroup.Wait"};
    std::vector<std::string> seen;
    // EXPECT, not ASSERT, here and below: the goroutines must be released
    // whatever the outcome, or the helper's destructor would wait forever.
    EXPECT_TRUE(eventually([&] {
      seen.clear();
      for (const auto& r : gort::live_goroutines()) seen.push_back(r.state);
      std::sort(seen.begin(), seen.end());
      return seen == want;
    })) << ::testing::PrintToString(seen);
    for (const auto& r : gort::live_goroutines()) {
      EXPECT_EQ(r.parent_id, main_id);
      EXPECT_NE(r.id, main_id);
      // Started by the Goroutines helper of test_util.hpp: its go statement.
      EXPECT_NE(r.created_by.find("Goroutines::go"), std::string::npos) << r.created_by;
      EXPECT_TRUE(ends_with(r.creation_file, "test_util.hpp")) << r.creation_file;
      EXPECT_GT(r.creation_line, 0);
    }
    // Release four; the sleeper stays and is the one leak.
    release.send(0);
    mu.unlock();
    gate.done();
    unreceived.recv();
    std::vector<GoroutineRecord> leaks;
    EXPECT_TRUE(eventually([&] {
      leaks = gort::goleak::verify_none(std::chrono::milliseconds(1));
      return leaks.size() == 1;
    }));
    if (leaks.empty()) leaks.emplace_back();  // the checks below then fail instead of indexing nothing
    EXPECT_NE(leaks[0].created_by.find("Goroutines::go"), std::string::npos);
    // Ignored by id (goleak.IgnoreCurrent's use), or by creating function.
    EXPECT_TRUE(gort::goleak::verify_none(std::chrono::milliseconds(1), {.ignore_ids = {leaks[0].id}}).empty());
    // The name without template arguments and parameters matches, as goleak.IgnoreCreatedBy.
    const std::string creator = "gort::test::Goroutines::go";
    EXPECT_TRUE(gort::goleak::verify_none(std::chrono::milliseconds(1), {.ignore_created_by = {creator}}).empty())
        << creator;
    // A prefix that stops inside the name is no match.
    EXPECT_EQ(gort::goleak::verify_none(std::chrono::milliseconds(1),
                                        {.ignore_created_by = {creator.substr(0, creator.size() - 1)}})
                  .size(),
              1u);
    stop_sleeping = true;
    gs.join();
    const auto left = gort::goleak::verify_none(gort::test::kPollBound);
    EXPECT_TRUE(left.empty()) << gort::goleak::describe(left);
  });
}

TEST(LiveGoroutines, CallerIsNeverListedAndMainIsWhenAnotherGoroutineAsks) {
  for (int iter = 0; iter < scaled(20); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(1 + iter % 3);
      EXPECT_TRUE(gort::live_goroutines().empty());
      const int64_t main_id = gort::goid();
      auto result = gort::make_chan<std::vector<GoroutineRecord>>(1);
      auto asker = gort::make_chan<int64_t>(1);
      gort::go([&] {
        asker.send(gort::goid());
        result.send(gort::live_goroutines());
      });
      const int64_t asker_id = asker.recv();
      const auto rs = result.recv();
      EXPECT_FALSE(find(rs, asker_id).has_value());
      const auto main_rec = find(rs, main_id);
      ASSERT_TRUE(main_rec.has_value());
      EXPECT_EQ(main_rec->parent_id, 0);
      EXPECT_TRUE(main_rec->created_by.empty());
      // Main blocks in a receive, unless the asker was still running its send.
      EXPECT_TRUE(main_rec->state == "chan receive" || main_rec->state == "runnable") << main_rec->state;
      EXPECT_TRUE(gort::goleak::verify_none(gort::test::kPollBound).empty());
    });
  }
}

TEST(LiveGoroutines, SystemGoroutinesAreNeverListed) {
  gort::run([] {
    gort::gomaxprocs(2);
    std::atomic<bool> stop{false};
    auto collector_id = gort::make_chan<int64_t>(1);
    gort::test::Goroutines gs;
    // The collector's cycle goroutine is a system goroutine (gc/src/mgc.cpp);
    // each collect() runs one while the main goroutine keeps listing.
    gs.go([&] {
      collector_id.send(gort::goid());
      while (!stop.load()) gort::gc::collect();
    });
    const int64_t cid = collector_id.recv();
    for (int i = 0; i < scaled(200); ++i) {
      for (const GoroutineRecord& r : gort::live_goroutines()) {
        EXPECT_EQ(r.id, cid) << gort::describe(r);
      }
    }
    stop = true;
    gs.join();
    EXPECT_TRUE(gort::goleak::verify_none(gort::test::kPollBound).empty());
  });
}

TEST(LiveGoroutines, ListingWhileGoroutinesChurnThenNoneLeaked) {
  // Many runs of goroutines that start, park, wake and exit on every P while
  // the main goroutine lists them: under TSAN this is the race check of the
  // list's reads; every run must end clean.
  for (int iter = 0; iter < scaled(30); ++iter) {
    gort::run([&] {
      gort::gomaxprocs(2 + iter % 3);
      const int n = gort::test::live_goroutines(64);
      auto ping = gort::make_chan<int>(4);
      std::atomic<int> done{0};
      gort::WaitGroup wg;
      wg.add(n);
      for (int i = 0; i < n; ++i) {
        gort::go([&, i] {
          for (int k = 0; k < 20; ++k) {
            if ((i + k) % 2 == 0) {
              ping.send(k);
            } else {
              gort::select(gort::on_recv(ping), gort::on_default());
              gort::gosched();
            }
          }
          done.fetch_add(1);
          wg.done();
        });
      }
      int listings = 0;
      while (done.load() < n) {
        for (const GoroutineRecord& r : gort::live_goroutines()) {
          EXPECT_FALSE(r.state.empty());
          EXPECT_EQ(r.parent_id, gort::goid());
        }
        ++listings;
        while (ping.try_recv()) {
        }
      }
      wg.wait();
      const auto leaks = gort::goleak::verify_none(gort::test::kPollBound);
      EXPECT_TRUE(leaks.empty()) << gort::goleak::describe(leaks);
      EXPECT_GT(listings, 0);
    });
  }
}

}  // namespace
