#!/usr/bin/env python3
"""Builds a self-contained trace-viewer page from a view-model JSON file, the
way `trace-viewer html` does: viewer.html's three placeholders are replaced
with viewer.css, viewer.js and the JSON, in which "</" is written "<\\/" (so no
string can close the <script> element) and "<!--" is written "<\\u0021--" (so
no string can put the HTML parser into the "double-escaped" state, in which
"<!--<script>" in the data would swallow the rest of the page).  Both are JSON
escapes: the data reads the same.

    fill_template.py model.json -o page.html

The replacement is one pass over the template, so text inside the CSS, the
script or the data that happens to look like a placeholder stays as it is.
"""
import argparse
import pathlib
import re
import sys

WEB = pathlib.Path(__file__).resolve().parent.parent
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


def build_page(data_json, web=WEB):
    return fill((web / "viewer.html").read_text(encoding="utf-8"),
                (web / "viewer.css").read_text(encoding="utf-8"),
                (web / "viewer.js").read_text(encoding="utf-8"),
                data_json)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", help="view-model JSON file ('-' for standard input)")
    ap.add_argument("-o", "--output", required=True, help="HTML file to write")
    a = ap.parse_args()
    data = sys.stdin.read() if a.model == "-" else pathlib.Path(a.model).read_text(encoding="utf-8")
    pathlib.Path(a.output).write_text(build_page(data), encoding="utf-8")


if __name__ == "__main__":
    main()
