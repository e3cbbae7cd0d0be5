#!/usr/bin/env python3
"""End-to-end check of a trace-viewer page in headless Chromium.

    chromium_check.py page.html --expect-proc-lanes 2 --min-goroutine-lanes 5 \
        --min-slices 100 --expect-gc-bands-min 1 --screenshot shot.png
    chromium_check.py http://127.0.0.1:PORT/ ...   (a page `trace-viewer serve` serves)

Chromium runs twice: once to take a screenshot, once with --dump-dom.  After
each frame the page writes what it drew into <body data-*> attributes
(data-ready, data-slices-drawn, ...); this script reads them from the dumped
DOM and compares them with the expectations given.  Exit status 0 when every
expectation holds, 1 otherwise (or when Chromium is missing, fails or times
out), 2 for bad arguments.  Standard library only.
"""
import argparse
import html.parser
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_chromium(explicit):
    if explicit:
        return explicit if (os.path.isfile(explicit) or shutil.which(explicit)) else None
    env = os.environ.get("CHROMIUM")
    if env:
        return env if (os.path.isfile(env) or shutil.which(env)) else None
    for c in CANDIDATES:
        p = shutil.which(c)
        if p:
            return p
    return None


class BodyAttrs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.attrs = None

    def handle_starttag(self, tag, attrs):
        if tag == "body" and self.attrs is None:
            self.attrs = {k: (v if v is not None else "") for k, v in attrs}


def run_chromium(cmd, timeout):
    """Runs Chromium in its own process group so a time-out can end all of it."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def base_args(chromium, profile, width, height, budget, scale=None):
    args = [chromium, "--headless=new", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--mute-audio", "--allow-file-access-from-files",
            f"--user-data-dir={profile}", f"--window-size={width},{height}"]
    # Chromium refuses to run as root with its sandbox, and containers rarely
    # allow the namespaces it needs anyway; the page is a local file we built.
    args.append("--no-sandbox")
    if budget > 0:
        args.append(f"--virtual-time-budget={budget}")
    if scale:
        args.append(f"--force-device-scale-factor={scale}")
    return args


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("html", help="the page to check: a file, or an http:// URL")
    ap.add_argument("--hash", default="", help="URL fragment to open the page with, e.g. select=g:5 or bench=20")
    ap.add_argument("--screenshot", help="write the screenshot here (default: a temporary file, removed)")
    ap.add_argument("--no-screenshot", action="store_true", help="skip the screenshot run")
    ap.add_argument("--window-size", default="1400,900")
    ap.add_argument("--scale", type=float, help="device pixel ratio (--force-device-scale-factor)")
    ap.add_argument("--virtual-time-budget", type=int, default=5000,
                    help="ms of virtual time Chromium gives the page (0: none)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds for each Chromium run")
    ap.add_argument("--chromium", help="the browser binary (default: $CHROMIUM or chromium on PATH)")
    ap.add_argument("--expect-proc-lanes", type=int)
    ap.add_argument("--min-goroutine-lanes", type=int, help="data-goroutine-lanes (total) at least this")
    ap.add_argument("--expect-goroutine-lanes", type=int)
    ap.add_argument("--min-goroutine-lanes-drawn", type=int)
    ap.add_argument("--min-slices", type=int, help="data-slices-drawn at least this")
    ap.add_argument("--max-slices", type=int, help="data-slices-drawn at most this (level of detail)")
    ap.add_argument("--expect-gc-bands-min", type=int)
    ap.add_argument("--expect-stw-bands-min", type=int)
    ap.add_argument("--expect-counter-tracks", type=int)
    ap.add_argument("--expect-error", metavar="TEXT", nargs="?", const="",
                    help="the page must report an error (containing TEXT, if given)")
    ap.add_argument("--expect-attr", action="append", default=[], metavar="NAME=VALUE",
                    help="a body attribute must have this value (e.g. data-selected=g:5)")
    ap.add_argument("--expect-attr-contains", action="append", default=[], metavar="NAME=TEXT")
    ap.add_argument("--min-attr", action="append", default=[], metavar="NAME=N",
                    help="the numeric attribute NAME is at least N (e.g. data-windows-loaded=1)")
    ap.add_argument("--expect-no-attr", action="append", default=[], metavar="NAME",
                    help="the attribute NAME is absent (e.g. data-window-error)")
    ap.add_argument("--print-attrs", action="store_true", help="print every data-* attribute of <body>")
    a = ap.parse_args()

    served = a.html.startswith(("http://", "https://"))
    page = None if served else pathlib.Path(a.html).resolve()
    if page is not None and not page.is_file():
        print(f"FAIL: no such file: {page}")
        return 1
    chromium = find_chromium(a.chromium)
    if not chromium:
        print("FAIL: Chromium is not installed (looked for " + ", ".join(CANDIDATES) +
              "; set $CHROMIUM or --chromium).  On Debian: apt-get install chromium")
        return 1
    try:
        width, height = (int(x) for x in a.window_size.split(","))
    except ValueError:
        ap.error("--window-size is WIDTH,HEIGHT")
    url = (a.html if served else page.as_uri()) + (("#" + a.hash.lstrip("#")) if a.hash else "")

    profile = tempfile.mkdtemp(prefix="gort-chromium-")
    try:
        if not a.no_screenshot:
            shot = pathlib.Path(a.screenshot).resolve() if a.screenshot else pathlib.Path(profile) / "shot.png"
            if shot.exists():
                shot.unlink()
            cmd = base_args(chromium, profile + "/s", width, height, a.virtual_time_budget, a.scale) + [f"--screenshot={shot}", url]
            try:
                rc, _, err = run_chromium(cmd, a.timeout)
            except subprocess.TimeoutExpired:
                print(f"FAIL: Chromium took more than {a.timeout:.0f} s to take the screenshot (killed)")
                return 1
            if rc != 0 or not shot.is_file():
                print(f"FAIL: Chromium could not take a screenshot (exit {rc})\n{tail(err)}")
                return 1
            if a.screenshot:
                print(f"screenshot: {shot}")
        cmd = base_args(chromium, profile + "/d", width, height, a.virtual_time_budget, a.scale) + ["--dump-dom", url]
        try:
            rc, dom, err = run_chromium(cmd, a.timeout)
        except subprocess.TimeoutExpired:
            print(f"FAIL: Chromium took more than {a.timeout:.0f} s to dump the DOM (killed)")
            return 1
        if rc != 0 or not dom.strip():
            print(f"FAIL: Chromium could not dump the DOM (exit {rc})\n{tail(err)}")
            return 1
    finally:
        shutil.rmtree(profile, ignore_errors=True)

    parser = BodyAttrs()
    parser.feed(dom)
    attrs = parser.attrs
    if attrs is None:
        print("FAIL: the dumped DOM has no <body>")
        return 1
    data = {k: v for k, v in attrs.items() if k.startswith("data-")}
    if a.print_attrs:
        for k in sorted(data):
            print(f"  {k}={data[k]}")

    failures = []
    error = data.get("data-error")
    if a.expect_error is not None:
        if error is None:
            failures.append("the page shows no error (data-error is missing) but one was expected")
        elif a.expect_error and a.expect_error.lower() not in error.lower():
            failures.append(f"data-error is {error!r}, expected it to contain {a.expect_error!r}")
    else:
        if error is not None:
            failures.append(f"the page reports an error: {error}")
        if not data:
            failures.append("the page's script did not run (no data-* attribute on <body>); "
                            "if the data holds \"</\" or \"<!--\", was it escaped?")
        elif data.get("data-ready") != "1":
            failures.append("the page never finished a frame (data-ready is not 1)")

    def number(name):
        v = data.get(name)
        try:
            return float(v)
        except (TypeError, ValueError):
            failures.append(f"{name} is {v!r}, not a number")
            return None

    def check(name, op, want, what):
        if want is None:
            return
        v = number(name)
        if v is None:
            return
        ok = {"==": v == want, ">=": v >= want, "<=": v <= want}[op]
        if not ok:
            failures.append(f"{name} is {v:g}, expected {what} {want}")

    if a.expect_error is None:
        check("data-proc-lanes", "==", a.expect_proc_lanes, "exactly")
        check("data-goroutine-lanes", ">=", a.min_goroutine_lanes, "at least")
        check("data-goroutine-lanes", "==", a.expect_goroutine_lanes, "exactly")
        check("data-goroutine-lanes-drawn", ">=", a.min_goroutine_lanes_drawn, "at least")
        check("data-slices-drawn", ">=", a.min_slices, "at least")
        check("data-slices-drawn", "<=", a.max_slices, "at most")
        check("data-gc-bands", ">=", a.expect_gc_bands_min, "at least")
        check("data-stw-bands", ">=", a.expect_stw_bands_min, "at least")
        check("data-counter-tracks", "==", a.expect_counter_tracks, "exactly")
    for spec in a.expect_attr:
        name, _, want = spec.partition("=")
        if data.get(name) != want:
            failures.append(f"{name} is {data.get(name)!r}, expected {want!r}")
    for spec in a.min_attr:
        name, _, want = spec.partition("=")
        check(name, ">=", float(want), "at least")
    for name in a.expect_no_attr:
        if name in data:
            failures.append(f"{name} is {data[name]!r}, expected no such attribute")
    for spec in a.expect_attr_contains:
        name, _, want = spec.partition("=")
        if want not in (data.get(name) or ""):
            failures.append(f"{name} is {data.get(name)!r}, expected it to contain {want!r}")

    summary = ", ".join(f"{k[5:]}={data[k]}" for k in (
        "data-proc-lanes", "data-goroutine-lanes", "data-goroutine-lanes-drawn", "data-slices-drawn",
        "data-gc-bands", "data-stw-bands", "data-counter-tracks", "data-frame-ms", "data-error") if k in data)
    if failures:
        print(f"FAIL: {a.html if served else page.name}: " + "; ".join(failures))
        print(f"  page reported: {summary}")
        return 1
    print(f"OK: {a.html if served else page.name}: {summary}")
    return 0


def tail(text, n=15):
    lines = [l for l in text.splitlines() if l.strip()]
    return "\n".join("  " + l for l in lines[-n:])


if __name__ == "__main__":
    sys.exit(main())
