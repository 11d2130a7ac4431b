/**
 * @module node/commands
 * The `dme-hub` command line, as a function of argv and streams so tests can
 * run it in-process as well as through the real binary.
 *
 *   dme-hub [serve]                                  run the hub (see node/settings for env)
 *   dme-hub admin create --email E [--password-stdin] [--name N]
 *
 * Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
 * Errors are one line on stderr, `dme-hub: <message>`, never a stack trace.
 */
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { systemClock } from '../deps.js';
import { createIdSource } from '../ids.js';
import { AdminExistsError, createAdmin } from './admin.js';
import { auditVerify } from './audit-command.js';
import { openStore, startHub } from './hub.js';
import type { RunningHub } from './hub.js';
import { ConfigError, settingsFromEnv } from './settings.js';

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
}

class UsageError extends Error {}

const USAGE = `usage:
  dme-hub [serve]
  dme-hub admin create --email EMAIL [--password-stdin] [--name NAME]
  dme-hub audit verify [--json]
  dme-hub help`;

function parseFlags(args: string[], known: Record<string, 'string' | 'boolean'>): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [name, inline] = a.startsWith('--') ? a.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
    if (name === undefined || !(name in known)) throw new UsageError(`unknown argument: ${a}`);
    if (known[name] === 'boolean') {
      out[name] = true;
    } else {
      const value = inline ?? args[++i];
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      out[name] = value;
    }
  }
  return out;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

async function adminCreate(args: string[], io: CliIo): Promise<number> {
  const flags = parseFlags(args, { email: 'string', 'password-stdin': 'boolean', name: 'string' });
  if (typeof flags.email !== 'string') throw new UsageError('--email is required');
  let password: string;
  let generated = false;
  if (flags['password-stdin']) {
    // One trailing newline is the terminator of `echo`/here-strings, not part of the password.
    password = (await readAll(io.stdin)).replace(/\r?\n$/, '');
  } else {
    password = randomBytes(18).toString('base64url');
    generated = true;
  }
  const settings = settingsFromEnv(io.env);
  const store = openStore(settings);
  try {
    const account = await createAdmin(
      { store, ids: createIdSource(systemClock), clock: systemClock, passwordIterations: settings.passwordIterations },
      { email: flags.email, password, ...(typeof flags.name === 'string' ? { displayName: flags.name } : {}) },
    );
    io.stdout.write(`created admin ${account.email} (${account.id}) in ${settings.dataDir}\n`);
    if (generated) io.stdout.write(`password: ${password}\n(shown once; change it after logging in)\n`);
    return 0;
  } finally {
    await store.close();
  }
}

async function serveCommand(args: string[], io: CliIo): Promise<RunningHub> {
  parseFlags(args, {});
  const settings = settingsFromEnv(io.env);
  const running = await startHub(settings, io.env);
  io.stdout.write(`DME hub listening on ${running.url}\n  data: ${settings.dataDir} (${settings.blob === 's3' ? 'SQLite; payloads in S3' : 'SQLite hub.db + blobs/'})\n  docs: ${running.url}/docs\n`);
  return running;
}

/**
 * Runs one command. For `serve`, resolves with the running hub (the caller
 * owns its lifetime); for everything else, with the exit code.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number | RunningHub> {
  const [cmd = 'serve', ...rest] = argv;
  try {
    if (cmd === 'serve') return await serveCommand(rest, io);
    if (cmd === 'help' || cmd === '--help' || cmd === '-h') {
      io.stdout.write(USAGE + '\n');
      return 0;
    }
    if (cmd === 'admin' && rest[0] === 'create') return await adminCreate(rest.slice(1), io);
    if (cmd === 'audit' && rest[0] === 'verify') return await auditVerify(rest.slice(1), io);
    throw new UsageError(`unknown command: ${argv.join(' ')}`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`dme-hub: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.stderr.write(`dme-hub: ${err.message}\n`);
      return 2;
    }
    const code = (err as NodeJS.ErrnoException).code;
    const message = err instanceof AdminExistsError || err instanceof Error ? err.message : String(err);
    io.stderr.write(`dme-hub: ${code === 'EADDRINUSE' ? `address in use: ${message}` : message}\n`);
    return 1;
  }
}
