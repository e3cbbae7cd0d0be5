// env_test.cpp — parsing of the runtime's numeric knobs.
#include <gtest/gtest.h>

#include "env.hpp"

namespace {

using gort::runtime::parse_int32;

TEST(ParseInt32, AcceptsExactlyADecimalInt32) {
  struct Case {
    const char* in;
    bool ok;
    int32_t want;
  } cases[] = {
      {"0", true, 0},          {"17", true, 17},        {"-5", true, -5},
      {"2147483647", true, 2147483647},                 {"2147483648", false, 0},
      {"", false, 0},          {"abc", false, 0},       {"12abc", false, 0},
      {" 1", false, 0},        {"1 ", false, 0},        {"0x10", false, 0},
  };
  for (const auto& c : cases) {
    int32_t v = -1;
    EXPECT_EQ(parse_int32(c.in, &v), c.ok) << '"' << c.in << '"';
    if (c.ok) {
      EXPECT_EQ(v, c.want) << c.in;
    }
  }
}

}  // namespace
