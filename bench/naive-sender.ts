/**
 * Baseline of the naive scenario: an Express handler that sends each user's two SMS with the
 * Vonage SDK, one call after the other and one user after the other, inside the request.
 * Runs as its own process:
 *
 *   PORT=... VONAGE_REST_URL=... node --import tsx bench/naive-sender.ts
 *
 * `POST /send` takes `{"users": [{"phone_number": "..."}]}` and returns `{"sent": n, "failed": n}`
 * once every user is done.
 */
import type { Vonage } from '@vonage/server-sdk';
import express from 'express';
import { createSimulatorVonage, sendBothMessages } from './baseline-sdk.js';

interface SendRequest {
  users?: { phone_number?: string }[];
}

function createNaiveApp(vonage: Vonage): express.Express {
  const app = express();
  app.use(express.json({ limit: '4mb' }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.post('/send', async (req, res) => {
    const users = (req.body as SendRequest).users ?? [];
    let sent = 0;
    let failed = 0;
    for (const user of users) {
      try {
        await sendBothMessages(vonage, user.phone_number ?? '');
        sent += 1;
      } catch {
        failed += 1;
      }
    }
    res.json({ sent, failed });
  });
  return app;
}

if (process.argv[1]?.endsWith('naive-sender.ts')) {
  const restHost = process.env.VONAGE_REST_URL;
  const port = Number(process.env.PORT);
  if (!restHost || !Number.isInteger(port)) throw new Error('set VONAGE_REST_URL and PORT');
  const vonage = createSimulatorVonage(restHost);
  const server = createNaiveApp(vonage).listen(port, '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
