import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { OPENAPI_PATH } from '../../api/openapi-document.js';
import { runApi, type RunningApi } from '../../api/run-api.js';
import { ApiKeyStore } from '../../shared/api-key-store.js';
import { loadConfig, type Config } from '../../shared/config.js';
import { RedisKeys } from '../../shared/redis-keys.js';
import { Registry } from '../../shared/registry.js';
import { GatewaySimulator } from '../../simulator/gateway-simulator.js';
import { SIMULATOR_CREDENTIALS } from '../../worker/create-gateway.js';
import { runWorker, type RunningWorker } from '../../worker/run-worker.js';
import { OpenApiValidator } from './openapi-validator.js';
import { deleteKeysWithPrefix } from './redis-cleanup.js';
import { rememberNumbers, rememberSecret, testLogger } from './test-log.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface HarnessOptions {
  /** Redis for the service; the shared test Redis unless given. */
  redisUrl?: string;
  /** Environment overrides on top of the test defaults. */
  env?: Record<string, string>;
  /** Start no worker, so batches stay pending. */
  withoutWorker?: boolean;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/**
 * The whole service in this process, on real Redis under a unique key prefix,
 * with the real Vonage SDK talking to a simulator on loopback.
 */
export class ServiceHarness {
  readonly simulator = new GatewaySimulator(SIMULATOR_CREDENTIALS);
  readonly prefix = `test-${randomBytes(4).toString('hex')}`;
  readonly redis: Redis;
  readonly keys = new RedisKeys(this.prefix);
  readonly registry: Registry;
  readonly apiKeys: ApiKeyStore;
  config!: Config;
  api!: RunningApi;
  /** The workers started so far; `worker` is the first. */
  readonly workers: RunningWorker[] = [];
  /** Checks every answer that `request` returns against the service's own OpenAPI document. */
  openApi!: OpenApiValidator;
  private dataDir = mkdtempSync(path.join(tmpdir(), 'reinstall-test-'));

  constructor(private readonly options: HarnessOptions = {}) {
    this.redis = new Redis(options.redisUrl ?? TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    // Tests that stop Redis expect this connection to fail for a while.
    this.redis.on('error', () => undefined);
    this.registry = new Registry(this.redis, this.keys);
    this.apiKeys = new ApiKeyStore(this.redis, this.keys);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.api.port}`;
  }

  async start(): Promise<this> {
    const { url } = await this.simulator.listen(0);
    this.config = loadConfig({
      REDIS_URL: this.options.redisUrl ?? TEST_REDIS_URL,
      KEY_PREFIX: this.prefix,
      PORT: '0',
      DATA_DIR: this.dataDir,
      VONAGE_REST_URL: url,
      GATEWAY_TIMEOUT_MS: '5000',
      SEND_ATTEMPTS: '4',
      RETRY_BASE_DELAY_MS: '20',
      SYNC_WAIT_MS: '10000',
      // Most tests send faster than a real gateway allows; the rate limit has tests of its own.
      GATEWAY_RATE_PER_SECOND: '0',
      // The highest allowed API_RATE_PER_MINUTE, so that no test hits it unless it sets a lower one.
      API_RATE_PER_MINUTE: '100000',
      LOG_LEVEL: 'silent',
      ...this.options.env,
    });
    // The base URL is known only once the API listens on its free port.
    this.api = await runApi(this.config, testLogger());
    this.config.publicBaseUrl = this.baseUrl;
    this.api.services.reinstall.publicBaseUrl = this.baseUrl;
    const documentAnswer = await fetch(`${this.baseUrl}${OPENAPI_PATH}`);
    this.openApi = new OpenApiValidator((await documentAnswer.json()) as Record<string, unknown>);
    if (!this.options.withoutWorker) await this.startWorker();
    return this;
  }

  get worker(): RunningWorker | undefined {
    return this.workers[0];
  }

  async startWorker(): Promise<RunningWorker> {
    const worker = await runWorker(this.config, testLogger());
    this.workers.push(worker);
    return worker;
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) await worker.close();
    await this.api?.close();
    await this.simulator.close();
    await deleteKeysWithPrefix(this.redis, this.prefix);
    this.redis.disconnect();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Creates a PRO project with registration on, one app and an API key; returns the auth header. */
  async addProject(domain: string, appId = 'app1'): Promise<string> {
    await this.registry.putProject({ domain, plan: 'PRO', registrationEnabled: true, defaultLanguage: 'en' });
    await this.registry.putApp(domain, {
      appId,
      name: 'Test app',
      profileUrl: `https://hq.example.org/a/${domain}/apps/download/${appId}/profile.ccpr`,
    });
    const { key } = await this.apiKeys.create({ username: `admin@${domain}.example.org`, domains: [domain] });
    rememberSecret(key);
    return `ApiKey admin@${domain}.example.org:${key}`;
  }

  /**
   * Sends a request and returns the answer. Throws when the answer, or for a
   * 2xx answer the request, does not match the OpenAPI document.
   */
  async request(method: string, urlPath: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
    const raw = typeof init.body === 'string' || init.body === undefined ? init.body : JSON.stringify(init.body);
    const requestHeaders = { 'content-type': 'application/json', ...init.headers };
    const response = await fetch(`${this.baseUrl}${urlPath}`, {
      method,
      headers: requestHeaders,
      body: raw as string | undefined,
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Left as text: the app-info endpoint answers plain text.
    }
    this.openApi.check({
      method,
      url: urlPath,
      requestHeaders,
      requestBody: raw as string | undefined,
      status: response.status,
      responseHeaders: response.headers,
      responseText: text,
    });
    return { status: response.status, headers: response.headers, body, text } satisfies HttpAnswer;
  }

  reinstall(domain: string, auth: string, body: unknown, headers: Record<string, string> = {}) {
    const users = (body as { users?: unknown })?.users;
    if (Array.isArray(users)) {
      rememberNumbers(users.map((user) => String((user as { phone_number?: unknown })?.phone_number ?? '')));
    }
    return this.request('POST', `/a/${domain}/api/v0_5/sms_user_registration_reinstall/`, {
      body,
      headers: { authorization: auth, ...headers },
    });
  }
}

/** Builds a request body for numbers as the client would send them. */
export function usersBody(appId: string, numbers: string[], extra: Record<string, unknown> = {}) {
  return { app_id: appId, users: numbers.map((phone_number) => ({ phone_number })), ...extra };
}
