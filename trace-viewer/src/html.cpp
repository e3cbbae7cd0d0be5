// html.cpp — see html.hpp.
#include "html.hpp"

#include "assets.hpp"
#include "view_model.hpp"

#include <algorithm>
#include <stdexcept>

namespace gort::viewer {

std::string escape_json_for_html(std::string_view json) {
  std::string out;
  out.reserve(json.size() + json.size() / 64);
  for (size_t i = 0; i < json.size(); i++) {
    const char c = json[i];
    if (c == '<' && i + 1 < json.size() && json[i + 1] == '/') {
      out += "<\\/";
      i++;
    } else if (c == '<' && json.substr(i, 4) == "<!--") {
      out += "\\u003C";
    } else {
      out += c;
    }
  }
  return out;
}

std::string fill_template(std::string_view html, std::string_view css, std::string_view js,
                          std::string_view data_json) {
  struct Slot {
    std::string_view marker;
    std::string_view text;
    size_t at = 0;
  };
  Slot slots[] = {{"/*GORT_CSS*/", css}, {"/*GORT_JS*/", js}, {"/*GORT_DATA*/", data_json}};
  for (Slot& s : slots) {
    s.at = html.find(s.marker);
    if (s.at == std::string_view::npos) {
      throw std::runtime_error("the page template has no " + std::string(s.marker) + " placeholder");
    }
  }
  // Replace in template order, so text inserted for one placeholder is never
  // searched for another.
  std::sort(std::begin(slots), std::end(slots), [](const Slot& a, const Slot& b) { return a.at < b.at; });
  std::string out;
  out.reserve(html.size() + css.size() + js.size() + data_json.size());
  size_t pos = 0;
  for (const Slot& s : slots) {
    if (s.at < pos) throw std::runtime_error("the page template's placeholders overlap");
    out.append(html.substr(pos, s.at - pos));
    out.append(s.text);
    pos = s.at + s.marker.size();
  }
  out.append(html.substr(pos));
  return out;
}

void write_html(std::ostream& out, const Trace& trace, const Timeline& timeline, const std::string& title) {
  const std::string data = escape_json_for_html(view_model_json(trace, timeline, title));
  out << fill_template(assets::viewer_html(), assets::viewer_css(), assets::viewer_js(), data);
}

}  // namespace gort::viewer
