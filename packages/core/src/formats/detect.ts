/**
 * @module formats/detect
 * Which format a file is in, from its name and its first plaintext bytes.
 * The name wins when it is specific (.csv, .tsv, .ndjson/.jsonl); `.json`
 * and unknown names are decided by content: `[` → JSON array, `{` → NDJSON,
 * otherwise the first line's tabs versus commas. Compression is never taken
 * from the name: gzip is recognised by its magic bytes (1f 8b) alone.
 */
import type { FileFormat } from '../protocol/profile.js';

const BY_EXTENSION: Record<string, FileFormat | 'sniff'> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  json: 'sniff',
};

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** The format a name implies, ignoring a trailing `.gz`; undefined when the name does not settle it. */
export function formatFromName(fileName: string): FileFormat | undefined {
  const base = fileName.toLowerCase().replace(/\.(gz|gzip)$/, '');
  const dot = base.lastIndexOf('.');
  const ext = dot < 0 ? '' : base.slice(dot + 1);
  const f = BY_EXTENSION[ext];
  return f === 'sniff' ? undefined : f;
}

/** Decides from the first plaintext bytes (after decompression). */
export function formatFromContent(head: Uint8Array): FileFormat {
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0d)) i++;
  if (head[i] === 0x5b) return 'json';
  if (head[i] === 0x7b) return 'ndjson';
  let tabs = 0;
  let commas = 0;
  for (; i < head.length && head[i] !== 0x0a; i++) {
    if (head[i] === 0x09) tabs++;
    else if (head[i] === 0x2c) commas++;
  }
  return tabs > commas ? 'tsv' : 'csv';
}

export function detectFormat(head: Uint8Array, fileName?: string): FileFormat {
  return (fileName === undefined ? undefined : formatFromName(fileName)) ?? formatFromContent(head);
}
