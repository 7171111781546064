/**
 * SMS character encodings and segment counts, following the GSM 03.38 default alphabet
 * (3GPP TS 23.038) and the usual concatenated-SMS limits.
 */

/** Character encoding an SMS is sent with: GSM-7 septets or UCS-2 (UTF-16 code units). */
export type SmsEncoding = 'gsm7' | 'unicode';

// The 127 printable entries of the GSM 03.38 default alphabet in table order (0x00-0x7F).
// The escape code 0x1B is left out because it only introduces an extension character.
const GSM7_BASIC_CHARACTERS =
  '@£$¥èéùìòÇ\nØø\rÅå' +
  'Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ' +
  ' !"#¤%&\'()*+,-./' +
  '0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNO' +
  'PQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmno' +
  'pqrstuvwxyzäöñüà';

// Extension table characters, each sent as the escape code plus one septet.
const GSM7_EXTENSION_CHARACTERS = '\f^{}\\[~]|€';

const GSM7_BASIC = new Set(GSM7_BASIC_CHARACTERS);
const GSM7_EXTENSION = new Set(GSM7_EXTENSION_CHARACTERS);

const GSM7_SINGLE_SEGMENT_SEPTETS = 160;
const GSM7_CONCATENATED_SEGMENT_SEPTETS = 153;
const UNICODE_SINGLE_SEGMENT_UNITS = 70;
const UNICODE_CONCATENATED_SEGMENT_UNITS = 67;

/**
 * Checks whether every character of `text` is in the GSM 03.38 default alphabet or its
 * extension table. The empty string counts as GSM-7.
 */
export function isGsm7(text: string): boolean {
  for (const character of text) {
    if (!GSM7_BASIC.has(character) && !GSM7_EXTENSION.has(character)) {
      return false;
    }
  }
  return true;
}

/** Selects GSM-7 when the text fits the GSM 03.38 alphabet and Unicode otherwise. */
export function encodingFor(text: string): SmsEncoding {
  return isGsm7(text) ? 'gsm7' : 'unicode';
}

/**
 * Counts the SMS segments needed to send `text`.
 *
 * GSM-7 fits 160 septets in one segment and 153 per segment once the message is split,
 * because the concatenation header takes the rest. Extension characters take two septets.
 * Unicode fits 70 UTF-16 code units in one segment and 67 per segment once split.
 * Empty text still needs one segment.
 *
 * @param encoding - defaults to {@link encodingFor}(text). When `'gsm7'` is forced on text
 *   outside the alphabet, each such character counts as one septet.
 */
export function countSegments(text: string, encoding: SmsEncoding = encodingFor(text)): number {
  // NOTE: this divides the total length evenly. Senders that never split an escape
  // sequence or a surrogate pair across segments can need one segment more near a boundary.
  if (encoding === 'gsm7') {
    return segmentsFor(countSeptets(text), GSM7_SINGLE_SEGMENT_SEPTETS,
      GSM7_CONCATENATED_SEGMENT_SEPTETS);
  }
  return segmentsFor(text.length, UNICODE_SINGLE_SEGMENT_UNITS,
    UNICODE_CONCATENATED_SEGMENT_UNITS);
}

function countSeptets(text: string): number {
  let septets = 0;
  for (const character of text) {
    septets += GSM7_EXTENSION.has(character) ? 2 : 1;
  }
  return septets;
}

function segmentsFor(length: number, singleLimit: number, concatenatedLimit: number): number {
  if (length <= singleLimit) {
    return 1;
  }
  return Math.ceil(length / concatenatedLimit);
}
