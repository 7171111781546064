import { DEFAULT_MESSAGES, FALLBACK_LANGUAGE } from './default-messages.js';

/** The prefix that the CommCare app looks for in its SMS inbox on first start. */
export const INSTALL_MESSAGE_MARKER = '[commcare app - do not delete] ';

const PLACEHOLDER = '{}';

/** Counts `{}` placeholders; a usable template holds exactly one. */
export function countPlaceholders(template: string): number {
  return template.split(PLACEHOLDER).length - 1;
}

/**
 * Puts the Play Store link in place of the template's one `{}`. Any other
 * braces are kept as literal text.
 */
export function renderLinkMessage(template: string, playStoreUrl: string): string {
  const index = template.indexOf(PLACEHOLDER);
  if (index < 0) return `${template} ${playStoreUrl}`;
  return template.slice(0, index) + playStoreUrl + template.slice(index + PLACEHOLDER.length);
}

/** Builds the second SMS: the marker and the base64 of the app-info URL, on one line. */
export function renderInstallMessage(appInfoUrl: string): string {
  return INSTALL_MESSAGE_MARKER + Buffer.from(appInfoUrl, 'utf8').toString('base64');
}

export function appInfoUrl(publicBaseUrl: string, domain: string, appId: string): string {
  const base = publicBaseUrl.replace(/\/+$/, '');
  // encodeURIComponent throws on a lone UTF-16 surrogate, which a client's app_id may contain.
  // Such an id names no app, so the request is rejected once the app lookup returns.
  const encodedAppId = encodeURIComponent(appId.toWellFormed());
  return `${base}/a/${encodeURIComponent(domain)}/sms/app_info/${encodedAppId}/`;
}

/**
 * Picks the template for one recipient: the project's override for the
 * language, else the built-in text, else the same two for the project's
 * default language, else English.
 */
export function pickTemplate(
  language: string | undefined,
  projectLanguage: string,
  overrides: Readonly<Record<string, string>>,
): string {
  for (const code of [language, projectLanguage, FALLBACK_LANGUAGE]) {
    if (!code) continue;
    const template = overrides[code] ?? DEFAULT_MESSAGES[code];
    if (template !== undefined) return template;
  }
  return DEFAULT_MESSAGES[FALLBACK_LANGUAGE];
}
