/**
 * Deterministic JSON: object keys sorted by code unit, undefined members dropped, no
 * whitespace. Every endorsing peer must write byte-identical values, or the endorsements
 * disagree and the transaction fails.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortValue(value));
}

function sortValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortValue(item)));
  if (value !== null && typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) {
      const member = source[key];
      if (member !== undefined) sorted[key] = sortValue(member);
    }
    return sorted;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('Cannot serialise a non-finite number.');
  return value;
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8');
}
