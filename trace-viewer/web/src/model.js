// model.js — the view model: reads the JSON in <script id="trace-data">,
// checks it (a DataError names what is wrong) and turns every array into a
// typed array once.  Owns the model's shape: P and goroutine lanes, the GC,
// STW, region and log columns (regions and logs also bucketed per
// goroutine), and the counters as step functions grouped into tracks.

import { upperBound } from './search.js';
import { COUNTER_H, COUNT_FILL, COUNT_LINE, GOAL_LINE, HEAP_FILL, HEAP_H, HEAP_LINE } from './style.js';

export class DataError extends Error {}
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

// The model in the page's data element; throws DataError when it is missing
// or malformed.
export function readModel() {
  const el = document.getElementById('trace-data');
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

// The model of a parsed view model (the page's own, or a window the server
// sent); throws DataError when it is malformed.
export function buildModel(raw) {
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
