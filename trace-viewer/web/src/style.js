// style.js — how the page looks: the geometry of the layout (CSS pixels), the
// colours and fonts, colours as pixel-buffer words, and the colour of a
// goroutine, a P slice and a region.  Read by the layout, the drawing and
// hit-testing; no state.

import { PKIND_GC_WORKER } from './states.js';

// ---- geometry (CSS pixels) ----
export const LABEL_W = 200;          // lane label column
export const SCROLLBAR_W = 14;
export const AXIS_H = 30;
export const BAND_H = 18;            // GC and STW bands
export const PINNED_H = AXIS_H + 2 * BAND_H;
export const HEAP_H = 64;
export const COUNTER_H = 38;
export const SECTION_H = 22;
export const PROC_H = 24;
export const G_H = 20;
export const G_STATE_TOP = 2;        // a goroutine lane: the state slices,
export const G_STATE_H = 12;
export const G_REGION_TOP = 15;      // then the region strip under them
export const G_REGION_H = 4;
export const MAX_SCROLL_PX = 4000000; // taller content is mapped onto this many scrollbar pixels
export const MIN_SPAN_NS = 20;        // deepest zoom: 20 ns across the lanes

// ---- colours ----
export const STATE_COLORS = ['#2f9e44', '#f2b705', '#ccd3dc', '#7c5cd6', '#e64980'];  // by STATE_*
export const STATE_TEXT = ['#ffffff', '#1d232b', '#1d232b', '#ffffff', '#ffffff'];
export const GC_COLOR = '#e8590c';
export const STW_COLOR = '#a61e4d';
export const HEAP_LINE = '#1c7ed6';
export const HEAP_FILL = 'rgba(28, 126, 214, 0.22)';
export const GOAL_LINE = '#d9480f';
export const COUNT_LINE = '#5f3dc4';
export const COUNT_FILL = 'rgba(95, 61, 196, 0.18)';
export const REGION_COLORS = ['#0b7285', '#1098ad', '#087f5b', '#3b5bdb', '#5c940d', '#862e9c'];
export const LOG_COLOR = '#1d232b';
export const TEXT = '#1d232b';
export const MUTED = '#5c6672';
const LABEL_BG = '#f5f7fa', SECTION_BG = '#e9edf2', ZEBRA = '#fafbfc';
export const SELECT = '#1f6feb';
export const FONT = '12px system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif';
export const FONT_B = '600 12px system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif';
export const FONT_S = '11px system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif';

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
// the pixel-buffer words of the page's fixed colours
export const C = {
  white: px('#ffffff'), label: px(LABEL_BG), section: px(SECTION_BG), zebra: px(ZEBRA),
  grid: px('#edf0f3'), sep: px('#e3e7ec'), rule: px('#c4cbd4'), tick: px('#8a939e'),
  outside: px('#eef0f2'), selectBg: px('#e7f0fd'), selectLabel: px('#dbe7fb'),
  gc: px(GC_COLOR), stw: px(STW_COLOR),
};
export const STATE_U32 = STATE_COLORS.map(px);
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
export function gColor(id) {
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
export function procColor(g, kind) { return kind === PKIND_GC_WORKER ? GC_WORKER : gColor(g); }
export function regionColor(nameStr) { return REGION_U32[nameStr % REGION_U32.length]; }
