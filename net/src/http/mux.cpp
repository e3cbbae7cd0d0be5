// mux.cpp — http::ServeMux (mirrors ServeMux in Go 1.19's net/http/server.go:
// Handle, match, redirectToPathSlash, cleanPath).
//
// Routes live in a map from pattern to handler, plus the subtree patterns
// (those ending in '/') sorted longest first, as Go 1.19 keeps es; a request
// takes the exact pattern if there is one, else the longest subtree pattern
// that prefixes its path.  A path that is not clean ("/a/../b", "//x") is
// redirected to its cleaned form, and "/tree" to "/tree/" when only the
// subtree is registered, both with 301, as Go does.
#include <gort/http.hpp>

#include <gort/mutex.hpp>

#include "request_path.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace gort::http {

struct ServeMux::Routes {
  mutable Mutex mu;                                         // guards the two below
  std::map<std::string, Handler, std::less<>> exact;        // every pattern
  std::vector<std::pair<std::string, Handler>> subtrees;    // patterns ending in '/', longest first
};

namespace {

/// Go's Redirect for 301 with a relative URL already absolute-path: Location and a short HTML body for GET.
void redirect(ResponseWriter& w, Request& r, const std::string& to) {
  std::string location = to;
  const std::string q = r.query();
  if (!q.empty()) location += "?" + q;
  w.set_header("Location", location);
  if (r.method == "GET" || r.method == "HEAD") w.set_header("Content-Type", "text/html; charset=utf-8");
  w.write_header(301);
  if (r.method == "GET") w.write("<a href=\"" + location + "\">Moved Permanently</a>.\n\n");
}

}  // namespace

ServeMux::ServeMux() : routes_(std::make_shared<Routes>()) {}

// mirrors ServeMux.Handle
void ServeMux::handle_func(std::string pattern, Handler h) {
  if (pattern.empty() || pattern[0] != '/') throw std::invalid_argument("http: invalid pattern \"" + pattern + "\"");
  if (!h) throw std::invalid_argument("http: nil handler");
  std::lock_guard<Mutex> g(routes_->mu);
  if (routes_->exact.count(pattern) != 0) {
    throw std::invalid_argument("http: multiple registrations for " + pattern);
  }
  routes_->exact.emplace(pattern, h);
  if (pattern.back() == '/') {
    auto& st = routes_->subtrees;
    const auto at = std::find_if(st.begin(), st.end(), [&](const auto& e) { return e.first.size() < pattern.size(); });
    st.emplace(at, pattern, std::move(h));
  }
}

// mirrors ServeMux.ServeHTTP + Handler + match
void ServeMux::operator()(ResponseWriter& w, Request& r) const {
  const std::string path = r.path();
  if (r.method != "CONNECT") {
    const std::string clean = detail::clean_path(path);
    if (clean != path) {
      redirect(w, r, clean);
      return;
    }
  }
  Handler h;
  bool redirect_to_slash = false;
  {
    std::lock_guard<Mutex> g(routes_->mu);
    if (auto it = routes_->exact.find(path); it != routes_->exact.end()) {
      h = it->second;
    } else if (path.back() != '/' && routes_->exact.count(path + "/") != 0) {
      redirect_to_slash = true;  // redirectToPathSlash
    } else {
      for (const auto& [pattern, handler] : routes_->subtrees) {
        if (path.compare(0, pattern.size(), pattern) == 0) {
          h = handler;
          break;
        }
      }
    }
  }
  if (redirect_to_slash) {
    redirect(w, r, path + "/");
  } else if (h) {
    h(w, r);
  } else {
    not_found(w, r);
  }
}

}  // namespace gort::http
