// main.cpp — gort_testprog's main: runs the program named on the command line
// (mirrors Go's runtime/testdata/testprog/main.go).
//   gort_testprog NAME      run the program registered as NAME
//   gort_testprog --list    print every registered name, one per line
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "testprog.hpp"

namespace gort::testprog {

namespace {

/// Every registered program by name (a function-local static: registrations
/// run in static initialisers of other files, in no fixed order).
std::map<std::string, Func>& programs() {
  static std::map<std::string, Func> all;
  return all;
}

void print_names(std::FILE* to) {
  for (const auto& [name, f] : programs()) std::fprintf(to, "%s\n", name.c_str());
}

}  // namespace

bool register_testprog(const char* name, Func f) {
  if (!programs().emplace(name, f).second) {
    std::fprintf(stderr, "gort_testprog: duplicate registration: %s\n", name);
    std::exit(2);
  }
  return true;
}

}  // namespace gort::testprog

int main(int argc, char** argv) {
  using namespace gort::testprog;
  if (argc == 2 && std::string(argv[1]) == "--list") {
    print_names(stdout);
    return 0;
  }
  if (argc == 2) {
    auto it = programs().find(argv[1]);
    if (it != programs().end()) return it->second();
    std::fprintf(stderr, "gort_testprog: unknown program %s; the programs:\n", argv[1]);
  } else {
    std::fprintf(stderr, "usage: gort_testprog NAME | --list; the programs:\n");
  }
  print_names(stderr);
  return 2;
}
