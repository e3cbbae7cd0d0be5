// context.cpp — Go's package context (mirrors src/context/context.go, Go 1.21).
//
// Model.  A Context handle owns a ContextNode; nodes are immutable once built
// and point at their parent, so a chain of handles shares its ancestors.  Each
// node caches what Go finds by walking up through embedded contexts: its
// deadline and the nearest cancellation state (its own for with_cancel and
// with_deadline nodes, the parent's for value nodes, none under background or
// without_cancel), so done(), err() and deadline() cost no walk; value lookup
// walks, as Go's does.
//
// Cancellation lives apart from the nodes, in a CancelState (Go's cancelCtx):
// the done channel, the error and cause, and the set of registered children.
// A child's state is registered in the nearest cancellable ancestor's state
// (propagate_cancel, walking through value nodes like Go's parentCancelCtx);
// the parent holds its children strongly — a child's done channel must close
// when the parent is cancelled even if nobody holds the child's handle any
// more, and an after_func registration exists only in its parent's set — while
// a child holds its parent's state weakly, for unregistering.  Nodes hold their
// parents strongly (values, deadlines).  So nothing forms a cycle: a tree
// dropped without being cancelled is freed, as Go's collector would free it,
// and cancelling a context frees its registration at once.
//
// Invariants.  A state is cancelled at most once; the first cancellation sets
// its error kind and cause, closes done, cancels every registered child and
// empties the set, all under the state's lock, in Go's lock order (parent
// before child): a state's lock is held until its whole subtree is cancelled,
// so a cancel that returns has cancelled every descendant, even one another
// goroutine was cancelling at the same time.  err_ reads "cancelling" between storing the error and
// closing done, so err() never reports an error while done() is still open
// (Go's Err receives from Done for the same reason) and a goroutine woken by
// the close always finds the error.
//
// Locking.  A deadline's timer function cancels its context on an M of the
// runtime, possibly off any goroutine stack, and must never park: every lock
// here is the runtime's non-parking Lock, and nothing under one calls user
// code.  An after_func callback is started with gort::go, which timer
// functions may call (gort/runtime/internal/timer.hpp); the callback runs later on its
// own goroutine.
//
// The deadline timer.  While armed, the timer holds a reference to its state
// (armed_self_), so a context whose handles and cancel function were all
// dropped still fires (Go's timer holds its timerCtx).  Whoever disarms the
// timer releases that reference: cancel, if deltimer removed the timer before
// it fired; otherwise the timer function itself, after its cancel returns; or
// the runtime's teardown (on_discard) for a timer that never fired.
//
// Depth.  Programs build chains as deep as they like (a context derived per
// call of a recursive function), and a goroutine's stack is 240 KiB where Go's
// grows to 1 GB, so no walk over a tree recurses: cancel visits the subtree
// depth-first with an explicit path (Go's recursive cancel, one frame per level
// turned into one entry per level), value lookup is a loop up the parents, and
// the destructors of ContextNode and CancelState free the chains they alone
// hold in a loop instead of letting each member's destructor free the next
// level (a node holds its parent, a state its children).
//
// Rejected: a gort::Mutex per state (parks: not allowed in a timer function);
// a strong child-to-parent state reference (cycles parent <-> child until the
// tree is cancelled, so a tree dropped uncancelled would leak); creating done
// lazily as Go 1.21 does (saves an allocation for contexts nobody waits on, at
// the price of a lock in done()); Go's map of children (a vector with each
// child's index in it gives O(1) insertion and removal without hashing).
#include <gort/context.hpp>

#include <atomic>
#include <cstdint>
#include <limits>
#include <vector>

#include <gort/runtime.hpp>
#include <gort/runtime/internal/lock.hpp>
#include <gort/runtime/internal/timer.hpp>

namespace gort {

namespace {

using Clock = std::chrono::steady_clock;

/// Why a context was cancelled, as stored in CancelState::err_.
enum ErrKind : uint8_t {
  kNotCancelled = 0,
  kCanceled = 1,
  kDeadlineExceeded = 2,
  /// Mask of the two kinds above.
  kKindMask = 3,
  /// Set once done has been closed; a kind without it means "cancelling".
  kDoneClosed = 4,
};

/// The exception_ptr Go's err would be for kind (kCanceled or kDeadlineExceeded).
const std::exception_ptr& error_for(uint8_t kind) {
  return (kind & kKindMask) == kDeadlineExceeded ? deadline_exceeded_error() : canceled_error();
}

/// Holds a runtime Lock for a scope.
class Locked {
 public:
  explicit Locked(runtime::Lock& l) : l_(l) { l_.lock(); }
  ~Locked() { l_.unlock(); }
  Locked(const Locked&) = delete;
  Locked& operator=(const Locked&) = delete;

 private:
  runtime::Lock& l_;
};

/// Nanoseconds of the runtime clock (CLOCK_MONOTONIC, which is steady_clock
/// on Linux) at time point t.
int64_t when_of(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

namespace detail {

/// A cancellable context's cancellation state (mirrors cancelCtx).
class CancelState : public std::enable_shared_from_this<CancelState> {
 public:
  /// A live state; with_done creates its done channel (after_func states,
  /// which nobody can wait on, have none).
  explicit CancelState(bool with_done) {
    if (with_done) done_ = make_chan<std::monostate>();
  }
  /// Frees the registered children this state alone holds, and theirs, in a
  /// loop (a chain of uncancelled states would otherwise be freed by one
  /// nested destructor per level).
  virtual ~CancelState();
  CancelState(const CancelState&) = delete;
  CancelState& operator=(const CancelState&) = delete;

  /// Cancels this state and its descendants with error kind err and cause
  /// (null: the error itself); if remove_from_parent, also unregisters it from
  /// its parent.  No-op after the first call.  Caller holds no lock of this
  /// state or its descendants.  Safe from a timer function; stack use does not
  /// depend on the tree's depth.
  void cancel(bool remove_from_parent, uint8_t err, std::exception_ptr cause);

  /// Registers child so that cancelling this state cancels it — or, if this
  /// state is already cancelled, cancels child now with the same error and
  /// cause (mirrors the cancelCtx branch of propagateCancel).  Precondition:
  /// child is new (not yet registered anywhere).
  void add_child(const std::shared_ptr<CancelState>& child);

  /// The done channel (nil for after_func states).
  const Context::DoneChan& done() const { return done_; }

  /// The number of registered children.  Takes mu_.
  std::size_t children_count() {
    Locked held(mu_);
    return children_.size();
  }

  /// err_ as of now: a kind, possibly with kDoneClosed.  Any thread.
  uint8_t err_state() const { return err_.load(std::memory_order_acquire); }

  /// The cause recorded by the first cancellation, null before.  Takes mu_.
  std::exception_ptr cause() {
    Locked held(mu_);
    return cause_;
  }

 protected:
  /// Runs once, under mu_, at the first cancellation; returns a reference the
  /// caller drops after releasing every lock (the timer's self-reference).
  virtual std::shared_ptr<CancelState> on_cancel_locked() { return nullptr; }
  /// Runs once, after the first cancellation, with no lock of this state held.
  virtual void on_cancelled() {}

  /// Protects cause_, children_ and the children's index_in_parent_ (Go's mu).
  runtime::Lock mu_;

 private:
  /// Removes this state from its parent's children (mirrors removeChild).
  /// Caller holds no lock of this state.
  void remove_from_parent();

  /// The first part of a cancellation: records err and cause and closes done;
  /// false if the state was already cancelled.  Caller holds mu_.
  bool start_cancel_locked(uint8_t err, const std::exception_ptr& cause);

  /// Closed by the first cancellation; nil for after_func states.  Immutable.
  Context::DoneChan done_;
  /// ErrKind bits: written under mu_, read lock-free by err().
  std::atomic<uint8_t> err_{kNotCancelled};
  /// The first cancellation's cause.  Under mu_.
  std::exception_ptr cause_;
  /// Registered children, each knowing its index here.  Under mu_; emptied
  /// by the first cancellation.
  std::vector<std::shared_ptr<CancelState>> children_;
  /// The state this one is registered with; set before registration, then
  /// immutable.  Weak: a parent's lifetime is its handles', not its children's.
  std::weak_ptr<CancelState> parent_;
  /// Position in the parent's children_, kNotRegistered when absent.  Under
  /// the parent's mu_.
  std::size_t index_in_parent_ = kNotRegistered;
  /// index_in_parent_ of a state in no parent's set.
  static constexpr std::size_t kNotRegistered = std::numeric_limits<std::size_t>::max();
};

bool CancelState::start_cancel_locked(uint8_t err, const std::exception_ptr& cause) {
  if (err_.load(std::memory_order_relaxed) != kNotCancelled) return false;  // already cancelled
  err_.store(err, std::memory_order_release);
  cause_ = cause;
  if (done_) done_.close();
  return true;
}

// mirrors cancelCtx.cancel (and the shared part of timerCtx.cancel).  Go's
// cancel calls itself for each child while holding the parent's lock; here
// `path` holds the states whose locks are held, root first, each with the
// index of its next child, and entering a child pushes it (Go's call) while
// finishing a state pops it (Go's return).
void CancelState::cancel(bool remove_from_parent_too, uint8_t err, std::exception_ptr cause) {
  if (!cause) cause = error_for(err);
  // Declared first so it is destroyed last, once no lock is held: the former
  // children and the timers' self-references, one of which may be the last
  // reference to this state.
  std::vector<std::shared_ptr<CancelState>> release_last;
  std::vector<CancelState*> cancelled;  // for on_cancelled, alive through release_last or the caller
  struct Level {
    CancelState* state;
    std::size_t next_child;
  };
  std::vector<Level> path;
  mu_.lock();
  if (!start_cancel_locked(err, cause)) {
    mu_.unlock();
    return;
  }
  path.push_back({this, 0});
  while (!path.empty()) {
    CancelState* s = path.back().state;
    if (path.back().next_child < s->children_.size()) {
      CancelState* child = s->children_[path.back().next_child++].get();
      child->index_in_parent_ = kNotRegistered;
      // NOTE, as in Go: the child's lock is taken while holding ours.
      child->mu_.lock();
      if (child->start_cancel_locked(err, cause)) {
        path.push_back({child, 0});
      } else {
        child->mu_.unlock();  // cancelled by its own CancelFunc first
      }
      continue;
    }
    // Every child of s is cancelled: s is done.
    for (auto& child : s->children_) release_last.push_back(std::move(child));
    std::vector<std::shared_ptr<CancelState>>().swap(s->children_);
    if (std::shared_ptr<CancelState> self = s->on_cancel_locked()) release_last.push_back(std::move(self));
    s->err_.store(static_cast<uint8_t>(err | kDoneClosed), std::memory_order_release);
    s->mu_.unlock();
    cancelled.push_back(s);
    path.pop_back();
  }
  if (remove_from_parent_too) remove_from_parent();
  for (CancelState* s : cancelled) s->on_cancelled();
}

// Frees children only this state holds, level by level: a child about to go
// with us gives its own children to the loop first, so its destructor has
// none to free.  A child someone else holds keeps its children.
CancelState::~CancelState() {
  std::vector<std::shared_ptr<CancelState>> dropping = std::move(children_);
  while (!dropping.empty()) {
    std::shared_ptr<CancelState> s = std::move(dropping.back());
    dropping.pop_back();
    // use_count is 1: no other strong reference, and only remove_from_parent
    // can make one (from a child's weak parent_), under s->mu_, finding the
    // child already unregistered.  Nothing can cancel s any more, so its
    // children need not stay registered.
    if (s.use_count() == 1) {
      Locked held(s->mu_);
      for (auto& child : s->children_) {
        child->index_in_parent_ = kNotRegistered;
        dropping.push_back(std::move(child));
      }
      std::vector<std::shared_ptr<CancelState>>().swap(s->children_);
    }
  }
}

// mirrors removeChild
void CancelState::remove_from_parent() {
  const std::shared_ptr<CancelState> parent = parent_.lock();
  if (parent == nullptr) return;  // parent already gone: nothing holds us
  Locked held(parent->mu_);
  const std::size_t i = index_in_parent_;
  if (i == kNotRegistered) return;  // the parent's cancellation took us out
  auto& siblings = parent->children_;
  if (i != siblings.size() - 1) {
    siblings[i] = std::move(siblings.back());
    siblings[i]->index_in_parent_ = i;
  }
  index_in_parent_ = kNotRegistered;
  // Popping drops the parent's reference to us; ours is held by the caller.
  siblings.pop_back();
}

// mirrors the cancelCtx branch of propagateCancel
void CancelState::add_child(const std::shared_ptr<CancelState>& child) {
  uint8_t err;
  std::exception_ptr cause;
  {
    Locked held(mu_);
    err = static_cast<uint8_t>(err_.load(std::memory_order_relaxed) & kKindMask);
    if (err == kNotCancelled) {
      child->parent_ = weak_from_this();
      child->index_in_parent_ = children_.size();
      children_.push_back(child);
      return;
    }
    cause = cause_;
  }
  child->cancel(false, err, std::move(cause));  // parent has already been cancelled
}

/// A with_deadline context's state: a cancel state plus a runtime timer
/// (mirrors timerCtx).
class DeadlineState final : public CancelState {
 public:
  /// A live state whose timer, once armed, fires at deadline and then
  /// cancels with DeadlineExceeded and cause.
  DeadlineState(Clock::time_point deadline, std::exception_ptr cause)
      : CancelState(true), deadline_(deadline), cause_on_expiry_(std::move(cause)) {}

  /// Arms the timer unless the state is already cancelled (by its parent
  /// during registration).  Called once, from a goroutine.
  void arm() {
    Locked held(mu_);
    if (err_state() != kNotCancelled) return;
    timer_.when = when_of(deadline_);
    timer_.f = &DeadlineState::fire;
    timer_.arg = this;
    timer_.on_discard = &DeadlineState::discard;
    armed_self_ = shared_from_this();
    runtime::addtimer(&timer_);
  }

  /// Cancels at expiry: the timer cause, or DeadlineExceeded.
  void expire_now() { cancel(true, kDeadlineExceeded, cause_on_expiry_); }

 private:
  /// The timer function (Go's time.AfterFunc callback in WithDeadlineCause).
  static void fire(void* arg, uintptr_t /*seq*/, int64_t /*delay*/) {
    auto* self = static_cast<DeadlineState*>(arg);  // alive: armed_self_ holds it
    self->expire_now();
    self->drop_timer_reference();  // cancel left it: deltimer failed
  }

  /// The runtime ends with the timer still armed: it will never fire.
  static void discard(runtime::RuntimeTimer* t) { static_cast<DeadlineState*>(t->arg)->drop_timer_reference(); }

  /// Drops the armed timer's reference to this state, which may free it.
  void drop_timer_reference() {
    std::shared_ptr<CancelState> release_last;
    Locked held(mu_);
    release_last = std::move(armed_self_);
    // `held` unlocks before release_last is destroyed (reverse declaration order).
  }

  /// Disarms the timer (mirrors timerCtx.cancel's c.timer.Stop()); if it had
  /// not fired, the timer's reference to this state is ours to drop.
  std::shared_ptr<CancelState> on_cancel_locked() override {
    if (armed_self_ != nullptr && runtime::deltimer(&timer_)) return std::move(armed_self_);
    return nullptr;
  }

  /// When the timer fires.  Immutable.
  const Clock::time_point deadline_;
  /// Cause recorded at expiry (null: DeadlineExceeded).  Immutable.
  const std::exception_ptr cause_on_expiry_;
  /// The runtime timer; armed at most once.
  runtime::RuntimeTimer timer_;
  /// This state, held by the armed timer.  Under mu_.
  std::shared_ptr<CancelState> armed_self_;
};

/// An after_func registration (mirrors afterFuncCtx): a cancel state whose
/// cancellation starts fn in a new goroutine unless stop claimed it first.
class AfterFuncState final : public CancelState {
 public:
  explicit AfterFuncState(std::function<void()> fn) : CancelState(false), fn_(std::move(fn)) {}

  /// The StopFunc (mirrors AfterFunc's stop closure): true if it kept fn from
  /// running.
  bool stop() {
    if (claimed_.exchange(true, std::memory_order_acq_rel)) return false;
    std::function<void()> discarded = std::move(fn_);  // destroyed here, on our goroutine
    cancel(true, kCanceled, nullptr);
    return true;
  }

 private:
  /// mirrors afterFuncCtx.cancel's once.Do(func() { go a.f() })
  void on_cancelled() override {
    if (claimed_.exchange(true, std::memory_order_acq_rel)) return;  // stopped
    gort::go([fn = std::move(fn_)] { fn(); });
  }

  /// Set by whichever of stop and the cancellation comes first (Go's once);
  /// the winner alone touches fn_.
  std::atomic<bool> claimed_{false};
  /// The function to run.
  std::function<void()> fn_;
};

/// One context (Go's emptyCtx, cancelCtx, timerCtx, valueCtx and
/// withoutCancelCtx in one immutable record).
struct ContextNode {
  ContextNode() = default;
  ContextNode(const ContextNode&) = delete;
  ContextNode& operator=(const ContextNode&) = delete;
  /// Frees the ancestors this node alone holds in a loop (see the top of this file).
  ~ContextNode();

  /// The parent, owned; null for children of background().  Touched only by
  /// child_node and the destructors (which take it from a parent about to go
  /// with them): walks read `up`.
  std::shared_ptr<const ContextNode> parent;
  /// parent.get(), for walks up the chain.  Immutable.
  const ContextNode* up = nullptr;
  /// The cancellation state this node created (with_cancel, with_deadline).
  std::shared_ptr<CancelState> own_state;
  /// own_state, or the nearest ancestor's; null when nothing can cancel this
  /// context.  Kept alive by own_state or the parent chain.
  CancelState* cancel_state = nullptr;
  /// The earliest deadline on the chain.
  std::optional<Clock::time_point> deadline;
  /// A value node's key (the ContextKey's address), else null.
  const void* key = nullptr;
  /// A value node's value.
  std::shared_ptr<const void> value;
};

// Frees the chain of parents only this node holds, one level per iteration:
// each parent about to go with us gives up its own parent first, so its
// destructor has nothing to free in turn.
ContextNode::~ContextNode() {
  std::shared_ptr<const ContextNode> p = std::move(parent);
  // use_count is 1: no other holder, and none can appear (nothing refers to a
  // node weakly), so p's parent field is ours to take.  Walks never read it.
  while (p != nullptr && p.use_count() == 1) {
    std::shared_ptr<const ContextNode> next = std::move(const_cast<ContextNode&>(*p).parent);
    p = std::move(next);
  }
}

/// The private constructors of Context, CancelFunc and StopFunc.
struct ContextAccess {
  static const std::shared_ptr<const ContextNode>& node(const Context& c) { return c.node_; }
  static Context context(std::shared_ptr<const ContextNode> n) { return Context(std::move(n)); }
  static CancelFunc cancel_func(std::shared_ptr<CancelState> s) { return CancelFunc(std::move(s)); }
  static StopFunc stop_func(std::shared_ptr<AfterFuncState> s) { return StopFunc(std::move(s)); }
  static CancelState* cancel_state(const Context& c) { return c.node_ ? c.node_->cancel_state : nullptr; }
};

namespace {

/// A node deriving from parent: inherits its cancellation state and deadline.
std::shared_ptr<ContextNode> child_node(const Context& parent) {
  auto n = std::make_shared<ContextNode>();
  n->parent = ContextAccess::node(parent);
  n->up = n->parent.get();
  if (n->parent != nullptr) {
    n->cancel_state = n->parent->cancel_state;
    n->deadline = n->parent->deadline;
  }
  return n;
}

/// Makes state the cancellation state of a new child of parent, registered
/// with parent's (mirrors propagateCancel: a parent that can never be
/// cancelled registers nothing).
std::shared_ptr<ContextNode> cancellable_child(const Context& parent, const std::shared_ptr<CancelState>& state) {
  std::shared_ptr<ContextNode> n = child_node(parent);
  if (CancelState* p = n->cancel_state) p->add_child(state);
  n->own_state = state;
  n->cancel_state = state.get();
  return n;
}

}  // namespace

Context context_with_value(const Context& parent, const void* key, std::shared_ptr<const void> value) {
  std::shared_ptr<ContextNode> n = child_node(parent);
  n->key = key;
  n->value = std::move(value);
  return ContextAccess::context(std::move(n));
}

std::size_t registered_children(const Context& ctx) {
  CancelState* s = ContextAccess::cancel_state(ctx);
  return s != nullptr ? s->children_count() : 0;
}

}  // namespace detail

using detail::ContextAccess;

const std::exception_ptr& canceled_error() {
  static const std::exception_ptr e = std::make_exception_ptr(ContextCanceled());
  return e;
}

const std::exception_ptr& deadline_exceeded_error() {
  static const std::exception_ptr e = std::make_exception_ptr(DeadlineExceeded());
  return e;
}

namespace {

/// True if e holds an exception of type E.
template <class E>
bool holds(const std::exception_ptr& e) {
  if (!e) return false;
  try {
    std::rethrow_exception(e);
  } catch (const E&) {
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace

bool is_canceled(const std::exception_ptr& e) { return e == canceled_error() || holds<ContextCanceled>(e); }

bool is_deadline_exceeded(const std::exception_ptr& e) {
  return e == deadline_exceeded_error() || holds<DeadlineExceeded>(e);
}

Context::DoneChan Context::done() const {
  const detail::CancelState* s = ContextAccess::cancel_state(*this);
  return s != nullptr ? s->done() : DoneChan();
}

// mirrors cancelCtx.Err
std::exception_ptr Context::err() const {
  detail::CancelState* s = ContextAccess::cancel_state(*this);
  if (s == nullptr) return nullptr;
  const uint8_t e = s->err_state();
  if (e == kNotCancelled) return nullptr;
  // Cancelling right now: report the error only once done is closed.
  if ((e & kDoneClosed) == 0) s->done().recv();
  return error_for(e);
}

std::optional<std::chrono::steady_clock::time_point> Context::deadline() const {
  return node_ != nullptr ? node_->deadline : std::nullopt;
}

// mirrors value() in context.go
const void* Context::lookup(const void* key) const {
  for (const detail::ContextNode* n = node_.get(); n != nullptr; n = n->up) {
    if (n->key == key) return n->value.get();
  }
  return nullptr;
}

void CancelFunc::operator()(std::exception_ptr cause) const {
  if (state_ != nullptr) state_->cancel(true, kCanceled, std::move(cause));
}

bool StopFunc::operator()() const { return state_ != nullptr && state_->stop(); }

Context background() noexcept { return Context(); }

Context todo() noexcept { return Context(); }

// mirrors WithCancel / WithCancelCause
std::pair<Context, CancelFunc> with_cancel(const Context& parent) {
  auto state = std::make_shared<detail::CancelState>(true);
  Context ctx = ContextAccess::context(detail::cancellable_child(parent, state));
  return {std::move(ctx), ContextAccess::cancel_func(std::move(state))};
}

// mirrors WithDeadlineCause
std::pair<Context, CancelFunc> with_deadline_cause(const Context& parent, std::chrono::steady_clock::time_point d,
                                                   std::exception_ptr cause) {
  if (const auto current = parent.deadline(); current && *current < d) {
    return with_cancel(parent);  // the current deadline is already sooner
  }
  auto state = std::make_shared<detail::DeadlineState>(d, std::move(cause));
  std::shared_ptr<detail::ContextNode> n = detail::cancellable_child(parent, state);
  n->deadline = d;
  Context ctx = ContextAccess::context(std::move(n));
  if (d <= Clock::now()) {
    state->expire_now();  // the deadline has already passed
  } else {
    state->arm();
  }
  return {std::move(ctx), ContextAccess::cancel_func(std::move(state))};
}

std::pair<Context, CancelFunc> with_deadline(const Context& parent, std::chrono::steady_clock::time_point d) {
  return with_deadline_cause(parent, d, nullptr);
}

namespace {

/// now + timeout, saturating at the clock's limits (Go's Time.Add saturates).
Clock::time_point deadline_after(std::chrono::nanoseconds timeout) {
  const Clock::duration now = Clock::now().time_since_epoch();
  const auto t = std::chrono::duration_cast<Clock::duration>(timeout);
  // Each bound is computed on the side where it cannot overflow.
  if (t > Clock::duration::zero() && now > Clock::duration::max() - t) return Clock::time_point::max();
  if (t < Clock::duration::zero() && now < Clock::duration::min() - t) return Clock::time_point::min();
  return Clock::time_point(now + t);
}

}  // namespace

// mirrors WithTimeout
std::pair<Context, CancelFunc> with_timeout(const Context& parent, std::chrono::nanoseconds timeout) {
  return with_deadline_cause(parent, deadline_after(timeout), nullptr);
}

// mirrors WithTimeoutCause
std::pair<Context, CancelFunc> with_timeout_cause(const Context& parent, std::chrono::nanoseconds timeout,
                                                  std::exception_ptr cause) {
  return with_deadline_cause(parent, deadline_after(timeout), std::move(cause));
}

// mirrors WithoutCancel
Context without_cancel(const Context& parent) {
  std::shared_ptr<detail::ContextNode> n = detail::child_node(parent);
  n->cancel_state = nullptr;
  n->deadline.reset();
  return ContextAccess::context(std::move(n));
}

// mirrors Cause
std::exception_ptr cause(const Context& c) {
  std::exception_ptr err = c.err();
  if (!err) return nullptr;
  if (std::exception_ptr recorded = ContextAccess::cancel_state(c)->cause()) return recorded;
  return err;
}

// mirrors AfterFunc
StopFunc detail::after_func_rooted(const Context& ctx, std::function<void()> fn) {
  auto state = std::make_shared<detail::AfterFuncState>(std::move(fn));
  if (detail::CancelState* p = ContextAccess::cancel_state(ctx)) p->add_child(state);
  return ContextAccess::stop_func(std::move(state));
}

}  // namespace gort
