import type { Command } from 'commander';
import { AppInfoSigner, loadSigningKey } from '../shared/app-info-signer.js';
import { loadConfig } from '../shared/config.js';

export function registerPublicKeyCommand(program: Command): void {
  program
    .command('public-key')
    .description(
      'print the app-info signing public key as base64 DER (SubjectPublicKeyInfo) on one line; ' +
        'the key comes from SIGNING_PRIVATE_KEY, SIGNING_PRIVATE_KEY_FILE or ' +
        '<DATA_DIR>/signing-key.pem, which is generated when none exists',
    )
    .action(printPublicKey);
}

// Prints only the key, so that the output can be piped into other tools.
function printPublicKey(): void {
  const config = loadConfig();
  const signer = new AppInfoSigner(loadSigningKey(config));
  process.stdout.write(`${signer.publicKeyBase64()}\n`);
}
