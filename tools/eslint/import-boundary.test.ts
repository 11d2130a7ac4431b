/**
 * RuleTester cases for `dme/import-boundary`, parsed by typescript-eslint so
 * `import type` and type references behave as they do in the repository.
 * File names are virtual (RuleTester never reads them); the zones below mirror
 * eslint.config.js in shape but are local so these cases do not shift with it.
 */
import path from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';
import rule from './import-boundary.js';
import type { ZoneConfig } from './zones.js';

RuleTester.describe = describe;
RuleTester.it = it;

const root = path.resolve('/repo');
const zones: ZoneConfig[] = [
  {
    name: 'web-standard',
    files: ['core/src/protocol/**', 'core/src/sdk/**', 'core/src/crypto/manifest.ts'],
    ignores: ['**/*.test.ts'],
    forbid: ['node', 'electron', 'dom'],
    packages: ['@dme/core/crypto'],
  },
  { name: 'renderer', files: ['desktop/src/renderer/**'], forbid: ['node', 'electron'] },
  { name: 'preload', files: ['desktop/src/preload/**'], forbid: ['node'] },
];
const options = [{ root, zones }];
const at = (rel: string) => path.join(root, rel);

const protocol = at('core/src/protocol/account.ts');
const sdk = at('core/src/sdk/client.ts');
const renderer = at('desktop/src/renderer/App.tsx');
const preload = at('desktop/src/preload/index.ts');
const sync = at('core/src/sync/engine.ts');

const tester = new RuleTester({
  languageOptions: {
    parser: tseslint.parser,
    ecmaVersion: 2023,
    sourceType: 'module',
    parserOptions: { ecmaFeatures: { jsx: true } },
  },
});

tester.run('dme/import-boundary', rule, {
  valid: [
    { filename: protocol, options, code: "import { z } from 'zod';" },
    { filename: protocol, options, code: "import { base64 } from '@scure/base';" },
    // Same zone, NodeNext `.js` specifier naming a `.ts` source.
    { filename: sdk, options, code: "import { Account } from '../protocol/account.js';" },
    // A file-level zone member reached from another zone member.
    { filename: protocol, options, code: "export { signManifest } from '../crypto/manifest.js';" },
    // `import type` is erased under verbatimModuleSyntax.
    { filename: protocol, options, code: "import type { Readable } from 'node:stream';" },
    { filename: protocol, options, code: "export type { Stats } from 'node:fs';" },
    { filename: protocol, options, code: "import type os = require('node:os'); export type E = typeof os.EOL;" },
    { filename: protocol, options, code: "import type { KeyGrant } from '../crypto/age/grant.js';" },
    // Type positions are not runtime uses of DOM globals.
    { filename: protocol, options, code: 'export function f(e: HTMLElement): XMLHttpRequest | undefined { return e ? undefined : undefined; }' },
    // Locally declared names shadow the globals.
    { filename: protocol, options, code: 'const window = 1; const document = window; export { document };' },
    { filename: protocol, options, code: 'export function f(navigator: { clipboard: string }) { return navigator.clipboard; }' },
    // `navigator` itself exists in Node and workerd.
    { filename: protocol, options, code: 'export const ua = navigator.userAgent;' },
    // Web-standard globals are fine.
    { filename: sdk, options, code: "export const r = await fetch(new URL('https://x.test'), { signal: AbortSignal.timeout(1) });" },
    // Dynamic specifiers cannot be checked statically and are left alone.
    { filename: sdk, options, code: 'export const load = (m: string) => import(m);' },
    // Non-code assets are not policed.
    { filename: renderer, options, code: "import './styles.css'; import logo from '../../../resources/icon.png'; export { logo };" },
    // DOM is allowed in the renderer; tests inside a zone are not in the zone.
    { filename: renderer, options, code: "document.title = 'DME'; localStorage.setItem('k', 'v');" },
    { filename: at('core/src/protocol/account.test.ts'), options, code: "import { readFile } from 'node:fs/promises';" },
    // Electron is allowed in the preload; Node code outside every zone is unrestricted.
    { filename: preload, options, code: "import { contextBridge, ipcRenderer } from 'electron';" },
    { filename: sync, options, code: "import Database from 'better-sqlite3'; import { readFile } from 'node:fs/promises'; import { x } from '../protocol/index.js';" },
    // A renderer may import stricter code (the web-standard zone) by relative path.
    { filename: at('desktop/src/renderer/main.tsx'), options, code: "import { z } from '../../../core/src/protocol/index.js';" },
    // Without options the rule does nothing.
    { filename: protocol, code: "import fs from 'node:fs';" },
  ],
  invalid: [
    {
      filename: protocol,
      options,
      code: "import { readFile } from 'node:fs/promises';",
      errors: [{ messageId: 'nodeBuiltin', data: { source: 'node:fs/promises', zone: 'web-standard' } }],
    },
    {
      filename: protocol,
      options,
      code: "import path from 'path'; import { createHash } from 'crypto';",
      errors: [
        { messageId: 'nodeBuiltin', data: { source: 'path', zone: 'web-standard' } },
        { messageId: 'nodeBuiltin', data: { source: 'crypto', zone: 'web-standard' } },
      ],
    },
    {
      filename: sdk,
      options,
      code: "export { pipeline } from 'stream/promises'; export * from 'node:events';",
      errors: [
        { messageId: 'nodeBuiltin', data: { source: 'stream/promises', zone: 'web-standard' } },
        { messageId: 'nodeBuiltin', data: { source: 'node:events', zone: 'web-standard' } },
      ],
    },
    {
      // A value specifier keeps the import alive at runtime even beside type ones.
      filename: protocol,
      options,
      code: "import { type Stats, statSync } from 'node:fs'; export { statSync };",
      errors: [{ messageId: 'nodeBuiltin', data: { source: 'node:fs', zone: 'web-standard' } }],
    },
    {
      filename: sdk,
      options,
      code: "export const fs = await import('node:fs'); export const os = await import(`os`);",
      errors: [
        { messageId: 'nodeBuiltin', data: { source: 'node:fs', zone: 'web-standard' } },
        { messageId: 'nodeBuiltin', data: { source: 'os', zone: 'web-standard' } },
      ],
    },
    {
      filename: at('core/src/protocol/legacy.js'),
      options,
      code: "const fs = require('fs'); module.exports = fs;",
      errors: [{ messageId: 'nodeBuiltin', data: { source: 'fs', zone: 'web-standard' } }],
    },
    {
      filename: protocol,
      options,
      code: "import os = require('node:os'); export const n = os.EOL;",
      errors: [{ messageId: 'nodeBuiltin', data: { source: 'node:os', zone: 'web-standard' } }],
    },
    {
      filename: protocol,
      options,
      code: "import Database from 'better-sqlite3'; import keytar from 'keytar';",
      errors: [
        { messageId: 'nodeOnlyPackage', data: { source: 'better-sqlite3', zone: 'web-standard' } },
        { messageId: 'nodeOnlyPackage', data: { source: 'keytar', zone: 'web-standard' } },
      ],
    },
    {
      filename: renderer,
      options,
      code: "import { ipcRenderer } from 'electron'; import { app } from 'electron/main';",
      errors: [
        { messageId: 'electron', data: { source: 'electron', zone: 'renderer' } },
        { messageId: 'electron', data: { source: 'electron/main', zone: 'renderer' } },
      ],
    },
    {
      filename: renderer,
      options,
      code: "import { join } from 'node:path';",
      errors: [{ messageId: 'nodeBuiltin', data: { source: 'node:path', zone: 'renderer' } }],
    },
    {
      filename: preload,
      options,
      code: "import { contextBridge } from 'electron'; import { readFileSync } from 'fs';",
      errors: [{ messageId: 'nodeBuiltin', data: { source: 'fs', zone: 'preload' } }],
    },
    {
      filename: sdk,
      options,
      code: "import { encrypt } from '@dme/core/crypto';",
      errors: [{ messageId: 'forbiddenPackage', data: { source: '@dme/core/crypto', zone: 'web-standard' } }],
    },
    {
      // Climbing out of the zone into Node-side crypto.
      filename: protocol,
      options,
      code: "import { wrap } from '../crypto/age/header.js';",
      errors: [
        {
          messageId: 'outOfZone',
          data: {
            source: '../crypto/age/header.js',
            target: 'core/src/crypto/age/header.js',
            zone: 'web-standard',
            forbid: 'node+electron+dom',
          },
        },
      ],
    },
    {
      // The preload forbids less than the renderer, so the renderer may not import it.
      filename: renderer,
      options,
      code: "export * from '../preload/api';",
      errors: [
        {
          messageId: 'outOfZone',
          data: { source: '../preload/api', target: 'desktop/src/preload/api', zone: 'renderer', forbid: 'node+electron' },
        },
      ],
    },
    {
      filename: protocol,
      options,
      code: "const s = window.location.href; document.body.append(s); localStorage.clear();",
      errors: [
        { messageId: 'domGlobal', data: { name: 'window', zone: 'web-standard' } },
        { messageId: 'domGlobal', data: { name: 'document', zone: 'web-standard' } },
        { messageId: 'domGlobal', data: { name: 'localStorage', zone: 'web-standard' } },
      ],
    },
    {
      filename: sdk,
      options,
      code: "export const copy = (t: string) => navigator.clipboard.writeText(t);",
      errors: [{ messageId: 'domGlobal', data: { name: 'navigator.clipboard', zone: 'web-standard' } }],
    },
    {
      filename: at('desktop/src/renderer/util.ts'),
      options,
      code: "export const big = Buffer.alloc(1); export const env = process.env.HOME;",
      errors: [
        { messageId: 'nodeGlobal', data: { name: 'Buffer', zone: 'renderer' } },
        { messageId: 'nodeGlobal', data: { name: 'process', zone: 'renderer' } },
      ],
    },
  ],
});
