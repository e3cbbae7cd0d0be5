// remote.js — the served page (`trace-viewer serve`): the model it starts
// with is an overview of the trace, and as the user zooms and pans it asks
// the server for the visible window in detail (GET data?from=NS&to=NS&px=N,
// &rest=N, trace-viewer/src/serve.cpp) and swaps the answer in.  The page knows it is
// served when its model's meta has a "window" member and it was loaded over
// http(s); a page written by `trace-viewer html` has neither and never
// fetches.
//
// What is asked for: the visible time range widened by its own width on each
// side (so a pan stays inside it), at the screen's resolution (px = lane
// width × widened span / visible span).  A new window is asked for when the
// view leaves the loaded one or needs finer detail than it holds, 120 ms
// after the view last changed, one request at a time.  Each response is a
// whole model (the window in detail, the rest of the trace coarse: rest=N
// columns over the whole trace), so the drawing never mixes models.  After each swap <body> records
// data-windows-loaded and data-window (from,to,px); a failed request sets
// data-window-error and leaves the current model in place.

import { DataError, buildModel } from './model.js';
import { carrySelection } from './select.js';
import { M, body, laneW, replaceModel, requestFrame, view } from './view.js';

const DELAY_MS = 120;
const MAX_PX = 16384;        // the server's kMaxWindowPx
const REST_PX = 2000;        // columns for the rest of the trace (the server's kOverviewPx)
let loaded = null;           // the window the model holds: { from, to, px }
let timer = 0, inFlight = false, loads = 0, lastAsked = '';

// Whether this page is served with windows (and starts watching the view).
export function startWindows() {
  const w = M && M.meta && M.meta.window;
  if (!w || !/^https?:$/.test(location.protocol)) return false;
  loaded = { from: w.from, to: w.to, px: w.px };
  body.dataset.served = '1';
  body.dataset.windowsLoaded = '0';
  return true;
}

function end() { return Math.max(1, M.meta.duration_ns); }

// The window the view needs: { from, to, px }, or null when nothing is visible.
function wanted() {
  const a = Math.max(0, view.t0), b = Math.min(end(), view.t1);
  if (!(b > a)) return null;
  const span = view.t1 - view.t0;
  const from = Math.max(0, Math.floor(a - span)), to = Math.min(end(), Math.ceil(b + span));
  const px = Math.max(1, Math.min(MAX_PX, Math.round(laneW() * (to - from) / span)));
  return { from, to, px };
}

// Whether the loaded window shows the view at the screen's resolution.
function covered() {
  const a = Math.max(0, view.t0), b = Math.min(end(), view.t1);
  if (!(b > a)) return true;
  const need = Math.max(1, (view.t1 - view.t0) / laneW());   // ns per pixel on screen
  const have = (loaded.to - loaded.from) / loaded.px;         // ns per column loaded
  return a >= loaded.from && b <= loaded.to && have <= need * 1.5;
}

// Called after every frame: schedules a request when the view needs one.
export function viewChanged() {
  if (!loaded || covered()) return;
  clearTimeout(timer);
  timer = setTimeout(load, DELAY_MS);
}

async function load() {
  if (inFlight) return;                    // its end looks at the view again
  const w = wanted();
  if (!w) return;
  const key = `${w.from},${w.to},${w.px}`;
  if (key === lastAsked) return;           // asked already: do not loop on an answer that cannot do better
  lastAsked = key;
  inFlight = true;
  try {
    const res = await fetch(`data?from=${w.from}&to=${w.to}&px=${w.px}&rest=${REST_PX}`, { cache: 'no-store' });
    const text = await res.text();
    if (!res.ok) throw new DataError(`HTTP ${res.status}: ${text.trim()}`);
    const m = buildModel(JSON.parse(text));
    const old = M;
    replaceModel(m);
    carrySelection(old);
    loaded = { from: m.meta.window.from, to: m.meta.window.to, px: m.meta.window.px };
    loads++;
    body.dataset.windowsLoaded = String(loads);
    body.dataset.window = `${loaded.from},${loaded.to},${loaded.px}`;
    delete body.dataset.windowError;
  } catch (e) {
    body.dataset.windowError = e && e.message ? e.message : String(e);
  } finally {
    inFlight = false;
  }
  requestFrame();                          // draws the new model, then viewChanged looks again
}
