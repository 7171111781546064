import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt, as the CommCare app verifies. */
const PSS_OPTIONS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;

export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
  readonly code = 'invalid_signing_key';
}

/** Signs app-info payloads with the service's RSA private key. */
export class AppInfoSigner {
  private readonly publicKey: KeyObject;

  constructor(private readonly privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'rsa') {
      throw new SigningKeyError(
        `the signing key is ${privateKey.asymmetricKeyType}; give an RSA private key in PEM`,
      );
    }
    this.publicKey = createPublicKey(privateKey);
  }

  /**
   * Builds the app-info body: base64 of `ccapp: <url> signature: <raw signature>`,
   * on one line, since the app reads only the first line of the answer.
   */
  payload(profileUrl: string): string {
    const url = Buffer.from(profileUrl, 'utf8');
    const signature = sign('sha256', url, { key: this.privateKey, ...PSS_OPTIONS });
    const parts = [Buffer.from('ccapp: '), url, Buffer.from(' signature: '), signature];
    return Buffer.concat(parts).toString('base64');
  }

  /** The public key as base64 DER (SubjectPublicKeyInfo), the form the CommCare app is given. */
  publicKeyBase64(): string {
    return this.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  }
}

/** Verifies a payload made by {@link AppInfoSigner.payload}; returns the URL when it verifies. */
export function verifyAppInfoPayload(payloadBase64: string, publicKeyBase64: string): string | null {
  const bytes = Buffer.from(payloadBase64, 'base64');
  const head = Buffer.from('ccapp: ');
  const separator = Buffer.from(' signature: ');
  if (!bytes.subarray(0, head.length).equals(head)) return null;
  const at = bytes.indexOf(separator, head.length);
  if (at < 0) return null;

  const url = bytes.subarray(head.length, at);
  const signature = bytes.subarray(at + separator.length);
  const key = createPublicKey({ key: Buffer.from(publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
  const ok = verify('sha256', url, { key, ...PSS_OPTIONS }, signature);
  return ok ? url.toString('utf8') : null;
}

interface SigningKeySource {
  signingPrivateKey?: string;
  signingPrivateKeyFile?: string;
  dataDir: string;
}

/**
 * Loads the private key from SIGNING_PRIVATE_KEY (PEM text) or
 * SIGNING_PRIVATE_KEY_FILE. Without either, uses `<dataDir>/signing-key.pem`,
 * generating it on first use. Concurrent first starts agree on one key
 * because the file is created exclusively and the loser reads the winner's.
 */
export function loadSigningKey(source: SigningKeySource): KeyObject {
  if (source.signingPrivateKey) {
    return parsePem(source.signingPrivateKey, 'SIGNING_PRIVATE_KEY');
  }
  if (source.signingPrivateKeyFile) {
    return parsePem(readKeyFile(source.signingPrivateKeyFile), 'SIGNING_PRIVATE_KEY_FILE');
  }

  const file = path.join(source.dataDir, 'signing-key.pem');
  if (existsSync(file)) return parsePem(readKeyFile(file), file);

  mkdirSync(source.dataDir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  try {
    writeFileSync(file, pem, { flag: 'wx', mode: 0o600 });
    return privateKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parsePem(readKeyFile(file), file);
  }
}

function readKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new SigningKeyError(`cannot read the signing key file ${file} (${reason})`);
  }
}

function parsePem(pem: string, origin: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw new SigningKeyError(`${origin} does not hold a PEM private key; give an RSA key in PEM`);
  }
}
