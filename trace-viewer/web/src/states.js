// states.js — the view model's codes, named.  Owns the numbers a goroutine
// slice's `state` and a P slice's `kind` carry (the C++ side's SliceState and
// PKind in trace-viewer/src/timeline.hpp, written by view_model.cpp), their
// display names, and the string kinds of a selection and of a layout row
// (selection kinds are also the page's API: gortSelect, #select=,
// data-selected).

// Goroutine slice states (SliceState).
export const STATE_RUNNING = 0;
export const STATE_RUNNABLE = 1;   // reason_str: GoStop's reason (e.g. "preempted") or 0
export const STATE_BLOCKED = 2;    // reason_str: the wait reason
export const STATE_SYSCALL = 3;    // in a blocking call
export const STATE_ASSIST = 4;     // running a GC mark assist
export const N_STATES = 5;         // a state at or above this is drawn and counted as blocked
export const STATE_NAMES = ['running', 'runnable', 'blocked', 'in blocking call', 'GC assist'];

// P slice kinds (PKind).
export const PKIND_GOROUTINE = 0;  // a goroutine running
export const PKIND_GC_WORKER = 1;  // a GC mark worker (g = 0)
export const PKIND_SYSCALL = 2;    // a goroutine in a blocking call, still holding the P
export const PKIND_NAMES = ['goroutine running', 'GC mark worker', 'goroutine in blocking call'];

// What is selected (or under the pointer).
export const Sel = Object.freeze({
  G: 'g',              // a goroutine (its lane label): { gi }
  GSlice: 'gslice',    // one of its slices: { gi, i }
  P: 'p',              // a P (its lane label): { pi }
  PSlice: 'pslice',    // one of its slices: { pi, i }
  GC: 'gc',            // a GC cycle: { i }
  STW: 'stw',          // a stop-the-world pause: { i }
  Counter: 'counter',  // a counter track at a time: { track, t }
  Region: 'region',    // a user region: { gi, i } (i indexes model.regions)
  Log: 'log',          // a log entry: { gi, i } (i indexes model.logs)
});

// The rows of the layout, top to bottom below the pinned bands.
export const Row = Object.freeze({
  Counter: 'counter',  // a counter track: { track }
  Section: 'section',  // the "Procs" and "Goroutines" headings: { which }
  Proc: 'proc',        // a P lane: { proc, index }
  G: 'g',              // a goroutine lane: { gi, pos } (made per frame, not in rows)
});
