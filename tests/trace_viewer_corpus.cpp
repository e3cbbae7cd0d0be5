// trace_viewer_corpus.cpp — writes the seed traces of trace_builder into a
// directory: the trace-viewer fuzzer's seed corpus (scripts/run_libfuzzer.sh runs it; its
// output was also checked in as trace-viewer/fuzz/corpus/).
//   trace_viewer_corpus DIR
#include "trace_builder.hpp"

#include <cstdio>
#include <fstream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: trace_viewer_corpus DIR\n");
    return 2;
  }
  for (const auto& [name, bytes] : gort::viewer::test::seed_traces()) {
    const std::string path = std::string(argv[1]) + "/seed-" + name;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!f) {
      std::fprintf(stderr, "trace_viewer_corpus: cannot write %s\n", path.c_str());
      return 1;
    }
  }
  return 0;
}
