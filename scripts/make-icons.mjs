/**
 * Draws the DME icons into resources/ without any image library: shapes are
 * signed distance fields (anti-aliased by pixel coverage) and the PNG encoder
 * is node:zlib deflate + CRC32. Every size is rendered from the vector shapes,
 * not scaled down, so small icons stay sharp.
 *
 * Output (committed; rerun after changing the mark):
 *   resources/icon.png                     1024×1024 app icon (electron-builder derives icns/ico)
 *   resources/icons/NxN.png                Linux sizes 16…512
 *   resources/tray/trayTemplate{,@2x}.png  monochrome tray icon, black + alpha (macOS template)
 *
 * Usage: node scripts/make-icons.mjs [outDir=resources]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

// ---------- PNG encoding ----------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** @param {Uint8Array} bytes */
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** @param {string} type @param {Buffer} data */
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * @param {number} size
 * @param {Uint8Array} rgba size*size*4 bytes, straight (non-premultiplied) alpha
 */
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const stride = size * 4;
  const raw = Buffer.alloc((stride + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (stride + 1)] = 0; // filter: none (deflate does well enough on flat art)
    raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------- shapes (unit square, y down; distances in the same units) ----------

/** Rounded box centred on (cx, cy) with half sizes (hx, hy) and corner radius r. */
function sdRoundBox(px, py, cx, cy, hx, hy, r) {
  const qx = Math.abs(px - cx) - hx + r;
  const qy = Math.abs(py - cy) - hy + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

function sdSegment(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** The lock's shackle: an upper half ring that continues as two legs. */
function sdShackle(px, py, cx, cy, r, legEnd, thick) {
  const arc = py <= cy ? Math.abs(Math.hypot(px - cx, py - cy) - r) : Infinity;
  const legs = Math.min(sdSegment(px, py, cx - r, cy, cx - r, legEnd), sdSegment(px, py, cx + r, cy, cx + r, legEnd));
  return Math.min(arc, legs) - thick / 2;
}

/** Keyhole: a round head over a tapering stem. */
function sdKeyhole(px, py, cx, cy, r) {
  const head = Math.hypot(px - cx, py - cy) - r;
  const stem = sdRoundBox(px, py, cx, cy + r * 1.5, r * 0.42, r * 1.45, r * 0.2);
  return Math.min(head, stem);
}

/**
 * The mark: a padlock whose keyhole is cut through to the background.
 * @param {{ small: boolean, tiny?: boolean }} opts small sizes get a bolder
 *   lock; at 16 px a keyhole is mush, so it is left out
 */
function sdLock(px, py, { small, tiny = false }) {
  const body = sdRoundBox(px, py, 0.5, 0.6, small ? 0.3 : 0.25, small ? 0.2 : 0.18, small ? 0.06 : 0.055);
  const shackle = sdShackle(px, py, 0.5, small ? 0.4 : 0.41, small ? 0.165 : 0.145, 0.5, small ? 0.085 : 0.065);
  const solid = Math.min(body, shackle);
  if (tiny) return solid;
  const hole = sdKeyhole(px, py, 0.5, 0.565, small ? 0.055 : 0.042);
  return Math.max(solid, -hole);
}

const clamp01 = (v) => (v < 0 ? 0 : v > 1 ? 1 : v);
/** Pixel coverage of a shape from its distance, for a pixel of width `px`. */
const cover = (d, px) => clamp01(0.5 - d / px);

const INDIGO = [79, 70, 229];
const CYAN = [6, 182, 212];
const mix = (a, b, t) => a.map((v, i) => v + (b[i] - v) * t);

// ---------- icons ----------

/** Full-colour app icon: gradient rounded square, soft shadow, white lock. */
export function drawAppIcon(size) {
  const small = size <= 48;
  const tiny = size <= 16;
  // macOS-style safe margin on large sizes; tiny sizes need every pixel.
  const margin = size >= 128 ? 0.085 : size > 32 ? 0.04 : size > 16 ? 0.02 : 0;
  const inner = 1 - 2 * margin;
  const px = 1 / size / inner;
  const out = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Map the pixel centre into the tile's own unit square.
      const u = ((x + 0.5) / size - margin) / inner;
      const v = ((y + 0.5) / size - margin) / inner;
      const tile = cover(sdRoundBox(u, v, 0.5, 0.5, 0.5, 0.5, 0.225), px);
      if (tile === 0) continue;
      let rgb = mix(INDIGO, CYAN, clamp01((u + v) / 2));
      // A faint light from the top keeps the flat gradient from looking dull.
      rgb = mix(rgb, [255, 255, 255], 0.14 * clamp01(1 - v * 1.6));
      if (!small) {
        const shadow = sdLock(u, v - 0.018, { small });
        const soft = 0.28 * clamp01(1 - Math.max(shadow, 0) / 0.035) * (shadow > -1 ? 1 : 0);
        rgb = mix(rgb, [20, 16, 80], soft);
      }
      const lock = cover(sdLock(u, v, { small, tiny }), px);
      rgb = mix(rgb, [255, 255, 255], lock);
      const i = (y * size + x) * 4;
      out[i] = Math.round(rgb[0]);
      out[i + 1] = Math.round(rgb[1]);
      out[i + 2] = Math.round(rgb[2]);
      out[i + 3] = Math.round(tile * 255);
    }
  }
  return out;
}

/** Tray template: the lock alone, black with alpha (macOS tints it; Linux/Windows show it as is). */
export function drawTrayIcon(size) {
  const out = new Uint8Array(size * size * 4);
  const margin = 0.02;
  const inner = 1 - 2 * margin;
  const px = 1 / size / inner;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = ((x + 0.5) / size - margin) / inner;
      // The lock sits low in its box; lift it so the tray glyph is centred.
      const v = ((y + 0.5) / size - margin) / inner + 0.04;
      const a = cover(sdLock(u, v, { small: true, tiny: size <= 16 }), px);
      out[(y * size + x) * 4 + 3] = Math.round(a * 255);
    }
  }
  return out;
}

function main() {
  const here = dirname(fileURLToPath(import.meta.url));
  const outDir = resolve(process.argv[2] ?? join(here, '..', 'resources'));
  const write = (rel, size, rgba) => {
    const file = join(outDir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, encodePng(size, rgba));
    console.log(`${rel} ${size}x${size}`);
  };
  write('icon.png', 1024, drawAppIcon(1024));
  for (const s of [16, 32, 48, 64, 128, 256, 512]) write(`icons/${s}x${s}.png`, s, drawAppIcon(s));
  write('tray/trayTemplate.png', 16, drawTrayIcon(16));
  write('tray/trayTemplate@2x.png', 32, drawTrayIcon(32));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
