// input.js — the user's input: wheel, pointer (click, drag, double-click,
// hover and its tooltip), keys (held W/A/S/D zoom and pan smoothly), the
// scrollbar, the fit button, the goroutine filter and the details panel's
// links.  Input only changes the view or the selection and asks for a
// frame.

import { hitTest } from './hit.js';
import { describe, gortSelect, select, zoomToSelection } from './select.js';
import { Sel } from './states.js';
import { G_H, LABEL_W, PINNED_H } from './style.js';
import {
  $, applyFilter, canvas, fit, laneW, maxScroll, panPx, requestFrame, resize, setScroll, setView, tooltip, view,
  viewportH, watchScrollbar, zoomAt,
} from './view.js';

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
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) > 3) { drag.moved = true; view.dragging = true; canvas.classList.add('dragging'); hideTooltip(); }
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
  drag = null; view.dragging = false;
  canvas.classList.remove('dragging');
  if (!wasDrag) select(hitTest(x, y));
  requestFrame();
}

function showTooltip(x, y) {
  const h = hitTest(x, y);
  const info = h && h.kind !== Sel.G && h.kind !== Sel.P ? describe(h) : null;
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
// Advances held keys' zoom and pan by the time since the last frame.
export function animateKeys() {
  if (!held.size) return;
  const now = performance.now();
  const dt = Math.min(50, now - lastAnim);
  lastAnim = now;
  applyKeys(dt);
  requestFrame();
}

// Listens to the canvas, the keyboard, the scrollbar, the controls and the
// details panel; called once, after the model is loaded.
export function wireInput() {
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
  watchScrollbar();
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
    else if (a.dataset.gotoG !== undefined) gortSelect(Sel.G, Number(a.dataset.gotoG));
  });
  new ResizeObserver(() => { resize(); requestFrame(); }).observe($('timeline'));
}
