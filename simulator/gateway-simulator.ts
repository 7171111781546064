/**
 * Loopback stand-in for Vonage's SMS API (`POST /sms/json`) with an inbox per destination,
 * switchable faults and request counters, so that senders can be tested against the real
 * Vonage SDK without reaching Vonage.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import express, { type Request, type Response } from 'express';
import pino, { type Logger } from 'pino';

import { maskNumber } from '../shared/logger.js';
import { countSegments } from '../shared/sms-encoding.js';
import { createControlRouter, type SimulatorControls } from './control-routes.js';
import type { ReceiptSubject } from './delivery-receipt.js';
import { defaultFaults, type GatewayFaults, parseFaultPatch } from './fault-settings.js';
import { createErrorHandler, createNotFoundHandler } from './http-errors.js';
import { type InboundSms, inboundSms } from './inbound-sms.js';
import { ReceiptSender } from './receipt-sender.js';
import { type GatewayStats, RequestStats } from './request-stats.js';
import { type InboxMessage, SmsInbox } from './sms-inbox.js';
import { pickOutcome, type SmsOutcome } from './sms-outcome.js';
import { type GatewayCredentials, parseSmsRequest, type SmsSubmission } from './sms-request.js';
import {
  type AcceptedSegment,
  acceptedResponse,
  errorResponse,
  MESSAGE_PRICE,
  NETWORK_CODE,
  STATUS_THROTTLED,
  type SmsApiResponse,
} from './vonage-status.js';
import { WebhookPoster } from './webhook-poster.js';

/** Settings of a {@link GatewaySimulator}. */
export interface GatewaySimulatorOptions extends GatewayCredentials {
  /** Source of numbers in [0, 1) for the fault shares. Defaults to `Math.random`. */
  random?: () => number;
  /** Monotonic clock in milliseconds for the rolling second. Defaults to `performance.now`. */
  now?: () => number;
  /** Logger for request outcomes (debug) and failures. Defaults to a silent logger. */
  logger?: Logger;
}

/** Address a {@link GatewaySimulator} listens on. Pass `url` to the SDK as `restHost`. */
export interface ListeningAddress {
  port: number;
  url: string;
}

// A sample value in the shape Vonage sends. The simulator keeps no balance.
const REMAINING_BALANCE = '10.00000000';
// A scripted `timeout` with delayMs 0 responds after this long, past usual client timeouts.
const TIMEOUT_RESPONSE_DELAY_MS = 30_000;
const SMS_PATH = '/sms/json';
// `to` of an inbound SMS from a number that the simulator never messaged.
const DEFAULT_INBOUND_TO = 'CommCare';
const SERVER_ERROR_BODY = {
  error: 'Internal Server Error',
  detail: 'simulated by the serverErrorShare fault or a scripted "5xx" outcome',
};

/**
 * Simulator of Vonage's SMS API. Start it with {@link listen} and point the SDK's `restHost`
 * at the returned URL. See `createControlRouter` for the control endpoints.
 */
export class GatewaySimulator implements SimulatorControls {
  private readonly credentials: GatewayCredentials;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly requestStats: RequestStats;
  private readonly messages = new SmsInbox();
  private readonly webhooks: WebhookPoster;
  private readonly receipts: ReceiptSender;
  private currentFaults = defaultFaults();
  private readonly app: express.Express;
  private server: http.Server | null = null;
  // Aborted by close() so that delayed responses stop waiting.
  private closing = new AbortController();

  constructor(options: GatewaySimulatorOptions) {
    this.credentials = { apiKey: options.apiKey, apiSecret: options.apiSecret };
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.requestStats = new RequestStats(options.now ?? (() => performance.now()));
    this.webhooks = new WebhookPoster(this.logger);
    this.receipts = new ReceiptSender(this.webhooks, options.apiKey, this.random, this.logger);
    this.app = this.createApp();
  }

  /**
   * Starts listening and resolves once the port is bound.
   *
   * @param port - 0 picks a free port
   * @throws Error when already listening, or the listen error (such as EADDRINUSE)
   */
  async listen(port = 0, host = '127.0.0.1'): Promise<ListeningAddress> {
    if (this.server !== null) {
      throw new Error('GatewaySimulator is already listening; call close() before listen()');
    }
    const server = http.createServer(this.app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.logger.error({ err: error }, 'gateway simulator failed'));
    this.server = server;
    this.closing = new AbortController();

    const boundPort = (server.address() as AddressInfo).port;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    return { port: boundPort, url: `http://${urlHost}:${boundPort}` };
  }

  /**
   * Stops listening, drops open connections, abandons delayed responses and stops webhooks
   * that are waiting or in flight.
   */
  async close(): Promise<void> {
    await this.webhooks.close();
    const server = this.server;
    if (server === null) {
      return;
    }
    this.server = null;
    this.closing.abort();
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // Keep-alive connections would otherwise hold server.close() open until they time out.
      server.closeAllConnections();
    });
  }

  /** Returns the messages accepted for `digits` (a leading + is ignored), oldest first. */
  inbox(digits: string): InboxMessage[] {
    return this.messages.messagesFor(digits.replace(/^\+/, ''));
  }

  /** Returns every inbox keyed by destination digits. */
  inboxes(): Record<string, InboxMessage[]> {
    return this.messages.all();
  }

  /** Removes every stored message. */
  clearInbox(): void {
    this.messages.clear();
  }

  /** Returns a copy of the current fault settings, including unconsumed scripted outcomes. */
  faults(): GatewayFaults {
    return structuredClone(this.currentFaults);
  }

  /**
   * Changes the fault settings named in `patch` and keeps the others. A `rejectNumbers`,
   * `scripted` or `receiptStatus` map replaces the previous map.
   *
   * @throws InvalidFaultSettingsError when a field is unknown or out of range
   */
  setFaults(patch: Partial<GatewayFaults>): void {
    this.currentFaults = { ...this.currentFaults, ...parseFaultPatch(patch) };
  }

  /** Switches every fault off and drops scripted outcomes. */
  resetFaults(): void {
    this.currentFaults = defaultFaults();
  }

  /** Returns a copy of the request counters. */
  stats(): GatewayStats {
    return this.requestStats.snapshot();
  }

  /**
   * POSTs an inbound SMS from the phone `from` to `inboundUrl`, retrying failures. Its `to` is
   * the sender of the last message to that phone, or "CommCare" if there was none.
   *
   * @returns the inbound SMS as posted
   * @throws Error when `inboundUrl` is null or every attempt failed, or an AbortError when
   *   the simulator closes first
   */
  async sendInbound(from: string, text: string): Promise<InboundSms> {
    const url = this.currentFaults.inboundUrl;
    if (url === null) {
      throw new Error('inboundUrl is null; set it with setFaults or PUT /faults first');
    }
    const digits = from.replace(/^\+/, '');
    const lastMessage = this.messages.messagesFor(digits).at(-1);
    const message = inboundSms(digits, lastMessage?.from ?? DEFAULT_INBOUND_TO, text,
      this.credentials.apiKey, new Date());
    const label = { kind: 'inbound SMS', messageId: message.messageId } as const;
    if (!(await this.webhooks.post(url, message, label, this.webhooks.signal))) {
      throw new Error(`inbound SMS ${message.messageId} was not accepted by inboundUrl; ` +
        'see the debug log for each attempt');
    }
    this.logger.debug({ from: maskNumber(digits), messageId: message.messageId },
      'sent an inbound SMS');
    return message;
  }

  private createApp(): express.Express {
    const app = express();
    app.disable('x-powered-by');
    app.disable('etag');
    app.post(
      SMS_PATH,
      (_req, res, next) => {
        // Counted before body parsing so that malformed requests still count as arrivals.
        res.locals.requestsInWindow = this.requestStats.recordArrival();
        next();
      },
      express.json(),
      express.urlencoded({ extended: false }),
      (req, res) => this.handleSms(req, res),
    );
    app.use(createControlRouter(this, this.logger));
    app.use(createNotFoundHandler(this.logger));
    app.use(createErrorHandler(this.logger, (req) => {
      if (req.path === SMS_PATH) {
        this.requestStats.count('rejected');
      }
    }));
    return app;
  }

  private async handleSms(req: Request, res: Response): Promise<void> {
    const parsed = parseSmsRequest(req.headers.authorization, req.body, this.credentials);
    const delayMs = this.currentFaults.delayMs;
    if (!parsed.ok) {
      this.requestStats.count('rejected');
      this.logger.debug({ status: parsed.status }, 'rejected an invalid SMS request');
      const body = errorResponse(parsed.status, parsed.errorText);
      await this.respondAfterDelay(res, 200, body, delayMs);
      return;
    }

    const { submission } = parsed;
    const requestsInWindow = res.locals.requestsInWindow as number;
    const outcome = pickOutcome(this.currentFaults, submission.to, requestsInWindow, this.random);
    this.logger.debug({ to: maskNumber(submission.to), outcome }, 'handled an SMS request');
    await this.respondWithOutcome(res, submission, outcome);
  }

  private async respondWithOutcome(
    res: Response,
    submission: SmsSubmission,
    outcome: SmsOutcome,
  ): Promise<void> {
    const delayMs = this.currentFaults.delayMs;
    switch (outcome.kind) {
      case 'accept': {
        this.requestStats.count('accepted');
        const segments = this.storeMessage(submission);
        // Sent whether or not the response reaches the client, as a late one may not.
        this.receipts.send(segments.map((segment) => receiptSubject(submission, segment)),
          this.currentFaults);
        const body = acceptedResponse(segments);
        const responseDelayMs = outcome.late && delayMs === 0 ? TIMEOUT_RESPONSE_DELAY_MS : delayMs;
        await this.respondAfterDelay(res, 200, body, responseDelayMs);
        return;
      }
      case 'status':
        this.requestStats.count(outcome.status === STATUS_THROTTLED ? 'throttled' : 'rejected');
        await this.respondAfterDelay(res, 200, errorResponse(outcome.status), delayMs);
        return;
      case 'serverError':
        this.requestStats.count('serverErrors');
        await this.respondAfterDelay(res, 500, SERVER_ERROR_BODY, delayMs);
        return;
    }
  }

  // Stores the message once and returns one response entry per segment.
  private storeMessage(submission: SmsSubmission): AcceptedSegment[] {
    const encoding = submission.type === 'unicode' ? 'unicode' : 'gsm7';
    const segmentCount = countSegments(submission.text, encoding);
    const segments = Array.from({ length: segmentCount }, () => acceptedSegment(submission));
    this.messages.add({
      ...submission,
      messageId: segments[0]!['message-id'],
      receivedAt: new Date().toISOString(),
    });
    return segments;
  }

  // Sends the response after `delayMs` unless the client disconnects or the simulator closes.
  private async respondAfterDelay(
    res: Response,
    httpStatus: number,
    body: SmsApiResponse | object,
    delayMs: number,
  ): Promise<void> {
    if (delayMs > 0 && !(await this.waitBeforeResponding(res, delayMs))) {
      return;
    }
    res.status(httpStatus).json(body);
  }

  private async waitBeforeResponding(res: Response, delayMs: number): Promise<boolean> {
    const clientGone = new AbortController();
    const onClose = (): void => clientGone.abort();
    res.once('close', onClose);
    try {
      const signal = AbortSignal.any([this.closing.signal, clientGone.signal]);
      await sleep(delayMs, undefined, { signal });
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') {
        return false;
      }
      throw error;
    } finally {
      res.off('close', onClose);
    }
  }
}

function receiptSubject(submission: SmsSubmission, segment: AcceptedSegment): ReceiptSubject {
  return {
    to: submission.to,
    from: submission.from,
    messageId: segment['message-id'],
    clientRef: submission.clientRef,
  };
}

function acceptedSegment(submission: SmsSubmission): AcceptedSegment {
  return {
    to: submission.to,
    'message-id': randomUUID(),
    status: '0',
    'remaining-balance': REMAINING_BALANCE,
    'message-price': MESSAGE_PRICE,
    network: NETWORK_CODE,
    ...(submission.clientRef === null ? {} : { 'client-ref': submission.clientRef }),
  };
}
