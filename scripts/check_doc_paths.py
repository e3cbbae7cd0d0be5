#!/usr/bin/env python3
"""Fails when a comment or document names a file of this repository that does not exist.

Prose goes stale when files move: a design comment that sends the reader to
`runtime/src/foo.cpp` after foo.cpp was split, or to a DESIGN.md that was never
in the repository, costs a newcomer more than no pointer at all.  This scans
every tracked source and document for paths into the repository's folders and
checks each one:

  runtime/src/proc.cpp        from the repository root
  src/mgc.cpp, include/...    inside a component (runtime/, chan/, gc/, net/, pprof/,
                              trace-viewer/, labs/<lab>/) — any one will do
  gort/runtime/internal/lock.hpp       a public header, under <component>/include/
  x/y.cpp                     relative to the naming file's folder or any folder above it
  ./x.hpp, x.hpp              (bare names are not checked: too many are Go's)
  labs/x.cpp                  one-letter file names are examples, not checked

Only prose is read: comments in code (after //, #, or on /* and * lines) and
whole lines of Markdown, so a test's made-up file names in string literals pass.

Paths of Go's own source tree (src/runtime/proc.go, runtime/mgc.go, ...) are
Go's, not ours, and are skipped by extension (.go, .s) unless they sit under
labs/ or bench/, where this repository keeps its Go programs.
Usage: check_doc_paths.py [REPO_ROOT]; prints each broken reference, exit 1 if any.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
TOP = ["runtime", "chan", "gc", "net", "pprof", "labs", "tests", "bench", "scripts", "trace-viewer", "cmake", "include", "support", ".ci"]
COMPONENTS = ["runtime", "chan", "gc", "net", "pprof", "trace-viewer", "labs/common"]
EXT = r"(?:cpp|hpp|h|md|S|py|sh|js|html|css|txt|cmake|in|go|json)"
PATH_RE = re.compile(r"(?<![\w./-])((?:\.ci|[A-Za-z][\w-]*)(?:/[\w.-]+)*/[\w.-]+\." + EXT + r")(?![\w/])")
SCANNED = re.compile(r"\.(cpp|hpp|h|S|md|py|sh|js|txt|cmake|in)$|(^|/)CMakeLists\.txt$|^\.ci/run$")


def tracked_files():
    out = subprocess.run(["git", "-C", ROOT, "ls-files"], capture_output=True, text=True, check=True).stdout
    return [f for f in out.splitlines() if SCANNED.search(f) and "/fuzz/corpus/" not in f]


def exists(rel):
    return os.path.exists(os.path.join(ROOT, rel))


def prose(line, source):
    """The part of line that is prose: a comment in code, the whole line in Markdown."""
    if source.endswith(".md"):
        return line
    stripped = line.lstrip()
    if stripped.startswith(("/*", "*", "//", "#")):
        return line
    marker = "#" if source.endswith((".py", ".sh", ".cmake", ".txt", ".in", "run")) else "//"
    i = line.find(marker)
    return line[i:] if i >= 0 else ""


def resolves(path, source):
    first = path.split("/", 1)[0]
    if re.fullmatch(r"[a-z]\.\w+", os.path.basename(path)):
        return True  # an example name (labs/x.cpp in a made-up trace)
    if path.endswith((".go", ".s")) and first not in ("labs", "bench"):
        return True  # Go's source tree, not ours
    if exists(path):
        return True
    here = os.path.dirname(source)
    while here:
        if exists(os.path.join(here, path)):
            return True
        here = os.path.dirname(here)
    if first in ("src", "include", "web", "fuzz", "go"):
        return any(exists(os.path.join(c, path)) for c in COMPONENTS) or any(
            exists(os.path.join("labs", d, path)) for d in os.listdir(os.path.join(ROOT, "labs")))
    if first == "gort":
        return any(exists(os.path.join(c, "include", path)) for c in ["runtime", "chan", "gc", "net", "pprof", "support/process", "."])
    if first in TOP:
        return False
    return True  # not a path into this repository (a URL piece, Go's package path, ...)


def main():
    broken = []
    for f in tracked_files():
        with open(os.path.join(ROOT, f), encoding="utf-8", errors="replace") as fh:
            for lineno, full in enumerate(fh, 1):
                if "check_doc_paths: ignore" in full:
                    continue
                line = prose(full, f)
                for m in PATH_RE.finditer(line):
                    p = m.group(1).rstrip(".")
                    if "://" in line[max(0, m.start() - 40):m.start()]:
                        continue
                    if not resolves(p, f):
                        broken.append(f"{f}:{lineno}: names {p}, which is not in the repository")
                if re.search(r"(?<![\w/.-])DESIGN\.md", line) and not exists("DESIGN.md") and f != "scripts/check_doc_paths.py":
                    broken.append(f"{f}:{lineno}: names DESIGN.md, which is not in the repository")
    for b in broken:
        print(b)
    print(f"check_doc_paths: {len(broken)} broken reference(s)")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
