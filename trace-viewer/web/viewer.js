// gort trace viewer: the front end of `trace-viewer html`.
//
// The page carries a "view model" (JSON in <script id="trace-data">, written by
// the C++ side; its shape is documented in README.md beside this file) and
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
(function () {
  'use strict';

  const body = document.body;
  const $ = (id) => document.getElementById(id);

  // ---- geometry (CSS pixels) ----
  const LABEL_W = 200;          // lane label column
  const SCROLLBAR_W = 14;
  const AXIS_H = 30;
  const BAND_H = 18;            // GC and STW bands
  const PINNED_H = AXIS_H + 2 * BAND_H;
  const HEAP_H = 64;
  const COUNTER_H = 38;
  const SECTION_H = 22;
  const PROC_H = 24;
  const G_H = 20;
  const G_STATE_TOP = 2, G_STATE_H = 12, G_REGION_TOP = 15, G_REGION_H = 4;
  const MAX_SCROLL_PX = 4000000; // taller content is mapped onto this many scrollbar pixels
  const MIN_SPAN_NS = 20;        // deepest zoom: 20 ns across the lanes

  // ---- colours ----
  const STATE_NAMES = ['running', 'runnable', 'blocked', 'in blocking call', 'GC assist'];
  const STATE_COLORS = ['#2f9e44', '#f2b705', '#ccd3dc', '#7c5cd6', '#e64980'];
  const STATE_TEXT = ['#ffffff', '#1d232b', '#1d232b', '#ffffff', '#ffffff'];
  const PROC_KIND_NAMES = ['goroutine running', 'GC mark worker', 'goroutine in blocking call'];
  const GC_COLOR = '#e8590c';
  const STW_COLOR = '#a61e4d';
  const HEAP_LINE = '#1c7ed6', HEAP_FILL = 'rgba(28, 126, 214, 0.22)';
  const GOAL_LINE = '#d9480f';
  const COUNT_LINE = '#5f3dc4', COUNT_FILL = 'rgba(95, 61, 196, 0.18)';
  const REGION_COLORS = ['#0b7285', '#1098ad', '#087f5b', '#3b5bdb', '#5c940d', '#862e9c'];
  const LOG_COLOR = '#1d232b';
  const GRID = 'rgba(29, 35, 43, 0.07)';
  const TEXT = '#1d232b', MUTED = '#5c6672';
  const LABEL_BG = '#f5f7fa', SECTION_BG = '#e9edf2', ZEBRA = '#fafbfc';
  const SELECT = '#1f6feb';
  const FONT = '12px system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif';
  const FONT_B = '600 12px system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif';
  const FONT_S = '11px system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif';

  // ===================================================================
  // Loading and checking the view model
  // ===================================================================

  class DataError extends Error {}
  function need(cond, msg) { if (!cond) throw new DataError(msg); }
  const isObj = (o) => o !== null && typeof o === 'object' && !Array.isArray(o);

  // Converts the parallel arrays `fields` ([name, 'f64'|'i32'|'u8']) of obj to
  // typed arrays, checking that they exist and have one length.
  function columns(obj, where, fields) {
    need(isObj(obj), `${where} must be an object of arrays`);
    const out = { n: 0 };
    let first = null;
    for (const [name, type] of fields) {
      const a = obj[name];
      need(Array.isArray(a), `${where}.${name} must be an array`);
      if (first === null) { first = name; out.n = a.length; } else {
        need(a.length === out.n,
          `${where}.${name} has ${a.length} entries but ${where}.${first} has ${out.n}`);
      }
      out[name] = type === 'u8' ? Uint8Array.from(a) : type === 'i32' ? Int32Array.from(a) : Float64Array.from(a);
    }
    return out;
  }
  // An optional section: absent means empty.
  function optColumns(obj, where, fields) {
    if (obj === undefined || obj === null) {
      const out = { n: 0 };
      for (const [name] of fields) out[name] = new Float64Array(0);
      return out;
    }
    return columns(obj, where, fields);
  }

  function readModel() {
    const el = $('trace-data');
    need(el, 'this page has no trace data element (<script id="trace-data">)');
    const text = el.textContent.trim();
    need(text.length > 0, 'the trace data is empty');
    need(text !== '/*GORT_' + 'DATA*/',
      'no trace data: this is the bare template; build a page with `trace-viewer html FILE -o out.html`');
    let raw;
    try { raw = JSON.parse(text); } catch (e) {
      throw new DataError(`the trace data is not valid JSON (${e.message})`);
    }
    return buildModel(raw);
  }

  function buildModel(raw) {
    need(isObj(raw), 'the trace data is not a JSON object');
    need(raw.version === 1,
      `unsupported view-model version ${JSON.stringify(raw.version)} (this page reads version 1)`);
    const meta = raw.meta;
    need(isObj(meta), 'meta is missing');
    need(typeof meta.duration_ns === 'number' && meta.duration_ns >= 0,
      'meta.duration_ns must be a non-negative number');
    need(Array.isArray(raw.strings), 'strings must be an array');
    const strings = raw.strings.map((s) => (typeof s === 'string' ? s : String(s)));
    need(Array.isArray(raw.procs), 'procs must be an array');
    need(Array.isArray(raw.goroutines), 'goroutines must be an array');

    let end = meta.duration_ns;
    const procs = raw.procs.map((p, i) => {
      need(isObj(p), `procs[${i}] must be an object`);
      const c = columns(p.slices, `procs[${i}].slices`,
        [['start', 'f64'], ['dur', 'f64'], ['g', 'f64'], ['kind', 'u8']]);
      if (c.n) end = Math.max(end, c.start[c.n - 1] + c.dur[c.n - 1]);
      const id = typeof p.id === 'number' ? p.id : i;
      return { id, name: typeof p.name === 'string' ? p.name : `P${id}`, ...c };
    });
    const gIndex = new Map();
    const goroutines = raw.goroutines.map((g, i) => {
      need(isObj(g), `goroutines[${i}] must be an object`);
      const c = columns(g.slices, `goroutines[${i}].slices`,
        [['start', 'f64'], ['dur', 'f64'], ['state', 'u8'], ['reason_str', 'i32']]);
      if (c.n) end = Math.max(end, c.start[c.n - 1] + c.dur[c.n - 1]);
      const id = typeof g.id === 'number' ? g.id : i;
      gIndex.set(id, i);
      const group = strings[g.group_str] || '';
      return {
        id, index: i, name: typeof g.name === 'string' ? g.name : `G${id}`, group,
        search: group.toLowerCase(), label: null,
        regions: null, logs: null, ...c,
      };
    });
    const gc = optColumns(raw.gc, 'gc', [['start', 'f64'], ['dur', 'f64'], ['cycle', 'f64']]);
    const stw = optColumns(raw.stw, 'stw', [['start', 'f64'], ['dur', 'f64'], ['reason_str', 'i32']]);
    const regions = optColumns(raw.regions, 'regions',
      [['g', 'f64'], ['start', 'f64'], ['dur', 'f64'], ['name_str', 'i32']]);
    const logs = optColumns(raw.logs, 'logs',
      [['t', 'f64'], ['g', 'f64'], ['category_str', 'i32'], ['message_str', 'i32']]);
    const counters = [];
    if (raw.counters !== undefined) {
      need(Array.isArray(raw.counters), 'counters must be an array');
      raw.counters.forEach((c, i) => {
        need(isObj(c), `counters[${i}] must be an object`);
        const name = typeof c.name === 'string' ? c.name : `counter ${i}`;
        const cols = columns(c, `counters[${i}] (${name})`, [['t', 'f64'], ['v', 'f64']]);
        counters.push(new Series(name, typeof c.unit === 'string' ? c.unit : '', cols.t, cols.v));
      });
    }
    for (const b of [gc, stw]) if (b.n) end = Math.max(end, b.start[b.n - 1] + b.dur[b.n - 1]);

    const model = { meta, strings, procs, goroutines, gIndex, gc, stw, regions, logs, counters };
    model.duration = end > 0 ? end : 1;
    bucketByGoroutine(model);
    model.tracks = buildCounterTracks(counters);
    return model;
  }

  // Regions and log entries are drawn inside goroutine lanes: give each
  // goroutine its own sorted list (indices into the global arrays).
  function bucketByGoroutine(m) {
    const G = m.goroutines.length;
    const split = (ids, n, times, durs, key) => {
      const counts = new Int32Array(G);
      const owner = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const gi = m.gIndex.get(ids[i]);
        owner[i] = gi === undefined ? -1 : gi;
        if (gi !== undefined) counts[gi]++;
      }
      const fill = new Int32Array(G);
      for (let gi = 0; gi < G; gi++) {
        if (!counts[gi]) continue;
        const c = counts[gi];
        m.goroutines[gi][key] = { n: c, idx: new Int32Array(c), start: new Float64Array(c), maxEnd: durs ? new Float64Array(c) : null };
      }
      for (let i = 0; i < n; i++) {
        const gi = owner[i];
        if (gi < 0) continue;
        const b = m.goroutines[gi][key];
        const k = fill[gi]++;
        b.idx[k] = i;
        b.start[k] = times[i];
        if (durs) b.maxEnd[k] = Math.max(k ? b.maxEnd[k - 1] : -Infinity, times[i] + durs[i]);
      }
    };
    split(m.regions.g, m.regions.n, m.regions.start, m.regions.dur, 'regions');
    split(m.logs.g, m.logs.n, m.logs.t, null, 'logs');
  }

  // A counter: a step function of time.  Block maxima (64 and 4096 samples)
  // let a frame take the maximum over a pixel column without visiting every
  // sample in it.
  class Series {
    constructor(name, unit, t, v) {
      this.name = name; this.unit = unit; this.t = t; this.v = v; this.n = t.length;
      let max = 0;
      for (let i = 0; i < this.n; i++) if (v[i] > max) max = v[i];
      this.max = max;
      this.b1 = blockMax(v, 64);
      this.b2 = blockMax(this.b1, 64);
    }
    // max of v[a..b)
    rangeMax(a, b) {
      const v = this.v, b1 = this.b1, b2 = this.b2;
      let m = -Infinity;
      while (a < b && (a & 63)) { if (v[a] > m) m = v[a]; a++; }
      while (a + 64 <= b && (a & 4095)) { const q = b1[a >> 6]; if (q > m) m = q; a += 64; }
      while (a + 4096 <= b) { const q = b2[a >> 12]; if (q > m) m = q; a += 4096; }
      while (a + 64 <= b) { const q = b1[a >> 6]; if (q > m) m = q; a += 64; }
      while (a < b) { if (v[a] > m) m = v[a]; a++; }
      return m;
    }
    // value at time t (the last sample at or before t), or undefined
    at(t) {
      const i = upperBound(this.t, t, 0, this.n) - 1;
      return i >= 0 ? this.v[i] : undefined;
    }
  }
  function blockMax(v, size) {
    const out = new Float64Array(Math.ceil(v.length / size));
    for (let b = 0; b < out.length; b++) {
      let m = -Infinity;
      const e = Math.min(v.length, (b + 1) * size);
      for (let i = b * size; i < e; i++) if (v[i] > m) m = v[i];
      out[b] = m;
    }
    return out;
  }

  // HeapAlloc and HeapGoal share one track; every other counter has its own.
  function buildCounterTracks(counters) {
    const by = new Map(counters.map((c) => [c.name, c]));
    const tracks = [];
    const heap = [by.get('HeapAlloc'), by.get('HeapGoal')].filter(Boolean);
    if (heap.length) {
      tracks.push({
        name: 'Heap', unit: 'bytes', h: HEAP_H, series: heap,
        style: heap.map((s) => (s.name === 'HeapGoal'
          ? { line: GOAL_LINE, fill: null, dash: true } : { line: HEAP_LINE, fill: HEAP_FILL })),
      });
    }
    for (const c of counters) {
      if (c.name === 'HeapAlloc' || c.name === 'HeapGoal') continue;
      tracks.push({ name: c.name, unit: c.unit, h: COUNTER_H, series: [c], style: [{ line: COUNT_LINE, fill: COUNT_FILL }] });
    }
    for (const t of tracks) t.max = Math.max(1, ...t.series.map((s) => s.max)) * 1.08;
    return tracks;
  }

  // ===================================================================
  // Small helpers
  // ===================================================================

  // first i in [lo, hi) with a[i] > x
  function upperBound(a, x, lo, hi) {
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (a[mid] <= x) lo = mid + 1; else hi = mid; }
    return lo;
  }
  // first i in [lo, hi) with a[i] >= x
  function lowerBound(a, x, lo, hi) {
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (a[mid] < x) lo = mid + 1; else hi = mid; }
    return lo;
  }
  // lowerBound for an answer expected near lo: doubling steps, then a binary
  // search in the last step (the next pixel column's slices are close by)
  function gallop(a, x, lo, hi) {
    let step = 1, prev = lo;
    let probe = lo;
    while (probe < hi && a[probe] < x) { prev = probe + 1; probe = lo + step; step <<= 1; }
    return lowerBound(a, x, prev, Math.min(probe, hi));
  }
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
  function sig(x) { const a = Math.abs(x); return a >= 100 ? x.toFixed(1) : a >= 10 ? x.toFixed(2) : x.toFixed(3); }
  // a duration, about four significant digits
  function fmtDur(ns) {
    const a = Math.abs(ns);
    if (a < 1e3) return `${Math.round(ns)} ns`;
    if (a < 1e6) return `${sig(ns / 1e3)} µs`;
    if (a < 1e9) return `${sig(ns / 1e6)} ms`;
    return `${sig(ns / 1e9)} s`;
  }
  // a point in time since the trace started, to the nanosecond
  function fmtTime(ns) {
    const a = Math.abs(ns);
    if (a < 1e3) return `${Math.round(ns)} ns`;
    if (a < 1e6) return `${(ns / 1e3).toFixed(3)} µs`;
    if (a < 1e9) return `${(ns / 1e6).toFixed(6)} ms`;
    return `${(ns / 1e9).toFixed(9)} s`;
  }
  function fmtBytes(b) {
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0, x = b;
    while (Math.abs(x) >= 1024 && i < u.length - 1) { x /= 1024; i++; }
    return i ? `${sig(x)} ${u[i]}` : `${Math.round(x)} B`;
  }
  const fmtValue = (v, unit) => (unit === 'bytes' ? fmtBytes(v) : unit === 'ns' ? fmtDur(v) : fmtInt(v));

  // Pixels are written as 32-bit words: on a little-endian machine (every
  // browser's) the bytes R, G, B, A read as A<<24 | B<<16 | G<<8 | R.
  const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  function px(hex) {
    const r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
    return (LITTLE ? ((255 << 24) | (b << 16) | (g << 8) | r) : ((r << 24) | (g << 16) | (b << 8) | 255)) >>> 0;
  }
  function darker(hex, f) {
    const c = (i) => Math.round(parseInt(hex.slice(i, i + 2), 16) * f).toString(16).padStart(2, '0');
    return `#${c(1)}${c(3)}${c(5)}`;
  }
  const C = {
    white: px('#ffffff'), label: px(LABEL_BG), section: px(SECTION_BG), zebra: px(ZEBRA),
    grid: px('#edf0f3'), sep: px('#e3e7ec'), rule: px('#c4cbd4'), tick: px('#8a939e'),
    outside: px('#eef0f2'), selectBg: px('#e7f0fd'), selectLabel: px('#dbe7fb'),
    gc: px(GC_COLOR), stw: px(STW_COLOR),
  };
  const STATE_U32 = STATE_COLORS.map(px);
  const REGION_U32 = REGION_COLORS.map(px);

  // A stable colour per goroutine id: a hash of the id picks one of 96
  // colours (24 hues, which skip the GC colour's oranges, at 4 shades).
  const PALETTE = [];
  for (let shade = 0; shade < 4; shade++) {
    for (let k = 0; k < 24; k++) {
      const hue = 50 + ((k * 7) % 24) * (290 / 24);   // neighbours in the palette differ in hue
      const light = [46, 60, 52, 66][shade], sat = [62, 52, 72, 58][shade];
      const fill = hslHex(hue, sat / 100, light / 100);
      PALETTE.push({ fill, u: px(fill), dark: px(darker(fill, 0.55)), text: light >= 60 ? TEXT : '#ffffff' });
    }
  }
  function gColor(id) {
    let h = Math.imul(id | 0, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    return PALETTE[(h >>> 0) % PALETTE.length];
  }
  function hslHex(h, s, l) {
    const f = (n) => {
      const k = (n + h / 30) % 12;
      const v = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
      return Math.round(v * 255).toString(16).padStart(2, '0');
    };
    return `#${f(0)}${f(8)}${f(4)}`;
  }
  const GC_WORKER = { fill: GC_COLOR, u: px(GC_COLOR), dark: px(darker(GC_COLOR, 0.55)), text: '#ffffff' };
  function procColor(g, kind) { return kind === 1 ? GC_WORKER : gColor(g); }
  function regionColor(nameStr) { return REGION_U32[nameStr % REGION_U32.length]; }

  // ===================================================================
  // State
  // ===================================================================

  let M = null;                 // the model
  const canvas = $('canvas');
  const ctx = canvas.getContext('2d', { alpha: false });
  const vscroll = $('vscroll'), vspacer = $('vspacer'), tooltip = $('tooltip');
  const view = {
    t0: 0, t1: 1, w: 0, h: 0, dpr: 1, scrollY: 0,
    mouseX: -1, mouseY: -1,
  };
  let rows = [];                // the fixed scrollable rows (counters, sections, procs)
  let gTop = 0;                 // content y where goroutine lanes start
  let gOrder = new Int32Array(0); // goroutine indices shown (after the filter)
  let filterText = '';
  let contentH = 0, scrollRatio = 1;
  let selection = null;
  let frameQueued = false;
  let lastStats = null;

  // ===================================================================
  // Layout
  // ===================================================================

  function buildRows() {
    rows = [];
    let y = 0;
    for (const t of M.tracks) { rows.push({ type: 'counter', track: t, y, h: t.h }); y += t.h; }
    rows.push({ type: 'section', which: 'procs', y, h: SECTION_H }); y += SECTION_H;
    M.procs.forEach((p, i) => { rows.push({ type: 'proc', proc: p, index: i, y, h: PROC_H }); y += PROC_H; });
    rows.push({ type: 'section', which: 'goroutines', y, h: SECTION_H }); y += SECTION_H;
    gTop = y;
    contentH = gTop + gOrder.length * G_H;
  }

  function applyFilter(text) {
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

  function viewportH() { return Math.max(0, view.h - PINNED_H); }
  function maxScroll() { return Math.max(0, contentH - viewportH()); }
  function setScroll(y) {
    view.scrollY = Math.max(0, Math.min(maxScroll(), y));
    syncScrollbar();
    requestFrame();
  }
  function syncScrollbar() {
    const vh = viewportH();
    vscroll.style.top = `${PINNED_H}px`;
    vscroll.style.height = `${vh}px`;
    const spacer = Math.min(contentH, MAX_SCROLL_PX);
    vspacer.style.height = `${spacer}px`;
    scrollRatio = contentH > MAX_SCROLL_PX && spacer > vh ? (contentH - vh) / (spacer - vh) : 1;
    const want = view.scrollY / scrollRatio;
    if (Math.abs(vscroll.scrollTop - want) >= 1) vscroll.scrollTop = want;
  }

  function resize() {
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
  const laneW = () => view.w - LABEL_W;
  const scale = () => laneW() / (view.t1 - view.t0);     // px per ns
  const xOf = (t) => LABEL_W + (t - view.t0) * scale();
  const tOf = (x) => view.t0 + (x - LABEL_W) / scale();

  function setView(t0, t1) {
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
  function fit() { setView(0, M.duration); }
  function zoomAt(x, factor) {
    const xx = x >= LABEL_W && x <= view.w ? x : LABEL_W + laneW() / 2;
    const t = tOf(xx);
    const span = (view.t1 - view.t0) * factor;
    const frac = (xx - LABEL_W) / laneW();
    setView(t - frac * span, t - frac * span + span);
  }
  function panPx(dx) {
    const dt = dx / scale();
    setView(view.t0 + dt, view.t1 + dt);
  }

  // ===================================================================
  // Drawing
  // ===================================================================
  //
  // A frame has two passes.  Every rectangle (backgrounds, grid, slices,
  // bands) is written into a pixel buffer the size of the canvas (in device
  // pixels) and put on the canvas at once: a software canvas spends over a
  // microsecond per fillRect, the buffer a few nanoseconds per pixel.  Then
  // the canvas API draws what needs anti-aliasing on top: text, counter
  // lines, log markers, outlines.

  function requestFrame() {
    if (frameQueued || !M) return;
    frameQueued = true;
    requestAnimationFrame(() => { frameQueued = false; animateKeys(); draw(); });
  }

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
        wide(xa, xb, c.u, kind[i] === 2 ? c.dark : 0);
        if (xb - xa > 34) texts.push(xa, xb, cy, kind[i] === 1 ? 'GC' : `G${g[i]}`, c.text, FONT_S);
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
      column(LABEL_W + col, c.u, kind[best] === 2 ? c.dark : 0);
      i = j;
    }
    flushRun();
  }

  const stateAcc = new Float64Array(5);
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
          const st = state[i] < 5 ? state[i] : 2;
          wide(xa, xb, STATE_U32[st], 0);
          if (xb - xa > 44) {
            const r = st === 2 || st === 3 ? M.strings[reason[i]] : '';
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
        for (let q = i; q < j; q += stride) { const m = q | 0; stateAcc[state[m] < 5 ? state[m] : 2] += dur[m]; }
        let best = 0;
        for (let s2 = 1; s2 < 5; s2++) if (stateAcc[s2] > stateAcc[best]) best = s2;
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
      out.push({ r: { type: 'g', gi: gOrder[q], pos: q, h: G_H }, y: PINNED_H + gTop + q * G_H - y0 });
    }
    return out;
  }

  function isSelectedRow(r) {
    const s = selection;
    return !!s && ((r.type === 'g' && s.gi === r.gi) || (r.type === 'proc' && s.pi === r.index));
  }

  function draw() {
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
      if (r.type === 'section') box(0, W, y, y + r.h, C.section, 0);
      else if (r.type === 'g' && sel && sel.kind === 'g' && sel.gi === r.gi) box(LABEL_W, W, y, y + r.h, C.selectBg, 0);
      else if ((r.type === 'g' && (r.pos & 1)) || (r.type === 'proc' && (r.index & 1))) box(LABEL_W, W, y, y + r.h, C.zebra, 0);
    }
    for (const tk of ticks) vline(Math.round(tk.x), PINNED_H, H, C.grid);
    clipTo(LABEL_W, PINNED_H, W, H);
    for (const { r, y } of vis) {
      if (r.type === 'counter') { stats.counters++; hline(LABEL_W, W, y + r.h - 1, C.sep); } else if (r.type === 'proc') { drawProcLane(r.proc, y); stats.procs++; } else if (r.type === 'g') { drawGoroutineLane(M.goroutines[r.gi], y); stats.gs++; }
    }
    clipTo(0, PINNED_H, W, H);
    for (const { r, y } of vis) {
      if (r.type === 'section') { hline(0, W, y + r.h - 1, C.rule); continue; }
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
    for (const { r, y } of vis) if (r.type === 'counter') drawCounterTrack(r.track, y);
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
    if (sel && (sel.kind === 'gc' || sel.kind === 'stw')) {
      const b = sel.kind === 'gc' ? M.gc : M.stw;
      ctx.save();
      ctx.beginPath(); ctx.rect(LABEL_W, AXIS_H, W - LABEL_W, 2 * BAND_H); ctx.clip();
      outline(xOf(b.start[sel.i]), xOf(b.start[sel.i] + b.dur[sel.i]), (sel.kind === 'gc' ? gcY : stwY) + 2, BAND_H - 4);
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
    if (x < LABEL_W || x > view.w || view.mouseY < 0 || dragging) return;
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
    if (r.type === 'proc') return [r.proc.name, ''];
    if (r.type === 'counter') {
      const tr = r.track;
      return [tr.series.map((s) => s.name).join(' / '), `max ${fmtValue(Math.max(...tr.series.map((s) => s.max)), tr.unit)}`];
    }
    if (r.type === 'section') {
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
    const cy = r.type === 'counter' ? y + 15 : y + r.h / 2 + 0.5;
    if (cy < PINNED_H + 4) return;
    ctx.font = FONT_B;
    ctx.fillStyle = TEXT;
    ctx.fillText(a, 10, cy);
    if (!b) return;
    ctx.font = FONT;
    ctx.fillStyle = MUTED;
    if (r.type === 'counter') { ctx.fillText(b, 10, cy + 15); return; }
    const g = M.goroutines[r.gi];
    if (g.label === null) {
      ctx.font = FONT_B;
      const ax = 10 + ctx.measureText(a).width + 7;
      ctx.font = FONT;
      g.label = [ax, fitText(shortFunc(b), LABEL_W - ax - 8)];
    }
    ctx.fillText(g.label[1], g.label[0], cy);
  }

  // "golang.org/x/sync/errgroup.(*Group).Go.func1" -> "errgroup.(*Group).Go.func1", as Go prints short names
  function shortFunc(name) {
    const slash = name.lastIndexOf('/', name.indexOf('(') >= 0 ? name.indexOf('(') : name.length);
    return slash >= 0 ? name.slice(slash + 1) : name;
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
      if (s.kind === 'pslice' && r.type === 'proc' && r.index === s.pi) {
        const p = M.procs[s.pi];
        outline(xOf(p.start[s.i]), xOf(p.start[s.i] + p.dur[s.i]), y + 3, PROC_H - 6);
      } else if (r.type === 'g' && r.gi === s.gi) {
        const g = M.goroutines[s.gi];
        if (s.kind === 'gslice') outline(xOf(g.start[s.i]), xOf(g.start[s.i] + g.dur[s.i]), y + G_STATE_TOP, G_STATE_H);
        if (s.kind === 'region') outline(xOf(M.regions.start[s.i]), xOf(M.regions.start[s.i] + M.regions.dur[s.i]), y + G_REGION_TOP, G_REGION_H);
        if (s.kind === 'log') outline(xOf(M.logs.t[s.i]) - 4, xOf(M.logs.t[s.i]) + 4, y, 8);
      } else if (s.kind === 'counter' && r.type === 'counter' && r.track === s.track) {
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

  // ===================================================================
  // Hit testing and details
  // ===================================================================

  // the slice of (start, dur) containing t, else the nearest within tol ns
  function sliceAt(start, dur, n, t, tol) {
    const i = upperBound(start, t, 0, n) - 1;
    if (i >= 0 && t < start[i] + dur[i]) return i;
    let best = -1, bd = tol;
    if (i >= 0 && t - (start[i] + dur[i]) <= bd) { best = i; bd = t - (start[i] + dur[i]); }
    if (i + 1 < n && start[i + 1] - t <= bd) best = i + 1;
    return best;
  }

  function hitTest(x, y) {
    if (!M || y < AXIS_H) return null;
    const t = tOf(x);
    const tol = 3 / scale();
    if (y < AXIS_H + 2 * BAND_H) {
      if (x < LABEL_W) return null;
      const kind = y < AXIS_H + BAND_H ? 'gc' : 'stw';
      const b = kind === 'gc' ? M.gc : M.stw;
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
      if (x < LABEL_W) return { kind: 'g', gi };
      if (ly < 8 && g.logs) {
        const b = g.logs;
        const i = lowerBound(b.start, t - 4 / scale(), 0, b.n);
        if (i < b.n && b.start[i] <= t + 4 / scale()) return { kind: 'log', gi, i: b.idx[i] };
      }
      if (ly >= G_REGION_TOP - 1 && g.regions) {
        const b = g.regions;
        // the innermost (latest-starting) region containing t
        let found = -1;
        for (let q = upperBound(b.start, t + tol, 0, b.n) - 1; q >= 0 && b.maxEnd[q] >= t - tol; q--) {
          const r = b.idx[q];
          if (M.regions.start[r] - tol <= t && t <= M.regions.start[r] + M.regions.dur[r] + tol) { found = r; break; }
        }
        if (found >= 0) return { kind: 'region', gi, i: found };
      }
      const i = sliceAt(g.start, g.dur, g.n, t, tol);
      return i < 0 ? { kind: 'g', gi } : { kind: 'gslice', gi, i };
    }
    for (const r of rows) {
      if (cy < r.y || cy >= r.y + r.h) continue;
      if (r.type === 'proc') {
        if (x < LABEL_W) return { kind: 'p', pi: r.index };
        const p = r.proc;
        const i = sliceAt(p.start, p.dur, p.n, t, tol);
        return i < 0 ? { kind: 'p', pi: r.index } : { kind: 'pslice', pi: r.index, i };
      }
      if (r.type === 'counter') return x < LABEL_W ? null : { kind: 'counter', track: r.track, t };
      return null;
    }
    return null;
  }

  // which P ran goroutine id at time t
  function procRunning(id, t) {
    for (const p of M.procs) {
      const i = upperBound(p.start, t, 0, p.n) - 1;
      if (i >= 0 && t < p.start[i] + p.dur[i] && p.g[i] === id && p.kind[i] !== 1) return p;
    }
    return null;
  }

  function gRef(gi) {
    const g = M.goroutines[gi];
    return `<a href="#" data-goto-g="${g.id}">${esc(g.name)}</a>`;
  }

  function describe(s) {
    const S = M.strings;
    const rowsOut = [];
    const add = (k, v, raw) => rowsOut.push(`<tr><th>${esc(k)}</th><td>${raw ? v : esc(v)}</td></tr>`);
    let title = '';
    let text = '';   // one-line summary for the tooltip
    const span = (a, d) => { add('Start', fmtTime(a)); add('Duration', fmtDur(d)); add('End', fmtTime(a + d)); };
    switch (s.kind) {
      case 'pslice': {
        const p = M.procs[s.pi];
        const kind = p.kind[s.i], gid = p.g[s.i];
        const gi = M.gIndex.get(gid);
        title = kind === 1 ? `GC mark worker on ${p.name}` : `G${gid} on ${p.name}`;
        add('P', p.name);
        add('What', PROC_KIND_NAMES[kind] || `kind ${kind}`);
        if (kind !== 1) {
          add('Goroutine', gi !== undefined ? gRef(gi) : `G${gid}`, true);
          if (gi !== undefined && M.goroutines[gi].group) add('Group', M.goroutines[gi].group);
        }
        span(p.start[s.i], p.dur[s.i]);
        text = `${title}\n${PROC_KIND_NAMES[kind] || ''} · ${fmtDur(p.dur[s.i])}`;
        break;
      }
      case 'gslice': {
        const g = M.goroutines[s.gi];
        const st = g.state[s.i], reason = S[g.reason_str[s.i]] || '';
        title = `${g.name}: ${STATE_NAMES[st] || `state ${st}`}`;
        add('Goroutine', gRef(s.gi), true);
        if (g.group) add('Group', g.group);
        add('State', STATE_NAMES[st] || `state ${st}`);
        if (reason) add(st === 2 ? 'Wait reason' : 'Reason', reason);
        span(g.start[s.i], g.dur[s.i]);
        if (st === 0 || st === 3 || st === 4) {
          const p = procRunning(g.id, g.start[s.i] + g.dur[s.i] / 2);
          add('P', p ? p.name : '—');
        }
        text = `${g.name}${g.group ? ' ' + g.group : ''}\n${STATE_NAMES[st]}${reason ? ' (' + reason + ')' : ''} · ${fmtDur(g.dur[s.i])}`;
        break;
      }
      case 'g': {
        const g = M.goroutines[s.gi];
        title = `${g.name}${g.group ? ' ' + g.group : ''}`;
        add('Goroutine', g.name);
        if (g.group) add('Group', g.group);
        if (g.n) {
          const a = g.start[0], e = g.start[g.n - 1] + g.dur[g.n - 1];
          add('First seen', fmtTime(a));
          add('Last seen', fmtTime(e));
          const tot = new Float64Array(5);
          for (let i = 0; i < g.n; i++) tot[g.state[i] < 5 ? g.state[i] : 2] += g.dur[i];
          STATE_NAMES.forEach((nm, k) => { if (tot[k]) add(`Time ${nm}`, `${fmtDur(tot[k])} (${(100 * tot[k] / Math.max(1, e - a)).toFixed(1)}%)`); });
        }
        add('Slices', fmtInt(g.n));
        if (g.regions) add('Regions', fmtInt(g.regions.n));
        if (g.logs) add('Log entries', fmtInt(g.logs.n));
        text = title;
        break;
      }
      case 'p': {
        const p = M.procs[s.pi];
        title = p.name;
        let busy = 0, gcw = 0, sys = 0;
        for (let i = 0; i < p.n; i++) { const d = p.dur[i]; if (p.kind[i] === 1) gcw += d; else if (p.kind[i] === 2) sys += d; else busy += d; }
        const pct = (d) => `${fmtDur(d)} (${(100 * d / M.duration).toFixed(1)}%)`;
        add('Slices', fmtInt(p.n));
        add('Running goroutines', pct(busy));
        add('GC mark worker', pct(gcw));
        add('In blocking calls', pct(sys));
        text = title;
        break;
      }
      case 'gc': {
        title = `GC cycle ${M.gc.cycle[s.i]}`;
        add('Cycle', String(M.gc.cycle[s.i]));
        span(M.gc.start[s.i], M.gc.dur[s.i]);
        text = `${title} · ${fmtDur(M.gc.dur[s.i])}`;
        break;
      }
      case 'stw': {
        const reason = S[M.stw.reason_str[s.i]] || '';
        title = 'Stop the world';
        add('Reason', reason || '—');
        span(M.stw.start[s.i], M.stw.dur[s.i]);
        text = `STW ${reason} · ${fmtDur(M.stw.dur[s.i])}`;
        break;
      }
      case 'counter': {
        title = `${s.track.series.map((x) => x.name).join(' / ')}`;
        add('At', fmtTime(s.t));
        const parts = [];
        for (const se of s.track.series) {
          const v = se.at(s.t);
          const shown = v === undefined ? 'no sample yet' : se.unit === 'bytes' ? `${fmtBytes(v)} (${fmtInt(v)} B)` : fmtValue(v, se.unit);
          add(se.name, shown);
          parts.push(`${se.name} ${v === undefined ? '—' : fmtValue(v, se.unit)}`);
        }
        text = parts.join('\n');
        break;
      }
      case 'region': {
        const R = M.regions;
        title = `Region ${S[R.name_str[s.i]] || ''}`;
        add('Region', S[R.name_str[s.i]] || '—');
        add('Goroutine', gRef(s.gi), true);
        span(R.start[s.i], R.dur[s.i]);
        text = `region ${S[R.name_str[s.i]] || ''} · ${fmtDur(R.dur[s.i])}`;
        break;
      }
      case 'log': {
        const L = M.logs;
        title = `Log: ${S[L.category_str[s.i]] || '(no category)'}`;
        add('Category', S[L.category_str[s.i]] || '—');
        add('Message', S[L.message_str[s.i]] || '');
        add('Goroutine', gRef(s.gi), true);
        add('Time', fmtTime(L.t[s.i]));
        text = `${S[L.category_str[s.i]] || 'log'}: ${S[L.message_str[s.i]] || ''}`;
        break;
      }
      default: return null;
    }
    return { title, html: `<table>${rowsOut.join('')}</table>`, text };
  }

  function selectionKey(s) {
    if (!s) return '';
    switch (s.kind) {
      case 'g': return `g:${M.goroutines[s.gi].id}`;
      case 'gslice': return `g:${M.goroutines[s.gi].id}:${s.i}`;
      case 'p': return `p:${M.procs[s.pi].id}`;
      case 'pslice': return `p:${M.procs[s.pi].id}:${s.i}`;
      case 'counter': return `counter:${s.track.name}@${Math.round(s.t)}`;
      default: return `${s.kind}:${s.i}`;
    }
  }

  function select(s) {
    selection = s;
    const d = $('details-body');
    const info = s && describe(s);
    if (!info) {
      selection = null;
      d.innerHTML = '<p class="hint">Click a slice, band or counter to see what it is.</p>';
      delete body.dataset.selected;
      delete body.dataset.detailsTitle;
    } else {
      const zoomable = ['pslice', 'gslice', 'gc', 'stw', 'region'].includes(s.kind);
      d.innerHTML = `<h3>${esc(info.title)}</h3>${info.html}` +
        (zoomable ? '<button type="button" data-act="zoom" title="F">zoom to it</button>' : '') +
        (s.gi !== undefined && s.kind !== 'g' ? `<button type="button" data-goto-g="${M.goroutines[s.gi].id}">goroutine summary</button>` : '');
      body.dataset.selected = selectionKey(s);
      body.dataset.detailsTitle = info.title;
    }
    requestFrame();
  }

  function selectionRange(s) {
    if (!s) return null;
    switch (s.kind) {
      case 'pslice': { const p = M.procs[s.pi]; return [p.start[s.i], p.start[s.i] + p.dur[s.i]]; }
      case 'gslice': { const g = M.goroutines[s.gi]; return [g.start[s.i], g.start[s.i] + g.dur[s.i]]; }
      case 'g': { const g = M.goroutines[s.gi]; return g.n ? [g.start[0], g.start[g.n - 1] + g.dur[g.n - 1]] : null; }
      case 'gc': return [M.gc.start[s.i], M.gc.start[s.i] + M.gc.dur[s.i]];
      case 'stw': return [M.stw.start[s.i], M.stw.start[s.i] + M.stw.dur[s.i]];
      case 'region': return [M.regions.start[s.i], M.regions.start[s.i] + M.regions.dur[s.i]];
      default: return null;
    }
  }
  function zoomToSelection() {
    const r = selectionRange(selection);
    if (!r) return;
    const pad = Math.max((r[1] - r[0]) * 0.15, MIN_SPAN_NS);
    setView(r[0] - pad, r[1] + pad);
  }

  function scrollToGoroutine(gi) {
    let pos = gOrder.indexOf(gi);
    if (pos < 0) { $('filter').value = ''; applyFilter(''); pos = gOrder.indexOf(gi); }
    const y = gTop + pos * G_H;
    if (y < view.scrollY || y + G_H > view.scrollY + viewportH()) setScroll(y - viewportH() / 3);
  }

  // gortSelect('g', 5): goroutine 5 (scrolled into view); ('p', 0): P 0;
  // ('gc', cycle); ('stw', index); ('gslice', [goroutine id, slice index]);
  // ('pslice', [P id, slice index]).  Returns whether something was selected.
  function gortSelect(kind, id) {
    if (!M) return false;
    let s = null;
    if (kind === 'g' || kind === 'gslice') {
      const [gid, i] = Array.isArray(id) ? id : [id, undefined];
      const gi = M.gIndex.get(Number(gid));
      if (gi === undefined) return false;
      s = kind === 'g' || i === undefined ? { kind: 'g', gi } : { kind: 'gslice', gi, i: Number(i) };
      if (s.kind === 'gslice' && !(s.i >= 0 && s.i < M.goroutines[gi].n)) return false;
      scrollToGoroutine(gi);
    } else if (kind === 'p' || kind === 'pslice') {
      const [pid, i] = Array.isArray(id) ? id : [id, undefined];
      const pi = M.procs.findIndex((p) => p.id === Number(pid));
      if (pi < 0) return false;
      s = kind === 'p' || i === undefined ? { kind: 'p', pi } : { kind: 'pslice', pi, i: Number(i) };
      if (s.kind === 'pslice' && !(s.i >= 0 && s.i < M.procs[pi].n)) return false;
      const row = rows.find((r) => r.type === 'proc' && r.index === pi);
      if (row.y < view.scrollY || row.y + row.h > view.scrollY + viewportH()) setScroll(row.y - SECTION_H);
    } else if (kind === 'gc') {
      let i = -1;
      for (let q = 0; q < M.gc.n; q++) if (M.gc.cycle[q] === Number(id)) { i = q; break; }
      if (i < 0) return false;
      s = { kind: 'gc', i };
    } else if (kind === 'stw') {
      const i = Number(id);
      if (!(i >= 0 && i < M.stw.n)) return false;
      s = { kind: 'stw', i };
    } else {
      return false;
    }
    select(s);
    draw();
    return true;
  }

  // ===================================================================
  // Input
  // ===================================================================

  let dragging = false;
  let drag = null;
  const held = new Set();
  let lastAnim = 0;

  function onWheel(e) {
    e.preventDefault();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? view.h : 1;
    const dx = e.deltaX * unit, dy = e.deltaY * unit;
    const r = canvas.getBoundingClientRect();
    const x = e.clientX - r.left;
    if (e.shiftKey && !e.ctrlKey) {
      setScroll(view.scrollY + (dy || dx));
    } else if (x < LABEL_W && !e.ctrlKey) {
      setScroll(view.scrollY + dy);
    } else {
      if (dy) zoomAt(x, Math.exp(dy * (e.ctrlKey ? 0.01 : 0.002)));
      if (dx) panPx(dx);
    }
    hideTooltip();
  }

  function localXY(e) {
    const r = canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  function onPointerDown(e) {
    if (e.button !== 0) return;
    canvas.focus({ preventScroll: true });
    const [x, y] = localXY(e);
    drag = { x, y, t0: view.t0, t1: view.t1, scroll: view.scrollY, id: e.pointerId, moved: false };
    try { canvas.setPointerCapture(e.pointerId); } catch (_) { /* a synthetic event has no pointer */ }
  }
  function onPointerMove(e) {
    const [x, y] = localXY(e);
    view.mouseX = x; view.mouseY = y;
    if (drag) {
      const dx = x - drag.x, dy = y - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; dragging = true; canvas.classList.add('dragging'); hideTooltip(); }
      if (drag.moved) {
        const dt = dx / (laneW() / (drag.t1 - drag.t0));
        setView(drag.t0 - dt, drag.t1 - dt);
        if (drag.y >= PINNED_H) setScroll(drag.scroll - dy);
      }
      return;
    }
    showTooltip(x, y);
    requestFrame();
  }
  function onPointerUp(e) {
    if (!drag) return;
    const wasDrag = drag.moved;
    const [x, y] = localXY(e);
    try { canvas.releasePointerCapture(drag.id); } catch (_) { /* already released */ }
    drag = null; dragging = false;
    canvas.classList.remove('dragging');
    if (!wasDrag) select(hitTest(x, y));
    requestFrame();
  }

  function showTooltip(x, y) {
    const h = hitTest(x, y);
    const info = h && h.kind !== 'g' && h.kind !== 'p' ? describe(h) : null;
    if (!info) { hideTooltip(); return; }
    tooltip.textContent = info.text;
    tooltip.hidden = false;
    const tw = tooltip.offsetWidth, th = tooltip.offsetHeight;
    tooltip.style.left = `${Math.min(x + 14, view.w - tw - 4)}px`;
    tooltip.style.top = `${y + 18 + th > view.h ? y - th - 8 : y + 18}px`;
  }
  function hideTooltip() { tooltip.hidden = true; }

  // Held W/S/A/D keys zoom and pan smoothly, as in Perfetto.
  const KEYS = { w: 'in', s: 'out', a: 'left', d: 'right', arrowleft: 'left', arrowright: 'right' };
  function onKeyDown(e) {
    const tag = e.target && e.target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || (tag === 'BUTTON' && (e.key === ' ' || e.key === 'Enter'))) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key.toLowerCase();
    if (KEYS[k]) {
      e.preventDefault();
      if (!held.has(k)) { held.add(k); applyKeys(60); lastAnim = performance.now(); requestFrame(); }
      return;
    }
    let done = true;
    switch (k) {
      case '0': case 'home': fit(); break;
      case 'arrowup': setScroll(view.scrollY - 3 * G_H); break;
      case 'arrowdown': setScroll(view.scrollY + 3 * G_H); break;
      case 'pageup': setScroll(view.scrollY - viewportH() * 0.9); break;
      case 'pagedown': case ' ': setScroll(view.scrollY + viewportH() * 0.9); break;
      case 'end': setScroll(maxScroll()); break;
      case 'escape': select(null); break;
      case 'f': zoomToSelection(); break;
      default: done = false;
    }
    if (done) e.preventDefault();
  }
  function onKeyUp(e) { held.delete(e.key.toLowerCase()); }
  function applyKeys(dt) {
    let zoom = 0, pan = 0;
    for (const k of held) {
      const a = KEYS[k];
      if (a === 'in') zoom -= 1; else if (a === 'out') zoom += 1; else if (a === 'left') pan -= 1; else if (a === 'right') pan += 1;
    }
    if (zoom) zoomAt(view.mouseX, Math.exp(zoom * dt * 0.0025));
    if (pan) panPx(pan * dt * 0.0012 * laneW());
  }
  function animateKeys() {
    if (!held.size) return;
    const now = performance.now();
    const dt = Math.min(50, now - lastAnim);
    lastAnim = now;
    applyKeys(dt);
    requestFrame();
  }

  function wireInput() {
    canvas.addEventListener('wheel', onWheel, { passive: false });
    canvas.addEventListener('pointerdown', onPointerDown);
    canvas.addEventListener('pointermove', onPointerMove);
    canvas.addEventListener('pointerup', onPointerUp);
    canvas.addEventListener('pointercancel', onPointerUp);
    canvas.addEventListener('pointerleave', () => { view.mouseX = view.mouseY = -1; hideTooltip(); requestFrame(); });
    canvas.addEventListener('dblclick', (e) => { const [x, y] = localXY(e); const h = hitTest(x, y); if (h) { select(h); zoomToSelection(); } });
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('keyup', onKeyUp);
    window.addEventListener('blur', () => held.clear());
    vscroll.addEventListener('scroll', () => {
      const y = vscroll.scrollTop * scrollRatio;
      if (Math.abs(y - view.scrollY) >= scrollRatio) { view.scrollY = Math.max(0, Math.min(maxScroll(), y)); requestFrame(); }
    });
    $('fit-btn').addEventListener('click', () => fit());
    let timer = 0;
    $('filter').addEventListener('input', (e) => {
      clearTimeout(timer);
      timer = setTimeout(() => { applyFilter(e.target.value); setScroll(0); }, 120);
    });
    $('filter').addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.target.value = ''; applyFilter(''); e.target.blur(); } });
    $('details').addEventListener('click', (e) => {
      const a = e.target.closest('[data-goto-g],[data-act]');
      if (!a) return;
      e.preventDefault();
      if (a.dataset.act === 'zoom') zoomToSelection();
      else if (a.dataset.gotoG !== undefined) gortSelect('g', Number(a.dataset.gotoG));
    });
    new ResizeObserver(() => { resize(); requestFrame(); }).observe($('timeline'));
  }

  // ===================================================================
  // Header and legend
  // ===================================================================

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
      ...STATE_NAMES.map((nm, i) => sw(`background:${STATE_COLORS[i]}`, nm === 'in blocking call' ? 'syscall' : nm)),
      sw(`background:linear-gradient(90deg,${g1} 33%,${g2} 33% 66%,${g3} 66%)`, 'on a P: colour per goroutine'),
      sw(`background:repeating-linear-gradient(135deg,${g2} 0 3px,#444 3px 4px)`, 'blocking call on P'),
      sw(`background:${GC_COLOR}`, 'GC / mark worker'),
      sw(`background:${STW_COLOR}`, 'STW'),
      sw(`background:${REGION_COLORS[0]};height:4px`, 'region'),
      sw(`border-color:${HEAP_LINE};background:${HEAP_FILL}`, 'HeapAlloc'),
      sw(`border-top-color:${GOAL_LINE};border-top-style:dashed`, 'HeapGoal', 'swatch line'),
    ].join('');
  }

  // ===================================================================
  // Start
  // ===================================================================

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
      M = readModel();
    } catch (e) {
      showError(e instanceof DataError ? e.message : `could not read the trace data: ${e && e.message}`);
      return;
    }
    body.dataset.loadMs = (performance.now() - tLoad).toFixed(1);
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
    if (kind === 'gc') return AXIS_H + BAND_H / 2;
    if (kind === 'stw') return AXIS_H + BAND_H * 1.5;
    let cy = null;
    if (kind === 'g') {
      const pos = gOrder.indexOf(M.gIndex.get(Number(id)));
      if (pos >= 0) cy = gTop + pos * G_H + G_STATE_TOP + G_STATE_H / 2;
    } else if (kind === 'p') {
      const r = rows.find((x) => x.type === 'proc' && x.proc.id === Number(id));
      if (r) cy = r.y + r.h / 2;
    }
    if (cy === null) return null;
    const y = PINNED_H + cy - view.scrollY;
    return y >= PINNED_H && y < view.h ? y : null;
  };
  window.gortTimeX = (t) => (M ? xOf(t) : null);
  window.addEventListener('error', (e) => { if (!body.dataset.error) showError(`internal error: ${e.message}`); });
  try { start(); } catch (e) { showError(`internal error: ${e && e.stack ? e.stack : e}`); }
})();
