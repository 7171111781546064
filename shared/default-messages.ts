/**
 * Built-in texts of the first reinstall SMS, by ISO 639-1 language code.
 * Each holds exactly one `{}`, where the Play Store link goes. A project can
 * override any of them, or add languages, in the registry.
 */
export const DEFAULT_MESSAGES: Readonly<Record<string, string>> = {
  en: 'Please tap this link to reinstall CommCare on your phone: {}',
  fr: 'Veuillez appuyer sur ce lien pour réinstaller CommCare sur votre téléphone : {}',
  es: 'Toque este enlace para volver a instalar CommCare en su teléfono: {}',
  pt: 'Toque neste link para reinstalar o CommCare no seu telefone: {}',
  sw: 'Tafadhali bofya kiungo hiki ili kusakinisha CommCare tena kwenye simu yako: {}',
  hi: 'अपने फ़ोन पर CommCare फिर से इंस्टॉल करने के लिए इस लिंक पर टैप करें: {}',
};

export const FALLBACK_LANGUAGE = 'en';

/** Language codes as stored in the registry: two or three lowercase letters. */
export const LANGUAGE_CODE = /^[a-z]{2,3}$/;
