// chan_helper — gort programs that end badly through channels on purpose;
// chan_crash_test.cpp runs each mode as a subprocess and checks its output
// and exit status against Go's.
#include <gort/gort.hpp>

#include <cstdio>
#include <cstring>
#include <functional>

#include "helper_modes.hpp"

namespace {

using Mode = gort::test::HelperMode;

// Every way of blocking on a channel, then main blocks in an empty select:
// the deadlock report lists each goroutine with its wait reason.
int every_wait_reason() {
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

const Mode kModes[] = {
    {"wait-reasons", every_wait_reason},
    {"send-on-closed",
     [] {
       return gort::run([] {
         auto c = gort::make_chan<int>(1);
         c.close();
         c.send(1);
       });
     }},
    {"close-of-nil", [] { return gort::run([] { gort::Chan<int>().close(); }); }},
    {"close-of-closed",
     [] {
       return gort::run([] {
         auto c = gort::make_chan<int>();
         c.close();
         c.close();
       });
     }},
    {"recv-only-main",
     [] {
       // Go's classic: main receives from a channel nobody sends on.
       return gort::run([] { gort::make_chan<int>().recv(); });
     }},
};

}  // namespace

int main(int argc, char** argv) { return gort::test::run_helper_mode("chan_helper", argc, argv, kModes); }
