/**
 * The browser-mode transport: the DesktopBridge over HTTP to the local agent
 * (shared/transport.ts describes the wire). The token comes from the page
 * URL's `?token=` (kept in memory) or the cookie the agent set; the cookie
 * rides along by itself because the page and the API share one origin.
 * Invariant: every call answers with a Result, never throws, like IPC.
 */
import type { DesktopBridge, DesktopMethod, ArgsIn, ValueOf } from '../shared/contract.js';
import type { DesktopEvent } from '../shared/events.js';
import type { Result } from '../shared/result.js';
import { API_CALL_PATH, API_EVENTS_PATH, API_UPLOAD_PATH, TOKEN_HEADER, TOKEN_QUERY } from '../shared/transport.js';
import type { UploadResult } from '../shared/transport.js';

type Listener = (event: DesktopEvent) => void;

function tokenFromPage(): string | undefined {
  return new URLSearchParams(location.search).get(TOKEN_QUERY) ?? undefined;
}

function failure(code: string, message: string): { ok: false; error: { code: never; message: string } } {
  // Transport-level codes (agent down, bad token) are not part of ERROR_CODES; errors.ts words them.
  return { ok: false, error: { code: code as never, message } };
}

export interface HttpBridge extends DesktopBridge {
  /** Streams one file to the agent, reporting bytes sent; resolves with its upload id. */
  upload(file: File, onProgress: (sent: number, total: number) => void): Promise<Result<UploadResult>>;
}

export function createHttpBridge(base = ''): HttpBridge {
  const token = tokenFromPage();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers[TOKEN_HEADER] = token;
  const listeners = new Set<Listener>();
  let source: EventSource | undefined;

  function openEvents() {
    const url = `${base}${API_EVENTS_PATH}${token ? `?${TOKEN_QUERY}=${encodeURIComponent(token)}` : ''}`;
    source = new EventSource(url, { withCredentials: true });
    // Every event type arrives as a named SSE event; the data is the whole DesktopEvent.
    source.onmessage = (m) => dispatch(m.data);
    const types: DesktopEvent['type'][] = ['session', 'sync.state', 'transfer', 'import.progress', 'imported', 'publish.queue', 'subscribers.changed', 'subscriptions.changed', 'error', 'navigate'];
    for (const t of types) source.addEventListener(t, (m) => dispatch((m as MessageEvent<string>).data));
  }

  function dispatch(data: string) {
    let event: DesktopEvent;
    try {
      event = JSON.parse(data) as DesktopEvent;
    } catch {
      return;
    }
    for (const l of listeners) l(event);
  }

  return {
    async call<M extends DesktopMethod>(method: M, args: ArgsIn<M>): Promise<Result<ValueOf<M>>> {
      let res: Response;
      try {
        res = await fetch(`${base}${API_CALL_PATH}${method}`, { method: 'POST', headers, body: JSON.stringify(args ?? {}), credentials: 'same-origin' });
      } catch {
        return failure('AGENT_UNREACHABLE', 'The DME background service is not answering.');
      }
      if (res.status === 401) return failure('BAD_TOKEN', 'missing or wrong access token');
      try {
        return (await res.json()) as Result<ValueOf<M>>;
      } catch {
        return failure('INTERNAL', `The background service answered ${res.status} without a result.`);
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      if (!source) openEvents();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) {
          source?.close();
          source = undefined;
        }
      };
    },
    upload(file, onProgress) {
      // XHR, not fetch: fetch cannot report upload progress.
      return new Promise((resolve) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', `${base}${API_UPLOAD_PATH}?name=${encodeURIComponent(file.name)}`);
        if (token) xhr.setRequestHeader(TOKEN_HEADER, token);
        xhr.setRequestHeader('content-type', 'application/octet-stream');
        xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
        xhr.onerror = () => resolve(failure('AGENT_UNREACHABLE', 'The upload to the background service failed.'));
        xhr.onload = () => {
          try {
            resolve(JSON.parse(xhr.responseText) as Result<UploadResult>);
          } catch {
            resolve(failure('INTERNAL', `The upload answered ${xhr.status} without a result.`));
          }
        };
        xhr.send(file);
      });
    },
  };
}
