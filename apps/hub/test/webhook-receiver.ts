/**
 * Test helpers for webhooks: a real HTTP receiver on 127.0.0.1 that answers
 * with scripted statuses and records every request, and an INDEPENDENT
 * Standard Webhooks verifier written from the specification with node:crypto
 * (it shares no code with the hub's signer or the SDK's verifier).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Status for the n-th request (0-based); the last entry repeats. */
  script: number[];
  close(): Promise<void>;
}

export async function startReceiver(script: number[] = [200]): Promise<Receiver> {
  const received: Received[] = [];
  const r: Receiver = { url: '', received, script, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const status = r.script[Math.min(received.length - 1, r.script.length - 1)] ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  r.close = () => new Promise<void>((done) => server.close(() => done()));
  return r;
}

/** Standard Webhooks v1 verification, from the spec: HMAC-SHA256 over `${id}.${timestamp}.${body}` keyed by base64-decoded whsec_ secret. */
export function independentlyVerify(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigHeader = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sigHeader !== 'string') return false;
  if (!/^\d+$/.test(ts)) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`, 'utf8').digest();
  return sigHeader.split(' ').some((part) => {
    const [version, sig] = part.split(',');
    if (version !== 'v1' || !sig) return false;
    const got = Buffer.from(sig, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}
