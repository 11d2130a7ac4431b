/**
 * @module node/audit-command
 * `dme-hub audit verify`: walks the audit log of the hub's database (from
 * DME_HUB_DATA like `serve`) and checks every hash link. Exit 0 and a summary
 * when the chain holds; exit 1 naming the first broken entry when it does not.
 */
import { verifyAuditChain } from '../audit/chain.js';
import type { CliIo } from './commands.js';
import { openStore } from './hub.js';
import { settingsFromEnv } from './settings.js';

export async function auditVerify(args: string[], io: CliIo): Promise<number> {
  const json = args.includes('--json');
  const unknown = args.filter((a) => a !== '--json');
  if (unknown.length > 0) {
    io.stderr.write(`dme-hub: unknown argument: ${unknown[0]}\nusage: dme-hub audit verify [--json]\n`);
    return 2;
  }
  const settings = settingsFromEnv(io.env);
  const store = openStore(settings);
  try {
    const verdict = await verifyAuditChain(store);
    if (json) io.stdout.write(`${JSON.stringify(verdict)}\n`);
    else if (verdict.ok) io.stdout.write(`audit chain OK: ${verdict.entries} entries, head ${verdict.headHash}\n`);
    else io.stdout.write(`audit chain BROKEN at entry ${verdict.seq} (${verdict.reason}); ${verdict.entries} entries before it verify\n`);
    return verdict.ok ? 0 : 1;
  } finally {
    await store.close();
  }
}
