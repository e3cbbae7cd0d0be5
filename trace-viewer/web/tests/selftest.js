// Interaction self-test for the trace viewer.  Test pages only: the test
// runner appends this to the page's script (or, on the page that loads src/
// as ES modules, runs it as a module after them).  It drives the page with synthetic wheel,
// key and pointer events and checks what they did to the view, the scroll
// position and the selection; the verdict goes to <body data-selftest>
// ("ok" or "FAIL: ...").  It expects the medium synthetic model (8 Ps, 2000
// goroutines, GC cycles) and the default layout.
(function () {
  'use strict';
  const d = document.body.dataset;
  const canvas = document.getElementById('canvas');
  const fails = [];
  const check = (cond, what) => { if (!cond) fails.push(what); };
  const view = () => { window.gortRedraw(); return d.view.split(',').map(Number); };
  const span = () => { const [a, b] = view(); return b - a; };
  const near = (a, b, tol) => Math.abs(a - b) <= tol;
  const r = canvas.getBoundingClientRect();
  const ev = (x, y, extra) => Object.assign({ clientX: r.left + x, clientY: r.top + y, bubbles: true, cancelable: true }, extra);
  const wheel = (x, y, extra) => canvas.dispatchEvent(new WheelEvent('wheel', ev(x, y, extra)));
  const key = (k) => {
    canvas.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
    canvas.dispatchEvent(new KeyboardEvent('keyup', { key: k, bubbles: true }));
  };
  const pointer = (type, x, y) => canvas.dispatchEvent(new PointerEvent(type, ev(x, y, { pointerId: 1, button: 0 })));
  const click = (x, y) => { pointer('pointerdown', x, y); pointer('pointerup', x, y); };
  function finish() {
    d.selftest = fails.length ? `FAIL: ${fails.join('; ')}` : 'ok';
  }
  try {
    check(d.ready === '1', 'the page is not ready');
    const [a0, b0] = view();
    const full = b0 - a0;
    check(a0 === 0 && full > 0, `the first view is not the whole trace (${a0},${b0})`);
    const yP0 = window.gortLaneY('p', 0);
    check(yP0 !== null, 'lane P0 is not in view');

    // wheel zooms around the cursor: the time under it stays put
    const x = 700;
    const tUnder = a0 + (x - window.gortTimeX(a0)) / (window.gortTimeX(b0) - window.gortTimeX(a0)) * full;
    wheel(x, yP0, { deltaY: -400 });
    check(span() < full * 0.6, `wheel up did not zoom in (span ${span()} of ${full})`);
    check(near(window.gortTimeX(tUnder), x, 1.5), `zoom moved the time under the cursor (now at x=${window.gortTimeX(tUnder)})`);
    wheel(x, yP0, { deltaY: 400 });
    check(near(span(), full, full * 0.02), 'wheel down did not zoom back out');

    // keys: W/S zoom, A/D pan, 0 fits
    key('0');
    key('w');
    const s1 = span();
    check(s1 < full, 'W did not zoom in');
    const [a1] = view();
    key('d');
    const [a2] = view();
    check(a2 > a1, 'D did not pan right');
    key('a');
    check(view()[0] < a2, 'A did not pan left');
    key('s');
    check(span() > s1, 'S did not zoom out');
    key('0');
    check(near(span(), full, 1) && view()[0] === 0, '0 did not fit the whole trace');

    // drag pans: 100 px left moves the view 100 px of time later
    wheel(x, yP0, { deltaY: -600 });
    const [a3, b3] = view();
    const perPx = (b3 - a3) / (window.gortTimeX(b3) - window.gortTimeX(a3));
    pointer('pointerdown', 700, yP0);
    pointer('pointermove', 650, yP0);
    pointer('pointermove', 600, yP0);
    pointer('pointerup', 600, yP0);
    const [a4] = view();
    check(near(a4 - a3, 100 * perPx, perPx), `dragging 100 px panned ${(a4 - a3) / perPx} px`);
    check(!d.selected, 'a drag selected something');

    // clicks select: a P slice, a goroutine slice, the lane label, a counter
    key('Home');
    click(700, window.gortLaneY('p', 0));
    check(/^p:0(:\d+)?$/.test(d.selected || ''), `clicking P0 selected ${d.selected}`);
    const gy = window.gortLaneY('g', 1);
    check(gy !== null, 'lane G1 is not in view');
    click(700, gy);
    check(/^g:1:\d+$/.test(d.selected || ''), `clicking G1 selected ${d.selected}`);
    check(/^G1: /.test(d.detailsTitle || ''), `the details title is ${d.detailsTitle}`);
    key('f');
    check(span() < full / 10, 'F did not zoom to the selected slice');
    click(100, gy);
    check(d.selected === 'g:1', `clicking G1's label selected ${d.selected}`);
    key('0');
    click(700, 66 + 30);
    check(/^counter:Heap@/.test(d.selected || ''), `clicking the heap track selected ${d.selected}`);
    key('Escape');
    check(!d.selected, 'Escape did not clear the selection');
    check(window.gortSelect('gc', 1) && d.selected === 'gc:0' && d.detailsTitle === 'GC cycle 1', 'gortSelect(gc, 1) failed');
    check(!window.gortSelect('g', 987654321), 'gortSelect selected a goroutine that does not exist');

    // shift+wheel and the arrow keys scroll the lanes
    const before = window.gortLaneY('g', 1);
    wheel(x, gy, { deltaY: 200, shiftKey: true });
    const after = window.gortLaneY('g', 1);
    check(after === null || after < before, 'shift+wheel did not scroll the lanes');
    check(Number(d.goroutineLanesDrawn) > 0, 'no goroutine lane drawn after scrolling');
    for (let i = 0; i < 10; i++) key('ArrowUp');
    check(window.gortLaneY('g', 1) === before, 'ArrowUp did not scroll back to the top');
    key('End');
    check(window.gortLaneY('g', 2000) !== null, 'End did not scroll to the last goroutine');
    check(window.gortSelect('g', 5) && window.gortLaneY('g', 5) !== null, 'gortSelect(g, 5) did not bring G5 into view');

    // the scrollbar scrolls the lanes too
    const bar = document.getElementById('vscroll');
    bar.scrollTop = 0;
    bar.dispatchEvent(new Event('scroll'));
    window.gortRedraw();
    const top1 = window.gortLaneY('g', 1);
    bar.scrollTop = 100;
    bar.dispatchEvent(new Event('scroll'));
    check(top1 !== null && window.gortLaneY('g', 1) !== null && near(window.gortLaneY('g', 1), top1 - 100, 1),
      'the scrollbar did not scroll the lanes');

    // hovering a slice shows a tooltip; leaving the canvas hides it
    key('0');
    pointer('pointermove', 700, window.gortLaneY('g', 1));
    const tip = document.getElementById('tooltip');
    check(!tip.hidden && /^G1 /.test(tip.textContent), `hovering G1 shows the tooltip "${tip.hidden ? '' : tip.textContent}"`);
    canvas.dispatchEvent(new PointerEvent('pointerleave', { pointerId: 1 }));
    check(tip.hidden, 'the tooltip stays after the pointer left');
  } catch (e) {
    fails.push(`exception: ${e && e.stack ? e.stack : e}`);
  }
  // the filter applies after a short pause in typing
  const input = document.getElementById('filter');
  input.value = 'G12';
  input.dispatchEvent(new Event('input', { bubbles: true }));
  setTimeout(() => {
    try {
      window.gortRedraw();
      check(d.goroutineLanesShown === '1', `filter "G12" shows ${d.goroutineLanesShown} lanes`);
      check(window.gortLaneY('g', 12) !== null, 'filter "G12" does not show G12');
      input.value = 'bgsweep';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    } catch (e) {
      fails.push(`exception: ${e}`);
    }
    setTimeout(() => {
      window.gortRedraw();
      const n = Number(d.goroutineLanesShown);
      check(n > 1 && n < Number(d.goroutineLanes), `filter "bgsweep" shows ${n} lanes`);
      finish();
    }, 400);
  }, 400);
})();
