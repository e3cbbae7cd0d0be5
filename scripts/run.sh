#!/usr/bin/env bash
# The main job: installs what is missing, builds gort and runs the demo program.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
exec build/labs/demo/gort-demo "$@"
