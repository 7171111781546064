/** Time formats of Vonage's webhooks, always in UTC. */

/** Formats `date` as `YYMMDDHHmm`, the `scts` field of a delivery receipt. */
export function formatScts(date: Date): string {
  // toISOString is YYYY-MM-DDTHH:mm:ss.sssZ, always in UTC.
  const iso = date.toISOString();
  const [year, month, day, hour, minute] = [iso.slice(2, 4), iso.slice(5, 7), iso.slice(8, 10),
    iso.slice(11, 13), iso.slice(14, 16)];
  return `${year}${month}${day}${hour}${minute}`;
}

/** Formats `date` as `YYYY-MM-DD HH:mm:ss`, the `message-timestamp` field of webhooks. */
export function formatMessageTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}
