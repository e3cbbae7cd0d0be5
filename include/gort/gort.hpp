// gort/gort.hpp — the whole public API of gort in one include.
#pragma once

#include <gort/panic.hpp>
#include <gort/runtime.hpp>
#include <gort/chan.hpp>
#include <gort/select.hpp>
#include <gort/waitgroup.hpp>
