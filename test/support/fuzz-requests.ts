import { gzipSync } from 'node:zlib';
import type { SeededRandom } from './seeded-random.js';

/** Where a fuzz request goes; each target has its own checks in the fuzz test. */
export type FuzzTarget = 'reinstall' | 'batch' | 'sms-log' | 'app-info';

/** One generated request. `path` is sent as it is, without normalising. */
export interface FuzzRequest {
  target: FuzzTarget;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What makes the request invalid, for failure messages. */
  defect: string;
}

/** The project, app, credentials and limits that the generated requests aim at. */
export interface FuzzSetting {
  domain: string;
  appId: string;
  auth: string;
  /** Valid numbers, placed only in bodies that are invalid for another reason. */
  validNumbers: string[];
  maxUsers: number;
  maxBodyBytes: number;
}

const VISIBLE_ASCII = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join('');
const HEADER_CHARS = `${VISIBLE_ASCII} \tÀéÿ`;
const TEXT_CHARS = `${VISIBLE_ASCII} \n\t\u0000\u00e9\u4e2d\ud83d\ude00\ud800{}[]"\\`;
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];
const HOSTILE_STRINGS = [
  '', ' ', '*', '?', '[a-z]', '../../etc/passwd', '%00', '\u0000', '$gt', '{}', '{}{}', '%s%n',
  '<script>alert(1)</script>', "' OR 1=1 --", '\ud800', 'null', 'undefined', 'NaN', '-1', '1e309',
  '０１２３', '+', '00', '+1 (617) 555', 'x'.repeat(5000), '🙂'.repeat(50),
];
const CONTENT_TYPES: ReadonlyArray<string | null> = [
  'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data',
  'application/json; charset=utf-8', 'application/json; charset=latin1', null,
];
const CONTENT_ENCODINGS = [
  'gzip', 'deflate', 'br', 'compress', 'identity', 'gzip, gzip', 'x-unknown',
];
const WRONG_VERSIONS = ['v0_4', 'v9999_9999', 'v', 'v0_05', '%76'];
const ODD_NAMES = ['__proto__', 'a[b]', 'x[]'];
const HOSTILE_VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, 1e308, [], {}, [[]], { $gt: '' }, ['a'], { phone_number: null },
];

/** Percent-encodes text; lone surrogates, which encodeURIComponent rejects, become U+FFFD. */
function percentEncode(text: string): string {
  return encodeURIComponent(text.toWellFormed());
}

/** Builds hostile requests against one project from a seeded random source. */
export class FuzzRequests {
  constructor(
    private readonly random: SeededRandom,
    private readonly setting: FuzzSetting,
  ) {}

  /** Returns the next request: mostly reinstall POSTs, the rest spread over the GETs. */
  next(): FuzzRequest {
    const roll = this.random.next();
    if (roll < 0.55) return this.reinstall();
    if (roll < 0.7) return this.batch();
    if (roll < 0.85) return this.smsLog();
    return this.appInfo();
  }

  private get basePath(): string {
    return `/a/${this.setting.domain}/api/v0_5/sms_user_registration_reinstall/`;
  }

  private reinstall(): FuzzRequest {
    const { defect, body } = this.invalidBody();
    const headers: Record<string, string> = {
      ...this.authHeader(),
      // An accidentally valid body must not hold the request for SYNC_WAIT_MS.
      prefer: 'respond-async',
      'content-type': this.random.pick(CONTENT_TYPES) ?? this.headerText(20),
    };
    if (this.random.chance(0.1)) {
      headers['idempotency-key'] = this.headerText(this.random.int(0, 300));
    }
    if (this.random.chance(0.1)) {
      headers['x-request-id'] = this.headerText(this.random.int(0, 100));
    }
    const encoded = this.encodeBody(body, headers);
    const otherMethod = this.random.pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS']);
    return {
      target: 'reinstall',
      method: this.random.chance(0.05) ? otherMethod : 'POST',
      // Mostly without a query, so that most bodies reach validation rather than a 400 on dry_run.
      path: this.hostilePath(this.basePath) + this.query(['dry_run'], 0.2),
      headers,
      body: encoded,
      defect,
    };
  }

  private batch(): FuzzRequest {
    const id = this.random.pick([
      this.random.string('0123456789abcdef', 24),
      this.random.string(VISIBLE_ASCII.replace(/[/?#%]/g, ''), this.random.int(1, 300)),
      percentEncode(this.random.pick(HOSTILE_STRINGS)) || '%20',
      '*', '..', '%2e%2e', '%00', '%E0%A4%A',
    ]);
    return {
      target: 'batch',
      method: 'GET',
      path: this.hostilePath(`${this.basePath}batches/${id}/`) + this.query(['wait', 'detail']),
      headers: this.authHeader(),
      defect: 'no batch exists in the project',
    };
  }

  private smsLog(): FuzzRequest {
    return {
      target: 'sms-log',
      method: 'GET',
      path: this.hostilePath(`${this.basePath}sms_log/`) +
        this.query(['limit', 'before', 'batch_id', 'phone_number']),
      headers: this.authHeader(),
      defect: 'query parameters may be invalid',
    };
  }

  private appInfo(): FuzzRequest {
    const domain = this.random.chance(0.3) ? this.setting.domain : this.pathSegment();
    const appId = this.random.chance(0.3) ? 'no-such-app' : this.pathSegment();
    return {
      target: 'app-info',
      method: 'GET',
      path: `/a/${domain}/sms/app_info/${appId}/${this.query(['x'])}`,
      headers: this.random.chance(0.5) ? this.authHeader() : {},
      defect: 'unknown project or app',
    };
  }

  /** Picks one defect that makes the body invalid, then builds a body around it. */
  private invalidBody(): { defect: string; body: string | Buffer } {
    const invalidByte = this.random.int(0x80, 0xff);
    const defects: Array<[string, () => string | Buffer]> = [
      ['not JSON', () => this.random.string(TEXT_CHARS, this.random.int(0, 200))],
      ['truncated JSON', () => this.truncatedJson()],
      ['invalid UTF-8', () => Buffer.from([0x7b, 0x22, invalidByte, 0xfe, 0x22, 0x7d])],
      ['a JSON scalar or array', () => JSON.stringify(this.random.pick([...HOSTILE_VALUES, 42]))],
      ['an unknown app_id', () => this.bodyText({ app_id: this.unknownAppId() })],
      ['a wrong app_id type', () => this.bodyText({ app_id: this.random.pick(HOSTILE_VALUES) })],
      ['users of the wrong type', () => this.bodyText({ users: this.random.pick(HOSTILE_VALUES) })],
      ['a user of the wrong shape', () => this.bodyText({ users: [this.badUser()] })],
      ['a repeated number', () => this.repeatedNumber()],
      ['a bad reinstall_message', () => this.bodyText({ reinstall_message: this.badMessage() })],
      ['a forbidden key', () => this.forbiddenKeyBody()],
      ['deep nesting', () => this.deepBody()],
      ['too many users', () => this.tooManyUsers()],
      ['an oversized body', () => this.oversizedBody()],
    ];
    const [defect, build] = this.random.pick(defects);
    return { defect, body: build() };
  }

  /** Builds a body that would be valid but for the fields in `override`. */
  private bodyWith(override: Record<string, unknown>): Record<string, unknown> {
    const users = this.validUsers(this.random.int(1, 3));
    return { app_id: this.setting.appId, users, ...override };
  }

  private bodyText(override: Record<string, unknown>): string {
    return JSON.stringify(this.bodyWith(override));
  }

  private validUsers(count: number): Array<{ phone_number: string }> {
    return this.setting.validNumbers.slice(0, count).map((phone_number) => ({ phone_number }));
  }

  private unknownAppId(): string {
    return `unknown-${this.random.pick(HOSTILE_STRINGS)}${this.random.string(VISIBLE_ASCII, 4)}`;
  }

  private badUser(): unknown {
    return this.random.pick([
      null, 'string user', 16175551234, [], {}, { phone: '16175551234' },
      { phone_number: this.random.pick(HOSTILE_VALUES) },
    ]);
  }

  private repeatedNumber(): string {
    const number = this.setting.validNumbers[0]!;
    const spelled = this.random.pick([
      `+${number}`, `00${number}`, `${number.slice(0, 4)} ${number.slice(4)}`,
    ]);
    return this.bodyText({ users: [{ phone_number: number }, { phone_number: spelled }] });
  }

  private badMessage(): unknown {
    return this.random.pick([
      'no placeholder', '{} and {}', `${'x'.repeat(700)} {}`, '\ud800 {}', 42, false, ['{}'],
      { text: '{}' },
    ]);
  }

  private truncatedJson(): string {
    const text = this.bodyText({ reinstall_message: 'Tap {}' });
    return text.slice(0, this.random.int(0, text.length - 1));
  }

  private forbiddenKeyBody(): string {
    const key = this.random.pick(FORBIDDEN_KEYS);
    let nested = `{${JSON.stringify(key)}: ${JSON.stringify(this.random.pick(HOSTILE_VALUES))}}`;
    for (let depth = this.random.int(0, 50); depth > 0; depth--) {
      nested = this.random.chance(0.5) ? `[${nested}]` : `{"k${depth}": ${nested}}`;
    }
    const appId = JSON.stringify(this.setting.appId);
    const users = JSON.stringify(this.validUsers(2));
    return `{"app_id": ${appId}, "users": ${users}, "extra": ${nested}}`;
  }

  private deepBody(): string {
    const depth = this.random.pick([100, 10_000, 100_000]);
    const [open, close] = this.random.chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
    const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
    if (this.random.chance(0.5)) return nested;
    return `{"app_id": ${JSON.stringify(this.setting.appId)}, "users": ${nested}}`;
  }

  private tooManyUsers(): string {
    const count = this.setting.maxUsers + 1;
    const users = Array.from({ length: count }, (_, i) => ({ phone_number: `x${i}` }));
    return JSON.stringify({ app_id: this.setting.appId, users });
  }

  private oversizedBody(): string {
    const padding = 'p'.repeat(this.setting.maxBodyBytes + this.random.int(1, 1000));
    return JSON.stringify(this.bodyWith({ padding }));
  }

  /** Sets Content-Encoding on some bodies, with matching or garbage compressed data. */
  private encodeBody(body: string | Buffer, headers: Record<string, string>): Buffer {
    const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    if (!this.random.chance(0.1)) return raw;
    const encoding = this.random.pick(CONTENT_ENCODINGS);
    headers['content-encoding'] = encoding;
    return encoding === 'gzip' && this.random.chance(0.5) ? gzipSync(raw) : raw;
  }

  private authHeader(): Record<string, string> {
    const roll = this.random.next();
    if (roll < 0.8) return { authorization: this.setting.auth };
    if (roll < 0.85) return {};
    const key = this.setting.auth.slice(this.setting.auth.lastIndexOf(':') + 1);
    return {
      authorization: this.random.pick([
        `${this.setting.auth}x`, `ApiKey :${key}`, `ApiKey nobody@example.org:${key}`, 'Basic %%%%',
        `Basic ${Buffer.from(this.headerText(40)).toString('base64')}`, `Bearer ${key}`,
        this.headerText(this.random.int(0, 8000)), `ApiKey ${'a'.repeat(4000)}:${key}`,
      ]),
    };
  }

  /** Changes the path now and then: case, slashes, encoded characters, a wrong version. */
  private hostilePath(path: string): string {
    const roll = this.random.next();
    if (roll < 0.75) return path;
    if (roll < 0.8) return path.toUpperCase();
    if (roll < 0.85) return path.replace(/\/$/, '');
    if (roll < 0.9) return path.replace('v0_5', this.random.pick(WRONG_VERSIONS));
    if (roll < 0.95) return path.replace(this.setting.domain, this.pathSegment());
    return `${path}${this.pathSegment()}/`;
  }

  private pathSegment(): string {
    return this.random.pick([
      this.random.string(VISIBLE_ASCII.replace(/[/?#%]/g, ''), this.random.int(1, 200)),
      percentEncode(this.random.pick(HOSTILE_STRINGS)) || '%20',
      '%00', '%2F', '..', '%E0%A4%A', '%', '%%', this.random.string('%0123456789ABCDEF', 12),
    ]);
  }

  /**
   * Builds a query string, `share` of the time, from the given names, repeated or with hostile
   * values.
   */
  private query(names: string[], share = 0.7): string {
    if (!this.random.chance(share)) return '';
    const parts: string[] = [];
    for (let i = this.random.int(1, 4); i > 0; i--) {
      const name = this.random.chance(0.8) ? this.random.pick(names) : this.random.pick(ODD_NAMES);
      const streamId = `${this.random.int(0, 2 ** 40)}-${this.random.int(0, 99)}`;
      const values = [
        String(this.random.int(-5, 2000)), 'true', 'maybe', '', '1e3', '0x10', '%00', streamId,
        percentEncode(this.random.pick(HOSTILE_STRINGS)),
      ];
      // Valid numbers go only into phone_number, the one parameter that the request log masks.
      if (name === 'phone_number') values.push(this.random.pick(this.setting.validNumbers));
      parts.push(`${name}=${this.random.pick(values)}`);
    }
    return `?${parts.join('&')}`;
  }

  private headerText(length: number): string {
    return this.random.string(HEADER_CHARS, length).trim();
  }
}
