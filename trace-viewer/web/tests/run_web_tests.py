#!/usr/bin/env python3
"""Tests of the trace-viewer web page in headless Chromium.

    run_web_tests.py [--keep DIR] [--big] [--cmake PATH]

Builds pages from synthetic view models (tools/gen_synthetic.py) and from
broken ones, the way `trace-viewer html` fills the template (the script is
src/*.js joined by trace-viewer/cmake/bundle_js.cmake, run with --cmake), and
checks each with chromium_check.py: what the page drew, that clicks, keys,
wheel and drag do what they should (tests/selftest.js, appended to the script
of one test page, and run again on a page that loads src/main.js unjoined, as
ES modules), that bad data gives a readable error, and that "</script>" inside
the data cannot break out of the data element.  It also checks that the
bundler refuses modules that break its rules.  --big adds the ~3M-slice model
and prints the redraw times the page measured (never asserted).  Ends with
"N passed, N failed"; exit status 0 when all passed.  Standard library only.
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
WEB = HERE.parent
sys.path.insert(0, str(WEB / "tools"))
import fill_template  # noqa: E402
import gen_synthetic  # noqa: E402

CHECK = HERE / "chromium_check.py"


def model(preset, title, **over):
    cfg = dict(gen_synthetic.PRESETS[preset])
    cfg.update(over)
    m, _ = gen_synthetic.simulate(title=title, **cfg)
    return m


def page_from(data_text, js, extra_js=""):
    if extra_js:
        js += "\n" + extra_js
    return fill_template.fill((WEB / "viewer.html").read_text(encoding="utf-8"),
                              (WEB / "viewer.css").read_text(encoding="utf-8"), js, data_text)


def module_page_from(data_text, extra_js):
    """A page that loads src/main.js as an ES module (from file://, which
    chromium_check.py's --allow-file-access-from-files permits) instead of the
    joined script, then runs extra_js as a module after it."""
    html = (WEB / "viewer.html").read_text(encoding="utf-8")
    code = "<script>\n/*GORT_JS*/\n</script>"
    assert html.count(code) == 1, "viewer.html: the code script is not <script>, /*GORT_JS*/, </script>"
    html = html.replace(code, f'<script type="module" src="{(WEB / "src" / "main.js").as_uri()}"></script>\n'
                        f"<script type=\"module\">\n{extra_js}\n</script>\n" + code)
    return fill_template.fill(html, (WEB / "viewer.css").read_text(encoding="utf-8"), "", data_text)


# Modules that break bundle_js.cmake's rules, and what it must say about each.
BAD_MODULES = [
    ("an import of a name the module does not export",
     {"main.js": "import { a, b } from './m.js';\na(b);\n", "m.js": "export function a() {}\n"},
     "main.js imports b from m.js, which does not export it"),
    ("one function name in two modules",
     {"main.js": "import { a } from './m.js';\nfunction f() {}\na(f);\n", "m.js": "export function a() {}\nfunction f() {}\n"},
     "function f is declared in main.js and in m.js"),
    ("a default export",
     {"main.js": "import { a } from './m.js';\na();\n", "m.js": "export function a() {}\nexport default a;\n"},
     "an export that is not"),
    ("an import with a rename",
     {"main.js": "import { a as b } from './m.js';\nb();\n", "m.js": "export function a() {}\n"},
     "only plain names can be imported"),
    ("two names in one export statement",
     {"main.js": "import { A } from './m.js';\nA();\n", "m.js": "export const A = 1, B = 2;\n"},
     "one name per export statement"),
]


def check_bundler(cmake, tmp):
    """The problems found running bundle_js.cmake on BAD_MODULES (each must fail
    with its message)."""
    problems = []
    for i, (what, files, msg) in enumerate(BAD_MODULES):
        src = tmp / f"bad-modules-{i}"
        src.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (src / name).write_text(text, encoding="utf-8")
        r = subprocess.run([cmake, f"-DENTRY={src / 'main.js'}", f"-DOUT={src / 'out.js'}", "-P",
                            str(fill_template.BUNDLER)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        said = " ".join(r.stdout.split())
        if r.returncode == 0 or msg not in said:
            problems.append(f"{what}: exit status {r.returncode}, expected a failure saying {msg!r}; said: {said[:300]}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", help="write the pages and screenshots here and keep them")
    ap.add_argument("--big", action="store_true", help="also the ~3M-slice model, with redraw times")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--cmake", default=os.environ.get("CMAKE") or "cmake",
                    help="the cmake that joins the modules (default: $CMAKE or cmake on PATH)")
    a = ap.parse_args()

    if not shutil.which("chromium") and not shutil.which("chromium-browser"):
        print("chromium is not installed (apt-get install chromium): the web tests cannot run")
        print("0 passed, 1 failed")
        return 1

    out = pathlib.Path(a.keep) if a.keep else pathlib.Path(tempfile.mkdtemp(prefix="gort-web-tests-"))
    out.mkdir(parents=True, exist_ok=True)
    cases = []   # (name, html file, chromium_check arguments)
    try:
        js = fill_template.viewer_js(cmake=a.cmake)
    except (RuntimeError, OSError) as e:
        print(f"[FAIL] the modules in src/ cannot be joined: {e}")
        print("0 passed, 1 failed")
        return 1

    def write(name, text):
        p = out / f"{name}.html"
        p.write_text(text, encoding="utf-8")
        return p

    # -- a small trace: every part drawn --
    small = model("small", "small.trace")
    small_json = json.dumps(small, separators=(",", ":"))
    p = write("small", page_from(small_json, js))
    cases.append(("small trace: lanes, bands, counters", p, [
        "--screenshot", str(out / "small.png"), "--expect-proc-lanes", "2", "--expect-goroutine-lanes", "8",
        "--min-goroutine-lanes-drawn", "8", "--min-slices", "100", "--expect-gc-bands-min", "1",
        "--expect-stw-bands-min", "1", "--expect-counter-tracks", "3"]))
    cases.append(("small trace: #select=g:3 shows G3's details", p, [
        "--no-screenshot", "--hash", "select=g:3", "--expect-attr", "data-selected=g:3",
        "--expect-attr-contains", "data-details-title=G3"]))

    # -- a medium trace: level of detail and interaction --
    medium = model("medium", "medium.trace")
    medium_json = json.dumps(medium, separators=(",", ":"))
    n_slices = sum(len(x["slices"]["start"]) for x in medium["procs"] + medium["goroutines"])
    p = write("medium", page_from(medium_json, js))
    # 200k slices; what is drawn is bounded by the canvas width times the lanes in view
    cases.append((f"medium trace ({n_slices} slices): merged per pixel column", p, [
        "--screenshot", str(out / "medium.png"), "--expect-proc-lanes", "8", "--expect-goroutine-lanes", "2000",
        "--min-goroutine-lanes-drawn", "10", "--min-slices", "1000", "--max-slices", str(n_slices // 5),
        "--expect-gc-bands-min", "3", "--expect-counter-tracks", "3"]))
    selftest = (HERE / "selftest.js").read_text(encoding="utf-8")
    p = write("medium-selftest", page_from(medium_json, js, selftest))
    cases.append(("medium trace: wheel, keys, drag, clicks, filter (selftest.js)", p, [
        "--no-screenshot", "--expect-attr", "data-selftest=ok"]))
    p = write("medium-modules", module_page_from(medium_json, selftest))
    cases.append(("medium trace, src/ loaded as ES modules (not joined): selftest.js", p, [
        "--no-screenshot", "--expect-attr", "data-selftest=ok", "--expect-proc-lanes", "8",
        "--expect-goroutine-lanes", "2000"]))

    # -- data that tries to close the script element --
    evil = model("small", "evil</script>.trace")
    g1 = evil["goroutines"][0]
    evil["strings"].append("main.</script><script>document.body.dataset.injected='1'</script><!--")
    g1["group_str"] = len(evil["strings"]) - 1
    evil["strings"].append("main.x<!--<script>y")
    evil["goroutines"][1]["group_str"] = len(evil["strings"]) - 1
    p = write("escaping", page_from(json.dumps(evil), js))
    cases.append(("</script> inside the data stays data", p, [
        "--no-screenshot", "--hash", "select=g:1", "--expect-attr-contains", "data-details-title=</script>",
        "--expect-proc-lanes", "2"]))
    cases.append(("<!--<script> inside the data stays data", p, [
        "--no-screenshot", "--hash", "select=g:2", "--expect-attr-contains", "data-details-title=<!--<script>",
        "--expect-proc-lanes", "2"]))

    # -- an empty but valid trace --
    empty = {"version": 1, "meta": {"title": "empty.trace", "duration_ns": 0, "procs": 0, "goroutines": 0,
                                    "events": 0, "threads": 0, "gc_cycles": 0},
             "strings": [""], "procs": [], "goroutines": [], "gc": {"start": [], "dur": [], "cycle": []},
             "stw": {"start": [], "dur": [], "reason_str": []}, "counters": [],
             "regions": {"g": [], "start": [], "dur": [], "name_str": []},
             "logs": {"t": [], "g": [], "category_str": [], "message_str": []}}
    p = write("empty", page_from(json.dumps(empty), js))
    cases.append(("an empty trace draws without error", p, [
        "--no-screenshot", "--expect-proc-lanes", "0", "--expect-goroutine-lanes", "0", "--expect-counter-tracks", "0"]))

    # -- broken data: a readable error, not a blank page --
    bad_len = json.loads(small_json)
    bad_len["procs"][1]["slices"]["dur"].pop()
    no_procs = json.loads(small_json)
    del no_procs["procs"]
    v2 = json.loads(small_json)
    v2["version"] = 2
    broken = [
        ("bare template (data not filled in)", "/*GORT_DATA*/", "bare template"),
        ("data that is not JSON", '{"version": 1, "meta": ', "not valid JSON"),
        ("a JSON array instead of an object", "[1, 2, 3]", "not a JSON object"),
        ("an unknown version", json.dumps(v2), "unsupported view-model version 2"),
        ("arrays of different lengths", json.dumps(bad_len), "procs[1].slices.dur has"),
        ("procs missing", json.dumps(no_procs), "procs must be an array"),
    ]
    for i, (what, text, msg) in enumerate(broken):
        p = write(f"error-{i}", page_from(text, js))
        extra = ["--screenshot", str(out / "error-0.png")] if i == 0 else ["--no-screenshot"]
        cases.append((f"error shown: {what}", p, extra + ["--expect-error", msg]))

    if a.big:
        big = model("big", "big.trace")
        p = write("big", page_from(json.dumps(big, separators=(",", ":")), js))
        del big
        cases.append(("big trace (~3M slices): redraw times", p, [
            "--screenshot", str(out / "big.png"), "--virtual-time-budget", "0", "--hash", "bench=40",
            "--expect-proc-lanes", "8", "--min-slices", "1000", "--print-attrs"]))

    passed = failed = 0
    # -- the bundler refuses modules that break its rules --
    problems = check_bundler(a.cmake, out)
    print(f"[{'FAIL' if problems else 'PASS'}] bundle_js.cmake refuses modules that break its rules "
          f"({len(BAD_MODULES)} cases)")
    for x in problems:
        print(f"    {x}")
    passed += not problems
    failed += bool(problems)

    # -- the assets themselves cannot break the template --
    problems = []
    js = js.lower()
    css = (WEB / "viewer.css").read_text(encoding="utf-8").lower()
    html = (WEB / "viewer.html").read_text(encoding="utf-8")
    for bad in ("</script", "<!--"):
        if bad in js:
            problems.append(f"the joined script contains {bad!r}")
    if "</style" in css:
        problems.append("viewer.css contains '</style'")
    for ph in fill_template.PLACEHOLDERS:
        if ph.lower() in js or ph.lower() in css:
            problems.append(f"the joined script or viewer.css contains {ph}")
    for ph in fill_template.PLACEHOLDERS:
        if html.count(ph) != 1:
            problems.append(f"viewer.html has {html.count(ph)} of {ph}")
    order = [html.find(x) for x in ('<style>', '/*GORT_CSS*/', '</style>', 'id="trace-data">/*GORT_DATA*/',
                                    '<script>', '/*GORT_JS*/', '</script>\n</body>')]
    if -1 in order or order != sorted(order):
        problems.append("viewer.html: the placeholders are not in <style>, the data script, then the code script")
    print(f"[{'FAIL' if problems else 'PASS'}] assets: placeholders in place, nothing that ends their element early")
    for x in problems:
        print(f"    {x}")
    passed += not problems
    failed += bool(problems)

    for name, page, args in cases:
        cmd = [sys.executable, str(CHECK), str(page), "--timeout", str(a.timeout)] + args
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ok = r.returncode == 0
        passed += ok
        failed += not ok
        print(f"[{'PASS' if ok else 'FAIL'}] {name}")
        lines = r.stdout.rstrip().splitlines()
        show = lines if (not ok or "--print-attrs" in args) else [l for l in lines if l.startswith("OK")]
        for line in show:
            print(f"    {line}")
    if a.keep:
        print(f"pages and screenshots in {out}")
    else:
        shutil.rmtree(out, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
