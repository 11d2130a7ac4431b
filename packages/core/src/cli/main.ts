/**
 * @module cli/main
 * The `dme` command: dispatch, help and the error contract. Every command
 * returns an exit code; anything thrown is reported as one line on stderr
 * (`dme <command>: <message>`), exit 2 for usage errors and 1 otherwise.
 * Stack traces are printed only with DME_DEBUG=1.
 */
import { createRequire } from 'node:module';
import { decryptCommand, DECRYPT_HELP, encryptCommand, ENCRYPT_HELP } from './commands/crypt.js';
import { identityCommand, IDENTITY_HELP } from './commands/identity.js';
import { profileCommand, PROFILE_HELP } from './commands/profile.js';
import { CliError, describeError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import { line, processIo, type Io } from './io.js';

interface Command {
  summary: string;
  help: string;
  run(argv: string[], io: Io): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  identity: { summary: 'create, show or export this machine\'s keys', help: IDENTITY_HELP, run: identityCommand },
  encrypt: { summary: 'encrypt a file to age recipients', help: ENCRYPT_HELP, run: encryptCommand },
  decrypt: { summary: 'decrypt an age file', help: DECRYPT_HELP, run: decryptCommand },
  profile: { summary: 'profile a CSV/TSV/NDJSON/JSON file', help: PROFILE_HELP, run: profileCommand },
};

function version(): string {
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}

export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'dme: the DME data exchange command line',
    '',
    'usage: dme <command> [options]',
    '',
    'commands:',
    ...rows,
    '',
    'Run `dme help <command>` or `dme <command> --help` for a command\'s options.',
    'Environment: DME_HOME (keys and settings, default ~/.dme).',
    'Exit codes: 0 success, 1 failure, 2 usage error.',
  ].join('\n');
}

export async function run(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    line(name === undefined ? io.stderr : io.stdout, mainHelp());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '--version' || name === '-v') {
    line(io.stdout, version());
    return EXIT_OK;
  }
  if (name === 'help') {
    const topic = rest[0];
    const command = topic ? COMMANDS[topic] : undefined;
    if (topic && !command) {
      line(io.stderr, `dme: unknown command "${topic}"`);
      return EXIT_USAGE;
    }
    line(io.stdout, command ? command.help : mainHelp());
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    line(io.stderr, `dme: unknown command "${name}" (see \`dme --help\`)`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    line(io.stdout, command.help);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    return report(name, err, io);
  }
}

function report(name: string, err: unknown, io: Io): number {
  // One line, whatever the message held (usage errors carry their usage line).
  line(io.stderr, `dme ${name}: ${describeError(err).split('\n').join('; ')}`);
  if (err instanceof UsageError) return EXIT_USAGE;
  if (io.env.DME_DEBUG === '1' && err instanceof Error && err.stack) line(io.stderr, err.stack);
  return err instanceof CliError ? err.exitCode : EXIT_FAILURE;
}
