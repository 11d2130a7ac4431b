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
import { enableCommand, ENABLE_HELP, keysCommand, KEYS_HELP, loginCommand, LOGIN_HELP, logoutCommand, LOGOUT_HELP, signupCommand, SIGNUP_HELP, whoamiCommand, WHOAMI_HELP } from './commands/account.js';
import { datasetsCommand, DATASETS_HELP } from './commands/datasets.js';
import { publishCommand, PUBLISH_HELP, pullCommand, PULL_HELP } from './commands/publish.js';
import {
  CATALOG_HELP,
  catalogCommand,
  DECISION_HELP,
  decisionCommand,
  GRANTS_HELP,
  grantsCommand,
  SUBSCRIBE_HELP,
  subscribeCommand,
  SUBSCRIBERS_HELP,
  subscribersCommand,
  SUBSCRIPTIONS_HELP,
  subscriptionsCommand,
} from './commands/subscriptions.js';
import { eventsCommand, EVENTS_HELP } from './commands/events.js';
import { webhookCommand, WEBHOOK_HELP } from './commands/webhook.js';
import { syncCommand, SYNC_HELP } from './commands/sync.js';
import { CliError, describeError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import { removePendingTempFiles } from '../fs/atomic-file.js';
import { line, processIo, type Io } from './io.js';

interface Command {
  summary: string;
  help: string;
  run(argv: string[], io: Io): Promise<number>;
  /** The command installs its own SIGINT/SIGTERM handling (a clean stop rather than an exit). */
  handlesSignals?: boolean;
}

const COMMANDS: Record<string, Command> = {
  identity: { summary: 'create, show or export this machine\'s keys', help: IDENTITY_HELP, run: identityCommand },
  encrypt: { summary: 'encrypt a file to age recipients', help: ENCRYPT_HELP, run: encryptCommand },
  decrypt: { summary: 'decrypt an age file', help: DECRYPT_HELP, run: decryptCommand },
  profile: { summary: 'profile a CSV/TSV/NDJSON/JSON file', help: PROFILE_HELP, run: profileCommand },
  signup: { summary: 'create an account on the hub and log in', help: SIGNUP_HELP, run: signupCommand },
  login: { summary: 'log in to the hub (registers this machine\'s keys)', help: LOGIN_HELP, run: loginCommand },
  logout: { summary: 'end the hub session', help: LOGOUT_HELP, run: logoutCommand },
  whoami: { summary: 'show the account, features and key fingerprints', help: WHOAMI_HELP, run: whoamiCommand },
  keys: { summary: 'create, list or revoke API keys', help: KEYS_HELP, run: keysCommand },
  enable: { summary: 'enable the producer or consumer role', help: ENABLE_HELP, run: enableCommand },
  datasets: { summary: 'create, list or update your datasets (producer)', help: DATASETS_HELP, run: datasetsCommand },
  publish: { summary: 'encrypt and publish a file as a new release', help: PUBLISH_HELP, run: publishCommand },
  pull: { summary: 'download, verify and decrypt a release', help: PULL_HELP, run: pullCommand },
  catalog: { summary: 'list datasets you can subscribe to', help: CATALOG_HELP, run: catalogCommand },
  subscribe: { summary: 'ask to subscribe to a dataset', help: SUBSCRIBE_HELP, run: subscribeCommand },
  subscriptions: { summary: 'list your subscriptions (consumer)', help: SUBSCRIPTIONS_HELP, run: subscriptionsCommand },
  subscribers: { summary: 'list subscribers of your datasets (producer)', help: SUBSCRIBERS_HELP, run: subscribersCommand },
  approve: { summary: 'approve a subscription and write its history grants', help: DECISION_HELP('approve'), run: decisionCommand('approve') },
  reject: { summary: 'reject a subscription request', help: DECISION_HELP('reject'), run: decisionCommand('reject') },
  suspend: { summary: 'suspend a subscription (its grants are deleted)', help: DECISION_HELP('suspend'), run: decisionCommand('suspend') },
  reinstate: { summary: 'reinstate a suspended subscription', help: DECISION_HELP('reinstate'), run: decisionCommand('reinstate') },
  grants: { summary: 'write history grants still owed to subscribers', help: GRANTS_HELP, run: grantsCommand },
  events: { summary: 'show (or --follow) the events of your datasets and subscriptions', help: EVENTS_HELP, run: eventsCommand },
  webhook: { summary: 'set, show, test your webhook; its delivery log; redeliver', help: WEBHOOK_HELP, run: webhookCommand },
  sync: { summary: 'receive your subscriptions into a local SQLite library (--once: catch up and exit)', help: SYNC_HELP, run: syncCommand, handlesSignals: true },
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
    'Environment: DME_HOME (keys and settings, default ~/.dme), DME_HUB_URL (default http://127.0.0.1:8787),',
    '  DME_API_KEY (a hub API key, used instead of `dme login`).',
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
  if (!command.handlesSignals) exitCleanlyOnInterrupt();
  try {
    return await command.run(rest, io);
  } catch (err) {
    return report(name, err, io);
  }
}

/** Ctrl-C or a TERM mid-command: leave no temporary output behind, exit 130/143. */
function exitCleanlyOnInterrupt(): void {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      removePendingTempFiles();
      process.exit(code);
    });
  }
}

function report(name: string, err: unknown, io: Io): number {
  // One line, whatever the message held (usage errors carry their usage line).
  line(io.stderr, `dme ${name}: ${describeError(err).split('\n').join('; ')}`);
  if (err instanceof UsageError) return EXIT_USAGE;
  if (io.env.DME_DEBUG === '1' && err instanceof Error && err.stack) line(io.stderr, err.stack);
  return err instanceof CliError ? err.exitCode : EXIT_FAILURE;
}
