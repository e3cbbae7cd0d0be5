// gort trace viewer: the front end of `trace-viewer html`.
//
// The page carries a "view model" (JSON in <script id="trace-data">, written by
// the C++ side; its shape is documented in trace-viewer/web/README.md) and
// draws it on one canvas: a time axis, the GC and stop-the-world bands, the
// counter tracks, one lane per P and one lane per goroutine.  The layout
// mirrors `go tool trace` and gotraceui.
//
// Invariants the drawing relies on:
//  - every array is converted once, at load, to a typed array;
//  - within one lane (a P or a goroutine) slices are sorted by start and do
//    not overlap, so their ends are sorted too and one binary search finds the
//    first visible slice;
//  - a frame draws at most a bounded number of rectangles per lane: slices
//    narrower than a pixel are merged per pixel column (the column takes the
//    colour of what dominates it), and the merge jumps over a column's slices
//    with a binary search, so the work per lane is O(width · log n) however
//    many slices the trace holds;
//  - only the lanes inside the viewport are drawn (goroutine lanes have one
//    height, so the first visible one is found by division);
//  - input events only change the view and ask for a frame; frames run in
//    requestAnimationFrame, so a burst of events costs one redraw.
//
// After each frame the page records what it drew in document.body's data
// attributes (data-ready, data-slices-drawn, ...) for tests; a missing or
// malformed model shows a readable error and sets data-error.
//
// The code is ES modules, each saying at its top what it owns:
//   main.js    start-up, header and legend, URL fragment, the window API
//   model.js   reading and checking the view model (typed arrays, counters)
//   view.js    the viewer's state: model, window, layout rows, filter,
//              selection, scrolling, time <-> x, frame requests
//   draw.js    drawing a frame (pixel buffer, level of detail, text)
//   hit.js     hit-testing: what is under a point
//   select.js  the selection's details, selecting, gortSelect
//   input.js   wheel, pointer, keys, scrollbar, filter box
//   states.js  the model's codes, named (slice states, P slice kinds) and the
//              selection and row kinds
//   style.js   geometry, colours, fonts
//   remote.js  the served page: fetching time windows from `trace-viewer serve`
//   format.js, search.js  text formatting; binary searches
// The build joins them into the page's one script (trace-viewer/cmake/
// bundle_js.cmake; this module is its entry).
//
// This module: start-up and the page's outside.  Reads the model (or shows
// why it cannot), fills the header and the legend, wires the input, applies
// the URL fragment (#view=, #select=, #filter=, #bench=) and publishes the
// test and console API on window (gortSelect, gortView, gortRedraw,
// gortStats, gortLaneY, gortTimeX).

import { draw, lastStats } from './draw.js';
import { esc, fmtDur, fmtInt } from './format.js';
import { animateKeys, wireInput } from './input.js';
import { DataError, readModel } from './model.js';
import { startWindows, viewChanged } from './remote.js';
import { gortSelect } from './select.js';
import { Row, STATE_NAMES, STATE_SYSCALL, Sel } from './states.js';
import {
  AXIS_H, BAND_H, G_H, G_STATE_H, G_STATE_TOP, GC_COLOR, GOAL_LINE, HEAP_FILL, HEAP_LINE, PINNED_H, REGION_COLORS,
  STATE_COLORS, STW_COLOR, gColor,
} from './style.js';
import {
  $, M, applyFilter, body, ctx, fit, gOrder, gTop, maxScroll, resize, rows, setFrameHandler, setModel, setView,
  syncScrollbar, view, xOf,
} from './view.js';

setFrameHandler(() => { animateKeys(); draw(); viewChanged(); });

// the header: the trace's title and meta, and the colour legend
function renderHeader() {
  const m = M.meta;
  const title = typeof m.title === 'string' && m.title ? m.title : 'trace';
  document.title = `${title} — gort trace`;
  $('title').textContent = title;
  const item = (label, v) => (v === undefined || v === null ? '' : `<span>${label} <b>${esc(v)}</b></span>`);
  $('meta').innerHTML = [
    item('duration', fmtDur(m.duration_ns)),
    item('procs', m.procs !== undefined ? fmtInt(m.procs) : undefined),
    item('goroutines', m.goroutines !== undefined ? fmtInt(m.goroutines) : undefined),
    item('events', m.events !== undefined ? fmtInt(m.events) : undefined),
    item('threads', m.threads !== undefined ? fmtInt(m.threads) : undefined),
    item('GC cycles', m.gc_cycles !== undefined ? fmtInt(m.gc_cycles) : undefined),
  ].filter(Boolean).join(' · ');
  const sw = (style, label, cls = 'swatch') => `<span class="legend-item"><span class="${cls}" style="${style}"></span>${esc(label)}</span>`;
  const g1 = gColor(1).fill, g2 = gColor(2).fill, g3 = gColor(3).fill;
  $('legend').innerHTML = [
    ...STATE_NAMES.map((nm, i) => sw(`background:${STATE_COLORS[i]}`, i === STATE_SYSCALL ? 'syscall' : nm)),
    sw(`background:linear-gradient(90deg,${g1} 33%,${g2} 33% 66%,${g3} 66%)`, 'on a P: colour per goroutine'),
    sw(`background:repeating-linear-gradient(135deg,${g2} 0 3px,#444 3px 4px)`, 'blocking call on P'),
    sw(`background:${GC_COLOR}`, 'GC / mark worker'),
    sw(`background:${STW_COLOR}`, 'STW'),
    sw(`background:${REGION_COLORS[0]};height:4px`, 'region'),
    sw(`border-color:${HEAP_LINE};background:${HEAP_FILL}`, 'HeapAlloc'),
    sw(`border-top-color:${GOAL_LINE};border-top-style:dashed`, 'HeapGoal', 'swatch line'),
  ].join('');
}

function showError(msg) {
  const box = $('error');
  box.innerHTML = `<strong>This trace cannot be shown</strong>${esc(msg)}`;
  box.hidden = false;
  body.classList.add('failed');
  body.dataset.error = msg;
}

function parseHash() {
  const out = {};
  for (const part of location.hash.replace(/^#/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    out[decodeURIComponent(eq < 0 ? part : part.slice(0, eq))] = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
  }
  return out;
}

function applyHash(h) {
  if (h.view) {
    const [a, b] = h.view.split(',').map(Number);
    if (Number.isFinite(a) && Number.isFinite(b) && b > a) setView(a, b);
  }
  if (h.filter) { $('filter').value = h.filter; applyFilter(h.filter); }
  if (h.select) {
    const [kind, ...rest] = h.select.split(':');
    gortSelect(kind, rest.length > 1 ? rest.map(Number) : Number(rest[0]));
  }
}

// #bench=N: N redraws cycling over five views (the whole trace at the top,
// where every P lane and counter is in view; zoomed in; scrolled; ...),
// each followed by a one-pixel read so the canvas is really painted.  The
// figures land in data-bench-*: the median over all frames, and the median
// of the whole-trace top-view frames, the heaviest of them.
function bench(n) {
  const d = M.duration;
  const views = [
    [0, d, 0], [d * 0.45, d * 0.55, 0], [d * 0.3, d * 0.31, maxScroll() / 2],
    [0, d, maxScroll() / 3], [d * 0.7, d * 0.7001, 0],
  ];
  const all = [], whole = [];
  for (let q = 0; q < n; q++) {
    const [a, b, sy] = views[q % views.length];
    view.t0 = a; view.t1 = b; view.scrollY = Math.min(sy, maxScroll());
    const t = performance.now();
    draw();
    ctx.getImageData(0, 0, 1, 1);
    const ms = performance.now() - t;
    all.push(ms);
    if (q % views.length === 0) whole.push(ms);
  }
  const med = (xs) => { const s = [...xs].sort((x, y) => x - y); return s.length ? s[s.length >> 1] : 0; };
  const dd = body.dataset;
  dd.benchFrames = all.length;
  dd.benchMedianMs = med(all).toFixed(2);
  dd.benchMaxMs = Math.max(...all).toFixed(2);
  dd.benchWholeMedianMs = med(whole).toFixed(2);
  dd.benchWholeFramesMs = whole.map((x) => x.toFixed(1)).join(' ');
  view.scrollY = 0;
  syncScrollbar();
  fit();
  draw();
}

function start() {
  $('loading').remove();
  const tLoad = performance.now();
  try {
    setModel(readModel());
  } catch (e) {
    showError(e instanceof DataError ? e.message : `could not read the trace data: ${e && e.message}`);
    return;
  }
  body.dataset.loadMs = (performance.now() - tLoad).toFixed(1);
  startWindows();
  renderHeader();
  applyFilter('');
  resize();
  fit();
  wireInput();
  draw();
  const h = parseHash();
  applyHash(h);
  if (h.bench) bench(Math.max(1, Math.min(500, Number(h.bench) || 20)));
  draw();
  window.addEventListener('hashchange', () => applyHash(parseHash()));
}

window.gortSelect = gortSelect;
window.gortView = (t0, t1) => { if (M) { setView(t0, t1); draw(); } };
window.gortRedraw = () => { if (M) draw(); };
window.gortStats = () => (lastStats ? { ...lastStats } : null);
// the canvas y (CSS pixels) of the middle of a lane ('g' goroutine id, 'p'
// P id, 'gc', 'stw'), or null when it is scrolled out of view
window.gortLaneY = (kind, id) => {
  if (!M) return null;
  if (kind === Sel.GC) return AXIS_H + BAND_H / 2;
  if (kind === Sel.STW) return AXIS_H + BAND_H * 1.5;
  let cy = null;
  if (kind === Sel.G) {
    const pos = gOrder.indexOf(M.gIndex.get(Number(id)));
    if (pos >= 0) cy = gTop + pos * G_H + G_STATE_TOP + G_STATE_H / 2;
  } else if (kind === Sel.P) {
    const r = rows.find((x) => x.type === Row.Proc && x.proc.id === Number(id));
    if (r) cy = r.y + r.h / 2;
  }
  if (cy === null) return null;
  const y = PINNED_H + cy - view.scrollY;
  return y >= PINNED_H && y < view.h ? y : null;
};
window.gortTimeX = (t) => (M ? xOf(t) : null);
window.addEventListener('error', (e) => { if (!body.dataset.error) showError(`internal error: ${e.message}`); });
try { start(); } catch (e) { showError(`internal error: ${e && e.stack ? e.stack : e}`); }
