#!/bin/sh
# run_combinations.sh PROGRAM SECONDS LIMIT [ARGS...] — ctest's driver for
# gort_combinations: runs it for SECONDS under a wall-clock LIMIT.  The program's
# own watchdog reports a stalled lane and dumps the goroutines; should that not
# happen (the dump itself hangs, or the watchdog cannot run), SIGQUIT at LIMIT
# asks the runtime for the dump and SIGKILL follows 15 s later, so a hang
# always ends as a failure with whatever was printed.
set -eu
prog=$1
seconds=$2
limit=$3
shift 3
exec timeout --signal=QUIT --kill-after=15 "$limit" "$prog" --seconds "$seconds" "$@"
