/**
 * HTTP control endpoints of the gateway simulator: inboxes, fault settings, counters and
 * inbound SMS. They are not part of Vonage's API and need no credentials.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';

import {
  type GatewayFaults,
  InvalidFaultSettingsError,
  parseFaultPatch,
} from './fault-settings.js';
import type { InboundSms } from './inbound-sms.js';
import type { GatewayStats } from './request-stats.js';
import type { InboxMessage } from './sms-inbox.js';

/** Simulator operations that the control endpoints expose. */
export interface SimulatorControls {
  inbox(digits: string): InboxMessage[];
  inboxes(): Record<string, InboxMessage[]>;
  clearInbox(): void;
  faults(): GatewayFaults;
  setFaults(patch: Partial<GatewayFaults>): void;
  resetFaults(): void;
  stats(): GatewayStats;
  sendInbound(from: string, text: string): Promise<InboundSms>;
}

const PHONE_DIGITS = /^\+?\d+$/;

/**
 * Creates the router for `GET|DELETE /inbox`, `GET /inbox/{digits}`, `GET|PUT|DELETE /faults`,
 * `GET /stats` and `POST /inbound`. `PUT /faults` changes only the fields present in its JSON
 * body. `POST /inbound` takes `{"from": "<digits>", "text": "STOP"}` and posts that inbound
 * SMS to `inboundUrl`.
 */
export function createControlRouter(controls: SimulatorControls, logger: Logger): Router {
  const router = express.Router();

  router.get('/inbox', (_req, res) => {
    res.json(controls.inboxes());
  });
  router.delete('/inbox', (_req, res) => {
    controls.clearInbox();
    res.status(204).end();
  });
  router.get('/inbox/:number', (req, res) => sendInbox(controls, logger, req, res));

  router.get('/faults', (_req, res) => {
    res.json(controls.faults());
  });
  router.put('/faults', express.json(), (req, res) => updateFaults(controls, logger, req, res));
  router.delete('/faults', (_req, res) => {
    controls.resetFaults();
    res.status(204).end();
  });

  router.get('/stats', (_req, res) => {
    res.json(controls.stats());
  });
  router.post('/inbound', express.json(), (req, res) => sendInbound(controls, logger, req, res));
  return router;
}

function sendInbox(
  controls: SimulatorControls,
  logger: Logger,
  req: Request,
  res: Response,
): void {
  const number = String(req.params.number);
  if (!PHONE_DIGITS.test(number)) {
    logger.warn('rejected an inbox request for an invalid phone number');
    res.status(400).json({
      error: `phone number "${number}" is invalid; use digits with an optional leading +`,
    });
    return;
  }
  res.json(controls.inbox(number.replace(/^\+/, '')));
}

function updateFaults(
  controls: SimulatorControls,
  logger: Logger,
  req: Request,
  res: Response,
): void {
  // express.json() leaves the body undefined when the Content-Type is not JSON.
  if (req.body === undefined) {
    const contentType = req.headers['content-type'];
    logger.warn({ contentType }, 'rejected fault settings without a JSON body');
    res.status(400).json({
      error: 'PUT /faults needs a JSON object body sent with Content-Type: application/json',
    });
    return;
  }
  try {
    controls.setFaults(parseFaultPatch(req.body));
  } catch (error) {
    if (error instanceof InvalidFaultSettingsError) {
      logger.warn({ field: error.field }, 'rejected invalid fault settings');
      res.status(400).json({ error: error.message });
      return;
    }
    throw error;
  }
  res.json(controls.faults());
}

async function sendInbound(
  controls: SimulatorControls,
  logger: Logger,
  req: Request,
  res: Response,
): Promise<void> {
  const body = (req.body ?? {}) as { from?: unknown; text?: unknown };
  if (typeof body.from !== 'string' || !PHONE_DIGITS.test(body.from) ||
    typeof body.text !== 'string') {
    logger.warn('rejected an inbound SMS request without a valid from and text');
    res.status(400).json({
      error: 'POST /inbound needs a JSON body such as {"from": "16175551234", "text": "STOP"}',
    });
    return;
  }
  if (controls.faults().inboundUrl === null) {
    logger.warn('rejected an inbound SMS request while inboundUrl is null');
    res.status(409).json({ error: 'inboundUrl is null; set it with PUT /faults first' });
    return;
  }
  try {
    res.json(await controls.sendInbound(body.from, body.text));
  } catch (error) {
    logger.warn({ err: error }, 'inbound SMS was not delivered');
    res.status(502).json({ error: 'inboundUrl did not accept the inbound SMS; see the log' });
  }
}
