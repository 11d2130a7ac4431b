/**
 * @module webhooks/sender
 * How a signed delivery leaves the hub, behind an interface because the
 * safe way differs per runtime: Node resolves and checks every address
 * itself (node/webhook-sender.ts); Workers' fetch cannot reach private
 * networks. A sender never follows redirects: a 3xx is a failed attempt.
 */

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface SendResult {
  /** HTTP status; null when no answer was received. */
  status: number | null;
  /** Why the attempt failed (refused by the guard, timeout, connection error), if it did. */
  error: string | null;
}

export interface WebhookSender {
  send(req: SendRequest): Promise<SendResult>;
}

export const DELIVERY_TIMEOUT_MS = 10_000;

export function isSuccess(r: SendResult): boolean {
  return r.error === null && r.status !== null && r.status >= 200 && r.status < 300;
}
