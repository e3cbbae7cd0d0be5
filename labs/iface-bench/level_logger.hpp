// level_logger.hpp — the concrete logger: a level filter and counters of what
// it would have written.  Debug logging is off in a production hot path, so
// the usual call is one comparison — cheap inlined, a call's worth through
// the interface.
#pragma once

#include <cstdint>
#include <string_view>

#include "logger.hpp"

namespace ifacebench {

/// Levels, lowest first.
enum class Level { Debug = 0, Info = 1 };

/// The concrete logger; final, so a call on a LevelLogger& is direct.
class LevelLogger final : public Logger {
 public:
  explicit LevelLogger(Level level) : level_(level) {}

  /// Counts msg and v's 8 bytes when the level allows debug lines.
  void debug(std::string_view msg, int64_t v) override {
    if (level_ > Level::Debug) return;
    ++lines_;
    bytes_ += static_cast<int64_t>(msg.size()) + static_cast<int64_t>(sizeof v);
  }

  /// Lines recorded so far.
  int64_t lines() const { return lines_; }

 private:
  /// The lowest level recorded.
  Level level_;
  /// Lines and bytes recorded.
  int64_t lines_ = 0;
  int64_t bytes_ = 0;
};

}  // namespace ifacebench
