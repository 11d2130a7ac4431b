/**
 * @module cli/main
 * The `dme` command: dispatch, help and the error contract. Every command
 * returns an exit code; anything thrown is reported as one line on stderr
 * (`dme <command>: <message>`), exit 2 for usage errors and 1 otherwise.
 * Stack traces are printed only with DME_DEBUG=1.
 */
// First: it configures zod before any schema is made (cli/zod-config).
import './zod-config.js';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../fs/built-file.js';
import { CliError, describeError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import { removePendingTempFiles } from '../fs/atomic-file.js';
import { line, processIo, type Io } from './io.js';

interface Loaded {
  help: string;
  run(argv: string[], io: Io): Promise<number>;
}

interface Command {
  summary: string;
  /**
   * Commands load on use: importing every command (and with them the hub
   * client, SQLite, the profiler…) costs a few hundred ms at each start.
   */
  load(): Promise<Loaded>;
  /** The command installs its own SIGINT/SIGTERM handling (a clean stop rather than an exit). */
  handlesSignals?: boolean;
  /** Work started before the command's modules load, when it is about to run (not for --help). */
  prepare?(): Promise<void>;
}

const crypt = () => import('./commands/crypt.js');
const account = () => import('./commands/account.js');
const subscriptions = () => import('./commands/subscriptions.js');

const COMMANDS: Record<string, Command> = {
  identity: { summary: 'create, show or export this machine\'s keys', load: async () => { const m = await import('./commands/identity.js'); return { help: m.IDENTITY_HELP, run: m.identityCommand }; } },
  encrypt: { summary: 'encrypt a file to age recipients', load: async () => { const m = await crypt(); return { help: m.ENCRYPT_HELP, run: m.encryptCommand }; } },
  decrypt: { summary: 'decrypt an age file', load: async () => { const m = await crypt(); return { help: m.DECRYPT_HELP, run: m.decryptCommand }; } },
  profile: { summary: 'profile a CSV/TSV/NDJSON/JSON file', load: async () => { const m = await import('./commands/profile.js'); return { help: m.PROFILE_HELP, run: m.profileCommand }; } },
  signup: { summary: 'create an account on the hub and log in', load: async () => { const m = await account(); return { help: m.SIGNUP_HELP, run: m.signupCommand }; } },
  login: { summary: 'log in to the hub (registers this machine\'s keys)', load: async () => { const m = await account(); return { help: m.LOGIN_HELP, run: m.loginCommand }; } },
  logout: { summary: 'end the hub session', load: async () => { const m = await account(); return { help: m.LOGOUT_HELP, run: m.logoutCommand }; } },
  whoami: { summary: 'show the account, features and key fingerprints', load: async () => { const m = await account(); return { help: m.WHOAMI_HELP, run: m.whoamiCommand }; } },
  keys: { summary: 'create, list or revoke API keys', load: async () => { const m = await account(); return { help: m.KEYS_HELP, run: m.keysCommand }; } },
  enable: { summary: 'enable the producer or consumer role', load: async () => { const m = await account(); return { help: m.ENABLE_HELP, run: m.enableCommand }; } },
  datasets: { summary: 'create, list or update your datasets (producer)', load: async () => { const m = await import('./commands/datasets.js'); return { help: m.DATASETS_HELP, run: m.datasetsCommand }; } },
  publish: {
    summary: 'encrypt and publish a file as a new release',
    load: async () => { const m = await import('./commands/publish.js'); return { help: m.PUBLISH_HELP, run: m.publishCommand }; },
    prepare: async () => (await import('../client/seal-worker.js')).prestartSealWorker(),
  },
  pull: { summary: 'download, verify and decrypt a release', load: async () => { const m = await import('./commands/pull.js'); return { help: m.PULL_HELP, run: m.pullCommand }; } },
  catalog: { summary: 'list datasets you can subscribe to', load: async () => { const m = await subscriptions(); return { help: m.CATALOG_HELP, run: m.catalogCommand }; } },
  subscribe: { summary: 'ask to subscribe to a dataset', load: async () => { const m = await subscriptions(); return { help: m.SUBSCRIBE_HELP, run: m.subscribeCommand }; } },
  subscriptions: { summary: 'list your subscriptions (consumer)', load: async () => { const m = await subscriptions(); return { help: m.SUBSCRIPTIONS_HELP, run: m.subscriptionsCommand }; } },
  subscribers: { summary: 'list subscribers of your datasets (producer)', load: async () => { const m = await subscriptions(); return { help: m.SUBSCRIBERS_HELP, run: m.subscribersCommand }; } },
  approve: { summary: 'approve a subscription and write its history grants', load: () => decision('approve') },
  reject: { summary: 'reject a subscription request', load: () => decision('reject') },
  suspend: { summary: 'suspend a subscription (its grants are deleted)', load: () => decision('suspend') },
  reinstate: { summary: 'reinstate a suspended subscription', load: () => decision('reinstate') },
  grants: { summary: 'write history grants still owed to subscribers', load: async () => { const m = await subscriptions(); return { help: m.GRANTS_HELP, run: m.grantsCommand }; } },
  events: { summary: 'show (or --follow) the events of your datasets and subscriptions', load: async () => { const m = await import('./commands/events.js'); return { help: m.EVENTS_HELP, run: m.eventsCommand }; } },
  webhook: { summary: 'set, show, test your webhook; its delivery log; redeliver', load: async () => { const m = await import('./commands/webhook.js'); return { help: m.WEBHOOK_HELP, run: m.webhookCommand }; } },
  sync: { summary: 'receive your subscriptions into a local SQLite library (--once: catch up and exit)', handlesSignals: true, load: async () => { const m = await import('./commands/sync.js'); return { help: m.SYNC_HELP, run: m.syncCommand }; } },
};

async function decision(action: 'approve' | 'reject' | 'suspend' | 'reinstate'): Promise<Loaded> {
  const m = await subscriptions();
  return { help: m.DECISION_HELP(action), run: m.decisionCommand(action) };
}

function version(): string {
  const require = createRequire(import.meta.url);
  return (require(join(packageRoot(import.meta.url) ?? '../..', 'package.json')) as { version: string }).version;
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
    line(io.stdout, command ? (await command.load()).help : mainHelp());
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    line(io.stderr, `dme: unknown command "${name}" (see \`dme --help\`)`);
    return EXIT_USAGE;
  }
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  if (!wantsHelp) await command.prepare?.();
  const loaded = await command.load();
  if (wantsHelp) {
    line(io.stdout, loaded.help);
    return EXIT_OK;
  }
  if (!command.handlesSignals) exitCleanlyOnInterrupt();
  try {
    return await loaded.run(rest, io);
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
