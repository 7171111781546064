import { expect } from 'chai';
import { validateSync } from 'class-validator';
import { passesUserConstraints, ReinstallUserDto } from '../api/reinstall-request.dto.js';

/** Values a client could send as phone_number, valid or not. */
const SAMPLES: unknown[] = [
  '16175551234',
  '+1 (617) 555-1234',
  '',
  ' ',
  'x'.repeat(500),
  '٠١٢٣',
  16175551234,
  0,
  null,
  undefined,
  true,
  [],
  ['16175551234'],
  {},
  { phone_number: '16175551234' },
];

describe('user validation fast path', () => {
  for (const value of SAMPLES) {
    it(`matches class-validator for ${JSON.stringify(value) ?? 'undefined'}`, () => {
      const user = new ReinstallUserDto();
      user.phone_number = value as string;
      const valid = validateSync(user).length === 0;
      expect(passesUserConstraints(user)).to.equal(valid);
    });
  }
});
