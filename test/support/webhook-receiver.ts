import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait-for.js';

/** One request the receiver got: its path with query string, and its parsed JSON body. */
export interface ReceivedWebhook {
  path: string;
  contentType: string | undefined;
  body: Record<string, string>;
}

/**
 * A loopback HTTP server that records every JSON POST it gets, standing in for the service's
 * webhook endpoints. It responds 204, or 500 while `failuresLeft` is above 0.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Requests still to fail with 500 before the receiver accepts again. */
  failuresLeft = 0;
  /** Every request that arrived, failed ones included. */
  attempts = 0;
  private server: http.Server | null = null;
  private port = 0;

  url(path = '/webhook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async start(): Promise<this> {
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Waits until `count` webhooks have been accepted, or fails after `timeoutMs`. */
  async waitForCount(count: number, timeoutMs = 5000): Promise<ReceivedWebhook[]> {
    await waitFor(() => this.received.length >= count, `${count} webhooks`, timeoutMs);
    return this.received;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.attempts += 1;
      if (this.failuresLeft > 0) {
        this.failuresLeft -= 1;
        res.writeHead(500).end();
        return;
      }
      this.received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>,
      });
      res.writeHead(204).end();
    });
  }
}
