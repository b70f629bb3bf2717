/**
 * A test client of the record exchange that signs like the workstation does: RFC 9421 over the
 * staff member's Fabric certificate and key (src-shared/records/signing.ts).
 */
import { X509Certificate, createPrivateKey, randomUUID } from 'node:crypto';
import type { Bundle, OperationOutcome, Resource } from 'fhir/r4';
import { HEADERS, signRequest } from '../../../src-shared/records';

export interface StaffKey {
  certificatePem: string;
  privateKeyPem: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  bundle: Bundle;
  outcome: OperationOutcome;
  resources: Resource[];
  /** category → decision code of the outcome entry. */
  decisions: Record<string, string>;
  requestId: string;
}

export async function importKey(pem: string): Promise<Parameters<typeof crypto.subtle.sign>[1]> {
  const der = createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return crypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
}

export interface SendOptions {
  method?: string;
  body?: string;
  /** Override headers after signing (attacks). */
  tamper?: (headers: Record<string, string>) => Record<string, string>;
  /** Sign with this key instead of the certificate's own (a wrong signer). */
  signingKeyPem?: string;
  created?: number;
  nonce?: string;
  requestId?: string;
  /** Signed for this URL but sent to `url` (a changed query in transit). */
  signedUrl?: string;
  unsigned?: boolean;
  extraHeaders?: Record<string, string>;
}

/** Sends one signed request to `url` as `staff`. */
export async function send(url: string, staff: StaffKey, options: SendOptions = {}): Promise<Answer> {
  const method = options.method ?? 'GET';
  const body = options.body === undefined ? undefined : new TextEncoder().encode(options.body);
  const requestId = options.requestId ?? `urn:uuid:${randomUUID()}`;
  let headers: Record<string, string> = {};
  if (!options.unsigned) {
    headers = await signRequest({
      method,
      targetUri: options.signedUrl ?? url,
      body,
      certificateDer: new Uint8Array(new X509Certificate(staff.certificatePem).raw),
      privateKey: await importKey(options.signingKeyPem ?? staff.privateKeyPem),
      requestId,
      created: options.created,
      nonce: options.nonce,
    });
  }
  if (options.tamper) headers = options.tamper(headers);
  const response = await fetch(url, { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}), ...options.extraHeaders }, body });
  const text = await response.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  const bundle = (parsed as Bundle | undefined) ?? ({ resourceType: 'Bundle', type: 'searchset' });
  const entries = bundle.resourceType === 'Bundle' ? (bundle.entry ?? []) : [];
  const outcome = (entries.find((e) => e.search?.mode === 'outcome')?.resource ?? parsed) as OperationOutcome;
  const decisions: Record<string, string> = {};
  for (const issue of outcome?.issue ?? []) {
    const category = issue.details?.coding?.find((c) => c.system?.endsWith('record-category'))?.code;
    const decision = issue.details?.coding?.find((c) => c.system?.endsWith('release-decision'))?.code;
    if (category && decision) decisions[category] = decision;
  }
  return { status: response.status, headers: response.headers, body: parsed, bundle, outcome, resources: entries.filter((e) => e.search?.mode === 'match').map((e) => e.resource as Resource), decisions, requestId };
}

/** The refusal code of an OperationOutcome answer. */
export function refusalCode(answer: Answer): string | undefined {
  return (answer.body as OperationOutcome | undefined)?.issue?.[0]?.details?.coding?.[0]?.code;
}

export function recordsUrl(baseUrl: string, query: Record<string, string | string[]>, path = 'Patient/$everything'): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const value of Array.isArray(v) ? v : [v]) params.append(k, value);
  return `${baseUrl}/${path}?${params.toString()}`;
}

export { HEADERS };
