/**
 * @module node/cli
 * The `dme-hub` executable (bin/dme-hub.js imports this file). Runs one
 * command; for `serve`, keeps running until SIGINT/SIGTERM and then closes
 * the server and the database cleanly.
 */
import { runCli } from './commands.js';

const result = await runCli(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env });
if (typeof result === 'number') {
  process.exitCode = result;
} else {
  const stop = () => {
    void result.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
