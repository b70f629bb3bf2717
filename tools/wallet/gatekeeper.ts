/**
 * The patient's consent actions from home: the wallet posts a consent grant or revocation it
 * signed to a hospital's record gatekeeper (docs/formats/record-exchange.md §8), which records
 * it on the ledger; no staff member is involved and the chaincode checks the patient's signature.
 */

export interface GatekeeperAnswer {
  ok: boolean;
  status: number;
  /** The receipt ({ consentId, status, transactionId }) or the refusal's sentence. */
  consentId?: string;
  consentStatus?: string;
  transactionId?: string;
  message: string;
}

/** Posts `{ consentJwt }` to `<base>/consent/grant` or `{ revocationJwt }` to `<base>/consent/revoke`. */
export async function postConsentAction(base: string, action: 'grant' | 'revoke', jwt: string, timeoutMs = 20_000): Promise<GatekeeperAnswer> {
  const url = `${base.replace(/\/$/, '')}/consent/${action}`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(action === 'grant' ? { consentJwt: jwt } : { revocationJwt: jwt }), signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { ok: false, status: 0, message: `The hospital's gatekeeper at ${url} cannot be reached (${(error as Error).message}); nothing was recorded. Try again later.` };
  }
  const body = (await response.json().catch(() => ({}))) as { consentId?: string; status?: string; transactionId?: string; issue?: { details?: { text?: string } }[] };
  if (!response.ok) return { ok: false, status: response.status, message: body.issue?.[0]?.details?.text ?? `The gatekeeper refused the ${action} (HTTP ${response.status}).` };
  return {
    ok: true,
    status: response.status,
    consentId: body.consentId,
    consentStatus: body.status,
    transactionId: body.transactionId,
    message: `Consent ${body.consentId ?? ''} is ${body.status ?? 'recorded'} on the ledger (transaction ${body.transactionId ?? '?'}).`,
  };
}
