/**
 * @module shared/transport
 * The browser-mode wire protocol between the renderer and the local agent
 * (127.0.0.1 only). Constants here, implementation in apps/desktop/src/agent.
 *
 * - Every /api/* request carries the per-run token: header `x-dme-token`, or
 *   the `dme_token_<port>` cookie the agent sets when the page is opened with
 *   `?token=<token>` (then redirects to drop it from the address bar).
 *   Cookies do not separate by port, so the name carries it: two agents in
 *   one browser profile each keep their own token.
 * - `POST /api/call/<method>` with a JSON body of args → 200 with a Result
 *   JSON (`{ ok: true, value }` or `{ ok: false, error }`); 400 invalid args,
 *   404 unknown method, 401 bad token, 403 bad Host — all still Result-shaped.
 * - `GET /api/events` → text/event-stream; each message `event: <type>`,
 *   `data: <DesktopEvent JSON>`; comment lines keep the connection alive.
 * - `POST /api/upload?name=<file name>` with the raw file bytes as the body
 *   → `{ ok: true, value: { uploadId, name, size } }`; then pass
 *   `{ kind: 'upload', uploadId, name }` to `publish.files`.
 * - `GET /api/download/<id>` → the CSV a `data.exportCsv` call prepared.
 */
export const TOKEN_HEADER = 'x-dme-token';
export const TOKEN_COOKIE_PREFIX = 'dme_token_';
/** The token cookie's name for the agent listening on `port`. */
export const tokenCookie = (port: number): string => `${TOKEN_COOKIE_PREFIX}${port}`;
export const TOKEN_QUERY = 'token';
export const API_CALL_PATH = '/api/call/';
export const API_EVENTS_PATH = '/api/events';
export const API_UPLOAD_PATH = '/api/upload';
export const API_DOWNLOAD_PATH = '/api/download/';
/** Largest browser upload the agent accepts (bytes). */
export const UPLOAD_LIMIT_BYTES = 10 * 1024 ** 3;

export type UploadResult = { uploadId: string; name: string; size: number };
