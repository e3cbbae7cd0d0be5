// hit.js — hit-testing: what lies under a point of the canvas (a slice, a
// band, a region, a log marker, a counter, a lane label) and which P ran a
// goroutine at a time.  Pure queries of the model and the view.

import { lowerBound, upperBound } from './search.js';
import { PKIND_GC_WORKER, Row, Sel } from './states.js';
import { AXIS_H, BAND_H, G_H, G_REGION_TOP, LABEL_W, PINNED_H } from './style.js';
import { M, gOrder, gTop, rows, scale, tOf, view } from './view.js';

// the slice of (start, dur) containing t, else the nearest within tol ns
function sliceAt(start, dur, n, t, tol) {
  const i = upperBound(start, t, 0, n) - 1;
  if (i >= 0 && t < start[i] + dur[i]) return i;
  let best = -1, bd = tol;
  if (i >= 0 && t - (start[i] + dur[i]) <= bd) { best = i; bd = t - (start[i] + dur[i]); }
  if (i + 1 < n && start[i + 1] - t <= bd) best = i + 1;
  return best;
}

// What is at canvas point (x, y) (CSS pixels): a selection ({ kind: Sel.*, ... })
// or null.
export function hitTest(x, y) {
  if (!M || y < AXIS_H) return null;
  const t = tOf(x);
  const tol = 3 / scale();
  if (y < AXIS_H + 2 * BAND_H) {
    if (x < LABEL_W) return null;
    const kind = y < AXIS_H + BAND_H ? Sel.GC : Sel.STW;
    const b = kind === Sel.GC ? M.gc : M.stw;
    const i = sliceAt(b.start, b.dur, b.n, t, tol);
    return i < 0 ? null : { kind, i };
  }
  const cy = y - PINNED_H + view.scrollY;
  if (cy >= gTop) {
    const pos = Math.floor((cy - gTop) / G_H);
    if (pos >= gOrder.length) return null;
    const gi = gOrder[pos];
    const g = M.goroutines[gi];
    const ly = cy - gTop - pos * G_H;
    if (x < LABEL_W) return { kind: Sel.G, gi };
    if (ly < 8 && g.logs) {
      const b = g.logs;
      const i = lowerBound(b.start, t - 4 / scale(), 0, b.n);
      if (i < b.n && b.start[i] <= t + 4 / scale()) return { kind: Sel.Log, gi, i: b.idx[i] };
    }
    if (ly >= G_REGION_TOP - 1 && g.regions) {
      const b = g.regions;
      // the innermost (latest-starting) region containing t
      let found = -1;
      for (let q = upperBound(b.start, t + tol, 0, b.n) - 1; q >= 0 && b.maxEnd[q] >= t - tol; q--) {
        const r = b.idx[q];
        if (M.regions.start[r] - tol <= t && t <= M.regions.start[r] + M.regions.dur[r] + tol) { found = r; break; }
      }
      if (found >= 0) return { kind: Sel.Region, gi, i: found };
    }
    const i = sliceAt(g.start, g.dur, g.n, t, tol);
    return i < 0 ? { kind: Sel.G, gi } : { kind: Sel.GSlice, gi, i };
  }
  for (const r of rows) {
    if (cy < r.y || cy >= r.y + r.h) continue;
    if (r.type === Row.Proc) {
      if (x < LABEL_W) return { kind: Sel.P, pi: r.index };
      const p = r.proc;
      const i = sliceAt(p.start, p.dur, p.n, t, tol);
      return i < 0 ? { kind: Sel.P, pi: r.index } : { kind: Sel.PSlice, pi: r.index, i };
    }
    if (r.type === Row.Counter) return x < LABEL_W ? null : { kind: Sel.Counter, track: r.track, t };
    return null;
  }
  return null;
}

// which P ran goroutine id at time t
export function procRunning(id, t) {
  for (const p of M.procs) {
    const i = upperBound(p.start, t, 0, p.n) - 1;
    if (i >= 0 && t < p.start[i] + p.dur[i] && p.g[i] === id && p.kind[i] !== PKIND_GC_WORKER) return p;
  }
  return null;
}

