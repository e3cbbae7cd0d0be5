// view.js — the viewer's state and layout.  Owns the loaded model (M), the
// canvas and the page elements the code draws into, the visible window
// (`view`: time range, size, device pixel ratio, scroll, pointer), the rows
// of the layout and the goroutine filter, the selection, the scrollbar, the
// mapping between time and x, and the frame request.  Other modules read
// these bindings and change them only through the functions here.

import { Row } from './states.js';
import { G_H, LABEL_W, MAX_SCROLL_PX, MIN_SPAN_NS, PINNED_H, PROC_H, SCROLLBAR_W, SECTION_H } from './style.js';

export const body = document.body;
export const $ = (id) => document.getElementById(id);

export let M = null;                 // the model
export const canvas = $('canvas');
export const ctx = canvas.getContext('2d', { alpha: false });
export const tooltip = $('tooltip');
const vscroll = $('vscroll'), vspacer = $('vspacer');
export const view = {
  t0: 0, t1: 1, w: 0, h: 0, dpr: 1, scrollY: 0,
  mouseX: -1, mouseY: -1,
  dragging: false,              // a drag is panning (no cursor line, no tooltip)
};
export let rows = [];                // the fixed scrollable rows (counters, sections, procs)
export let gTop = 0;                 // content y where goroutine lanes start
export let gOrder = new Int32Array(0); // goroutine indices shown (after the filter)
export let filterText = '';
let contentH = 0, scrollRatio = 1;
export let selection = null;         // what is selected: { kind: Sel.*, ... } or null
let frameQueued = false;
let onFrame = null;

export function setModel(m) { M = m; }
// Swaps in another model of the same trace (a window the server sent): its
// lanes are the same, in the same order, so the view, filter and scroll stay.
export function replaceModel(m) { M = m; applyFilter(filterText); }
export function setSelection(s) { selection = s; }

// ---- layout ----

function buildRows() {
  rows = [];
  let y = 0;
  for (const t of M.tracks) { rows.push({ type: Row.Counter, track: t, y, h: t.h }); y += t.h; }
  rows.push({ type: Row.Section, which: 'procs', y, h: SECTION_H }); y += SECTION_H;
  M.procs.forEach((p, i) => { rows.push({ type: Row.Proc, proc: p, index: i, y, h: PROC_H }); y += PROC_H; });
  rows.push({ type: Row.Section, which: 'goroutines', y, h: SECTION_H }); y += SECTION_H;
  gTop = y;
  contentH = gTop + gOrder.length * G_H;
}

export function applyFilter(text) {
  filterText = text.trim().toLowerCase();
  const gs = M.goroutines;
  if (!filterText) {
    gOrder = new Int32Array(gs.length);
    for (let i = 0; i < gs.length; i++) gOrder[i] = i;
  } else {
    const exact = /^g?(\d+)$/.exec(filterText);
    const out = [];
    for (let i = 0; i < gs.length; i++) {
      // "12" or "G12" is a goroutine id; any text also matches group names
      if ((exact && String(gs[i].id) === exact[1]) || gs[i].search.includes(filterText)) out.push(i);
    }
    gOrder = Int32Array.from(out);
  }
  buildRows();
  setScroll(view.scrollY);
}

// ---- vertical scrolling ----

export function viewportH() { return Math.max(0, view.h - PINNED_H); }
export function maxScroll() { return Math.max(0, contentH - viewportH()); }
export function setScroll(y) {
  view.scrollY = Math.max(0, Math.min(maxScroll(), y));
  syncScrollbar();
  requestFrame();
}
export function syncScrollbar() {
  const vh = viewportH();
  vscroll.style.top = `${PINNED_H}px`;
  vscroll.style.height = `${vh}px`;
  const spacer = Math.min(contentH, MAX_SCROLL_PX);
  vspacer.style.height = `${spacer}px`;
  scrollRatio = contentH > MAX_SCROLL_PX && spacer > vh ? (contentH - vh) / (spacer - vh) : 1;
  const want = view.scrollY / scrollRatio;
  if (Math.abs(vscroll.scrollTop - want) >= 1) vscroll.scrollTop = want;
}
// Follows the scrollbar when the user moves it.
export function watchScrollbar() {
  vscroll.addEventListener('scroll', () => {
    const y = vscroll.scrollTop * scrollRatio;
    if (Math.abs(y - view.scrollY) >= scrollRatio) { view.scrollY = Math.max(0, Math.min(maxScroll(), y)); requestFrame(); }
  });
}

export function resize() {
  const box = $('timeline');
  const w = Math.max(LABEL_W + 100, box.clientWidth - SCROLLBAR_W);   // narrower: the canvas overflows, clipped
  const h = Math.max(PINNED_H + 20, box.clientHeight);
  const dpr = window.devicePixelRatio || 1;
  if (w === view.w && h === view.h && dpr === view.dpr) return;
  view.w = w; view.h = h; view.dpr = dpr;
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  setScroll(view.scrollY);
}

// ---- time <-> x ----
export const laneW = () => view.w - LABEL_W;
export const scale = () => laneW() / (view.t1 - view.t0);     // px per ns
export const xOf = (t) => LABEL_W + (t - view.t0) * scale();
export const tOf = (x) => view.t0 + (x - LABEL_W) / scale();

export function setView(t0, t1) {
  const d = M.duration;
  let span = Math.max(MIN_SPAN_NS, Math.min(t1 - t0, d * 1.2));
  const pad = d * 0.1;
  let a = t0;
  if (t1 - t0 !== span) a = (t0 + t1) / 2 - span / 2;
  a = Math.max(-pad, Math.min(a, d + pad - span));
  if (span >= d + 2 * pad) a = (d - span) / 2;
  view.t0 = a; view.t1 = a + span;
  requestFrame();
}
export function fit() { setView(0, M.duration); }
export function zoomAt(x, factor) {
  const xx = x >= LABEL_W && x <= view.w ? x : LABEL_W + laneW() / 2;
  const t = tOf(xx);
  const span = (view.t1 - view.t0) * factor;
  const frac = (xx - LABEL_W) / laneW();
  setView(t - frac * span, t - frac * span + span);
}
export function panPx(dx) {
  const dt = dx / scale();
  setView(view.t0 + dt, view.t1 + dt);
}

// ---- frames ----

// Sets what a frame does (start-up: advance held keys, then draw).
export function setFrameHandler(fn) { onFrame = fn; }
// Asks for one frame at the next animation frame; more requests before it
// runs cost nothing.
export function requestFrame() {
  if (frameQueued || !M) return;
  frameQueued = true;
  requestAnimationFrame(() => { frameQueued = false; onFrame(); });
}
