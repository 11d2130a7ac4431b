/**
 * @module shared/contract
 * The desktop API contract, declared once (CONVENTIONS lesson 3) and used by
 * Electron main, the preload, the renderer and the browser-mode agent.
 *
 * - `DesktopMethod`: the string-literal union of method names.
 * - `DesktopApi`: each method as `(args) => Promise<Result<value>>`.
 * - `DesktopBridge`: the ONE object the preload exposes as `window.dme` (and
 *   the shape the renderer's HTTP transport also implements): `call` plus
 *   `onEvent` for the push channel.
 * - `parseArgs`: the gate every transport passes arguments through.
 *
 * Transports (both answer with a Result, never throw across the boundary):
 * - Electron IPC: channel `dme:<method>` via ipcRenderer.invoke; events on `dme:event`.
 * - HTTP agent: see ./transport.ts.
 */
import type { z } from 'zod';
import { METHODS } from './methods.js';
import type { DesktopEvent } from './events.js';
import { err, ok } from './result.js';
import type { Result } from './result.js';

export * from './result.js';
export * from './models.js';
export * from './methods.js';
export * from './events.js';
export * from './transport.js';

export type DesktopMethod = keyof typeof METHODS;
export const DESKTOP_METHODS = Object.keys(METHODS) as DesktopMethod[];

/** What a caller passes (defaults optional). */
export type ArgsIn<M extends DesktopMethod> = z.input<(typeof METHODS)[M]['args']>;
/** What a handler receives (after parsing: defaults filled in). */
export type ArgsOf<M extends DesktopMethod> = z.output<(typeof METHODS)[M]['args']>;
export type ValueOf<M extends DesktopMethod> = z.output<(typeof METHODS)[M]['result']>;

export type DesktopApi = { [M in DesktopMethod]: (args: ArgsIn<M>) => Promise<Result<ValueOf<M>>> };

/** Server side: one handler per method, receiving parsed args, returning the value or throwing DesktopError. */
export type DesktopHandlers = { [M in DesktopMethod]: (args: ArgsOf<M>) => Promise<ValueOf<M>> };

export interface DesktopBridge {
  call<M extends DesktopMethod>(method: M, args: ArgsIn<M>): Promise<Result<ValueOf<M>>>;
  /** Subscribe to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: DesktopEvent) => void): () => void;
}

export const IPC_PREFIX = 'dme:';
export const IPC_EVENT_CHANNEL = 'dme:event';

export function isDesktopMethod(name: unknown): name is DesktopMethod {
  return typeof name === 'string' && Object.hasOwn(METHODS, name);
}

/** Validates untrusted arguments for `method`; the error message names the first bad field. */
export function parseArgs<M extends DesktopMethod>(method: M, args: unknown): Result<ArgsOf<M>> {
  const parsed = METHODS[method].args.safeParse(args ?? {});
  if (parsed.success) return ok(parsed.data as ArgsOf<M>);
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return err('BAD_REQUEST', `Invalid arguments for ${method}: ${where}${issue?.message ?? 'not accepted'}`);
}

/** The typed proxy: `api['catalog.list']({ q })` over any bridge. */
export function createApiProxy(bridge: Pick<DesktopBridge, 'call'>): DesktopApi {
  const api: Record<string, (args: unknown) => Promise<unknown>> = {};
  for (const name of DESKTOP_METHODS) api[name] = (args) => bridge.call(name, args as never);
  return api as DesktopApi;
}
