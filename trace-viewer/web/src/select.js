// select.js — the selection: what a selection is called and shows (the
// details panel, the tooltip's text, the data-selected key), selecting,
// zooming to the selection, and gortSelect (the page's API and #select=).
// The selection itself is held in view.js.

import { draw } from './draw.js';
import { esc, fmtBytes, fmtDur, fmtInt, fmtTime, fmtValue } from './format.js';
import { procRunning } from './hit.js';
import { lowerBound } from './search.js';
import {
  N_STATES, PKIND_GC_WORKER, PKIND_NAMES, PKIND_SYSCALL, Row, STATE_ASSIST, STATE_BLOCKED, STATE_NAMES,
  STATE_RUNNING, STATE_SYSCALL, Sel,
} from './states.js';
import { G_H, MIN_SPAN_NS, SECTION_H } from './style.js';
import {
  $, M, applyFilter, body, gOrder, gTop, requestFrame, rows, selection, setScroll, setSelection, setView, view, viewportH,
} from './view.js';

function gRef(gi) {
  const g = M.goroutines[gi];
  return `<a href="#" data-goto-g="${g.id}">${esc(g.name)}</a>`;
}

// The details of selection s: { title, html (the panel's table), text (the
// tooltip) }, or null when s names nothing.
export function describe(s) {
  const S = M.strings;
  const rowsOut = [];
  const add = (k, v, raw) => rowsOut.push(`<tr><th>${esc(k)}</th><td>${raw ? v : esc(v)}</td></tr>`);
  let title = '';
  let text = '';   // one-line summary for the tooltip
  const span = (a, d) => { add('Start', fmtTime(a)); add('Duration', fmtDur(d)); add('End', fmtTime(a + d)); };
  switch (s.kind) {
    case Sel.PSlice: {
      const p = M.procs[s.pi];
      const kind = p.kind[s.i], gid = p.g[s.i];
      const gi = M.gIndex.get(gid);
      title = kind === PKIND_GC_WORKER ? `GC mark worker on ${p.name}` : `G${gid} on ${p.name}`;
      add('P', p.name);
      add('What', PKIND_NAMES[kind] || `kind ${kind}`);
      if (kind !== PKIND_GC_WORKER) {
        add('Goroutine', gi !== undefined ? gRef(gi) : `G${gid}`, true);
        if (gi !== undefined && M.goroutines[gi].group) add('Group', M.goroutines[gi].group);
      }
      span(p.start[s.i], p.dur[s.i]);
      text = `${title}\n${PKIND_NAMES[kind] || ''} · ${fmtDur(p.dur[s.i])}`;
      break;
    }
    case Sel.GSlice: {
      const g = M.goroutines[s.gi];
      const st = g.state[s.i], reason = S[g.reason_str[s.i]] || '';
      title = `${g.name}: ${STATE_NAMES[st] || `state ${st}`}`;
      add('Goroutine', gRef(s.gi), true);
      if (g.group) add('Group', g.group);
      add('State', STATE_NAMES[st] || `state ${st}`);
      if (reason) add(st === STATE_BLOCKED ? 'Wait reason' : 'Reason', reason);
      span(g.start[s.i], g.dur[s.i]);
      if (st === STATE_RUNNING || st === STATE_SYSCALL || st === STATE_ASSIST) {
        const p = procRunning(g.id, g.start[s.i] + g.dur[s.i] / 2);
        add('P', p ? p.name : '—');
      }
      text = `${g.name}${g.group ? ' ' + g.group : ''}\n${STATE_NAMES[st]}${reason ? ' (' + reason + ')' : ''} · ${fmtDur(g.dur[s.i])}`;
      break;
    }
    case Sel.G: {
      const g = M.goroutines[s.gi];
      title = `${g.name}${g.group ? ' ' + g.group : ''}`;
      add('Goroutine', g.name);
      if (g.group) add('Group', g.group);
      if (g.n) {
        const a = g.start[0], e = g.start[g.n - 1] + g.dur[g.n - 1];
        add('First seen', fmtTime(a));
        add('Last seen', fmtTime(e));
        const tot = new Float64Array(N_STATES);
        for (let i = 0; i < g.n; i++) tot[g.state[i] < N_STATES ? g.state[i] : STATE_BLOCKED] += g.dur[i];
        STATE_NAMES.forEach((nm, k) => { if (tot[k]) add(`Time ${nm}`, `${fmtDur(tot[k])} (${(100 * tot[k] / Math.max(1, e - a)).toFixed(1)}%)`); });
      }
      add('Slices', fmtInt(g.n));
      if (g.regions) add('Regions', fmtInt(g.regions.n));
      if (g.logs) add('Log entries', fmtInt(g.logs.n));
      text = title;
      break;
    }
    case Sel.P: {
      const p = M.procs[s.pi];
      title = p.name;
      let busy = 0, gcw = 0, sys = 0;
      for (let i = 0; i < p.n; i++) { const d = p.dur[i]; if (p.kind[i] === PKIND_GC_WORKER) gcw += d; else if (p.kind[i] === PKIND_SYSCALL) sys += d; else busy += d; }
      const pct = (d) => `${fmtDur(d)} (${(100 * d / M.duration).toFixed(1)}%)`;
      add('Slices', fmtInt(p.n));
      add('Running goroutines', pct(busy));
      add('GC mark worker', pct(gcw));
      add('In blocking calls', pct(sys));
      text = title;
      break;
    }
    case Sel.GC: {
      title = `GC cycle ${M.gc.cycle[s.i]}`;
      add('Cycle', String(M.gc.cycle[s.i]));
      span(M.gc.start[s.i], M.gc.dur[s.i]);
      text = `${title} · ${fmtDur(M.gc.dur[s.i])}`;
      break;
    }
    case Sel.STW: {
      const reason = S[M.stw.reason_str[s.i]] || '';
      title = 'Stop the world';
      add('Reason', reason || '—');
      span(M.stw.start[s.i], M.stw.dur[s.i]);
      text = `STW ${reason} · ${fmtDur(M.stw.dur[s.i])}`;
      break;
    }
    case Sel.Counter: {
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
    case Sel.Region: {
      const R = M.regions;
      title = `Region ${S[R.name_str[s.i]] || ''}`;
      add('Region', S[R.name_str[s.i]] || '—');
      add('Goroutine', gRef(s.gi), true);
      span(R.start[s.i], R.dur[s.i]);
      text = `region ${S[R.name_str[s.i]] || ''} · ${fmtDur(R.dur[s.i])}`;
      break;
    }
    case Sel.Log: {
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
    case Sel.G: return `g:${M.goroutines[s.gi].id}`;
    case Sel.GSlice: return `g:${M.goroutines[s.gi].id}:${s.i}`;
    case Sel.P: return `p:${M.procs[s.pi].id}`;
    case Sel.PSlice: return `p:${M.procs[s.pi].id}:${s.i}`;
    case Sel.Counter: return `counter:${s.track.name}@${Math.round(s.t)}`;
    default: return `${s.kind}:${s.i}`;
  }
}

export function select(s) {
  setSelection(s);
  const d = $('details-body');
  const info = s && describe(s);
  if (!info) {
    setSelection(null);
    d.innerHTML = '<p class="hint">Click a slice, band or counter to see what it is.</p>';
    delete body.dataset.selected;
    delete body.dataset.detailsTitle;
  } else {
    const zoomable = [Sel.PSlice, Sel.GSlice, Sel.GC, Sel.STW, Sel.Region].includes(s.kind);
    d.innerHTML = `<h3>${esc(info.title)}</h3>${info.html}` +
      (zoomable ? '<button type="button" data-act="zoom" title="F">zoom to it</button>' : '') +
      (s.gi !== undefined && s.kind !== Sel.G ? `<button type="button" data-goto-g="${M.goroutines[s.gi].id}">goroutine summary</button>` : '');
    body.dataset.selected = selectionKey(s);
    body.dataset.detailsTitle = info.title;
  }
  requestFrame();
}

// After a model swap (a served window), the selection in the new model: a
// lane keeps its index, a counter its track's name, a slice, pause, region or
// log entry is found again by its start and length (a GC cycle keeps its
// index: windows keep every cycle), or the selection is cleared.
export function carrySelection(old) {
  const s = selection;
  if (!s) return;
  // index in the new columns of the entry old.start[i] (+ dur[i]), or -1
  const find = (o, n, i, startKey = 'start') => {
    const t = o[startKey][i];
    const j = lowerBound(n[startKey], t, 0, n.n);
    return j < n.n && n[startKey][j] === t && (!o.dur || n.dur[j] === o.dur[i]) ? j : -1;
  };
  const at = (j) => (j >= 0 ? { ...s, i: j } : null);
  let next = null;
  switch (s.kind) {
    case Sel.G: case Sel.P: case Sel.GC: next = s; break;
    case Sel.Counter: {
      const track = M.tracks.find((t) => t.name === s.track.name);
      next = track ? { ...s, track } : null;
      break;
    }
    case Sel.GSlice: next = at(find(old.goroutines[s.gi], M.goroutines[s.gi], s.i)); break;
    case Sel.PSlice: next = at(find(old.procs[s.pi], M.procs[s.pi], s.i)); break;
    case Sel.STW: next = at(find(old.stw, M.stw, s.i)); break;
    case Sel.Region: next = at(find(old.regions, M.regions, s.i)); break;
    case Sel.Log: next = at(find(old.logs, M.logs, s.i, 't')); break;
    default: next = null;
  }
  select(next);
}

function selectionRange(s) {
  if (!s) return null;
  switch (s.kind) {
    case Sel.PSlice: { const p = M.procs[s.pi]; return [p.start[s.i], p.start[s.i] + p.dur[s.i]]; }
    case Sel.GSlice: { const g = M.goroutines[s.gi]; return [g.start[s.i], g.start[s.i] + g.dur[s.i]]; }
    case Sel.G: { const g = M.goroutines[s.gi]; return g.n ? [g.start[0], g.start[g.n - 1] + g.dur[g.n - 1]] : null; }
    case Sel.GC: return [M.gc.start[s.i], M.gc.start[s.i] + M.gc.dur[s.i]];
    case Sel.STW: return [M.stw.start[s.i], M.stw.start[s.i] + M.stw.dur[s.i]];
    case Sel.Region: return [M.regions.start[s.i], M.regions.start[s.i] + M.regions.dur[s.i]];
    default: return null;
  }
}
export function zoomToSelection() {
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
export function gortSelect(kind, id) {
  if (!M) return false;
  let s = null;
  if (kind === Sel.G || kind === Sel.GSlice) {
    const [gid, i] = Array.isArray(id) ? id : [id, undefined];
    const gi = M.gIndex.get(Number(gid));
    if (gi === undefined) return false;
    s = kind === Sel.G || i === undefined ? { kind: Sel.G, gi } : { kind: Sel.GSlice, gi, i: Number(i) };
    if (s.kind === Sel.GSlice && !(s.i >= 0 && s.i < M.goroutines[gi].n)) return false;
    scrollToGoroutine(gi);
  } else if (kind === Sel.P || kind === Sel.PSlice) {
    const [pid, i] = Array.isArray(id) ? id : [id, undefined];
    const pi = M.procs.findIndex((p) => p.id === Number(pid));
    if (pi < 0) return false;
    s = kind === Sel.P || i === undefined ? { kind: Sel.P, pi } : { kind: Sel.PSlice, pi, i: Number(i) };
    if (s.kind === Sel.PSlice && !(s.i >= 0 && s.i < M.procs[pi].n)) return false;
    const row = rows.find((r) => r.type === Row.Proc && r.index === pi);
    if (row.y < view.scrollY || row.y + row.h > view.scrollY + viewportH()) setScroll(row.y - SECTION_H);
  } else if (kind === Sel.GC) {
    let i = -1;
    for (let q = 0; q < M.gc.n; q++) if (M.gc.cycle[q] === Number(id)) { i = q; break; }
    if (i < 0) return false;
    s = { kind: Sel.GC, i };
  } else if (kind === Sel.STW) {
    const i = Number(id);
    if (!(i >= 0 && i < M.stw.n)) return false;
    s = { kind: Sel.STW, i };
  } else {
    return false;
  }
  select(s);
  draw();
  return true;
}
