/**
 * Strict, bounded decoding of compact JWTs (no signature check here: that is the agent's job).
 * Decoding first lets the pipeline report a malformed credential as such, and read the claims
 * it needs to check, without trusting them until the signature check passes.
 */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** The original compact form, unchanged (signatures are verified over it). */
  jwt: string;
}

export class JwtFormatError extends Error {
  override readonly name = 'JwtFormatError';
  readonly code = 'JWT_MALFORMED';
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  if (!SEGMENT.test(segment)) throw new JwtFormatError(`the ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new JwtFormatError(`the ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JwtFormatError(`the ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** @throws JwtFormatError when the text is not a compact JWT of at most `maxLength` characters. */
export function decodeJwt(jwt: unknown, maxLength: number): DecodedJwt {
  if (typeof jwt !== 'string') throw new JwtFormatError('it is not text');
  if (jwt.length > maxLength) throw new JwtFormatError(`it is longer than ${maxLength} characters`);
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new JwtFormatError('it does not have three parts');
  const [h, p, s] = parts as [string, string, string];
  if (!SEGMENT.test(s)) throw new JwtFormatError('the signature is not base64url');
  return { header: decodeSegment(h, 'header'), payload: decodeSegment(p, 'payload'), jwt };
}

/** A NumericDate claim as a Date, or undefined when absent; null when present but not a number. */
export function numericDate(payload: Record<string, unknown>, claim: string): Date | undefined | null {
  const v = payload[claim];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  return new Date(v * 1000);
}
