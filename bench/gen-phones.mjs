/**
 * Deterministic phone-number inventory CSV, for the profile and import
 * benchmarks and for anyone who needs a realistic large file.
 *
 * Header: e164,carrier,state,rate_center,status,updated_at
 * The same (rows, seed) always yields the same bytes. Every e164 is unique
 * (row i maps through a bijection onto an NPA's NXX-XXXX space), so e164 is a
 * valid key column. Output streams with backpressure: memory stays flat.
 *
 *   node bench/gen-phones.mjs OUT ROWS [SEED]
 *   import { generatePhonesCsv } from './gen-phones.mjs'
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';

/** [state, NPA, rate centre] — real area codes and the towns they serve. */
const AREAS = [
  ['NY', 212, 'NEW YORK CITY'], ['NY', 718, 'BROOKLYN'], ['NY', 516, 'HEMPSTEAD'], ['NY', 716, 'BUFFALO'],
  ['CA', 213, 'LOS ANGELES'], ['CA', 415, 'SAN FRANCISCO'], ['CA', 408, 'SAN JOSE'], ['CA', 619, 'SAN DIEGO'],
  ['CA', 916, 'SACRAMENTO'], ['TX', 214, 'DALLAS'], ['TX', 713, 'HOUSTON'], ['TX', 512, 'AUSTIN'],
  ['TX', 210, 'SAN ANTONIO'], ['FL', 305, 'MIAMI'], ['FL', 407, 'ORLANDO'], ['FL', 813, 'TAMPA'],
  ['IL', 312, 'CHICAGO'], ['IL', 217, 'SPRINGFIELD'], ['WA', 206, 'SEATTLE'], ['WA', 509, 'SPOKANE'],
  ['GA', 404, 'ATLANTA'], ['MA', 617, 'BOSTON'], ['PA', 215, 'PHILADELPHIA'], ['PA', 412, 'PITTSBURGH'],
  ['AZ', 602, 'PHOENIX'], ['CO', 303, 'DENVER'], ['NV', 702, 'LAS VEGAS'], ['OR', 503, 'PORTLAND'],
  ['MN', 612, 'MINNEAPOLIS'], ['MI', 313, 'DETROIT'], ['OH', 216, 'CLEVELAND'], ['OH', 614, 'COLUMBUS'],
  ['NC', 704, 'CHARLOTTE'], ['TN', 615, 'NASHVILLE'], ['MO', 314, 'ST LOUIS'], ['LA', 504, 'NEW ORLEANS'],
  ['UT', 801, 'SALT LAKE CITY'], ['DC', 202, 'WASHINGTON'], ['MD', 410, 'BALTIMORE'], ['NJ', 201, 'JERSEY CITY'],
];

/** Carriers with rough market weights. */
const CARRIERS = [
  ['Verizon Wireless', 28], ['AT&T Mobility', 26], ['T-Mobile USA', 24], ['Lumen Technologies', 6],
  ['Bandwidth.com CLEC', 5], ['Frontier Communications', 3], ['Windstream', 2], ['Onvoy (Inteliquent)', 3],
  ['Peerless Network', 2], ['US Cellular', 1],
];
const STATUSES = [['available', 40], ['reserved', 10], ['assigned', 45], ['ported', 5]];

/** NXX 200-999 x line 0000-9999: the numbering space of one NPA. */
const SPACE = 800 * 10_000;
/** Odd and not a multiple of 5, so coprime with SPACE: j -> (A*j + B) mod SPACE is a bijection. */
const A = 2_654_435_761 % SPACE;
const B = 1_234_567;
const START = Date.UTC(2024, 0, 1) / 1000;
const SPAN = 2 * 365 * 86_400;

/** mulberry32: tiny, fast, good enough for test data, fully deterministic. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function weighted(table) {
  const total = table.reduce((s, [, w]) => s + w, 0);
  const out = [];
  for (const [v, w] of table) for (let i = 0; i < w; i++) out.push(v);
  return { pick: (r) => out[Math.floor(r * total)] };
}

function csvField(s) {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Row i as a CSV line (with trailing \n). */
function makeRow(i, rand, carriers, statuses) {
  const [state, npa, rc] = AREAS[i % AREAS.length];
  // A < SPACE and j < SPACE, so A*j < 2^53: exact in doubles.
  // The per-area offset keeps areas from sharing the same NXX-XXXX sequence.
  const k = (A * Math.floor(i / AREAS.length) + B + (i % AREAS.length) * 104_729) % SPACE;
  const nxx = 200 + Math.floor(k / 10_000);
  const line = String(k % 10_000).padStart(4, '0');
  const ts = new Date((START + Math.floor(rand() * SPAN)) * 1000).toISOString().slice(0, 19) + 'Z';
  return `+1${npa}${nxx}${line},${csvField(carriers.pick(rand()))},${state},${rc},${statuses.pick(rand())},${ts}\n`;
}

/**
 * Writes `rows` data rows (plus the header) to `path`. Resolves with the byte
 * count once the file is flushed and closed.
 */
export async function generatePhonesCsv(path, rows, seed = 42) {
  if (!Number.isSafeInteger(rows) || rows < 0) throw new RangeError(`rows must be a non-negative integer, got ${rows}`);
  if (rows > SPACE * AREAS.length) throw new RangeError(`at most ${SPACE * AREAS.length} unique numbers`);
  const rand = prng(seed);
  const carriers = weighted(CARRIERS);
  const statuses = weighted(STATUSES);
  const out = createWriteStream(path);
  const closed = once(out, 'close');
  let bytes = 0;
  let chunk = 'e164,carrier,state,rate_center,status,updated_at\n';
  for (let i = 0; i < rows; i++) {
    chunk += makeRow(i, rand, carriers, statuses);
    if (chunk.length >= 1 << 16) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await closed;
  return bytes;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [out, rowsArg, seedArg] = process.argv.slice(2);
  const rows = Number(rowsArg);
  if (!out || !Number.isSafeInteger(rows) || rows < 0) {
    console.error('usage: node bench/gen-phones.mjs OUT ROWS [SEED]');
    process.exit(2);
  }
  const t0 = performance.now();
  const bytes = await generatePhonesCsv(out, rows, seedArg === undefined ? 42 : Number(seedArg));
  const s = (performance.now() - t0) / 1000;
  console.log(`${out}: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${s.toFixed(1)} s`);
}
