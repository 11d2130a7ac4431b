import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ColumnDef } from '../library/schema.js';
import { recordEncoder } from './record-encoder.js';
import { fastLayout, loadFast } from './scratch-fast.js';
import { ScratchFile } from './scratch-file.js';

const dir = mkdtempSync(join(tmpdir(), 'dme-record-encoder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('record encoder (record-encoder.wat)', () => {
  it('is embedded as the .wat assembles', () => {
    const script = fileURLToPath(new URL('../../../../../scripts/build-wasm.mjs', import.meta.url));
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(r.stdout).toContain('is current');
    expect(r.status).toBe(0);
  });

  it('writes the same file as the JavaScript loop, record for record', () => {
    const columns: ColumnDef[] = Array.from({ length: 7 }, (_, i) => ({ name: `c${i}`, type: 'text', nullable: i !== 0 }));
    const layout = fastLayout(columns, columns.map((c) => c.name))!;
    // Cells of every serial type size: empty (NULL), 1, 2 and 3 bytes (either side of 57 and 8186 bytes of text).
    const sizes = [0, 1, 4, 56, 58, 200];
    const big = [8184, 8186, 9000];
    let text = '';
    for (let i = 0; i < 4000; i++) {
      const cells = columns.map((_, c) => (c === 0 ? `+1${i}` : 'é'.repeat((i % 400 === c ? big[i % 3]! : sizes[(i * 7 + c * 3) % sizes.length]!) / 2)));
      text += `${cells.join(',')}${i % 4 === 0 ? '\r\n' : '\n'}`;
    }
    const block = Buffer.from(text);
    expect(block.length).toBeLessThan(2 * 1024 * 1024); // what the encoder's memory takes in one piece
    const write = (name: string, page: Buffer | undefined): Buffer => {
      const f = new ScratchFile(join(dir, name), 65536, page);
      expect(loadFast(block, 0, 0x2c, layout, f)).toBe(4000);
      f.endTable('b0', 'CREATE TABLE b0 (x)');
      f.close();
      return readFileSync(join(dir, name));
    };
    const viaWasm = write('wasm.db', recordEncoder()!.page);
    expect(viaWasm.length).toBeGreaterThan(10 * 65536);
    expect(viaWasm.equals(write('js.db', undefined))).toBe(true);
  });

  it('refuses a block bigger than its memory, and a ScratchFile keeps its own page at other sizes', () => {
    const encoder = recordEncoder()!;
    expect(encoder.load(new Uint8Array(2 * 1024 * 1024 + 1), [])).toBeNull();
    expect(encoder.load(Buffer.from('a,b\n'), [true, false])).toMatchObject({ start: 128 * 1024 });
    expect(new ScratchFile(join(dir, 'small.db'), 4096, encoder.page).page).not.toBe(encoder.page);
  });
});
