// registry.cpp — gort::pprof::lookup and Profile (mirrors Lookup, Profile.Name,
// Profile.Count and Profile.WriteTo in golang/go src/runtime/pprof/pprof.go).
//
// Each profile kind lives in a file of its own under pprof/src and registers
// itself through register_profile.  Go's predefined profiles are registered
// by the package's init; here the registration functions are called from one
// list below, on the first lookup, rather than from static initializers: a
// static library contributes only the objects a program references, and a
// file whose only entry were a static initializer would be left out of every
// program.  A new kind adds its register_* call to that list.
//
// Lookup of a name not registered returns the null Profile, as Go's Lookup
// returns nil; using it throws std::logic_error, where Go's nil receiver
// panics.  Kinds are never removed, so a Profile's pointer stays valid.
#include "registry.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <stdexcept>

#include <gort/pprof.hpp>

namespace gort::pprof {

namespace detail {

namespace {

struct Registry {
  std::mutex mu;
  std::deque<ProfileKind> kinds;  // a deque: pointers stay valid as it grows
};

Registry& registry() {
  static Registry r;
  return r;
}

/// The built-in kinds, registered once.  Called without the registry's lock.
void register_builtin_profiles() {
  static std::once_flag once;
  std::call_once(once, [] {
    register_goroutine_profiles();
    register_memory_profiles();
  });
}

}  // namespace

void register_profile(ProfileKind kind) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  for (const ProfileKind& k : r.kinds) {
    if (k.name == kind.name) throw std::logic_error("gort::pprof: profile " + kind.name + " registered twice");
  }
  r.kinds.push_back(std::move(kind));
}

}  // namespace detail

namespace {

const detail::ProfileKind& kind_of(const detail::ProfileKind* k, const char* what) {
  if (k == nullptr) throw std::logic_error(std::string("gort::pprof: Profile::") + what + " on the null profile");
  return *k;
}

}  // namespace

std::string Profile::name() const { return kind_ != nullptr ? kind_->name : std::string(); }

int Profile::count() const { return kind_of(kind_, "count").count(); }

void Profile::write_to(const std::string& path, int debug) const { kind_of(kind_, "write_to").write_to(path, debug); }

Profile lookup(std::string_view name) {
  detail::register_builtin_profiles();
  detail::Registry& r = detail::registry();
  std::lock_guard<std::mutex> lock(r.mu);
  for (const detail::ProfileKind& k : r.kinds) {
    if (k.name == name) return Profile(&k);
  }
  return Profile();
}

std::vector<Profile> profiles() {
  detail::register_builtin_profiles();
  detail::Registry& r = detail::registry();
  std::vector<Profile> out;
  {
    std::lock_guard<std::mutex> lock(r.mu);
    for (const detail::ProfileKind& k : r.kinds) out.push_back(Profile(&k));
  }
  std::sort(out.begin(), out.end(), [](const Profile& a, const Profile& b) { return a.name() < b.name(); });
  return out;
}

}  // namespace gort::pprof
