import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { rememberedNumbers, rememberedSecrets, TEST_LOG_FILE } from '../support/test-log.js';

const SAMPLE_REQUEST = '{"app_id": "abcd1234abcd1234", "users": [{"phone_number": "16175551234"}]}';

// Mocha loads this file after every test file (see .mocharc.json), so it
// reads the log of the whole suite.
describe('service log', () => {
  let log: string;

  before(() => {
    // The start-up banner prints the README's sample request, whose fictional
    // number is documentation rather than a client's data.
    log = readFileSync(TEST_LOG_FILE, 'utf8').replaceAll(SAMPLE_REQUEST, '');
  });

  it('contains the suite\'s logging', () => {
    expect(log.split('\n').length).to.be.above(1000);
    expect(rememberedNumbers().size).to.be.above(100);
    expect(rememberedSecrets().size).to.be.above(5);
  });

  it('holds no full phone number', () => {
    const found = [...rememberedNumbers()].filter((digits) => log.includes(digits));
    expect(found.map((digits) => `…${digits.slice(-4)}`)).to.deep.equal([]);
  });

  it('holds no API key or password', () => {
    const found = [...rememberedSecrets()].filter((secret) => log.includes(secret));
    expect(found.length).to.equal(0);
    expect(log).not.to.match(/ApiKey [^\s"]+:[0-9a-f]{20,}/);
    expect(log).not.to.match(/"authorization"/i);
  });
});
