// format.js — text for people: HTML escaping, durations, times, byte sizes,
// counts and short function names.  No state.

export const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
export const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
function sig(x) { const a = Math.abs(x); return a >= 100 ? x.toFixed(1) : a >= 10 ? x.toFixed(2) : x.toFixed(3); }
// a duration, about four significant digits
export function fmtDur(ns) {
  const a = Math.abs(ns);
  if (a < 1e3) return `${Math.round(ns)} ns`;
  if (a < 1e6) return `${sig(ns / 1e3)} µs`;
  if (a < 1e9) return `${sig(ns / 1e6)} ms`;
  return `${sig(ns / 1e9)} s`;
}
// a point in time since the trace started, to the nanosecond
export function fmtTime(ns) {
  const a = Math.abs(ns);
  if (a < 1e3) return `${Math.round(ns)} ns`;
  if (a < 1e6) return `${(ns / 1e3).toFixed(3)} µs`;
  if (a < 1e9) return `${(ns / 1e6).toFixed(6)} ms`;
  return `${(ns / 1e9).toFixed(9)} s`;
}
export function fmtBytes(b) {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0, x = b;
  while (Math.abs(x) >= 1024 && i < u.length - 1) { x /= 1024; i++; }
  return i ? `${sig(x)} ${u[i]}` : `${Math.round(x)} B`;
}
export const fmtValue = (v, unit) => (unit === 'bytes' ? fmtBytes(v) : unit === 'ns' ? fmtDur(v) : fmtInt(v));

// "golang.org/x/sync/errgroup.(*Group).Go.func1" -> "errgroup.(*Group).Go.func1", as Go prints short names
export function shortFunc(name) {
  const slash = name.lastIndexOf('/', name.indexOf('(') >= 0 ? name.indexOf('(') : name.length);
  return slash >= 0 ? name.slice(slash + 1) : name;
}
