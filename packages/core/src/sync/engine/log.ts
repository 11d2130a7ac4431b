/**
 * @module sync/engine/log
 * Structured logging for the engine: `logger.info(msg, fields)`. The JSON
 * lines logger writes one object per line — `time`, `level`, `msg`, then the
 * fields — for log shippers and for tests that watch a running `dme sync`.
 * Invariant: callers never pass secrets (keys, tokens, URLs with signatures)
 * as fields; `redact` strips the query string of any URL-looking field as a
 * second line of defence.
 */
import type { Writable } from 'node:stream';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Signed download URLs carry their signature in the query: never log it. */
function redact(value: LogFields[string]): LogFields[string] {
  return typeof value === 'string' && /^https?:\/\//.test(value) ? value.replace(/\?.*$/, '?…') : value;
}

export function jsonLogger(out: Writable, opts: { level?: LogLevel; now?: () => Date } = {}): Logger {
  const min = RANK[opts.level ?? 'info'];
  const now = opts.now ?? (() => new Date());
  const write = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (RANK[level] < min) return;
    const record: Record<string, unknown> = { time: now().toISOString(), level, msg };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined && !(k in record)) record[k] = redact(v);
    out.write(`${JSON.stringify(record)}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
