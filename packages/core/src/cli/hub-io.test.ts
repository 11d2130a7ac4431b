import { describe, expect, it } from 'vitest';
import { globalConfig } from 'zod/v4/core';
import { z } from 'zod';

describe('cli/hub-io', () => {
  it('makes zod parse without compiling code, for the CLI (a handful of answers per run)', async () => {
    await import('./hub-io.js');
    expect(globalConfig.jitless).toBe(true);
    // Parsing still validates as before.
    const schema = z.object({ id: z.string(), n: z.number().int() });
    expect(schema.parse({ id: 'a', n: 1 })).toEqual({ id: 'a', n: 1 });
    expect(schema.safeParse({ id: 'a', n: 1.5 }).success).toBe(false);
  });
});
