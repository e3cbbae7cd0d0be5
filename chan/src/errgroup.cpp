// errgroup.cpp — golang.org/x/sync/errgroup (mirrors errgroup/errgroup.go).
//
// Model, as Go's: a WaitGroup counts the goroutines; an optional buffered
// channel holds one token per active goroutine, so its capacity is the limit
// and a full buffer blocks go() (Go's sem); a Once records the first failure
// and cancels the group's context with it as the cause.  Everything read after
// wg_.wait() (err_) was written before the matching done(), so the WaitGroup
// orders it.
//
// Order inside a goroutine, as Go's deferred calls run: the failure is
// recorded (and the context cancelled) before the token is returned and the
// goroutine counted out, so wait() never returns before the failure is known.
//
// Rejected: a gort::Semaphore for the limit (Go's token channel gives TryGo
// and the "N goroutines still active" count, len(sem), for free).
#include <gort/errgroup.hpp>

#include <string>

#include <gort/panic.hpp>

namespace gort {

// mirrors WithContext
ErrGroup::ErrGroup(const Context& parent) {
  auto [ctx, cancel] = with_cancel(parent);
  ctx_ = std::move(ctx);
  cancel_ = std::move(cancel);
}

ErrGroup::~ErrGroup() {
  cancel_();
  wg_.wait();
}

// mirrors the errOnce.Do block of Go
void ErrGroup::fail(std::exception_ptr error) {
  first_failure_.call([&] {
    err_ = std::move(error);
    cancel_(err_);
  });
}

// mirrors done
void ErrGroup::done() {
  if (limit_) limit_.recv();
  wg_.done();
}

// mirrors Wait
void ErrGroup::wait() {
  wg_.wait();
  cancel_(err_);
  if (err_) std::rethrow_exception(err_);
}

// mirrors SetLimit
void ErrGroup::set_limit(int n) {
  if (n < 0) {
    limit_ = Chan<std::monostate>();
    return;
  }
  if (const int active = limit_.len(); active != 0) {
    throw Panic("errgroup: modify limit while " + std::to_string(active) +
                " goroutines in the group are still active");
  }
  limit_ = make_chan<std::monostate>(n);
}

}  // namespace gort
