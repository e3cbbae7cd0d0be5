// request_path.cpp — Request::path, Request::query and clean_path (mirrors
// cleanPath in net/http/server.go and path.Clean).  See request_path.hpp.
#include "request_path.hpp"

#include <gort/http.hpp>

#include <vector>

namespace gort::http {

namespace detail {

// mirrors path.Clean, then cleanPath's restoring of a trailing slash
std::string clean_path(std::string_view p) {
  if (p.empty()) return "/";
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < p.size()) {
    while (i < p.size() && p[i] == '/') ++i;
    std::size_t j = i;
    while (j < p.size() && p[j] != '/') ++j;
    const std::string_view seg = p.substr(i, j - i);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    i = j;
  }
  std::string out = "/";
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += '/';
    out += parts[k];
  }
  if (p.back() == '/' && out != "/") out += '/';
  return out;
}

}  // namespace detail

std::string Request::path() const {
  const std::size_t q = target.find('?');
  std::string p = target.substr(0, q);
  // An absolute-form target ("http://host/path"), as proxies send: the path part.
  if (p.rfind("http://", 0) == 0 || p.rfind("https://", 0) == 0) {
    const std::size_t slash = p.find('/', p.find("//") + 2);
    p = slash == std::string::npos ? "/" : p.substr(slash);
  }
  return p.empty() ? "/" : p;
}

std::string Request::query() const {
  const std::size_t q = target.find('?');
  return q == std::string::npos ? std::string() : target.substr(q + 1);
}

}  // namespace gort::http
