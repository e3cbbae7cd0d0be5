// lab/go_twin_json.hpp — a lab's Go twin run for its results: the twin prints
// one JSON document on stdout, which becomes the lab's own results type
// (nlohmann_json's from_json for T), so gort's and Go's figures sit side by
// side in one report.  For labs that link nlohmann_json.
#pragma once

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "lab/go_twin.hpp"

namespace lab {

/// Builds and runs labs/<lab>/go with args and reads its stdout as a T into
/// *result; on any failure leaves *result empty and says why in *error (the
/// report prints it where Go's column would be).  Precondition: T has a
/// from_json.
template <class T>
void run_go_twin_into(const std::string& lab, const std::vector<std::string>& args, std::optional<T>* result,
                      std::string* error) {
  fmt::print(stderr, "{}: running the Go twin\n", lab);
  const std::optional<std::string> out = go_twin_output(lab, args, error);
  if (!out) return;
  try {
    *result = nlohmann::json::parse(*out).get<T>();
  } catch (const std::exception& e) {
    *error = std::string("its JSON could not be read: ") + e.what();
  }
}

}  // namespace lab
