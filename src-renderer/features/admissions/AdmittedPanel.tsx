import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { AdmissionRecord } from '../../../src-shared/admission/schemas';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { api, transportKind } from '../../lib/api';
import { formatDate, formatDateTime } from '../../lib/format';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { patientName, IdentityBadge } from './PatientMatchPanel';
import { useDeskStore } from './store';

const LEDGER_LABELS = {
  queued: 'queued for the ledger',
  committed: 'on the ledger',
  failed: 'refused by the ledger (see Sync)',
} as const;

/** Saves a PDF the web host returned: browsers have no print dialog for our service. */
function downloadPdf(fileName: string, base64: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function AdmittedPanel({ admission }: { admission: AdmissionRecord }): ReactNode {
  const startOver = useDeskStore((s) => s.startOver);
  const [printing, setPrinting] = useState(false);
  const [printed, setPrinted] = useState<string | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const nextRef = useRef<HTMLButtonElement>(null);
  const p = admission.patient;

  useEffect(() => {
    nextRef.current?.focus();
  }, []);

  async function print(): Promise<void> {
    setPrinting(true);
    setError(null);
    const result = await api['admission.wristband']({
      admissionId: admission.admissionId,
      format: 'wristband',
      print: transportKind === 'electron',
    });
    setPrinting(false);
    // Back to "Next patient": Enter moves the queue on, and never prints a second band by accident.
    nextRef.current?.focus();
    if (!result.ok) {
      setError(result.error);
      return;
    }
    if (result.value.printed) setPrinted('Sent to the printer.');
    else {
      downloadPdf(result.value.fileName, result.value.pdfBase64);
      setPrinted(`Saved as ${result.value.fileName}: open it and print it on the wristband printer.`);
    }
  }

  return (
    <section className="card admitted" aria-labelledby="admitted-title" data-testid="admitted">
      <Notice tone="success" title="Patient admitted" testId="admitted-notice">
        <p>
          {patientName(p)} is admitted to {admission.wardName}, bed {admission.bed}. Admission{' '}
          {LEDGER_LABELS[admission.ledger.admission]}
          {admission.ledger.consent ? `; consent ${LEDGER_LABELS[admission.ledger.consent]}` : '; no consent recorded'}.
        </p>
      </Notice>
      {admission.unverifiedIdentity ? (
        <Notice tone="warning" title="Identity not verified">
          <p>Scan the patient&apos;s wallet later to verify and reconcile this record.</p>
        </Notice>
      ) : null}
      <div className="admitted-body">
        <div>
          <h2 id="admitted-title">Wristband</h2>
          <div className="wristband-preview" data-testid="wristband-preview" aria-label="Wristband preview">
            <div className="wristband-text">
              <strong>{patientName(p)}</strong>
              <span>
                Born {p.birthDate ? formatDate(p.birthDate) : `about ${p.estimatedAgeYears ?? '?'} years`} · MRN{' '}
                <span className="mono">{p.mrn}</span>
              </span>
              <span>
                Admitted {formatDate(admission.admittedAt)} · {admission.wardName} {admission.bed}
              </span>
            </div>
            <div className="wristband-barcode" aria-hidden="true">
              {p.mrn}
            </div>
            <div className={`wristband-allergy allergy-${p.allergies}`}>
              {p.allergies === 'yes' ? 'ALLERGIES' : p.allergies === 'no' ? 'No known allergies' : 'Allergies: ask'}
            </div>
          </div>
          <div className="form-actions">
            <button type="button" className="btn btn-primary" onClick={() => void print()} disabled={printing}>
              {printing ? 'Preparing…' : transportKind === 'electron' ? 'Print wristband' : 'Print wristband (PDF)'}
            </button>
            <button
              ref={nextRef}
              type="button"
              className="btn"
              onClick={() => void startOver()}
              data-testid="next-patient"
            >
              Next patient
            </button>
          </div>
          {printed ? (
            <p className="muted" role="status" data-testid="wristband-status">
              {printed}
            </p>
          ) : null}
          {error ? <ErrorNotice error={error} /> : null}
        </div>
        <dl className="facts facts-compact">
          <div>
            <dt>Patient</dt>
            <dd>
              <IdentityBadge patient={p} />
            </dd>
          </div>
          <div>
            <dt>Attending</dt>
            <dd>{admission.attendingClinicianName}</dd>
          </div>
          <div>
            <dt>Reason</dt>
            <dd>{admission.reason}</dd>
          </div>
          <div>
            <dt>Admitted at</dt>
            <dd>{formatDateTime(admission.admittedAt)}</dd>
          </div>
          <div>
            <dt>Consent</dt>
            <dd data-testid="admitted-consent">
              {admission.consent.status === 'granted' ? 'Granted' : 'Admitted without consent'}
            </dd>
          </div>
          <div>
            <dt>Insurance</dt>
            <dd>
              {admission.eligibility.status === 'eligible'
                ? 'Eligible'
                : admission.eligibility.status === 'not-eligible'
                  ? 'Not eligible'
                  : 'Unknown'}
            </dd>
          </div>
        </dl>
      </div>
    </section>
  );
}
