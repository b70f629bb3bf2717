import type { ReactNode } from 'react';
import type { ConsentSummary, Eligibility } from '../../../src-shared/admission/schemas';
import { categoryInWords, purposeInWords } from '../../../src-shared/admission/consent-words';
import { formatDate } from '../../lib/format';

/** The consent in the sentence main wrote, plus its facts; "no consent" is impossible to miss. */
export function ConsentPanel({ consent }: { consent: ConsentSummary | null }): ReactNode {
  const granted = consent?.status === 'granted';
  return (
    <section
      className={`card consent consent-${granted ? 'granted' : 'none'}`}
      aria-labelledby="consent-title"
      data-testid="consent"
    >
      <h2 id="consent-title">
        Consent{' '}
        {granted ? (
          <span className="badge badge-success">Granted</span>
        ) : (
          <span className="badge badge-danger">No consent</span>
        )}
      </h2>
      {consent ? <p data-testid="consent-text">{consent.text}</p> : <p>The wallet did not share a consent grant.</p>}
      {granted && consent ? (
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
    </section>
  );
}

const ELIGIBILITY_LABELS: Record<Eligibility['status'], string> = {
  eligible: 'Eligible',
  'not-eligible': 'Not eligible',
  unknown: 'Unknown',
};

/** Insurance on the admission date. Informative only: it never blocks the admission. */
export function EligibilityPanel({ eligibility }: { eligibility: Eligibility | null }): ReactNode {
  const status = eligibility?.status ?? 'unknown';
  const badge = status === 'eligible' ? 'badge-success' : status === 'not-eligible' ? 'badge-danger' : 'badge-warning';
  return (
    <section
      className="card eligibility"
      aria-labelledby="eligibility-title"
      data-testid="eligibility"
      data-status={status}
    >
      <h2 id="eligibility-title">
        Insurance <span className={`badge ${badge}`}>{ELIGIBILITY_LABELS[status]}</span>
      </h2>
      <p>
        {eligibility?.message ?? 'The wallet did not share an insurance card. Ask for the card or bill the patient.'}
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
    </section>
  );
}
