/**
 * OperationOutcome refusals (docs/formats/record-exchange.md §6): every refusal is one issue
 * with a stable code and a sentence that says what is wrong and what to do.
 */
import type { OperationOutcome } from 'fhir/r4';
import { EXCHANGE_SYSTEMS, type GatekeeperErrorCode } from '../../../src-shared/records';

type IssueType = OperationOutcome['issue'][number]['code'];

/** HTTP status and FHIR issue code of each refusal. */
const REFUSALS: Record<GatekeeperErrorCode, { status: number; code: IssueType }> = {
  PATIENT_NOT_DID: { status: 400, code: 'value' },
  PURPOSE_UNKNOWN: { status: 400, code: 'value' },
  CATEGORY_UNKNOWN: { status: 400, code: 'value' },
  COUNT_TOO_LARGE: { status: 400, code: 'value' },
  PARAMETER_INVALID: { status: 400, code: 'value' },
  BREAK_GLASS_PURPOSE: { status: 400, code: 'business-rule' },
  DIGEST_MISMATCH: { status: 400, code: 'security' },
  SIGNATURE_MISSING: { status: 401, code: 'security' },
  SIGNATURE_MALFORMED: { status: 401, code: 'security' },
  SIGNATURE_EXPIRED: { status: 401, code: 'security' },
  SIGNATURE_INVALID: { status: 401, code: 'security' },
  CERTIFICATE_UNTRUSTED: { status: 403, code: 'forbidden' },
  CERTIFICATE_EXPIRED: { status: 403, code: 'forbidden' },
  CERTIFICATE_REVOKED: { status: 403, code: 'forbidden' },
  ORGANISATION_NOT_HOSPITAL: { status: 403, code: 'forbidden' },
  ROLE_NOT_ALLOWED: { status: 403, code: 'forbidden' },
  RELEASE_REFUSED_BY_LEDGER: { status: 403, code: 'forbidden' },
  NOT_FOUND: { status: 404, code: 'not-found' },
  METHOD_NOT_ALLOWED: { status: 405, code: 'not-supported' },
  REPLAYED: { status: 409, code: 'security' },
  BODY_TOO_LARGE: { status: 413, code: 'too-costly' },
  BACKEND_INVALID: { status: 502, code: 'exception' },
  LEDGER_UNAVAILABLE: { status: 503, code: 'transient' },
  BACKEND_UNAVAILABLE: { status: 503, code: 'transient' },
  BACKEND_TIMEOUT: { status: 504, code: 'timeout' },
  CONSENT_INVALID: { status: 400, code: 'invalid' },
  CONSENT_NOT_FOUND: { status: 404, code: 'not-found' },
  CONSENT_ALREADY_REVOKED: { status: 409, code: 'conflict' },
  INTERNAL: { status: 500, code: 'exception' },
};

/** A refusal on its way to the client: thrown anywhere in a request, answered by the server. */
export class GatekeeperRefusal extends Error {
  readonly code: GatekeeperErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(code: GatekeeperErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'GatekeeperRefusal';
    this.code = code;
    this.status = REFUSALS[code].status;
    this.headers = headers;
  }
}

export function refusalOutcome(code: GatekeeperErrorCode, message: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: REFUSALS[code].code, details: { coding: [{ system: EXCHANGE_SYSTEMS.error, code }], text: message } }],
  };
}

export const LEDGER_DOWN_SENTENCE = 'Cannot check consent now: the ledger is not reachable. Nothing was released; try again in a few minutes or use break-the-glass in an emergency.';
