#!/usr/bin/env bash
# The main job: installs what is missing, builds gort and runs the week-2 lab,
# schedule-forensics, on one P (the course's first variant: busy loop, loop with
# yields, sleep).  Arguments replace the default `--procs 1`.  The report goes to
# stdout; the plot (and any trace) land in build/lab-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
# Setup and build output go to stderr: stdout carries the lab's report alone.
scripts/install-deps.sh >&2
# The lab alone first, so a fresh machine shows the report without building
# every test and benchmark (which scripts/test.sh builds).
scripts/build.sh release --target schedule-forensics >&2
args=("$@")
if ((${#args[@]} == 0)); then args=(--procs 1); fi
mkdir -p build/lab-output
cd build/lab-output
exec ../labs/schedule-forensics/schedule-forensics "${args[@]}"
