import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../log/logger.js';

export interface AdminDeps {
  readonly registry: Registry;
  /** Each named check resolves when healthy and rejects (with a reason) when not. */
  readonly readiness: Record<string, () => Promise<void>>;
  /** Refreshes gauges that are read from the store, just before a scrape. */
  readonly beforeScrape: () => Promise<void>;
  readonly log: Logger;
}

/**
 * The admin listener (loopback by default): /healthz (the process answers), /readyz (store
 * reachable, listeners up) and /metrics (Prometheus). Later issues add the review API here.
 */
export class AdminServer {
  readonly #server: Server;

  constructor(private readonly deps: AdminDeps) {
    this.#server = createServer((req, res) => {
      this.#route(req, res).catch((err: unknown) => {
        deps.log.error({ event: 'admin_error', err: (err as Error).message }, 'admin request failed');
        if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      });
    });
  }

  async listen(port: number, host: string): Promise<number> {
    this.#server.listen(port, host);
    await once(this.#server, 'listening');
    return (this.#server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://admin').pathname;
    if (!PATHS.has(path)) return send(res, 404, 'text/plain', 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'text/plain', 'method not allowed\n');
    }
    if (path === '/healthz') return send(res, 200, 'text/plain', 'ok\n');
    if (path === '/readyz') return this.#ready(res);
    await this.deps.beforeScrape();
    send(res, 200, this.deps.registry.contentType, await this.deps.registry.metrics());
  }

  async #ready(res: ServerResponse): Promise<void> {
    const checks: Record<string, string> = {};
    for (const [name, check] of Object.entries(this.deps.readiness)) {
      checks[name] = await check().then(
        () => 'ok',
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      );
    }
    const ready = Object.values(checks).every((v) => v === 'ok');
    send(res, ready ? 200 : 503, 'application/json', JSON.stringify({ ready, checks }) + '\n');
  }
}

/** Everything the admin listener serves (GET or HEAD); other paths are 404 whatever the method. */
const PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
