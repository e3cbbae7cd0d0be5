// draw.js — draws a frame.  Owns the pixel buffer and its clip rectangle,
// the per-lane level of detail (slices narrower than a pixel merged per
// column), the counter curves, the labels, the axis, the selection outline
// and the cursor, and what the last frame drew (the <body data-*> counts and
// gortStats()).  Reads the model, the view and the selection (view.js);
// changes none of them.
//
// A frame has two passes.  Every rectangle (backgrounds, grid, slices,
// bands) is written into a pixel buffer the size of the canvas (in device
// pixels) and put on the canvas at once: a software canvas spends over a
// microsecond per fillRect, the buffer a few nanoseconds per pixel.  Then
// the canvas API draws what needs anti-aliasing on top: text, counter
// lines, log markers, outlines.

import { fmtDur, fmtInt, fmtTime, fmtValue, shortFunc } from './format.js';
import { gallop, lowerBound, upperBound } from './search.js';
import {
  N_STATES, PKIND_GC_WORKER, PKIND_SYSCALL, Row, STATE_BLOCKED, STATE_NAMES, STATE_SYSCALL, Sel,
} from './states.js';
import {
  AXIS_H, BAND_H, C, FONT, FONT_B, FONT_S, G_H, G_REGION_H, G_REGION_TOP, G_STATE_H, G_STATE_TOP, LABEL_W,
  LOG_COLOR, MUTED, PINNED_H, PROC_H, SELECT, STATE_TEXT, STATE_U32, TEXT, procColor, regionColor,
} from './style.js';
import {
  M, body, canvas, ctx, filterText, gOrder, gTop, laneW, resize, rows, scale, selection, tOf, view, viewportH, xOf,
} from './view.js';

export let lastStats = null;   // what the last frame drew (gortStats)

// ---- the pixel buffer ----
let img = null, buf = null, BW = 0, BH = 0;
let cx0 = 0, cx1 = 0, cy0 = 0, cy1 = 0;        // clip rectangle, device pixels
let hatchW = 1;
function ensureBuffer() {
  if (!img || img.width !== canvas.width || img.height !== canvas.height) {
    img = ctx.createImageData(canvas.width, canvas.height);
    buf = new Uint32Array(img.data.buffer);
    BW = img.width; BH = img.height;
  }
  hatchW = view.dpr >= 1.5 ? 2 : 1;
}
function clipTo(x0, y0, x1, y1) {
  const d = view.dpr;
  cx0 = Math.max(0, Math.round(x0 * d)); cx1 = Math.min(BW, Math.round(x1 * d));
  cy0 = Math.max(0, Math.round(y0 * d)); cy1 = Math.min(BH, Math.round(y1 * d));
}
// Fills [xa, xb) × [ya, yb) (CSS pixels) with colour c, at least one device
// pixel wide; hatched with colour hc (0: none).
function box(xa, xb, ya, yb, c, hc) {
  const d = view.dpr;
  let X0 = Math.round(xa * d), X1 = Math.round(xb * d);
  if (X1 <= X0) X1 = X0 + 1;
  let Y0 = Math.round(ya * d), Y1 = Math.round(yb * d);
  if (X0 < cx0) X0 = cx0;
  if (X1 > cx1) X1 = cx1;
  if (Y0 < cy0) Y0 = cy0;
  if (Y1 > cy1) Y1 = cy1;
  if (X0 >= X1 || Y0 >= Y1) return;
  const w = X1 - X0;
  if (w <= 8) {
    for (let y = Y0; y < Y1; y++) { let o = y * BW + X0; const e = o + w; while (o < e) buf[o++] = c; }
  } else {
    for (let y = Y0; y < Y1; y++) buf.fill(c, y * BW + X0, y * BW + X1);
  }
  if (hc) {
    const period = 6 * hatchW;
    for (let y = Y0; y < Y1; y++) {
      const row = y * BW;
      let x = X0 + ((period - ((X0 + y) % period)) % period);
      for (; x < X1; x += period) { buf[row + x] = hc; if (hatchW > 1 && x + 1 < X1) buf[row + x + 1] = hc; }
    }
  }
}
const hline = (x0, x1, y, c) => box(x0, x1, y, y + 1 / view.dpr, c, 0);
const vline = (x, y0, y1, c) => box(x, x + 1 / view.dpr, y0, y1, c, 0);

// Rectangles of one lane go through this run merger: adjacent merged
// columns of one colour become one box.
const run = { on: false, x0: 0, x1: 0, c: 0, hc: 0, top: 0, h: 0 };
let stats = null;
function flushRun() {
  if (!run.on) return;
  run.on = false;
  box(run.x0, run.x1, run.top, run.top + run.h, run.c, run.hc);
  stats.slices++;
}
// a merged pixel column [x, x+1)
function column(x, c, hc) {
  if (run.on && run.c === c && run.hc === hc && x <= run.x1 + 0.001) { run.x1 = x + 1; return; }
  flushRun();
  run.on = true; run.x0 = x; run.x1 = x + 1; run.c = c; run.hc = hc;
}
// one slice wide enough to be seen on its own
function wide(xa, xb, c, hc) {
  flushRun();
  if (xa < LABEL_W - 2) xa = LABEL_W - 2;
  if (xb > view.w + 2) xb = view.w + 2;
  if (xb - xa > 4) xb -= 1;   // a gap shows where one slice ends and the next begins
  box(xa, xb, run.top, run.top + run.h, c, hc);
  stats.slices++;
}

// Text and markers wait for the second pass.
const texts = [];    // [xa, xb, cy, text, colour, font] slice and band labels (fitted into xa..xb)
const markers = [];  // x, y of log markers

function drawProcLane(p, y) {
  if (!p.n) return;
  run.top = y + 3; run.h = PROC_H - 6;
  const { start, dur, g, kind, n } = p;
  const t0 = view.t0, t1 = view.t1, k = scale();
  const cy = y + PROC_H / 2 + 0.5;
  let i = Math.max(0, upperBound(start, t0, 0, n) - 1);
  const iEnd = lowerBound(start, t1, i, n);
  while (i < iEnd) {
    const s = start[i], e = s + dur[i];
    const xa = LABEL_W + (s - t0) * k, xb = LABEL_W + (e - t0) * k;
    if (xb < LABEL_W) { i++; continue; }
    if (xb - xa >= 1) {
      const c = procColor(g[i], kind[i]);
      wide(xa, xb, c.u, kind[i] === PKIND_SYSCALL ? c.dark : 0);
      if (xb - xa > 34) texts.push(xa, xb, cy, kind[i] === PKIND_GC_WORKER ? 'GC' : `G${g[i]}`, c.text, FONT_S);
      i++; continue;
    }
    // Narrower than a pixel: every slice starting in this column becomes one
    // rectangle coloured as the longest of them.
    const col = Math.floor(xa - LABEL_W);
    const colEnd = t0 + (col + 1) / k;
    let j = gallop(start, colEnd, i + 1, iEnd);
    if (j - 1 > i && start[j - 1] + dur[j - 1] > colEnd) j--; // the last one leaves the column: its own rect
    let best = i, bestD = -1;
    const stride = j - i > 32 ? (j - i) / 32 : 1;
    for (let q = i; q < j; q += stride) { const m = q | 0; if (dur[m] > bestD) { bestD = dur[m]; best = m; } }
    const c = procColor(g[best], kind[best]);
    column(LABEL_W + col, c.u, kind[best] === PKIND_SYSCALL ? c.dark : 0);
    i = j;
  }
  flushRun();
}

const stateAcc = new Float64Array(N_STATES);
function drawGoroutineLane(gr, y) {
  const { start, dur, state, reason_str: reason, n } = gr;
  const t0 = view.t0, t1 = view.t1, k = scale();
  if (n) {
    run.top = y + G_STATE_TOP; run.h = G_STATE_H;
    const cy = y + G_STATE_TOP + G_STATE_H / 2 + 0.5;
    let i = Math.max(0, upperBound(start, t0, 0, n) - 1);
    const iEnd = lowerBound(start, t1, i, n);
    while (i < iEnd) {
      const s = start[i], e = s + dur[i];
      const xa = LABEL_W + (s - t0) * k, xb = LABEL_W + (e - t0) * k;
      if (xb < LABEL_W) { i++; continue; }
      if (xb - xa >= 1) {
        const st = state[i] < N_STATES ? state[i] : STATE_BLOCKED;
        wide(xa, xb, STATE_U32[st], 0);
        if (xb - xa > 44) {
          const r = st === STATE_BLOCKED || st === STATE_SYSCALL ? M.strings[reason[i]] : '';
          texts.push(xa, xb, cy, r || STATE_NAMES[st], STATE_TEXT[st], FONT_S);
        }
        i++; continue;
      }
      const col = Math.floor(xa - LABEL_W);
      const colEnd = t0 + (col + 1) / k;
      let j = gallop(start, colEnd, i + 1, iEnd);
      if (j - 1 > i && start[j - 1] + dur[j - 1] > colEnd) j--;
      stateAcc.fill(0);
      const stride = j - i > 32 ? (j - i) / 32 : 1;
      for (let q = i; q < j; q += stride) { const m = q | 0; stateAcc[state[m] < N_STATES ? state[m] : STATE_BLOCKED] += dur[m]; }
      let best = 0;
      for (let s2 = 1; s2 < N_STATES; s2++) if (stateAcc[s2] > stateAcc[best]) best = s2;
      column(LABEL_W + col, STATE_U32[best], 0);
      i = j;
    }
    flushRun();
  }
  if (gr.regions) drawRegions(gr.regions, y);
  if (gr.logs) drawLogs(gr.logs, y);
}

function drawRegions(b, y) {
  const R = M.regions, t0 = view.t0, t1 = view.t1, k = scale();
  run.top = y + G_REGION_TOP; run.h = G_REGION_H;
  // first region that ends after t0 (maxEnd is a running maximum, so sorted)
  let i = upperBound(b.maxEnd, t0, 0, b.n);
  const iEnd = lowerBound(b.start, t1, i, b.n);
  while (i < iEnd) {
    const r = b.idx[i];
    const s = b.start[i], e = s + R.dur[r];
    if (e < t0) { i++; continue; }
    const xa = LABEL_W + (s - t0) * k, xb = LABEL_W + (e - t0) * k;
    const c = regionColor(R.name_str[r]);
    if (xb - xa >= 1) { wide(xa, xb, c, 0); i++; continue; }
    const col = Math.floor(xa - LABEL_W);
    column(LABEL_W + col, c, 0);
    i = gallop(b.start, t0 + (col + 1) / k, i + 1, iEnd);
  }
  flushRun();
}

function drawLogs(b, y) {
  const t0 = view.t0, t1 = view.t1, k = scale();
  let i = lowerBound(b.start, t0, 0, b.n);
  const iEnd = upperBound(b.start, t1, i, b.n);
  while (i < iEnd) {
    const x = LABEL_W + (b.start[i] - t0) * k;
    markers.push(x, y);
    stats.logs++;
    // one marker per 3 px
    i = gallop(b.start, t0 + (x - LABEL_W + 3) / k, i + 1, iEnd);
  }
}

// GC cycles and STW pauses: a band of rectangles.
function drawBand(b, y, h, c, labelOf) {
  const t0 = view.t0, t1 = view.t1, k = scale();
  let count = 0;
  if (!b.n) return 0;
  let i = Math.max(0, upperBound(b.start, t0, 0, b.n) - 1);
  const iEnd = lowerBound(b.start, t1, i, b.n);
  while (i < iEnd) {
    const s = b.start[i], e = s + b.dur[i];
    let xa = LABEL_W + (s - t0) * k, xb = LABEL_W + (e - t0) * k;
    if (xb < LABEL_W) { i++; continue; }
    if (xb - xa < 1) {
      const col = Math.floor(xa);
      xa = col; xb = col + 1;
      i = gallop(b.start, t0 + (col + 1 - LABEL_W) / k, i + 1, iEnd);
    } else {
      if (xb - xa > 30) texts.push(xa, xb, y + h / 2 + 0.5, labelOf(i), '#ffffff', FONT_S);
      i++;
    }
    box(xa, xb, y + 3, y + h - 3, c, 0);
    count++;
  }
  return count;
}

function drawCounterTrack(tr, y) {
  const top = y + 6, h = tr.h - 10, base = top + h;
  const yOf = (v) => base - (v / tr.max) * h;
  tr.series.forEach((s, si) => {
    const st = tr.style[si];
    if (!s.n) return;
    const pts = stepPoints(s);
    if (!pts.length) return;
    const trace = () => {
      ctx.moveTo(pts[0], yOf(pts[1]));
      for (let q = 0; q < pts.length; q += 4) {
        // point: x, max over the column, value leaving the column, x of the next point
        const x = pts[q], mx = yOf(pts[q + 1]), ex = yOf(pts[q + 2]), nx = pts[q + 3];
        ctx.lineTo(x, mx);
        if (pts[q + 1] !== pts[q + 2]) { ctx.lineTo(Math.min(x + 1, nx), mx); ctx.lineTo(Math.min(x + 1, nx), ex); }
        ctx.lineTo(nx, ex);
        if (q + 4 < pts.length) ctx.lineTo(nx, yOf(pts[q + 5]));
      }
    };
    if (st.fill) {
      ctx.beginPath();
      trace();
      ctx.lineTo(pts[pts.length - 1], base);
      ctx.lineTo(pts[0], base);
      ctx.closePath();
      ctx.fillStyle = st.fill;
      ctx.fill();
    }
    ctx.beginPath();
    trace();
    ctx.strokeStyle = st.line;
    ctx.lineWidth = st.dash ? 1.5 : 1.25;
    ctx.setLineDash(st.dash ? [5, 3] : []);
    ctx.stroke();
    ctx.setLineDash([]);
  });
}

// The visible part of a step function as [x, max, leaving value, next x]
// quadruples, at most one per pixel column.
function stepPoints(s) {
  const t0 = view.t0, t1 = view.t1, k = scale();
  const tEnd = Math.min(M.duration, t1);
  const xEnd = Math.min(view.w, LABEL_W + (tEnd - t0) * k);
  const out = [];
  let i = upperBound(s.t, t0, 0, s.n) - 1;
  if (i < 0) i = 0;
  const iEnd = upperBound(s.t, t1, i, s.n);
  if (s.t[i] > t1) return out;
  while (i < iEnd) {
    const x = Math.max(LABEL_W, LABEL_W + (s.t[i] - t0) * k);
    if (x >= xEnd) break;
    const col = Math.floor(x);
    // samples in this pixel column
    const j = gallop(s.t, t0 + (col + 1 - LABEL_W) / k, i + 1, iEnd);
    const mx = j - i > 1 ? s.rangeMax(i, j) : s.v[i];
    const next = j < s.n ? Math.min(xEnd, LABEL_W + (s.t[j] - t0) * k) : xEnd;
    out.push(x, mx, s.v[j - 1], Math.max(next, x));
    i = j;
  }
  return out;
}

function computeTicks() {
  const span = view.t1 - view.t0;
  const target = span * 100 / Math.max(1, laneW());
  const p = Math.pow(10, Math.floor(Math.log10(target)));
  let step = p * 10;
  for (const m of [1, 2, 5]) if (p * m >= target) { step = p * m; break; }
  const mag = Math.max(Math.abs(view.t0), Math.abs(view.t1));
  const unit = mag >= 1e9 ? 1e9 : mag >= 1e6 ? 1e6 : mag >= 1e3 ? 1e3 : 1;
  const uname = { 1e9: 's', 1e6: 'ms', 1e3: 'µs', 1: 'ns' }[unit];
  const decimals = Math.max(0, Math.ceil(Math.log10(unit / step) - 1e-9));
  const ticks = [];
  for (let t = Math.ceil(view.t0 / step) * step; t <= view.t1; t += step) {
    ticks.push({ x: xOf(t), label: t === 0 ? '0' : `${(t / unit).toFixed(decimals)} ${uname}` });
  }
  return ticks;
}

// The rows (fixed and goroutine lanes) inside the viewport, with their
// screen y.
function visibleRows() {
  const out = [];
  const y0 = view.scrollY, y1 = view.scrollY + viewportH();
  for (const r of rows) {
    if (r.y + r.h <= y0 || r.y >= y1) continue;
    out.push({ r, y: PINNED_H + r.y - y0 });
  }
  const first = Math.max(0, Math.floor((y0 - gTop) / G_H));
  const last = Math.min(gOrder.length, Math.ceil((y1 - gTop) / G_H));
  for (let q = first; q < last; q++) {
    out.push({ r: { type: Row.G, gi: gOrder[q], pos: q, h: G_H }, y: PINNED_H + gTop + q * G_H - y0 });
  }
  return out;
}

function isSelectedRow(r) {
  const s = selection;
  return !!s && ((r.type === Row.G && s.gi === r.gi) || (r.type === Row.Proc && s.pi === r.index));
}

export function draw() {
  if (!M) return;
  const tStart = performance.now();
  if ((window.devicePixelRatio || 1) !== view.dpr) resize();   // moved to another screen
  const W = view.w, H = view.h;
  stats = { slices: 0, procs: 0, gs: 0, gc: 0, stw: 0, counters: 0, logs: 0 };
  texts.length = 0;
  markers.length = 0;
  ensureBuffer();
  const ticks = computeTicks();
  const vis = visibleRows();
  const sel = selection;

  // ---- pass 1: pixels ----
  buf.fill(C.white);
  // scrollable rows: backgrounds, grid, lanes, label column
  clipTo(0, PINNED_H, W, H);
  for (const { r, y } of vis) {
    if (r.type === Row.Section) box(0, W, y, y + r.h, C.section, 0);
    else if (r.type === Row.G && sel && sel.kind === Sel.G && sel.gi === r.gi) box(LABEL_W, W, y, y + r.h, C.selectBg, 0);
    else if ((r.type === Row.G && (r.pos & 1)) || (r.type === Row.Proc && (r.index & 1))) box(LABEL_W, W, y, y + r.h, C.zebra, 0);
  }
  for (const tk of ticks) vline(Math.round(tk.x), PINNED_H, H, C.grid);
  clipTo(LABEL_W, PINNED_H, W, H);
  for (const { r, y } of vis) {
    if (r.type === Row.Counter) { stats.counters++; hline(LABEL_W, W, y + r.h - 1, C.sep); } else if (r.type === Row.Proc) { drawProcLane(r.proc, y); stats.procs++; } else if (r.type === Row.G) { drawGoroutineLane(M.goroutines[r.gi], y); stats.gs++; }
  }
  clipTo(0, PINNED_H, W, H);
  for (const { r, y } of vis) {
    if (r.type === Row.Section) { hline(0, W, y + r.h - 1, C.rule); continue; }
    box(0, LABEL_W - 1, y, y + r.h, isSelectedRow(r) ? C.selectLabel : C.label, 0);
    hline(0, LABEL_W - 1, y + r.h - 1, C.sep);
  }
  // pinned: axis, GC and STW bands
  clipTo(0, 0, W, PINNED_H);
  box(0, LABEL_W, 0, PINNED_H, C.label, 0);
  box(LABEL_W, W, AXIS_H, AXIS_H + BAND_H, C.zebra, 0);
  const xs = xOf(0), xe = xOf(M.duration);
  if (xs > LABEL_W) box(LABEL_W, xs, 0, AXIS_H, C.outside, 0);
  if (xe < W) box(xe, W, 0, AXIS_H, C.outside, 0);
  clipTo(LABEL_W, 0, W, PINNED_H);
  for (const tk of ticks) vline(Math.round(tk.x), AXIS_H - 8, AXIS_H, C.tick);
  const gcY = AXIS_H, stwY = AXIS_H + BAND_H;
  stats.gc = drawBand(M.gc, gcY, BAND_H, C.gc, (i) => `GC ${M.gc.cycle[i]}`);
  stats.stw = drawBand(M.stw, stwY, BAND_H, C.stw, (i) => `STW ${M.strings[M.stw.reason_str[i]] || ''}`);
  clipTo(0, 0, W, H);
  hline(0, W, AXIS_H - 1, C.rule);
  hline(0, W, PINNED_H - 1, C.rule);
  vline(LABEL_W - 1, 0, H, C.rule);
  ctx.putImageData(img, 0, 0);

  // ---- pass 2: lines, text, markers, outlines ----
  ctx.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
  ctx.save();
  ctx.beginPath();
  ctx.rect(LABEL_W, PINNED_H, W - LABEL_W, H - PINNED_H);
  ctx.clip();
  for (const { r, y } of vis) if (r.type === Row.Counter) drawCounterTrack(r.track, y);
  if (markers.length) {
    ctx.beginPath();
    for (let q = 0; q < markers.length; q += 2) {
      const x = markers[q], y = markers[q + 1];
      ctx.moveTo(x - 3.5, y + 1); ctx.lineTo(x + 3.5, y + 1); ctx.lineTo(x, y + 7); ctx.closePath();
    }
    ctx.fillStyle = LOG_COLOR;
    ctx.fill();
  }
  drawSelectionOutline(vis);
  ctx.restore();
  drawTexts();
  ctx.textBaseline = 'middle';
  for (const { r, y } of vis) drawRowLabel(r, y);
  drawAxisText(ticks);
  ctx.font = FONT;
  ctx.textBaseline = 'middle';
  ctx.fillStyle = TEXT;
  ctx.fillText('GC', 10, gcY + BAND_H / 2 + 0.5);
  ctx.fillText('Stop the world', 10, stwY + BAND_H / 2 + 0.5);
  if (sel && (sel.kind === Sel.GC || sel.kind === Sel.STW)) {
    const b = sel.kind === Sel.GC ? M.gc : M.stw;
    ctx.save();
    ctx.beginPath(); ctx.rect(LABEL_W, AXIS_H, W - LABEL_W, 2 * BAND_H); ctx.clip();
    outline(xOf(b.start[sel.i]), xOf(b.start[sel.i] + b.dur[sel.i]), (sel.kind === Sel.GC ? gcY : stwY) + 2, BAND_H - 4);
    ctx.restore();
  }
  drawCursor();

  publish(performance.now() - tStart);
}

// slice and band labels, shortened to fit their slice
function drawTexts() {
  ctx.textBaseline = 'middle';
  let font = '';
  for (let q = 0; q < texts.length; q += 6) {
    const cy = texts[q + 2];
    const inBands = cy < PINNED_H;
    if (!inBands && cy < PINNED_H + 5) continue;       // scrolled under the pinned bands
    const xa = Math.max(texts[q], LABEL_W), xb = Math.min(texts[q + 1], view.w);
    const room = xb - xa - 8;
    if (room < 14) continue;
    if (font !== texts[q + 5]) { font = texts[q + 5]; ctx.font = font; }
    let text = texts[q + 3];
    if (ctx.measureText(text).width > room) {
      let lo = 0, hi = text.length;
      while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (ctx.measureText(text.slice(0, mid) + '…').width <= room) lo = mid; else hi = mid - 1; }
      if (lo < 2) continue;
      text = text.slice(0, lo) + '…';
    }
    ctx.fillStyle = texts[q + 4];
    ctx.fillText(text, xa + 4, cy);
  }
}

function drawAxisText(ticks) {
  ctx.font = FONT;
  ctx.textBaseline = 'middle';
  ctx.fillStyle = MUTED;
  ctx.fillText(`window ${fmtDur(view.t1 - view.t0)}`, 10, AXIS_H / 2);
  ctx.save();
  ctx.beginPath(); ctx.rect(LABEL_W, 0, view.w - LABEL_W, AXIS_H); ctx.clip();
  ctx.fillStyle = TEXT;
  ctx.textBaseline = 'alphabetic';
  for (const tk of ticks) {
    const x = Math.round(tk.x) + 3;
    if (x + ctx.measureText(tk.label).width > view.w - 2) continue;   // would be cut at the edge
    ctx.fillText(tk.label, x, AXIS_H - 11);
  }
  ctx.restore();
}

function drawCursor() {
  const x = view.mouseX;
  if (x < LABEL_W || x > view.w || view.mouseY < 0 || view.dragging) return;
  ctx.fillStyle = 'rgba(31, 111, 235, 0.55)';
  ctx.fillRect(Math.round(x), 0, 1, view.h);
  const text = fmtTime(tOf(x));
  ctx.font = FONT_S;
  const w = ctx.measureText(text).width + 8;
  const bx = Math.min(view.w - w, x + 2);
  ctx.fillStyle = SELECT;
  ctx.fillRect(bx, 0, w, 14);
  ctx.fillStyle = '#ffffff';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, bx + 4, 7.5);
}

function rowLabel(r) {
  if (r.type === Row.Proc) return [r.proc.name, ''];
  if (r.type === Row.Counter) {
    const tr = r.track;
    return [tr.series.map((s) => s.name).join(' / '), `max ${fmtValue(Math.max(...tr.series.map((s) => s.max)), tr.unit)}`];
  }
  if (r.type === Row.Section) {
    if (r.which === 'procs') return [`Procs (${M.procs.length})`, ''];
    const n = M.goroutines.length;
    return [filterText ? `Goroutines (${fmtInt(gOrder.length)} of ${fmtInt(n)} match "${filterText}")` : `Goroutines (${fmtInt(n)})`, ''];
  }
  const g = M.goroutines[r.gi];
  return [g.name, g.group];
}

function drawRowLabel(r, y) {
  if (y + r.h <= PINNED_H) return;
  const [a, b] = rowLabel(r);
  const cy = r.type === Row.Counter ? y + 15 : y + r.h / 2 + 0.5;
  if (cy < PINNED_H + 4) return;
  ctx.font = FONT_B;
  ctx.fillStyle = TEXT;
  ctx.fillText(a, 10, cy);
  if (!b) return;
  ctx.font = FONT;
  ctx.fillStyle = MUTED;
  if (r.type === Row.Counter) { ctx.fillText(b, 10, cy + 15); return; }
  const g = M.goroutines[r.gi];
  if (g.label === null) {
    ctx.font = FONT_B;
    const ax = 10 + ctx.measureText(a).width + 7;
    ctx.font = FONT;
    g.label = [ax, fitText(shortFunc(b), LABEL_W - ax - 8)];
  }
  ctx.fillText(g.label[1], g.label[0], cy);
}

function fitText(text, room) {
  if (ctx.measureText(text).width <= room) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (ctx.measureText(text.slice(0, mid) + '…').width <= room) lo = mid; else hi = mid - 1; }
  return text.slice(0, lo) + '…';
}

function outline(xa, xb, y, h) {
  if (xb - xa < 3) { const c = (xa + xb) / 2; xa = c - 1.5; xb = c + 1.5; }
  ctx.strokeStyle = SELECT;
  ctx.lineWidth = 2;
  ctx.strokeRect(Math.max(xa, LABEL_W - 2) - 1, y - 1, Math.min(xb, view.w + 2) - Math.max(xa, LABEL_W - 2) + 2, h + 2);
}

function drawSelectionOutline(vis) {
  const s = selection;
  if (!s) return;
  for (const { r, y } of vis) {
    if (s.kind === Sel.PSlice && r.type === Row.Proc && r.index === s.pi) {
      const p = M.procs[s.pi];
      outline(xOf(p.start[s.i]), xOf(p.start[s.i] + p.dur[s.i]), y + 3, PROC_H - 6);
    } else if (r.type === Row.G && r.gi === s.gi) {
      const g = M.goroutines[s.gi];
      if (s.kind === Sel.GSlice) outline(xOf(g.start[s.i]), xOf(g.start[s.i] + g.dur[s.i]), y + G_STATE_TOP, G_STATE_H);
      if (s.kind === Sel.Region) outline(xOf(M.regions.start[s.i]), xOf(M.regions.start[s.i] + M.regions.dur[s.i]), y + G_REGION_TOP, G_REGION_H);
      if (s.kind === Sel.Log) outline(xOf(M.logs.t[s.i]) - 4, xOf(M.logs.t[s.i]) + 4, y, 8);
    } else if (s.kind === Sel.Counter && r.type === Row.Counter && r.track === s.track) {
      ctx.fillStyle = SELECT;
      ctx.fillRect(Math.round(xOf(s.t)), y, 1, r.h);
    }
  }
}

// What the frame drew, for tests and for a look from the console.
function publish(ms) {
  const d = body.dataset;
  lastStats = stats;
  d.procLanes = M.procs.length;
  d.procLanesDrawn = stats.procs;
  d.goroutineLanes = M.goroutines.length;
  d.goroutineLanesShown = gOrder.length;
  d.goroutineLanesDrawn = stats.gs;
  d.slicesDrawn = stats.slices;
  d.gcBands = stats.gc;
  d.stwBands = stats.stw;
  d.counterTracks = stats.counters;
  d.logsDrawn = stats.logs;
  d.frameMs = ms.toFixed(2);
  d.view = `${Math.round(view.t0)},${Math.round(view.t1)}`;
  d.ready = '1';
}
