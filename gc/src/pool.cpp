// pool.cpp — the list of live pools the collector clears at each cycle
// (mirrors allPools, oldPools and poolCleanup in sync/pool.go, and
// runtime_registerPoolCleanup).
#include <gort/pool.hpp>

#include <algorithm>
#include <mutex>
#include <vector>

#include "pool_cleanup.hpp"

namespace gort {

namespace {

struct PoolList {
  std::mutex lock;
  std::vector<detail::PoolBase*> pools;
};

PoolList& pool_list() {
  static auto* list = new PoolList();
  return *list;
}

}  // namespace

void detail::PoolBase::register_pool() {
  PoolList& l = pool_list();
  std::lock_guard<std::mutex> guard(l.lock);
  l.pools.push_back(this);
}

void detail::PoolBase::unregister_pool() {
  PoolList& l = pool_list();
  std::lock_guard<std::mutex> guard(l.lock);
  l.pools.erase(std::remove(l.pools.begin(), l.pools.end(), this), l.pools.end());
}

}  // namespace gort

namespace gort::gc::detail {

// mirrors poolCleanup in sync/pool.go
void pool_cleanup() {
  PoolList& l = pool_list();
  std::lock_guard<std::mutex> guard(l.lock);
  for (gort::detail::PoolBase* p : l.pools) p->cleanup();
}

}  // namespace gort::gc::detail
