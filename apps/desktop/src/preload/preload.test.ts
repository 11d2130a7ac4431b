/**
 * The preload as Electron's sandbox runs it: compiled to CommonJS and run in
 * a fresh context whose `require` knows only a stand-in `electron`.
 */
import { describe, it, expect } from 'vitest';
import { readFile } from 'node:fs/promises';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { DESKTOP_METHODS } from '../shared/contract.js';

async function loadPreload() {
  const source = await readFile(new URL('./index.cts', import.meta.url), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const exposed: Record<string, unknown> = {};
  const invoked: Array<{ channel: string; args: unknown }> = [];
  const listeners = new Map<string, Set<(e: unknown, p: unknown) => void>>();
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => void (exposed[key] = api) },
    ipcRenderer: {
      invoke: async (channel: string, args: unknown) => {
        invoked.push({ channel, args });
        return { ok: true, value: channel };
      },
      on: (c: string, l: (e: unknown, p: unknown) => void) => void (listeners.get(c) ?? listeners.set(c, new Set()).get(c)!).add(l),
      removeListener: (c: string, l: (e: unknown, p: unknown) => void) => void listeners.get(c)?.delete(l),
    },
  };
  const module = { exports: {} };
  runInNewContext(js, {
    module,
    exports: module.exports,
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`module not found: ${name}`);
      return electron;
    },
  });
  return { exposed, invoked, listeners, required };
}

type Bridge = { call(m: string, a: unknown): Promise<{ ok: boolean; error?: { code: string } }>; onEvent(l: (e: unknown) => void): () => void };

describe('preload', () => {
  it('requires only electron and exposes exactly one object, window.dme', async () => {
    const { exposed, required } = await loadPreload();
    expect(required).toEqual(['electron']);
    expect(Object.keys(exposed)).toEqual(['dme']);
    expect(Object.keys(exposed.dme as object).sort()).toEqual(['call', 'onEvent']);
  });

  it('forwards every contract method on its own channel and refuses unknown ones without sending', async () => {
    const { exposed, invoked } = await loadPreload();
    const dme = exposed.dme as Bridge;
    for (const m of DESKTOP_METHODS) await dme.call(m, {});
    expect(invoked.map((i) => i.channel)).toEqual(DESKTOP_METHODS.map((m) => `dme:${m}`));
    invoked.length = 0;
    const res = await dme.call('shell.openExternal', {});
    expect(res.ok).toBe(false);
    expect(res.error?.code).toBe('UNKNOWN_METHOD');
    expect(invoked).toEqual([]);
  });

  it('delivers only the event payload to listeners and unsubscribes', async () => {
    const { exposed, listeners } = await loadPreload();
    const got: unknown[] = [];
    const off = (exposed.dme as Bridge).onEvent((e) => got.push(e));
    const [l] = [...listeners.get('dme:event')!];
    l!({ sender: 'secret' }, { type: 'subscriptions.changed' });
    expect(got).toEqual([{ type: 'subscriptions.changed' }]);
    off();
    expect(listeners.get('dme:event')!.size).toBe(0);
  });
});
