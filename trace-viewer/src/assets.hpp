// assets.hpp — the web front-end's files (trace-viewer/web/: the template, the
// style, and the script joined from web/src/ by cmake/bundle_js.cmake),
// compiled into the binary by cmake/embed_assets.cmake so `trace-viewer html`
// needs no files at run time.
#pragma once

#include <cstddef>
#include <string_view>

namespace gort::viewer::assets {

extern const unsigned char kViewerHtml[];
extern const std::size_t kViewerHtmlSize;
extern const unsigned char kViewerJs[];
extern const std::size_t kViewerJsSize;
extern const unsigned char kViewerCss[];
extern const std::size_t kViewerCssSize;

inline std::string_view viewer_html() { return {reinterpret_cast<const char*>(kViewerHtml), kViewerHtmlSize}; }
inline std::string_view viewer_js() { return {reinterpret_cast<const char*>(kViewerJs), kViewerJsSize}; }
inline std::string_view viewer_css() { return {reinterpret_cast<const char*>(kViewerCss), kViewerCssSize}; }

}  // namespace gort::viewer::assets
