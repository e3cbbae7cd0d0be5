// gort/singleflight.hpp — golang.org/x/sync/singleflight: duplicate call
// suppression (mirrors singleflight/singleflight.go).
//
//   gort::SingleFlight<std::string, Config> loads;
//   auto [cfg, shared] = loads.call(path, [&] { return load_config(path); });
//
// Model, as Go's: a map from key to the in-flight call under one Mutex.  The
// first caller for a key runs fn itself; callers arriving while it runs park
// on the call's WaitGroup and then read its result, so fn runs once per
// flight.  The call leaves the map when fn returns (or when forget() drops it
// earlier), so a later call runs fn again: nothing is cached.
//
// Errors are exceptions: an exception escaping fn is the flight's result and
// is rethrown to the first caller and every duplicate alike (Go hands them the
// same error; Go's re-panic of a panicking fn in every caller is the same
// thing here, since a panic is an exception too).  They all catch the one
// exception object, as Go's callers share one error value.  A result is kept
// in C++ memory the collector does not scan, so a V that holds managed
// pointers does not compile (gc::Root<U> results do: a Root keeps its object
// alive wherever it is); exceptions are kept alive wherever they are
// (gort/runtime/internal/root_range.hpp).  (ThreadSanitizer
// may report callers reading it concurrently as racing with its deletion:
// libstdc++ counts references to exceptions in uninstrumented code, so TSAN
// misses the ordering.)
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <gort/chan.hpp>
#include <gort/mutex.hpp>
#include <gort/runtime.hpp>
#include <gort/runtime/internal/root_range.hpp>
#include <gort/waitgroup.hpp>

namespace gort {

/// A namespace of keyed work with duplicate suppression (singleflight.Group).
/// K must be hashable by Hash and comparable by KeyEqual (Go: comparable);
/// V copyable (every caller gets its own copy).  Not copyable or movable;
/// must outlive the calls made through it: until call returns, and for
/// call_chan until every channel of the flight has its result.
template <class K, class V, class Hash = std::hash<K>, class KeyEqual = std::equal_to<K>>
class SingleFlight {
  static_assert(!runtime::holds_managed_pointers_v<V>,
                "gort::SingleFlight<K, V>: V holds managed pointers, which the flight's C++ storage would hide "
                "from the collector; return gc::Root<U> values instead");

 public:
  /// What call_chan delivers (Go's Result): the value (V{} on failure), the
  /// failure (null on success) and whether the result went to several callers.
  struct Result {
    V val{};
    std::exception_ptr err;
    bool shared = false;
  };

  SingleFlight() = default;
  SingleFlight(const SingleFlight&) = delete;
  SingleFlight& operator=(const SingleFlight&) = delete;

  /// Runs fn() and returns its value, unless a call for key is in flight: then
  /// waits for it (parking) and returns its value instead.  shared is true if
  /// the value went to more than one caller (Go's Do).  Rethrows fn's
  /// exception, to every caller of the flight.  Precondition: called from a
  /// goroutine; fn() returns something convertible to V.
  template <class F>
  std::pair<V, bool> call(const K& key, F&& fn) {
    mu_.lock();
    if (auto it = m_.find(key); it != m_.end()) {
      std::shared_ptr<Flight> c = it->second;
      ++c->dups;
      mu_.unlock();
      c->wg.wait();
      if (c->err) std::rethrow_exception(c->err);
      return {*c->val, true};
    }
    auto c = std::make_shared<Flight>();
    c->wg.add(1);
    m_.emplace(key, c);
    mu_.unlock();

    run_flight(c, key, fn);
    if (c->err) std::rethrow_exception(c->err);
    // dups no longer changes: the flight left the map under mu_ in run_flight.
    return {*c->val, c->dups > 0};
  }

  /// Like call, but returns at once a channel that receives the Result when it
  /// is ready; the first caller's fn runs in a new goroutine (Go's DoChan).
  /// Precondition: called from a goroutine; V is default-constructible.
  template <class F>
  Chan<Result> call_chan(const K& key, F&& fn) {
    static_assert(std::is_default_constructible_v<V>, "SingleFlight::call_chan: Result needs V{}");
    auto ch = make_chan<Result>(1);
    mu_.lock();
    if (auto it = m_.find(key); it != m_.end()) {
      ++it->second->dups;
      it->second->chans.push_back(ch);
      mu_.unlock();
      return ch;
    }
    auto c = std::make_shared<Flight>();
    c->chans.push_back(ch);
    c->wg.add(1);
    m_.emplace(key, c);
    mu_.unlock();
    gort::go([this, c, key, f = std::decay_t<F>(std::forward<F>(fn))]() mutable { run_flight(c, key, f); });
    return ch;
  }

  /// Forgets the in-flight call for key, if any: later calls for key run fn
  /// again instead of waiting for it (Go's Forget).  Precondition: called from
  /// a goroutine.
  void forget(const K& key) {
    std::lock_guard<Mutex> held(mu_);
    m_.erase(key);
  }

 private:
  /// One in-flight or completed call (Go's call).
  struct Flight {
    /// Done when fn has returned; duplicates wait on it.
    WaitGroup wg;
    /// fn's value, or its exception; written once before wg is done, read after.
    std::optional<V> val;
    std::exception_ptr err;
    /// Callers that joined the flight after the first.  Under mu_ while the
    /// flight is in the map; immutable after it left.
    int64_t dups = 0;
    /// call_chan callers' channels (buffered: sending never blocks).  Under mu_.
    std::vector<Chan<Result>> chans;
  };

  /// Runs fn for flight c and publishes the result (mirrors doCall).
  template <class F>
  void run_flight(const std::shared_ptr<Flight>& c, const K& key, F& fn) {
    try {
      c->val.emplace(fn());
    } catch (...) {
      c->err = std::current_exception();
    }
    {
      std::lock_guard<Mutex> held(mu_);
      c->wg.done();
      // forget() may have dropped the flight, and a newer one taken the key.
      if (auto it = m_.find(key); it != m_.end() && it->second == c) m_.erase(it);
    }
    // Out of the map, the flight's dups and chans no longer change.  Go sends
    // under the lock; after it, so that once the last result is delivered this
    // goroutine no longer touches the SingleFlight, which may then be destroyed.
    if constexpr (std::is_default_constructible_v<V>) {  // else call_chan was never used
      for (const Chan<Result>& ch : c->chans) ch.send(Result{c->val ? *c->val : V{}, c->err, c->dups > 0});
    }
  }

  /// Protects m_ and the dups and chans of flights in it.
  Mutex mu_;
  /// In-flight calls by key (Go's m).
  std::unordered_map<K, std::shared_ptr<Flight>, Hash, KeyEqual> m_;
};

}  // namespace gort
