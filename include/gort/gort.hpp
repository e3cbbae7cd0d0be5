// gort/gort.hpp — the whole public API of gort in one include.
#pragma once

#include <gort/panic.hpp>
#include <gort/runtime.hpp>
#include <gort/goroutines.hpp>
#include <gort/profile_rates.hpp>
#include <gort/trace.hpp>
#include <gort/chan.hpp>
#include <gort/gc.hpp>
#include <gort/http.hpp>
#include <gort/http_pprof.hpp>
#include <gort/cond.hpp>
#include <gort/context.hpp>
#include <gort/errgroup.hpp>
#include <gort/locker.hpp>
#include <gort/mutex.hpp>
#include <gort/net.hpp>
#include <gort/once.hpp>
#include <gort/pprof.hpp>
#include <gort/rwmutex.hpp>
#include <gort/select.hpp>
#include <gort/semaphore.hpp>
#include <gort/singleflight.hpp>
#include <gort/time.hpp>
#include <gort/waitgroup.hpp>
