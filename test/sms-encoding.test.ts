import { expect } from 'chai';

import { countSegments, encodingFor, isGsm7, type SmsEncoding } from '../shared/sms-encoding.js';

interface EncodingCase {
  name: string;
  text: string;
  encoding: SmsEncoding;
  segments: number;
}

const cases: EncodingCase[] = [
  { name: 'empty text', text: '', encoding: 'gsm7', segments: 1 },
  {
    name: 'plain English',
    text: 'Your CommCare app is ready. Install it from the link: https://example.org/a/b',
    encoding: 'gsm7',
    segments: 1,
  },
  { name: 'Swahili in Latin script', text: 'Habari! Programu yako iko tayari.', encoding: 'gsm7',
    segments: 1 },
  { name: 'Greek capitals from the GSM table', text: 'ΔΦΓΛΩΠΨΣΘΞ', encoding: 'gsm7',
    segments: 1 },
  { name: 'capital C cedilla', text: 'Ç', encoding: 'gsm7', segments: 1 },
  { name: 'lowercase c cedilla', text: 'ç', encoding: 'unicode', segments: 1 },
  { name: 'euro sign', text: 'Price: 5€', encoding: 'gsm7', segments: 1 },
  { name: 'all extension characters', text: '\f^{}\\[~]|€', encoding: 'gsm7', segments: 1 },
  { name: '160 septets', text: 'a'.repeat(160), encoding: 'gsm7', segments: 1 },
  { name: '161 septets', text: 'a'.repeat(161), encoding: 'gsm7', segments: 2 },
  { name: '306 septets', text: 'a'.repeat(306), encoding: 'gsm7', segments: 2 },
  { name: '307 septets', text: 'a'.repeat(307), encoding: 'gsm7', segments: 3 },
  { name: 'braces filling 160 septets', text: '{}' + 'a'.repeat(156), encoding: 'gsm7',
    segments: 1 },
  { name: 'braces pushing to 161 septets', text: '{}' + 'a'.repeat(157), encoding: 'gsm7',
    segments: 2 },
  { name: '80 euro signs', text: '€'.repeat(80), encoding: 'gsm7', segments: 1 },
  { name: '81 euro signs', text: '€'.repeat(81), encoding: 'gsm7', segments: 2 },
  { name: 'Hindi', text: 'आपका CommCare ऐप तैयार है', encoding: 'unicode', segments: 1 },
  { name: 'Cyrillic', text: 'Ваше приложение готово', encoding: 'unicode', segments: 1 },
  { name: 'Swahili with an emoji', text: 'Karibu 👋', encoding: 'unicode', segments: 1 },
  { name: '70 Hindi letters', text: 'अ'.repeat(70), encoding: 'unicode', segments: 1 },
  { name: '71 Hindi letters', text: 'अ'.repeat(71), encoding: 'unicode', segments: 2 },
  { name: '134 Cyrillic letters', text: 'Ж'.repeat(134), encoding: 'unicode', segments: 2 },
  { name: '135 Cyrillic letters', text: 'Ж'.repeat(135), encoding: 'unicode', segments: 3 },
  // Each emoji outside the Basic Multilingual Plane is two UTF-16 code units.
  { name: '35 emoji as 70 code units', text: '😀'.repeat(35), encoding: 'unicode',
    segments: 1 },
  { name: '36 emoji as 72 code units', text: '😀'.repeat(36), encoding: 'unicode',
    segments: 2 },
  { name: 'one non-GSM letter in long text', text: 'a'.repeat(100) + 'ж', encoding: 'unicode',
    segments: 2 },
];

describe('sms-encoding', () => {
  describe('when the encoding is detected', () => {
    for (const { name, text, encoding, segments } of cases) {
      it(`classifies ${name} as ${encoding}`, () => {
        expect(encodingFor(text)).to.equal(encoding);
        expect(isGsm7(text)).to.equal(encoding === 'gsm7');
      });

      it(`counts ${segments} segment(s) for ${name}`, () => {
        expect(countSegments(text)).to.equal(segments);
      });
    }
  });

  describe('when the encoding is given', () => {
    // Characters outside the GSM alphabet count as one septet each when gsm7 is forced.
    const forced: EncodingCase[] = [
      { name: 'GSM text sent as unicode', text: 'a'.repeat(71), encoding: 'unicode',
        segments: 2 },
      { name: 'GSM text of 70 sent as unicode', text: 'a'.repeat(70), encoding: 'unicode',
        segments: 1 },
      { name: 'Cyrillic sent as gsm7', text: 'Ж'.repeat(160), encoding: 'gsm7', segments: 1 },
      { name: 'emoji sent as gsm7', text: '😀'.repeat(161), encoding: 'gsm7', segments: 2 },
      { name: 'empty text sent as unicode', text: '', encoding: 'unicode', segments: 1 },
    ];

    for (const { name, text, encoding, segments } of forced) {
      it(`counts ${segments} segment(s) for ${name}`, () => {
        expect(countSegments(text, encoding)).to.equal(segments);
      });
    }
  });
});
