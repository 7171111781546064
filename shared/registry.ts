import type { Redis } from 'ioredis';
import { LANGUAGE_CODE } from './default-messages.js';
import { isPlan, type Plan } from './plans.js';
import type { RedisKeys } from './redis-keys.js';

export interface Project {
  domain: string;
  plan: Plan;
  /** The "SMS Mobile Worker Registration" setting; the reinstall API needs it on. */
  registrationEnabled: boolean;
  defaultLanguage: string;
}

export interface App {
  appId: string;
  name: string;
  /** The app's install (ODK profile) URL, which the app-info endpoint signs. */
  profileUrl: string;
}

/** The mobile worker a number belongs to. */
export interface WorkerNumber {
  domain: string;
  username: string;
  language: string;
}

export class RegistryError extends Error {
  override name = 'RegistryError';
  constructor(
    readonly code: 'invalid_value' | 'not_found' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

/** Projects, apps, mobile workers' numbers, opt-outs and message overrides, kept in Redis. */
export class Registry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async putProject(project: Project): Promise<void> {
    assertDomain(project.domain);
    if (!isPlan(project.plan)) throw new RegistryError('invalid_value', `unknown plan ${project.plan}`);
    assertLanguage(project.defaultLanguage);
    await this.redis
      .multi()
      .hset(this.keys.project(project.domain), {
        plan: project.plan,
        registrationEnabled: project.registrationEnabled ? '1' : '0',
        defaultLanguage: project.defaultLanguage,
      })
      .sadd(this.keys.projects(), project.domain)
      .exec();
  }

  async getProject(domain: string): Promise<Project | null> {
    const fields = await this.redis.hgetall(this.keys.project(domain));
    if (!fields.plan || !isPlan(fields.plan)) return null;
    return {
      domain,
      plan: fields.plan,
      registrationEnabled: fields.registrationEnabled === '1',
      defaultLanguage: fields.defaultLanguage || 'en',
    };
  }

  async listProjects(): Promise<Project[]> {
    const domains = (await this.redis.smembers(this.keys.projects())).sort();
    const projects = await Promise.all(domains.map((domain) => this.getProject(domain)));
    return projects.filter((project): project is Project => project !== null);
  }

  async requireProject(domain: string): Promise<Project> {
    const project = await this.getProject(domain);
    if (!project) throw new RegistryError('not_found', `project ${domain} does not exist`);
    return project;
  }

  async putApp(domain: string, app: App): Promise<void> {
    await this.requireProject(domain);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(app.appId)) {
      throw new RegistryError('invalid_value', `app id ${JSON.stringify(app.appId)} must be 1-64 letters, digits, _ or -`);
    }
    assertHttpUrl(app.profileUrl);
    await this.redis
      .multi()
      .hset(this.keys.app(domain, app.appId), { name: app.name, profileUrl: app.profileUrl })
      .sadd(this.keys.apps(domain), app.appId)
      .exec();
  }

  async getApp(domain: string, appId: string): Promise<App | null> {
    const fields = await this.redis.hgetall(this.keys.app(domain, appId));
    if (!fields.profileUrl) return null;
    return { appId, name: fields.name ?? '', profileUrl: fields.profileUrl };
  }

  async listApps(domain: string): Promise<App[]> {
    const ids = (await this.redis.smembers(this.keys.apps(domain))).sort();
    const apps = await Promise.all(ids.map((id) => this.getApp(domain, id)));
    return apps.filter((app): app is App => app !== null);
  }

  async removeApp(domain: string, appId: string): Promise<boolean> {
    const [[, removed]] = (await this.redis
      .multi()
      .del(this.keys.app(domain, appId))
      .srem(this.keys.apps(domain), appId)
      .exec()) as [[Error | null, number], unknown];
    return removed > 0;
  }

  /**
   * Registers a number to a worker of `domain`. A number belongs to at most
   * one project, so registering another project's number is a conflict.
   */
  async putWorker(digits: string, worker: WorkerNumber): Promise<void> {
    await this.requireProject(worker.domain);
    assertLanguage(worker.language);
    const existing = (await this.getWorkers([digits]))[0];
    if (existing && existing.domain !== worker.domain) {
      throw new RegistryError('conflict', `number ending ${digits.slice(-4)} belongs to another project`);
    }
    await this.redis
      .multi()
      .set(this.keys.workerNumber(digits), JSON.stringify(worker))
      .sadd(this.keys.projectWorkers(worker.domain), digits)
      .exec();
  }

  async removeWorker(domain: string, digits: string): Promise<boolean> {
    const existing = (await this.getWorkers([digits]))[0];
    if (!existing || existing.domain !== domain) return false;
    await this.redis
      .multi()
      .del(this.keys.workerNumber(digits))
      .srem(this.keys.projectWorkers(domain), digits)
      .exec();
    return true;
  }

  /** Looks up the owners of many numbers in one round trip; `null` where unregistered. */
  async getWorkers(digits: readonly string[]): Promise<(WorkerNumber | null)[]> {
    const values = await inChunks(digits, (chunk) => this.redis.mget(chunk.map((d) => this.keys.workerNumber(d))));
    return values.map((value) => (value ? (JSON.parse(value) as WorkerNumber) : null));
  }

  async listWorkers(domain: string): Promise<(WorkerNumber & { phoneNumber: string })[]> {
    const digits = (await this.redis.smembers(this.keys.projectWorkers(domain))).sort();
    const owners = await this.getWorkers(digits);
    return digits.flatMap((phoneNumber, i) => {
      const owner = owners[i];
      return owner ? [{ ...owner, phoneNumber }] : [];
    });
  }

  async addOptOut(domain: string, digits: string): Promise<void> {
    await this.requireProject(domain);
    await this.redis.sadd(this.keys.optOuts(domain), digits);
  }

  async removeOptOut(domain: string, digits: string): Promise<boolean> {
    return (await this.redis.srem(this.keys.optOuts(domain), digits)) > 0;
  }

  async listOptOuts(domain: string): Promise<string[]> {
    return (await this.redis.smembers(this.keys.optOuts(domain))).sort();
  }

  /** Checks many numbers against a project's opt-outs in one round trip. */
  async areOptedOut(domain: string, digits: readonly string[]): Promise<boolean[]> {
    const flags = await inChunks(digits, (chunk) => this.redis.smismember(this.keys.optOuts(domain), ...chunk));
    return flags.map((flag) => flag === 1);
  }

  async setMessageTemplate(domain: string, language: string, template: string): Promise<void> {
    await this.requireProject(domain);
    assertLanguage(language);
    await this.redis.hset(this.keys.messageTemplates(domain), language, template);
  }

  async removeMessageTemplate(domain: string, language: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.messageTemplates(domain), language)) > 0;
  }

  /** A project's overrides of the built-in first-message texts, by language. */
  async getMessageTemplates(domain: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.messageTemplates(domain));
  }
}

/**
 * Numbers looked up per command. Redis serves no other client while it runs
 * one command, so a 10,000-number lookup goes in several short ones.
 */
const LOOKUP_CHUNK = 1000;

/** Runs `lookup` on consecutive chunks of `items`, one command at a time, and joins the replies. */
async function inChunks<T>(items: readonly string[], lookup: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < items.length; i += LOOKUP_CHUNK) {
    results.push(...(await lookup(items.slice(i, i + LOOKUP_CHUNK))));
  }
  return results;
}

function assertDomain(domain: string): void {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(domain)) {
    throw new RegistryError(
      'invalid_value',
      `project name ${JSON.stringify(domain)} must be lowercase letters, digits and -, at most 63`,
    );
  }
}

function assertLanguage(language: string): void {
  if (!LANGUAGE_CODE.test(language)) {
    throw new RegistryError(
      'invalid_value',
      `language ${JSON.stringify(language)} must be an ISO 639 code such as en, fr or swa`,
    );
  }
}

function assertHttpUrl(value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new RegistryError('invalid_value', `profile URL ${JSON.stringify(value)} must be an http(s) URL`);
  }
}
