// request_path.hpp — what routing reads of a request target: Go's cleanPath
// (request_path.cpp, with Request::path and Request::query).  No runtime:
// the HTTP fuzzer builds it with the parser alone.
#pragma once

#include <string>
#include <string_view>

namespace gort::http::detail {

/// p as Go's ServeMux cleans it (path.Clean on a rooted path, keeping a
/// trailing slash): "/a/../b" -> "/b", "//x/./y/" -> "/x/y/", "" -> "/".
std::string clean_path(std::string_view p);

}  // namespace gort::http::detail
