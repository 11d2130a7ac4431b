/**
 * The renderer's only door to the app: the typed desktop API. Inside Electron
 * it is the preload's `window.dme`; in a browser it is the local agent over
 * HTTP + SSE. Same calls, same `{ ok, value | error }` results either way.
 * Screens call `call()` (throws ApiFailure) or `api[...]` (Result).
 */
import type { ArgsIn, DesktopApi, DesktopBridge, DesktopMethod, ValueOf } from '../shared/contract.js';
import type { ApiError } from '../shared/result.js';
import { createHttpBridge } from './api-http.js';
import type { HttpBridge } from './api-http.js';

declare global {
  interface Window {
    dme?: DesktopBridge;
  }
}

const electron = typeof window !== 'undefined' ? window.dme : undefined;
const http: HttpBridge | undefined = electron ? undefined : createHttpBridge();

export const bridge: DesktopBridge = electron ?? (http as HttpBridge);
export const mode: 'electron' | 'browser' = electron ? 'electron' : 'browser';

/** Browser mode only: streams a dropped file to the agent. Undefined in Electron, which passes paths. */
export const uploadFile = http?.upload.bind(http);

/** A failed call, carrying the API error so screens can word it (errors.ts). */
export class ApiFailure extends Error {
  readonly code: string;
  constructor(readonly error: ApiError) {
    super(error.message);
    this.name = 'ApiFailure';
    this.code = error.code;
  }
}

/** Calls a method and returns its value, or throws ApiFailure. */
export async function call<M extends DesktopMethod>(method: M, args: ArgsIn<M>): Promise<ValueOf<M>> {
  const r = await bridge.call(method, args);
  if (!r.ok) throw new ApiFailure(r.error);
  return r.value;
}

/** The Result-returning proxy, `api['catalog.list']({ q })`, without shipping the schemas to the page. */
export const api = new Proxy({} as DesktopApi, {
  get: (_t, name) => (args: unknown) => bridge.call(name as DesktopMethod, args as never),
});
