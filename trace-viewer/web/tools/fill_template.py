#!/usr/bin/env python3
"""Builds a self-contained trace-viewer page from a view-model JSON file, the
way `trace-viewer html` does: viewer.html's three placeholders are replaced
with viewer.css, the script (the modules in src/ joined by
trace-viewer/cmake/bundle_js.cmake, as the build joins them) and the JSON, in which "</" is written "<\\/" (so no
string can close the <script> element) and "<!--" is written "<\\u0021--" (so
no string can put the HTML parser into the "double-escaped" state, in which
"<!--<script>" in the data would swallow the rest of the page).  Both are JSON
escapes: the data reads the same.

    fill_template.py model.json -o page.html [--cmake PATH]

The replacement is one pass over the template, so text inside the CSS, the
script or the data that happens to look like a placeholder stays as it is.
"""
import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile

WEB = pathlib.Path(__file__).resolve().parent.parent
BUNDLER = WEB.parent / "cmake" / "bundle_js.cmake"
PLACEHOLDERS = ("/*GORT_CSS*/", "/*GORT_JS*/", "/*GORT_DATA*/")


def escape_json(text):
    # "<" appears in JSON text only inside strings, so both are safe rewrites
    return text.replace("</", "<\\/").replace("<!--", "<\\u0021--")


def fill(template, css, js, data_json):
    for p in PLACEHOLDERS:
        n = template.count(p)
        if n != 1:
            raise ValueError(f"viewer.html must contain {p} exactly once (found {n})")
    parts = {"/*GORT_CSS*/": css, "/*GORT_JS*/": js, "/*GORT_DATA*/": escape_json(data_json)}
    pattern = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))
    return pattern.sub(lambda m: parts[m.group(0)], template)


def viewer_js(web=WEB, cmake=None):
    """The page's script: web/src/main.js and the modules it imports, joined by
    bundle_js.cmake (run with `cmake`, default $CMAKE or cmake on PATH).
    Raises RuntimeError with the bundler's message when the modules break its
    rules."""
    cmake = cmake or os.environ.get("CMAKE") or "cmake"
    with tempfile.TemporaryDirectory(prefix="gort-viewer-js-") as tmp:
        out = pathlib.Path(tmp) / "viewer.js"
        r = subprocess.run([cmake, f"-DENTRY={web / 'src' / 'main.js'}", f"-DOUT={out}", "-P", str(BUNDLER)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"bundle_js.cmake failed:\n{r.stdout}")
        return out.read_text(encoding="utf-8")


def build_page(data_json, web=WEB, cmake=None):
    return fill((web / "viewer.html").read_text(encoding="utf-8"),
                (web / "viewer.css").read_text(encoding="utf-8"),
                viewer_js(web, cmake),
                data_json)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", help="view-model JSON file ('-' for standard input)")
    ap.add_argument("-o", "--output", required=True, help="HTML file to write")
    ap.add_argument("--cmake", help="the cmake that joins the modules (default: $CMAKE or cmake on PATH)")
    a = ap.parse_args()
    data = sys.stdin.read() if a.model == "-" else pathlib.Path(a.model).read_text(encoding="utf-8")
    pathlib.Path(a.output).write_text(build_page(data, cmake=a.cmake), encoding="utf-8")


if __name__ == "__main__":
    main()
