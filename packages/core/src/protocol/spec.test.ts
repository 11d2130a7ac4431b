import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_STATUS } from './error.js';
import { SUBSCRIPTION_TRANSITIONS } from './subscription.js';
import { TIER_LIMITS, GB } from './tier.js';
import { EVENT_TYPES } from './event.js';

const spec = readFileSync(fileURLToPath(new URL('../../spec/protocol.md', import.meta.url)), 'utf8');

/** Rows of the markdown table whose header row starts with `| first |`. */
function table(first: string): string[][] {
  const lines = spec.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${first} |`));
  if (start < 0) throw new Error(`no table starting with ${first}`);
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
    rows.push(lines[i]!.split('|').slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}
const list = (cell: string) => cell.split(',').map((s) => s.trim());

describe('spec/protocol.md matches the code', () => {
  it('subscription transition table', () => {
    const rows = table('action');
    expect(rows.map((r) => r[0])).toEqual(Object.keys(SUBSCRIPTION_TRANSITIONS));
    for (const [action, from, to, who] of rows) {
      const rule = SUBSCRIPTION_TRANSITIONS[action as keyof typeof SUBSCRIPTION_TRANSITIONS];
      expect([...rule.from], action).toEqual(list(from!));
      expect(rule.to, action).toBe(to);
      expect([...rule.actors], action).toEqual(list(who!));
    }
  });

  it('error code table', () => {
    const rows = table('code');
    expect(Object.fromEntries(rows.map((r) => [r[0], Number(r[1])]))).toEqual(ERROR_STATUS);
  });

  it('tier table', () => {
    const num = (s: string) => (s === '–' ? null : Number(s.replace(/,/g, '').replace(/ (GB|months)$/, '')));
    for (const [tier, rps, burst, calls, download, subs, history, webhooks, price] of table('tier')) {
      const t = TIER_LIMITS[tier as keyof typeof TIER_LIMITS];
      expect([num(rps!), num(burst!), num(calls!), num(download!), num(subs!), history === 'all' ? null : num(history!), webhooks === 'yes', num(price!)], tier).toEqual([
        t.requestsPerSecond,
        t.burst,
        t.monthlyApiCalls,
        t.monthlyDownloadBytes / GB,
        t.maxSubscriptions,
        t.historyMonths,
        t.webhooks,
        t.priceUsdPerMonth,
      ]);
    }
  });

  it('every event type is documented', () => {
    const cells = table('type').map((r) => r[0]!).join(', ');
    for (const type of EVENT_TYPES) {
      const short = type.startsWith('SUBSCRIPTION_') && type !== 'SUBSCRIPTION_REQUESTED' ? type.slice('SUBSCRIPTION'.length) : type;
      expect(cells, type).toContain(short);
    }
  });
});
