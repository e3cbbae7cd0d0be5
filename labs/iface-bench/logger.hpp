// logger.hpp — the Logger interface the request handler is first written
// against (course 7.3, step 3).  Only the interface: the translation unit of
// the interface handler sees no implementation, as a library that takes a
// Logger from its caller does not.
#pragma once

#include <cstdint>
#include <string_view>

namespace ifacebench {

/// Go's `type Logger interface{ Debug(msg string, v int64) }`.
class Logger {
 public:
  virtual ~Logger() = default;
  /// Records msg with value v if debug logging is on.
  virtual void debug(std::string_view msg, int64_t v) = 0;
};

}  // namespace ifacebench
