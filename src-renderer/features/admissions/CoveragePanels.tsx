import type { ReactNode } from 'react';
import type { ConsentSummary, Eligibility } from '../../../src-shared/admission/schemas';
import { categoryInWords, purposeInWords } from '../../../src-shared/admission/consent-words';
import { formatDate } from '../../lib/format';

/**
 * Consent in one line beside the verdict ("details" opens the sentence main wrote and its
 * facts), so the admission form fits the laptop screen; "no consent" is impossible to miss.
 */
export function ConsentPanel({
  consent,
  withoutWallet = false,
}: {
  consent: ConsentSummary | null;
  withoutWallet?: boolean;
}): ReactNode {
  const granted = consent?.status === 'granted';
  const line = granted
    ? `${consent.granteeName ?? 'This hospital'} may see the records${consent.validUntil ? ` until ${formatDate(consent.validUntil)}` : ''}.`
    : withoutWallet
      ? 'No wallet, so no consent yet: the stay is marked “Admitted without consent”.'
      : 'The stay is marked “Admitted without consent”.';
  return (
    <section
      className={`card coverage-line consent consent-${granted ? 'granted' : 'none'}`}
      aria-labelledby="consent-title"
      data-testid="consent"
    >
      <div className="coverage-head">
        <h2 id="consent-title">
          Consent{' '}
          {granted ? (
            <span className="badge badge-success">Granted</span>
          ) : (
            <span className="badge badge-danger">No consent</span>
          )}
        </h2>
        <p className="coverage-summary" data-testid="consent-line">
          {line}
        </p>
      </div>
      <details className="coverage-details">
        <summary>details</summary>
        {consent ? (
          <p data-testid="consent-text">{consent.text}</p>
        ) : withoutWallet ? (
          <p>
            The patient was registered without a wallet, so no consent was shared. They can give it later in their
            wallet.
          </p>
        ) : (
          <p>The wallet did not share a consent.</p>
        )}
        {granted ? (
          <dl className="facts facts-compact">
            <div>
              <dt>Who</dt>
              <dd>{consent.granteeName ?? consent.grantee ?? 'This hospital'}</dd>
            </div>
            <div>
              <dt>Purpose</dt>
              <dd>{consent.purposes.map(purposeInWords).join(', ')}</dd>
            </div>
            <div>
              <dt>May see</dt>
              <dd>{consent.categories.map(categoryInWords).join(', ')}</dd>
            </div>
            <div>
              <dt>Until</dt>
              <dd>{consent.validUntil ? formatDate(consent.validUntil) : 'revoked by the patient'}</dd>
            </div>
          </dl>
        ) : (
          <p className="consent-none" data-testid="no-consent">
            Admitting is allowed: the admission will be marked <strong>“Admitted without consent”</strong> and records
            stay closed to clinicians until the patient grants consent (or under break-the-glass).
          </p>
        )}
      </details>
    </section>
  );
}

const ELIGIBILITY_LABELS: Record<Eligibility['status'], string> = {
  eligible: 'Eligible',
  'not-eligible': 'Not eligible',
  unknown: 'Unknown',
};

/** Insurance on the admission date, in one line with "details". Informative only: it never blocks the admission. */
export function EligibilityPanel({
  eligibility,
  withoutWallet = false,
}: {
  eligibility: Eligibility | null;
  withoutWallet?: boolean;
}): ReactNode {
  const status = eligibility?.status ?? 'unknown';
  const badge = status === 'eligible' ? 'badge-success' : status === 'not-eligible' ? 'badge-danger' : 'badge-warning';
  const line =
    status === 'eligible' && eligibility
      ? [eligibility.insurerName, eligibility.memberId ? `member ${eligibility.memberId}` : null]
          .filter(Boolean)
          .join(' · ')
      : 'Admissible without coverage: this does not stop the admission.';
  return (
    <section
      className="card coverage-line eligibility"
      aria-labelledby="eligibility-title"
      data-testid="eligibility"
      data-status={status}
    >
      <div className="coverage-head">
        <h2 id="eligibility-title">
          Insurance <span className={`badge ${badge}`}>{ELIGIBILITY_LABELS[status]}</span>
        </h2>
        <p className="coverage-summary" data-testid="eligibility-line">
          {line}
        </p>
      </div>
      <details className="coverage-details">
        <summary>details</summary>
        <p>
          {eligibility?.message ??
            (withoutWallet
              ? 'No insurance card was shown. Ask for the card or bill the patient.'
              : 'The wallet did not share an insurance card. Ask for the card or bill the patient.')}
        </p>
        {eligibility && (eligibility.insurerName || eligibility.memberId) ? (
          <dl className="facts facts-compact">
            <div>
              <dt>Insurer</dt>
              <dd>{eligibility.insurerName ?? '—'}</dd>
            </div>
            <div>
              <dt>Member id</dt>
              <dd className="mono">{eligibility.memberId ?? '—'}</dd>
            </div>
            <div>
              <dt>Plan</dt>
              <dd>{eligibility.planName ?? '—'}</dd>
            </div>
            <div>
              <dt>Covered</dt>
              <dd>
                {eligibility.coverageStart ? formatDate(eligibility.coverageStart) : '…'} –{' '}
                {eligibility.coverageEnd ? formatDate(eligibility.coverageEnd) : '…'}
              </dd>
            </div>
          </dl>
        ) : null}
        {status !== 'eligible' ? <p className="muted">This does not stop the admission.</p> : null}
      </details>
    </section>
  );
}
