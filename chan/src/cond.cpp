// cond.cpp — sync.Cond (mirrors src/sync/cond.go).
//
// wait() takes a ticket before unlocking L, and parks on that ticket after: a
// signal sent in between (by a goroutine that took L after us) notifies our
// ticket, and the park then returns at once, so unlocking and parking act as
// one step without holding L while parked (runtime/src/notify_list.cpp).
// Copying is prevented by the type (Go checks it at run time instead).
#include <gort/cond.hpp>

namespace gort {

// mirrors Wait
void Cond::wait() {
  const uint32_t ticket = notify_.add();
  L.unlock();
  notify_.wait(ticket);
  L.lock();
}

}  // namespace gort
