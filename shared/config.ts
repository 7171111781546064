/**
 * Service configuration, read from environment variables once at start.
 * Every value has an embedded default so `npm start` works on a fresh machine.
 */
export interface Config {
  redisUrl: string;
  /** Prefix for every Redis key this service writes, BullMQ's included. */
  keyPrefix: string;
  port: number;
  /** Address the API listens on; 127.0.0.1 keeps it off other interfaces. */
  host: string;
  simulatorPort: number;
  /** Base URL that phones use to reach the app-info endpoint. */
  publicBaseUrl: string;
  playStoreUrl: string;
  dataDir: string;
  signingPrivateKey?: string;
  signingPrivateKeyFile?: string;
  vonage?: { apiKey: string; apiSecret: string };
  /** Gateway base URL given to the Vonage SDK as its REST host. */
  gatewayUrl?: string;
  smsSender: string;
  gatewayTimeoutMs: number;
  /** How long a message whose send outcome is unknown waits for a delivery receipt before it settles as an error. */
  unknownOutcomeTimeoutMs: number;
  /** How often a job holding an unknown outcome checks for its receipt. */
  unknownRecheckMs: number;
  /** How often one probe send is tried while an account fault pauses sending. */
  faultRecheckMs: number;
  /** Secret that delivery-receipt and inbound-SMS webhooks must carry; unset disables them. */
  webhookSecret?: string;
  /** SMS per second that all workers together may send; 0 means no limit. */
  gatewayRatePerSecond: number;
  /** Milliseconds added to the rate limiter's one-second window for network delay. */
  gatewayRateMarginMs: number;
  sendAttempts: number;
  retryBaseDelayMs: number;
  workerConcurrency: number;
  /** BullMQ job lock, in milliseconds: how soon the jobs of a dead worker are recovered. */
  workerLockMs: number;
  /** How long a synchronous request waits for its batch before answering 202. */
  syncWaitMs: number;
  /** How long a stopping process lets requests and jobs in progress finish. */
  shutdownGraceMs: number;
  /** Upper bound of the `?wait=` long-poll on batch reads, in seconds. */
  maxPollWaitSeconds: number;
  /** Requests that one API key may make to the /a/... API in any 60-second window. */
  apiRatePerMinute: number;
  maxBodyBytes: number;
  maxUsersPerRequest: number;
  maxReinstallMessageLength: number;
  /** Seconds that batches and their outcomes are kept after creation. */
  batchRetentionSeconds: number;
  demoApiKey?: string;
  /** HTTP Basic user name for the operator dashboard at /admin/queues. */
  operatorUser: string;
  /** Dashboard password. Unset disables the dashboard, except under `npm start`, which makes one. */
  operatorPassword?: string;
  logLevel: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'invalid_config';
}

type Env = Record<string, string | undefined>;

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a whole number; set it to an integer`);
  }
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new ConfigError(`${name}=${value} is out of range; set it between ${min} and ${max}`);
  }
  return value;
}

function readUrl(env: Env, name: string, fallback?: string): string | undefined {
  const raw = env[name] || fallback;
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a valid URL; give a full URL`);
  }
  return url.toString().replace(/\/$/, '');
}

function readVonage(env: Env): Config['vonage'] {
  const apiKey = env.VONAGE_API_KEY;
  const apiSecret = env.VONAGE_API_SECRET;
  if (!apiKey && !apiSecret) return undefined;
  if (!apiKey || !apiSecret) {
    throw new ConfigError('set both VONAGE_API_KEY and VONAGE_API_SECRET, or neither');
  }
  return { apiKey, apiSecret };
}

function readOperatorUser(env: Env): string {
  const user = env.OPERATOR_USER || 'operator';
  // HTTP Basic splits the credentials at the first colon, so a user name cannot contain one.
  if (user.includes(':')) {
    const quoted = JSON.stringify(user);
    throw new ConfigError(`OPERATOR_USER=${quoted} contains a colon; choose a name without one`);
  }
  return user;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function readLogLevel(env: Env): string {
  const level = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError(`LOG_LEVEL=${JSON.stringify(level)} is not a level; use one of ${LOG_LEVELS.join(', ')}`);
  }
  return level;
}

function readRedisUrl(env: Env): string {
  const url = readUrl(env, 'REDIS_URL', 'redis://127.0.0.1:6379')!;
  if (!/^rediss?:/.test(url)) {
    throw new ConfigError(`REDIS_URL=${JSON.stringify(url)} must start with redis:// or rediss://`);
  }
  return url;
}

/** Reads and validates the configuration; throws ConfigError naming the variable to fix. */
export function loadConfig(env: Env = process.env): Config {
  const port = readInt(env, 'PORT', 8000, 0, 65535);
  const keyPrefix = env.KEY_PREFIX || 'reinstall';
  if (!/^[A-Za-z0-9_.-]+$/.test(keyPrefix)) {
    throw new ConfigError(`KEY_PREFIX=${JSON.stringify(keyPrefix)} may only hold letters, digits, _ . -`);
  }

  return {
    redisUrl: readRedisUrl(env),
    keyPrefix,
    port,
    host: env.HOST || '127.0.0.1',
    simulatorPort: readInt(env, 'SIMULATOR_PORT', 8025, 0, 65535),
    publicBaseUrl: readUrl(env, 'PUBLIC_BASE_URL', `http://127.0.0.1:${port}`)!,
    playStoreUrl: readUrl(
      env,
      'PLAY_STORE_URL',
      'https://play.google.com/store/apps/details?id=org.commcare.dalvik',
    )!,
    dataDir: env.DATA_DIR || '.data',
    signingPrivateKey: env.SIGNING_PRIVATE_KEY || undefined,
    signingPrivateKeyFile: env.SIGNING_PRIVATE_KEY_FILE || undefined,
    vonage: readVonage(env),
    gatewayUrl: readUrl(env, 'VONAGE_REST_URL'),
    smsSender: env.SMS_SENDER || 'CommCare',
    gatewayTimeoutMs: readInt(env, 'GATEWAY_TIMEOUT_MS', 10_000, 100, 120_000),
    unknownOutcomeTimeoutMs: readInt(env, 'UNKNOWN_OUTCOME_TIMEOUT_MS', 600_000, 100, 86_400_000),
    unknownRecheckMs: readInt(env, 'UNKNOWN_RECHECK_MS', 5000, 10, 600_000),
    faultRecheckMs: readInt(env, 'FAULT_RECHECK_MS', 60_000, 10, 3_600_000),
    webhookSecret: env.WEBHOOK_SECRET || undefined,
    gatewayRatePerSecond: readInt(env, 'GATEWAY_RATE_PER_SECOND', 30, 0, 100_000),
    gatewayRateMarginMs: readInt(env, 'GATEWAY_RATE_MARGIN_MS', 25, 0, 1000),
    sendAttempts: readInt(env, 'SEND_ATTEMPTS', 8, 1, 100),
    retryBaseDelayMs: readInt(env, 'RETRY_BASE_DELAY_MS', 1000, 1, 600_000),
    workerConcurrency: readInt(env, 'WORKER_CONCURRENCY', 50, 1, 1000),
    workerLockMs: readInt(env, 'WORKER_LOCK_MS', 30_000, 1000, 600_000),
    syncWaitMs: readInt(env, 'SYNC_WAIT_MS', 25_000, 0, 600_000),
    maxPollWaitSeconds: readInt(env, 'MAX_POLL_WAIT_SECONDS', 60, 0, 600),
    apiRatePerMinute: readInt(env, 'API_RATE_PER_MINUTE', 600, 1, 100_000),
    shutdownGraceMs: readInt(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    maxBodyBytes: readInt(env, 'MAX_BODY_BYTES', 2 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    maxUsersPerRequest: readInt(env, 'MAX_USERS_PER_REQUEST', 10_000, 1, 1_000_000),
    maxReinstallMessageLength: readInt(env, 'MAX_REINSTALL_MESSAGE_LENGTH', 640, 2, 10_000),
    batchRetentionSeconds: readInt(env, 'BATCH_RETENTION_SECONDS', 7 * 24 * 3600, 60, 365 * 24 * 3600),
    demoApiKey: env.DEMO_API_KEY || undefined,
    operatorUser: readOperatorUser(env),
    operatorPassword: env.OPERATOR_PASSWORD || undefined,
    logLevel: readLogLevel(env),
  };
}
