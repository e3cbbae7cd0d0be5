// html.hpp — `trace-viewer html`: one self-contained HTML page, the web
// front-end's assets (trace-viewer/web/, compiled into the binary) with the
// view model JSON (view_model.hpp) embedded, so the page works offline from a
// single file.  Go's `go tool trace` serves its UI from a local web server
// instead; a file is easier to keep next to a lab's notes.
//
// The template viewer.html holds three placeholders: the literal comments
// /*GORT_CSS*/ (inside <style>), /*GORT_JS*/ (inside <script>) and
// /*GORT_DATA*/ (inside <script type="application/json" id="trace-data">).
// The data is escaped so that it cannot end its <script> element early or
// open an HTML comment: "</" becomes "<\/" and "<!--" becomes "\u003C!--",
// both the same JSON text to a JSON parser.
#pragma once

#include "reader.hpp"
#include "timeline.hpp"

#include <ostream>
#include <string>
#include <string_view>

namespace gort::viewer {

/// JSON text made safe to sit inside a <script> element.
std::string escape_json_for_html(std::string_view json);

/// The page: `html` with its three placeholders replaced (each exactly once;
/// std::runtime_error if the template lacks one).
std::string fill_template(std::string_view html, std::string_view css, std::string_view js,
                          std::string_view data_json);

/// The page for a trace, from the embedded assets.
void write_html(std::ostream& out, const Trace& trace, const Timeline& timeline, const std::string& title);

}  // namespace gort::viewer
