/**
 * `dme/import-boundary`: code in a runtime zone imports only what that runtime
 * has. `protocol/`, `sdk/` and a few crypto files run on Node, in the hub on
 * workerd and in the renderer, so they may use neither Node, Electron nor the
 * DOM; the renderer may use the DOM but not Node; the preload may use Electron.
 *
 * Checks `import`, `export … from`, `import()`, `require()`, DOM-only and
 * Node-only globals, and relative imports that climb out of a zone into code
 * bound by fewer limits (the target's zone must forbid at least as much).
 *
 * Type-only imports are allowed: `verbatimModuleSyntax` guarantees they are
 * erased, so they cannot drag a runtime dependency in.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import { candidateFiles, compatible, compileZones, relativePosix, zoneOf } from './zones.js';

/** @typedef {import('./zones.js').Zone} Zone */
/** @typedef {import('./zones.js').ZoneConfig} ZoneConfig */
/** @typedef {import('eslint').Rule.RuleModule} RuleModule */
/** @typedef {import('eslint').Rule.RuleContext} RuleContext */
/** @typedef {import('estree').Node} Node */

const BUILTINS = new Set(builtinModules);

/** Packages that load native Node addons or the Electron runtime. */
export const NODE_ONLY_PACKAGES = ['better-sqlite3', 'keytar'];

/**
 * Globals that exist only in a browser page (not in Node, workerd or a web
 * worker). Kept short on purpose: each is a real portability trap, not trivia.
 */
export const DOM_GLOBALS = [
  'window',
  'document',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'location',
  'history',
  'alert',
  'confirm',
  'prompt',
  'XMLHttpRequest',
  'DOMParser',
  'HTMLElement',
  'customElements',
  'requestAnimationFrame',
  'getComputedStyle',
];

/** `navigator` itself exists on Node and workerd; these members do not. */
export const DOM_NAVIGATOR_MEMBERS = ['clipboard', 'serviceWorker', 'geolocation'];

/** Node globals that have no web-standard equivalent under the same name. */
export const NODE_GLOBALS = ['process', 'Buffer', '__dirname', '__filename', 'global', 'setImmediate'];

/** @param {string} spec */
export function isNodeBuiltin(spec) {
  if (spec.startsWith('node:')) return true;
  return BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0] ?? spec);
}

/** @param {string} spec @param {string} pkg */
function isPackage(spec, pkg) {
  return spec === pkg || spec.startsWith(`${pkg}/`);
}

/** @type {RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Keep runtime zones (web-standard, renderer, preload) free of imports and globals their runtime lacks',
    },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          zones: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                files: { type: 'array', items: { type: 'string' }, minItems: 1 },
                ignores: { type: 'array', items: { type: 'string' } },
                forbid: { type: 'array', items: { enum: ['node', 'electron', 'dom'] }, uniqueItems: true },
                packages: { type: 'array', items: { type: 'string' } },
              },
              required: ['name', 'files', 'forbid'],
              additionalProperties: false,
            },
          },
        },
        required: ['zones'],
        additionalProperties: false,
      },
    ],
    messages: {
      nodeBuiltin: "'{{source}}' is a Node built-in; {{zone}} code must run without Node (use a web-standard API or move this code to a Node folder).",
      nodeOnlyPackage: "'{{source}}' is a Node-only package; {{zone}} code must run without Node.",
      electron: "'{{source}}' is Electron; {{zone}} code must run outside Electron.",
      forbiddenPackage: "'{{source}}' is not available to {{zone}} code (listed in the zone's forbidden packages).",
      outOfZone: "'{{source}}' resolves to {{target}}, outside the limits of {{zone}}; import only files whose zone forbids at least {{forbid}}.",
      domGlobal: "'{{name}}' is a DOM-only global; {{zone}} code must also run outside a browser page.",
      nodeGlobal: "'{{name}}' is a Node global; {{zone}} code must run without Node.",
    },
  },

  create(context) {
    const options = /** @type {{ root?: string, zones: ZoneConfig[] }} */ (context.options[0] ?? { zones: [] });
    const root = options.root ?? context.cwd;
    const zones = compileZones(options.zones);
    const found = zoneOf(zones, relativePosix(root, context.filename));
    if (!found) return {};
    /** @type {Zone} a fresh binding, so closures below see it narrowed */
    const zone = found;
    const forbidNode = zone.forbid.includes('node');
    const forbidElectron = zone.forbid.includes('electron');
    const forbidDom = zone.forbid.includes('dom');
    const label = zone.name;

    /** @param {Node} node @param {string} source */
    function checkSource(node, source) {
      if (forbidNode && isNodeBuiltin(source)) {
        context.report({ node, messageId: 'nodeBuiltin', data: { source, zone: label } });
      } else if (forbidNode && NODE_ONLY_PACKAGES.some((p) => isPackage(source, p))) {
        context.report({ node, messageId: 'nodeOnlyPackage', data: { source, zone: label } });
      } else if (forbidElectron && isPackage(source, 'electron')) {
        context.report({ node, messageId: 'electron', data: { source, zone: label } });
      } else if ((zone.packages ?? []).some((p) => isPackage(source, p))) {
        context.report({ node, messageId: 'forbiddenPackage', data: { source, zone: label } });
      } else if (source.startsWith('./') || source.startsWith('../')) {
        checkRelative(node, source);
      }
    }

    /** @param {Node} node @param {string} source */
    function checkRelative(node, source) {
      const abs = path.resolve(path.dirname(context.filename), source);
      const candidates = candidateFiles(abs);
      if (candidates.length === 0) return;
      const ok = candidates.some((f) => compatible(zone, zoneOf(zones, relativePosix(root, f))));
      if (ok) return;
      context.report({
        node,
        messageId: 'outOfZone',
        data: { source, target: relativePosix(root, abs), zone: label, forbid: zone.forbid.join('+') },
      });
    }

    /** @param {Node | null | undefined} arg */
    function literalString(arg) {
      if (!arg) return undefined;
      if (arg.type === 'Literal' && typeof arg.value === 'string') return arg.value;
      if (arg.type === 'TemplateLiteral' && arg.expressions.length === 0) return arg.quasis[0]?.value.cooked ?? undefined;
      return undefined;
    }

    /**
     * `import type` / `export type` only. `import { type A } from 'x'` is NOT
     * type-only: under verbatimModuleSyntax it compiles to `import {} from 'x'`,
     * which still loads 'x' at runtime.
     * typescript-eslint adds `importKind`/`exportKind`; plain ESTree lacks them.
     * @param {Node} node
     */
    function typeOnly(node) {
      const n = /** @type {{ importKind?: string, exportKind?: string }} */ (/** @type {unknown} */ (node));
      return n.importKind === 'type' || n.exportKind === 'type';
    }

    /** @param {Node & { source?: Node | null }} node */
    function onModuleSource(node) {
      if (typeOnly(node)) return;
      const source = literalString(node.source);
      if (source !== undefined && node.source) checkSource(node.source, source);
    }

    /** @type {import('eslint').Rule.RuleListener} */
    const listeners = {
      ImportDeclaration: onModuleSource,
      ExportNamedDeclaration: onModuleSource,
      ExportAllDeclaration: onModuleSource,
      ImportExpression(node) {
        const source = literalString(node.source);
        if (source !== undefined) checkSource(node.source, source);
      },
      CallExpression(node) {
        if (node.callee.type !== 'Identifier' || node.callee.name !== 'require') return;
        const source = literalString(node.arguments[0]);
        if (source !== undefined && node.arguments[0]) checkSource(node.arguments[0], source);
      },
      // `import fs = require('fs')` (TypeScript's CommonJS form; not an ESTree node type).
      /** @param {unknown} node */
      TSExternalModuleReference(node) {
        const ref = /** @type {{ expression: Node, parent?: { importKind?: string } }} */ (node);
        if (ref.parent?.importKind === 'type') return;
        const source = literalString(ref.expression);
        if (source !== undefined) checkSource(ref.expression, source);
      },
      'Program:exit'(program) {
        checkGlobals(program);
      },
    };
    if (forbidDom) {
      listeners.MemberExpression = (node) => {
        if (node.object.type !== 'Identifier' || node.property.type !== 'Identifier' || node.computed) return;
        if (node.object.name !== 'navigator' || !DOM_NAVIGATOR_MEMBERS.includes(node.property.name)) return;
        if (!isGlobal(node.object)) return;
        const name = `navigator.${node.property.name}`;
        context.report({ node, messageId: 'domGlobal', data: { name, zone: label } });
      };
    }

    /**
     * True when the identifier is not declared by the file itself.
     * @param {import('estree').Identifier} id
     */
    function isGlobal(id) {
      let scope = /** @type {import('eslint').Scope.Scope | null} */ (context.sourceCode.getScope(id));
      for (; scope; scope = scope.upper) {
        const v = scope.set.get(id.name);
        if (v) return v.defs.length === 0;
      }
      return true;
    }

    /** @param {Node} program */
    function checkGlobals(program) {
      const names = new Map();
      if (forbidDom) for (const n of DOM_GLOBALS) names.set(n, 'domGlobal');
      if (forbidNode) for (const n of NODE_GLOBALS) names.set(n, 'nodeGlobal');
      if (names.size === 0) return;
      const global = context.sourceCode.getScope(program);
      // Unresolved references plus references to configured (declaration-less) globals.
      const refs = [...global.through];
      for (const v of global.variables) if (v.defs.length === 0) refs.push(...v.references);
      for (const ref of refs) {
        const messageId = names.get(ref.identifier.name);
        if (!messageId) continue;
        // typescript-eslint marks `let x: Document` as a type reference: no runtime use.
        const r = /** @type {{ isValueReference?: boolean }} */ (/** @type {unknown} */ (ref));
        if (r.isValueReference === false) continue;
        context.report({ node: ref.identifier, messageId, data: { name: ref.identifier.name, zone: label } });
      }
    }

    return listeners;
  },
};

export default rule;
