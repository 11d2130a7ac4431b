/**
 * @module cli/hub-io
 * What the hub commands share: connecting with the hub failures turned into
 * one-line CLI errors, reading a password (stdin or a no-echo prompt, never
 * argv), and progress on stderr (a bar on a TTY, percentage lines otherwise).
 * Invariant: a password is never echoed, logged or kept beyond the request.
 */
import type { Readable } from 'node:stream';
import { connect, type Connection } from '../client/connect.js';
import { ClientError } from '../client/errors.js';
import { HubError } from '../sdk/client.js';
import { TransferError } from '../sdk/transfer.js';
import { CliError, UsageError } from './errors.js';
import type { Io } from './io.js';

/** Hub and transfer failures as one line: what the hub said and its code. */
export function hubFailure(err: unknown): unknown {
  if (err instanceof HubError) {
    if (err.status === 0) return new CliError(err.message);
    const issues = (err.details?.issues as Array<{ path?: unknown[]; message?: string }> | undefined)?.slice(0, 3).map((i) => `${(i.path ?? []).join('.')}: ${i.message ?? ''}`);
    return new CliError(`${err.message} (${err.code}, HTTP ${err.status})${issues?.length ? ` [${issues.join('; ')}]` : ''}`);
  }
  if (err instanceof TransferError) return new CliError(`transfer failed: ${err.message}`);
  if (err instanceof ClientError) return new CliError(err.message);
  return err;
}

/** Runs `fn` with a connection; hub errors leave as CliErrors. */
export async function withHub<T>(io: Io, fn: (c: Connection) => Promise<T>): Promise<T> {
  try {
    return await fn(await connect(io.env));
  } catch (err) {
    throw hubFailure(err);
  }
}

export function requireLogin(c: Connection): void {
  if (!c.session.loggedIn) throw new CliError(`not logged in to ${c.config.hubUrl}; run \`dme login\` or set DME_API_KEY`);
}

async function firstLine(stream: Readable, limit = 4096): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    const nl = text.indexOf('\n');
    if (nl >= 0) return text.slice(0, nl).replace(/\r$/, '');
    if (text.length > limit) break;
  }
  return text.replace(/\r?\n?$/, '');
}

type TtyIn = Readable & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };

async function promptHidden(io: Io, prompt: string): Promise<string> {
  const input = io.stdin as TtyIn;
  io.stderr.write(prompt);
  input.setRawMode?.(true);
  input.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (data: Buffer | string): void => {
        for (const ch of data.toString('utf8')) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish(null);
          if (ch === '\u0003') return finish(new CliError('cancelled'));
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      const finish = (err: Error | null): void => {
        input.off('data', onData);
        io.stderr.write('\n');
        if (err) reject(err);
        else resolve(value);
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode?.(false);
    input.pause();
  }
}

/** The password from stdin (`--password-stdin`) or an interactive prompt without echo. */
export async function readPassword(io: Io, fromStdin: boolean, opts: { confirm?: boolean } = {}): Promise<string> {
  let password: string;
  if (fromStdin) password = await firstLine(io.stdin);
  else if ((io.stdin as TtyIn).isTTY) {
    password = await promptHidden(io, 'Password: ');
    if (opts.confirm && (await promptHidden(io, 'Repeat password: ')) !== password) throw new CliError('the passwords differ');
  } else throw new UsageError('no terminal to ask for a password; pipe it with --password-stdin');
  if (password.length === 0) throw new CliError('empty password');
  return password;
}

export interface Progress {
  update(label: string, done: number, total: number): void;
  end(): void;
}

const MiB = 1024 * 1024;

/** A bar redrawn in place on a TTY; otherwise a line per 10%; nothing when quiet. */
export function progressOn(io: Io, quiet: boolean): Progress {
  const err = io.stderr as Io['stderr'] & { isTTY?: boolean; columns?: number };
  if (quiet) return { update: () => undefined, end: () => undefined };
  const tty = Boolean(err.isTTY);
  let shown = '';
  let lastStep = -1;
  let lastDraw = 0;
  let drawn = false;
  return {
    update(label, done, total) {
      const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
      if (tty) {
        const now = Date.now();
        if (label === shown && now - lastDraw < 100 && pct < 100) return;
        lastDraw = now;
        shown = label;
        const width = 30;
        const fill = Math.round((pct / 100) * width);
        err.write(`\r${label.padEnd(8)} [${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${String(pct).padStart(3)}%  ${(done / MiB).toFixed(1)}/${(total / MiB).toFixed(1)} MiB`);
        drawn = true;
        return;
      }
      const step = Math.floor(pct / 10);
      if (label !== shown) {
        shown = label;
        lastStep = -1;
      }
      if (step === lastStep) return;
      lastStep = step;
      err.write(`${label}: ${pct}%\n`);
    },
    end() {
      if (tty && drawn) err.write('\n');
    },
  };
}
