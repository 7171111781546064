import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config.js';

export interface OperatorPassword {
  password: string;
  /** True when this start generated the password, which is then shown once. */
  generated: boolean;
  file?: string;
}

/**
 * Picks the operator dashboard's password under `npm start`: OPERATOR_PASSWORD
 * when set, otherwise a password generated on the first start and kept in
 * `<dataDir>/operator-password` (mode 0600) for later starts.
 */
export function operatorPassword(dataDir: string, fromEnv: string | undefined): OperatorPassword {
  if (fromEnv) return { password: fromEnv, generated: false };
  const file = path.join(dataDir, 'operator-password');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (!stored) {
      const fix = 'delete it to generate a new password, or set OPERATOR_PASSWORD';
      throw new ConfigError(`${file} is empty; ${fix}`);
    }
    return { password: stored, generated: false, file };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return { password, generated: true, file };
}
