// experiments.cpp — the parts of the lab on gort (see experiments.hpp).
#include "experiments.hpp"

#include <fmt/format.h>
#include <gort/gort.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <set>
#include <stdexcept>

#include "service.hpp"

namespace ctxlab {

bool Config::runs(const std::string& part) const { return std::find(parts.begin(), parts.end(), part) != parts.end(); }

namespace {

/// The longest the lab waits for something that must happen (a handler's
/// record, a callback): far beyond any delay it configures, so only a real
/// hang reaches it, and then the lab fails instead of hanging.
constexpr std::chrono::seconds kMustArriveWithin{30};

/// Why a run stops when a client's deadline passed before it had even
/// written its request (the server would never see it).
constexpr const char* kNotSent =
    "a client's deadline passed before its request was written: the machine is too slow for this --patience; "
    "raise it";

/// The next value of c, or std::runtime_error naming `what` after kMustArriveWithin.
template <class T>
T recv_within(const gort::Chan<T>& c, const char* what) {
  std::optional<T> v;
  gort::select(gort::on_recv(c, [&](T x) { v = std::move(x); }), gort::on_recv(gort::after(kMustArriveWithin), [] {}));
  if (!v) throw std::runtime_error(fmt::format("no {} within {}s", what, kMustArriveWithin.count()));
  return std::move(*v);
}

/// An operation's outcome as the report shows it, relative to the client's giving up.
OpOutcome outcome(const OpRecord& r, int64_t gave_up_at) {
  OpOutcome o;
  o.result = r.result;
  o.context_error = r.context_error;
  if (gave_up_at != 0) o.after_client_gave_up_ns = r.returned_at - gave_up_at;
  return o;
}

/// Part 1: one /item request per client behaviour.
ServiceResult run_service(const Config& c, Service& svc, Downstream& down) {
  ServiceResult res;
  res.store_delay_ns = c.store_delay.count();
  res.downstream_delay_ns = c.downstream_delay.count();
  res.client_patience_ns = c.patience.count();
  for (const char* client : {"completes", "client-deadline", "client-cancel"}) {
    fmt::print(stderr, "context-discipline: service, client {}\n", client);
    RequestCase rc;
    rc.client = client;
    const std::string how = client;
    // gave_up_at: the instant the client's context ends (its deadline, or
    // just before its explicit cancel): what every time below is measured from.
    auto gave_up_at = std::make_shared<std::atomic<int64_t>>(0);
    auto [ctx, cancel] = how == "client-deadline" ? gort::with_timeout(gort::background(), c.patience)
                                                  : gort::with_cancel(gort::background());
    if (how == "client-deadline") {
      gave_up_at->store(std::chrono::duration_cast<std::chrono::nanoseconds>(ctx.deadline()->time_since_epoch()).count());
    }
    if (how == "client-cancel") {
      // Cancel --patience after the handler's downstream call has arrived, so
      // both operations are under way (blocked) when the client leaves.
      while (down.arrived().try_recv()) {
      }
      gort::go([cancel = cancel, d = c.patience, gave_up_at, arrived = down.arrived()] {
        gort::select(gort::on_recv(arrived, [] {}), gort::on_recv(gort::after(kMustArriveWithin), [] {}));
        gort::sleep(d);
        gave_up_at->store(now_ns());
        cancel();
      });
    }
    bool sent = false;
    try {
      rc.status = fetch(ctx, svc.addr(), "/item?key=k1", &sent).status;
    } catch (const gort::ContextError&) {
      // The client gave up, as it meant to.
    }
    cancel();
    if (!sent) throw std::runtime_error(kNotSent);
    const HandlerRecord h = recv_within(svc.handler_records(), "handler record");
    rc.downstream_reached = h.downstream.request_sent;
    if (rc.downstream_reached) rc.downstream_handler_cancelled = recv_within(down.finished(), "downstream handler");
    const int64_t gave_up = gave_up_at->load();
    if (gave_up != 0 && h.ctx_done_at != 0) rc.ctx_done_after_ns = h.ctx_done_at - gave_up;
    rc.store = outcome(h.store, gave_up);
    rc.downstream = outcome(h.downstream, gave_up);
    res.cases.push_back(rc);
  }
  return res;
}

/// The leak check of one variant: a client that gives up, then every
/// goroutine created since that is still alive once the handler has returned.
LeakCheck run_leak_check(const Config& c, const std::string& variant, Service& svc, Downstream& down) {
  fmt::print(stderr, "context-discipline: leak check, {} handler\n", variant);
  LeakCheck lc;
  lc.variant = variant;
  std::vector<int64_t> before;
  for (const gort::GoroutineRecord& g : gort::live_goroutines()) before.push_back(g.id);
  {
    auto [ctx, cancel] = gort::with_timeout(gort::background(), c.patience);
    bool sent = false;
    try {
      fetch(ctx, svc.addr(), (variant == "leaky" ? "/leaky" : "/item") + std::string("?key=k2"), &sent);
    } catch (const gort::ContextError&) {
      // The client gave up, as it meant to.
    }
    cancel();
    if (!sent) throw std::runtime_error(kNotSent);
  }
  const HandlerRecord h = recv_within(svc.handler_records(), "handler record");
  if (h.downstream.request_sent) recv_within(down.finished(), "downstream handler");
  // goleak.VerifyNone(t, goleak.IgnoreCurrent()) after the request: what
  // existed before is ignored, everything the request started must be gone.
  const auto leaks = gort::goleak::verify_none(c.leak_wait, {.ignore_ids = before});
  // Which of them descend from the handler's goroutine (parent links).
  std::set<int64_t> tree{h.handler_goid};
  for (bool grew = true; grew;) {
    grew = false;
    for (const gort::GoroutineRecord& g : leaks) {
      if (tree.count(g.parent_id) != 0 && tree.insert(g.id).second) grew = true;
    }
  }
  for (const gort::GoroutineRecord& g : leaks) {
    lc.leaks.push_back({g.id, g.created_by, g.creation_file, g.creation_line, g.state, tree.count(g.id) != 0});
  }
  if (!leaks.empty()) {
    lc.message = fmt::format("{} handler: {} goroutine(s) outlived the request\n{}", variant, leaks.size(),
                             gort::goleak::describe(leaks));
    fmt::print(stderr, "context-discipline: leak check failed: {}", lc.message);
  }
  svc.release_leaked();
  lc.left_after_release = static_cast<int64_t>(gort::goleak::verify_none(c.leak_wait, {.ignore_ids = before}).size());
  return lc;
}

/// Part 2: an errgroup of c.workers store reads, one of which fails.
FanoutResult run_fanout(const Config& c) {
  fmt::print(stderr, "context-discipline: errgroup fan-out of {}\n", c.workers);
  FanoutResult res;
  res.workers = c.workers;
  res.failing_worker = c.failing_worker;
  res.fail_after_ns = c.fail_after.count();
  res.worker_delay_ns = c.worker_delay.count();
  SlowStore store(c.worker_delay);
  std::atomic<int64_t> failed_at{0};
  std::vector<WorkerOutcome> outcomes(static_cast<std::size_t>(c.workers));
  std::vector<int64_t> returned_at(outcomes.size(), 0);
  {
    gort::ErrGroup g(gort::background());
    for (int i = 0; i < c.workers; ++i) {
      g.go([&, i](const gort::Context& ctx) {
        WorkerOutcome& o = outcomes[static_cast<std::size_t>(i)];
        o.index = i;
        if (i == c.failing_worker) {
          gort::sleep(c.fail_after);
          o.outcome = "failed";
          failed_at.store(now_ns());
          throw std::runtime_error(fmt::format("worker {}: shard unavailable", i));
        }
        try {
          store.get(ctx, fmt::format("shard-{}", i));
          o.outcome = "completed";
        } catch (const gort::ContextError&) {
          o.outcome = "cancelled";
        }
        returned_at[static_cast<std::size_t>(i)] = now_ns();
      });
    }
    try {
      g.wait();
    } catch (const std::exception& e) {
      res.wait_error = e.what();
    }
    res.wait_returned_after_ns = now_ns() - failed_at.load();
  }
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (static_cast<int>(i) != c.failing_worker) outcomes[i].observed_cancel_after_ns = returned_at[i] - failed_at.load();
  }
  res.outcomes = outcomes;
  return res;
}

/// Part 3: c.requests concurrent GETs of one uncached key, with and without SingleFlight.
StampedeResult run_stampede(const Config& c, Service& svc) {
  StampedeResult res;
  res.upstream_delay_ns = c.upstream_delay.count();
  for (bool sf : {false, true}) {
    fmt::print(stderr, "context-discipline: stampede of {} requests, {} singleflight\n", c.requests,
               sf ? "with" : "without");
    svc.reset_cache();
    StampedeRun run;
    run.singleflight = sf;
    run.requests = c.requests;
    const std::string target = std::string("/cached?key=hot&sf=") + (sf ? "1" : "0");
    auto start = gort::make_chan<int>();
    std::atomic<int> ok{0};
    gort::WaitGroup wg;
    wg.add(c.requests);
    for (int i = 0; i < c.requests; ++i) {
      gort::go([&] {
        start.recv2();  // every client waits for the starting gun
        try {
          auto [ctx, cancel] = gort::with_timeout(gort::background(), kMustArriveWithin);
          const Reply r = fetch(ctx, svc.addr(), target);
          cancel();
          if (r.status == 200 && r.body == "value-of-hot") ok.fetch_add(1);
        } catch (const std::exception& e) {
          fmt::print(stderr, "context-discipline: stampede request failed: {}\n", e.what());
        }
        wg.done();
      });
    }
    const int64_t t0 = now_ns();
    start.close();
    wg.wait();
    run.wall_ns = now_ns() - t0;
    run.ok = ok.load();
    run.upstream_calls = svc.upstream_calls();
    run.cache_hits = svc.cache_hits();
    run.shared = svc.shared_results();
    res.runs.push_back(run);
  }
  return res;
}

/// What an after_func callback saw, shared with it.
struct Resource {
  std::atomic<int> held{1};
  std::atomic<int64_t> fired_at{0};
  gort::Chan<int> fired = gort::make_chan<int>(1);
};

/// Registers the release of r on ctx.
gort::StopFunc release_on_done(const gort::Context& ctx, const std::shared_ptr<Resource>& r) {
  return gort::after_func(ctx, [r] {
    r->fired_at.store(now_ns());
    r->held.fetch_sub(1);
    r->fired.send(1);
  });
}

/// Part 4: after_func under a timeout, an explicit cancel, and stop() first.
AfterFuncResult run_afterfunc(const Config& c) {
  fmt::print(stderr, "context-discipline: after_func\n");
  AfterFuncResult res;
  res.timeout_ns = c.timeout.count();
  res.implementation = "native";
  {
    AfterFuncCase k;
    k.trigger = "timeout";
    auto r = std::make_shared<Resource>();
    auto [ctx, cancel] = gort::with_timeout(gort::background(), c.timeout);
    const int64_t deadline = now_ns() + c.timeout.count();
    gort::StopFunc stop = release_on_done(ctx, r);
    recv_within(r->fired, "after_func callback");
    k.fired = true;
    k.fired_after_ns = r->fired_at.load() - deadline;
    k.ctx_err = error_text(ctx.err());
    k.stop_returned = stop();
    cancel();
    k.held_at_end = r->held.load();
    res.cases.push_back(k);
  }
  {
    AfterFuncCase k;
    k.trigger = "explicit-cancel";
    auto r = std::make_shared<Resource>();
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    gort::StopFunc stop = release_on_done(ctx, r);
    const int64_t cancelled_at = now_ns();
    cancel();
    recv_within(r->fired, "after_func callback");
    k.fired = true;
    k.fired_after_ns = r->fired_at.load() - cancelled_at;
    k.ctx_err = error_text(ctx.err());
    k.stop_returned = stop();
    k.held_at_end = r->held.load();
    res.cases.push_back(k);
  }
  {
    AfterFuncCase k;
    k.trigger = "stop-before-cancel";
    auto r = std::make_shared<Resource>();
    auto [ctx, cancel] = gort::with_cancel(gort::background());
    gort::StopFunc stop = release_on_done(ctx, r);
    k.stop_returned = stop();
    cancel();
    // A second registration on the now-cancelled context runs at once; once
    // it has run, the stopped one has had every chance to run too.
    auto sentinel = std::make_shared<Resource>();
    release_on_done(ctx, sentinel);
    recv_within(sentinel->fired, "sentinel callback");
    gort::gosched();
    k.fired = r->fired_at.load() != 0;
    k.ctx_err = error_text(ctx.err());
    k.held_at_end = r->held.load();  // stop() handed the release back to the caller
    res.cases.push_back(k);
  }
  return res;
}

}  // namespace

RuntimeResults run_experiments(const Config& c) {
  RuntimeResults r;
  r.runtime = "gort";
  r.version = "gort";
  if (c.procs > 0) gort::gomaxprocs(c.procs);
  r.gomaxprocs = gort::gomaxprocs();
  const bool needs_service = c.runs("service") || c.runs("leak") || c.runs("stampede");
  if (needs_service) {
    Downstream down(c.downstream_delay);
    Service svc(c.store_delay, c.upstream_delay, down.addr());
    if (c.runs("service")) r.service = run_service(c, svc, down);
    if (c.runs("leak")) {
      for (const std::string& v : c.variants) r.leak.push_back(run_leak_check(c, v, svc, down));
    }
    if (c.runs("stampede")) r.stampede = run_stampede(c, svc);
  }
  if (c.runs("errgroup")) r.fanout = run_fanout(c);
  if (c.runs("afterfunc")) r.afterfunc = run_afterfunc(c);
  return r;
}

}  // namespace ctxlab
