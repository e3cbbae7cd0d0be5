// chan.cpp — gort_testprog programs that end badly through channels on
// purpose; chan_crash_test.cpp runs each and checks its output and exit
// status against Go's.
#include <gort/gort.hpp>

#include "testprog.hpp"

namespace {

// Every way of blocking on a channel, then main blocks in an empty select:
// the deadlock report lists each goroutine with its wait reason.
GORT_TESTPROG(ChanWaitReasons) {
  return gort::run([] {
    auto unbuffered = gort::make_chan<int>();
    auto full = gort::make_chan<int>(1);
    full.send(0);
    gort::Chan<int> nil;
    gort::go([=] { unbuffered.recv(); });
    gort::go([=] { full.send(1); });
    gort::go([=] { gort::select(gort::on_recv(unbuffered), gort::on_send(full, 2)); });
    gort::go([=] { nil.send(1); });
    gort::go([=] { nil.recv(); });
    gort::select();
  });
}

GORT_TESTPROG(SendOnClosedChan) {
  return gort::run([] {
    auto c = gort::make_chan<int>(1);
    c.close();
    c.send(1);
  });
}

GORT_TESTPROG(CloseOfNilChan) {
  return gort::run([] { gort::Chan<int>().close(); });
}

GORT_TESTPROG(CloseOfClosedChan) {
  return gort::run([] {
    auto c = gort::make_chan<int>();
    c.close();
    c.close();
  });
}

// Go's classic: main receives from a channel nobody sends on.
GORT_TESTPROG(RecvOnlyMain) {
  return gort::run([] { gort::make_chan<int>().recv(); });
}

}  // namespace
