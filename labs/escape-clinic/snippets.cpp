// snippets.cpp — the list of the seven snippets and the names of places.
#include "snippets.hpp"

namespace escape {

const char* place_name(Place p) {
  switch (p) {
    case Place::Stack: return "stack";
    case Place::ManagedHeap: return "managed heap";
    case Place::CxxHeap: return "C++ heap";
  }
  return "?";
}

const std::vector<Snippet>& all_snippets() {
  static const std::vector<Snippet> snippets{snippet_a(), snippet_b(), snippet_c(), snippet_d(),
                                             snippet_e(), snippet_f(), snippet_g()};
  return snippets;
}

}  // namespace escape
