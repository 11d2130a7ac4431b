/**
 * @module cli/io
 * Where CLI commands read and write: a named file or `-` for stdin, and an
 * output path written atomically (nothing appears at the path unless the
 * whole command succeeded) or stdout.
 */
import { stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { openFileSource, type ByteSource } from '../crypto/age/index.js';
import { writeFileAtomically, type AtomicWriteOptions } from '../fs/atomic-file.js';
import { CliError } from './errors.js';

export interface Io {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };

async function assertReadableFile(path: string): Promise<void> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new CliError(err.code === 'ENOENT' ? `${path}: no such file` : `${path}: ${err.message}`);
  });
  if (info.isDirectory()) throw new CliError(`${path} is a directory`);
}

/** A named file (read straight into the cipher's buffers) or stdin for `-`. */
export async function openInput(io: Io, path: string): Promise<ByteSource> {
  if (path === '-') return io.stdin;
  await assertReadableFile(path);
  return openFileSource(path);
}

/**
 * Runs `write` against the output. With a path, output goes to a temporary
 * file renamed into place only on success, so a failed decrypt leaves
 * nothing behind; without one, to stdout.
 */
export async function withOutput<T>(
  io: Io,
  path: string | undefined,
  write: (out: Writable) => Promise<T>,
  options: AtomicWriteOptions = {},
): Promise<T> {
  if (path === undefined || path === '-') {
    const result = await write(io.stdout);
    return result;
  }
  return writeFileAtomically(path, write, options);
}

export function line(out: Writable, text = ''): void {
  out.write(`${text}\n`);
}
