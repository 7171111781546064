import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ApiKeyStore } from './api-key-store.js';
import type { Registry } from './registry.js';

export const DEMO_DOMAIN = 'demo';
export const DEMO_APP_ID = 'abcd1234abcd1234';
export const DEMO_USERNAME = 'admin@example.org';

export interface DemoKey {
  key: string;
  /** True when this start generated the key, which is then shown once. */
  generated: boolean;
  file?: string;
}

/**
 * Picks the demo API key: DEMO_API_KEY when set, otherwise a key generated on
 * the first start and kept in `<dataDir>/demo-api-key` for later starts.
 */
export function demoKey(dataDir: string, fromEnv: string | undefined): DemoKey {
  if (fromEnv) return { key: fromEnv, generated: false };
  const file = path.join(dataDir, 'demo-api-key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), generated: false, file };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(20).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, generated: true, file };
}

/**
 * Creates the demo project and app unless they exist, leaving other data
 * alone. The key is registered when it is new or the project is, so a kept
 * key that an operator revoked stays revoked.
 */
export async function seedDemo(registry: Registry, apiKeys: ApiKeyStore, key: DemoKey): Promise<void> {
  const newProject = !(await registry.getProject(DEMO_DOMAIN));
  if (newProject) {
    await registry.putProject({ domain: DEMO_DOMAIN, plan: 'PRO', registrationEnabled: true, defaultLanguage: 'en' });
  }
  if (!(await registry.getApp(DEMO_DOMAIN, DEMO_APP_ID))) {
    await registry.putApp(DEMO_DOMAIN, {
      appId: DEMO_APP_ID,
      name: 'Demo app',
      profileUrl: `https://www.commcarehq.org/a/${DEMO_DOMAIN}/apps/download/${DEMO_APP_ID}/profile.ccpr`,
    });
  }
  const registrable = newProject || key.generated || key.file === undefined;
  if (registrable && !(await apiKeys.authenticate(DEMO_USERNAME, key.key))) {
    await apiKeys.create({ username: DEMO_USERNAME, domains: [DEMO_DOMAIN] }, key.key);
  }
}
