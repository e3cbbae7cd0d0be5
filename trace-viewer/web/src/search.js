// search.js — binary searches over sorted typed arrays, shared by the model
// (counter values at a time), the drawing (first visible slice, next pixel
// column) and hit-testing.

// first i in [lo, hi) with a[i] > x
export function upperBound(a, x, lo, hi) {
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (a[mid] <= x) lo = mid + 1; else hi = mid; }
  return lo;
}
// first i in [lo, hi) with a[i] >= x
export function lowerBound(a, x, lo, hi) {
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (a[mid] < x) lo = mid + 1; else hi = mid; }
  return lo;
}
// lowerBound for an answer expected near lo: doubling steps, then a binary
// search in the last step (the next pixel column's slices are close by)
export function gallop(a, x, lo, hi) {
  let step = 1, prev = lo;
  let probe = lo;
  while (probe < hi && a[probe] < x) { prev = probe + 1; probe = lo + step; step <<= 1; }
  return lowerBound(a, x, prev, Math.min(probe, hi));
}
