// sink.hpp — where the snippets' output goes: formatted, then dropped.
//
// The course's snippets print (fmt.Println); a benchmark cannot print millions
// of lines, so the Go twin prints to io.Discard and the C++ snippets format the
// line and hand it here.  The sink keeps a running byte count so the compiler
// cannot drop the formatting, exactly as io.Discard's Write still receives
// the bytes.  Nothing here allocates.
#pragma once

#include <cstdint>
#include <string_view>

namespace escape {

/// Drops one line (plus the newline Println would add), counting its bytes.
/// Any thread or goroutine may call it.
void discard_line(std::string_view line);

/// Formats v in decimal into a buffer on the caller's stack, as fmt.Println(v)
/// would, and drops the line.
void discard_value(int64_t v);

/// Bytes dropped so far (keeps the sink observable).
uint64_t discarded_bytes();

}  // namespace escape
