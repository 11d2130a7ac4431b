/**
 * End to end: the real ESLint API with the repository's eslint.config.js over
 * real files, proving the config wires `dme/import-boundary` to the zones.
 * The probe files get unique names and are removed right after linting (and
 * again in afterAll) because other engineers build the same tree in parallel.
 */
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const id = randomUUID().slice(0, 8);
const insideZone = path.join(repo, 'packages/core/src/protocol', `__lint-probe-${id}.ts`);
const outsideZone = path.join(repo, 'packages/core/src', `__lint-probe-${id}.ts`);
const probe = "import { readFile } from 'node:fs/promises';\n\nexport const load = (p: string) => readFile(p, 'utf8');\n";

const eslint = new ESLint({ cwd: repo, overrideConfigFile: path.join(repo, 'eslint.config.js') });

async function lintProbe(file: string) {
  await writeFile(file, probe, { flag: 'wx' });
  try {
    const [result] = await eslint.lintFiles([file]);
    if (!result) throw new Error(`ESLint returned no result for ${file}`);
    return result;
  } finally {
    await rm(file, { force: true });
  }
}

afterAll(async () => {
  await Promise.all([rm(insideZone, { force: true }), rm(outsideZone, { force: true })]);
});

describe('eslint.config.js', () => {
  it('reports node:fs/promises inside packages/core/src/protocol', async () => {
    const result = await lintProbe(insideZone);
    const boundary = result.messages.filter((m) => m.ruleId === 'dme/import-boundary');
    expect(boundary).toHaveLength(1);
    expect(boundary[0]).toMatchObject({ line: 1, severity: 2 });
    expect(boundary[0]?.message).toContain("'node:fs/promises' is a Node built-in");
    expect(result.errorCount).toBe(1);
  });

  it('passes the same file outside every zone', async () => {
    const result = await lintProbe(outsideZone);
    expect(result.messages).toEqual([]);
  });

  it('wires every configured zone (virtual files, nothing written)', async () => {
    const boundary = async (rel: string, code: string) => {
      const [result] = await eslint.lintText(code, { filePath: path.join(repo, rel) });
      return (result?.messages ?? []).filter((m) => m.ruleId === 'dme/import-boundary').map((m) => m.message);
    };
    const nodeImport = "import { readFile } from 'node:fs/promises';\nexport const f = readFile;\n";
    const domUse = "export const t = () => document.title;\n";
    expect(await boundary('packages/core/src/sdk/x.ts', nodeImport)).toHaveLength(1);
    expect(await boundary('packages/core/src/crypto/manifest.ts', domUse)).toHaveLength(1);
    expect(await boundary('apps/hub/src/routes/x.ts', nodeImport)).toHaveLength(1);
    expect(await boundary('apps/hub/src/node/x.ts', nodeImport)).toEqual([]);
    expect(await boundary('apps/desktop/src/renderer/x.tsx', domUse)).toEqual([]);
    expect(await boundary('apps/desktop/src/renderer/x.tsx', "import { ipcRenderer } from 'electron';\nexport { ipcRenderer };\n")).toHaveLength(1);
    expect(await boundary('apps/desktop/src/preload/x.ts', "import { contextBridge } from 'electron';\nexport { contextBridge };\n")).toEqual([]);
    expect(await boundary('apps/desktop/src/main/x.ts', nodeImport)).toEqual([]);
    expect(await boundary('packages/core/src/protocol/x.test.ts', nodeImport)).toEqual([]);
  });

  it('ignores build output', async () => {
    expect(await eslint.isPathIgnored(path.join(repo, 'packages/core/dist/protocol/index.js'))).toBe(true);
    expect(await eslint.isPathIgnored(path.join(repo, 'packages/core/src/protocol/index.ts'))).toBe(false);
  });
});
