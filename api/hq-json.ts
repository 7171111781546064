/**
 * Serialises a flat object of string lists the way CommCare HQ (Python's
 * `json.dumps` with its default separators) does: `{"key": ["a", "b"]}`.
 * Clients that compare answers as text then see the same bytes as from HQ.
 */
export function hqJson(lists: Record<string, readonly string[]>): string {
  const fields = Object.entries(lists).map(
    ([key, values]) => `${JSON.stringify(key)}: [${values.map((value) => JSON.stringify(value)).join(', ')}]`,
  );
  return `{${fields.join(', ')}}`;
}
