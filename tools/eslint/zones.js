/**
 * Zone matching for `dme/import-boundary`: which runtime zone a file belongs
 * to, decided by globs relative to the repository root.
 *
 * Invariant: paths are compared in POSIX form relative to `root`, so the same
 * config works on Windows and POSIX checkouts.
 */
import path from 'node:path';

/**
 * @typedef {'node' | 'electron' | 'dom'} Restriction
 * @typedef {{
 *   name: string,
 *   files: string[],
 *   ignores?: string[],
 *   forbid: Restriction[],
 *   packages?: string[],
 * }} ZoneConfig
 * @typedef {ZoneConfig & { match: RegExp[], skip: RegExp[] }} Zone
 */

/**
 * Turns a small glob (`**`, `*`, `?`, `{a,b}`) into an anchored RegExp. We
 * avoid a glob dependency because ESLint loads this plugin directly and the
 * zone patterns are simple.
 * @param {string} glob
 * @returns {RegExp}
 */
export function globToRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` matches anything.
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end === -1) throw new Error(`dme/import-boundary: unclosed "{" in glob ${glob}`);
      re += `(?:${glob.slice(i + 1, end).split(',').map(escape).join('|')})`;
      i = end;
    } else {
      re += escape(c);
    }
  }
  return new RegExp(`^${re}$`);
}

/** @param {string} s */
function escape(s) {
  return s.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

/**
 * @param {ZoneConfig[]} configs
 * @returns {Zone[]}
 */
export function compileZones(configs) {
  return configs.map((z) => ({
    ...z,
    match: z.files.map(globToRegExp),
    skip: (z.ignores ?? []).map(globToRegExp),
  }));
}

/**
 * @param {string} root absolute repository root
 * @param {string} file absolute file path
 * @returns {string} POSIX path relative to root ('' prefix `../` when outside)
 */
export function relativePosix(root, file) {
  return path.relative(root, file).split(path.sep).join('/');
}

/**
 * @param {Zone[]} zones
 * @param {string} rel POSIX path relative to the root
 * @returns {Zone | undefined} the first zone that claims the file
 */
export function zoneOf(zones, rel) {
  return zones.find((z) => z.match.some((r) => r.test(rel)) && !z.skip.some((r) => r.test(rel)));
}

/**
 * A target zone is compatible when it forbids at least what the source zone
 * forbids: code it pulls in is then bound by the same limits.
 * @param {Zone} from
 * @param {Zone | undefined} to
 */
export function compatible(from, to) {
  return to !== undefined && from.forbid.every((r) => to.forbid.includes(r));
}

const CODE_EXT = /\.(?:[cm]?[jt]sx?)$/;
const JS_TO_TS = /** @type {const} */ ([
  ['.js', '.ts'],
  ['.jsx', '.tsx'],
  ['.mjs', '.mts'],
  ['.cjs', '.cts'],
]);

/**
 * The files a relative specifier may name: NodeNext specifiers end in `.js`
 * while the source is `.ts`, and bundlers (the renderer) omit extensions.
 * Returns [] when the target is not code (CSS, images, JSON), which the
 * boundary does not police.
 * @param {string} absTarget absolute resolved specifier
 * @returns {string[]}
 */
export function candidateFiles(absTarget) {
  const ext = path.extname(absTarget);
  if (ext !== '' && !CODE_EXT.test(absTarget)) return [];
  const out = [absTarget];
  for (const [js, ts] of JS_TO_TS) {
    if (absTarget.endsWith(js)) out.push(absTarget.slice(0, -js.length) + ts);
  }
  if (ext === '') {
    for (const e of ['.ts', '.tsx', '.js', '/index.ts', '/index.tsx', '/index.js']) out.push(absTarget + e);
  }
  return out;
}
