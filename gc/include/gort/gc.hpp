// gort/gc.hpp — the managed heap in one include: gc::make, Ref, Ptr, Root,
// Tracer, Slice, String, finalizers, collect/set_gc_percent/set_memory_limit,
// MemStats and Pool.
#pragma once

#include <gort/gc/collector.hpp>
#include <gort/gc/object.hpp>
#include <gort/gc/slice.hpp>
#include <gort/gc/trace_hooks.hpp>
#include <gort/gc/tracer.hpp>
#include <gort/memstats.hpp>
#include <gort/pool.hpp>
