/**
 * Test servers on 127.0.0.1 that answer by path from a table: a request
 * handler (404 for a path not in the table) and `listen`, which resolves
 * with the port. For the net/ tests of the SDK's HTTP clients.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Server } from 'node:net';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export function routeHandler(routes: Record<string, Route>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (!route) {
      res.writeHead(404);
      res.end();
      return;
    }
    void route(req, res);
  };
}

/** Listens on a free port of 127.0.0.1. */
export async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}
