/**
 * @module node/webhook-sender
 * The Node webhook sender: node:http(s) with a `lookup` hook that resolves
 * the target name and refuses the connection if ANY answer is not a public
 * address (webhooks/ssrf.ts), at connect time, so a DNS answer cannot change
 * between the check and the connection. Literal IPs never reach `lookup`;
 * the worker checks them before sending. Redirects are not followed; the
 * response body is read up to 64 KiB and dropped.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isPublicAddress } from '../webhooks/ssrf.js';
import type { SendRequest, SendResult, WebhookSender } from '../webhooks/sender.js';

const MAX_BODY = 64 * 1024;

class RefusedAddressError extends Error {
  readonly code = 'EDMEPRIVATE';
}

/** Resolves all addresses and fails unless every one is public. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...(options as LookupOptions), all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => !isPublicAddress(a.address));
    if (bad || list.length === 0) {
      return callback(new RefusedAddressError(`refused: ${hostname} resolves to non-public address ${bad?.address ?? '(none)'}`), '', 0);
    }
    if ((options as LookupOptions).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    const first = list[0]!;
    callback(null, first.address, first.family);
  });
};

export function nodeWebhookSender(opts: { devMode: boolean }): WebhookSender {
  return {
    send(req: SendRequest): Promise<SendResult> {
      return new Promise((resolve) => {
        const url = new URL(req.url);
        const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
        let settled = false;
        const done = (r: SendResult) => {
          if (!settled) {
            settled = true;
            resolve(r);
          }
        };
        const r = request(
          url,
          {
            method: 'POST',
            headers: { ...req.headers, 'content-length': String(Buffer.byteLength(req.body)) },
            timeout: req.timeoutMs,
            // In development mode loopback receivers are allowed: plain system lookup.
            ...(opts.devMode ? {} : { lookup: guardedLookup }),
          },
          (res) => {
            let seen = 0;
            res.on('data', (chunk: Buffer) => {
              seen += chunk.length;
              if (seen > MAX_BODY) res.destroy();
            });
            const status = res.statusCode ?? null;
            const finish = () => done({ status, error: status !== null && status >= 300 && status < 400 ? `redirect refused (HTTP ${status})` : null });
            res.on('end', finish);
            res.on('close', finish);
            res.on('error', finish);
          },
        );
        r.on('timeout', () => r.destroy(new Error(`timed out after ${req.timeoutMs} ms`)));
        r.on('error', (err) => done({ status: null, error: err.message }));
        r.end(req.body);
      });
    },
  };
}
