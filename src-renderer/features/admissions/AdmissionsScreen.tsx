import { useEffect, useState, type ReactNode } from 'react';
import type { CurrentStay, PatientSummary } from '../../../src-shared/admission/schemas';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { Loading } from '../../ui/Loading';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { useSyncStore } from '../sync/store';
import { AdmitForm } from './AdmitForm';
import { AdmittedPanel } from './AdmittedPanel';
import { ConsentPanel, EligibilityPanel } from './CoveragePanels';
import { CurrentAdmissions } from './CurrentAdmissions';
import { MergePanel } from './MergePanel';
import { NoWalletPanel } from './NoWalletPanel';
import { IdentityBadge, PatientMatchPanel, patientName } from './PatientMatchPanel';
import { ScanPanel } from './ScanPanel';
import { useDeskStore, type DeskTab, type VerifiedScan } from './store';
import { VerificationResult } from './VerificationResult';
import './admissions.css';

const TABS: { id: DeskTab; label: string }[] = [
  { id: 'scan', label: 'Scan wallet' },
  { id: 'current', label: 'Current admissions' },
  { id: 'no-wallet', label: 'No wallet / emergency' },
  { id: 'merge', label: 'Merge records' },
];

/**
 * The admission desk: scan → verify → match → admit → wristband, on one screen, keyboard
 * first. The scanner field has the focus whenever the desk waits for the next patient.
 */
export function AdmissionsScreen(): ReactNode {
  const tab = useDeskStore((s) => s.tab);
  const setTab = useDeskStore((s) => s.setTab);
  const options = useDeskStore((s) => s.options);
  const optionsError = useDeskStore((s) => s.optionsError);
  const loadOptions = useDeskStore((s) => s.loadOptions);
  const connection = useSyncStore((s) => s.sync?.connection);
  const inFlow = useDeskStore((s) => s.scan !== null || s.walletlessPatient !== null || s.admitted !== null);
  const startOver = useDeskStore((s) => s.startOver);

  useEffect(() => {
    void loadOptions();
  }, [loadOptions]);

  // Beds taken by other desks arrive as ledger events: when the sync engine applies some (or
  // sends this desk's writes), the free beds are asked for again.
  const lastSyncAt = useSyncStore((s) => s.sync?.lastSyncAt ?? null);
  const queued = useSyncStore((s) => s.sync?.queued ?? null);
  useEffect(() => {
    void loadOptions();
  }, [lastSyncAt, queued, loadOptions]);

  // The desk must know when the ledger is gone (admissions then wait in the outbox), and the
  // sync engine does not push a change of connection until a write needs it: ask every 5 s.
  useEffect(() => {
    const timer = setInterval(() => void useSyncStore.getState().load(), 5_000);
    return () => clearInterval(timer);
  }, []);

  return (
    <div className="desk" data-testid="admission-desk">
      {/* The tab list holds only tabs; "Start over" sits beside it, not inside it. */}
      <div className="desk-tabs">
        <div className="desk-tablist" role="tablist" aria-label="Admission desk">
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`desk-tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls="desk-panel"
              className="desk-tab"
              onClick={() => setTab(t.id)}
            >
              {t.label}
            </button>
          ))}
        </div>
        {tab === 'scan' && inFlow ? (
          <button
            type="button"
            className="btn desk-start-over"
            onClick={() => void startOver()}
            data-testid="start-over"
          >
            Start over (next patient)
          </button>
        ) : null}
      </div>
      {/* 'connecting' too: while the sync engine retries, the ledger is just as unreachable. */}
      {connection === 'offline' || connection === 'connecting' ? (
        <Notice tone="info" title="Ledger not reachable" testId="desk-offline">
          <p>Admissions are saved on this workstation and sent to the ledger when it is reachable again.</p>
        </Notice>
      ) : null}
      {optionsError ? <ErrorNotice error={optionsError} /> : null}
      <div id="desk-panel" role="tabpanel" aria-labelledby={`desk-tab-${tab}`}>
        {tab === 'scan' ? <ScanFlow /> : null}
        {tab === 'current' ? <CurrentAdmissions options={options} /> : null}
        {tab === 'no-wallet' ? <NoWalletPanel /> : null}
        {tab === 'merge' ? <MergePanel /> : null}
      </div>
    </div>
  );
}

function ScanFlow(): ReactNode {
  const scan = useDeskStore((s) => s.scan);
  const walletless = useDeskStore((s) => s.walletlessPatient);
  const admitted = useDeskStore((s) => s.admitted);
  const error = useDeskStore((s) => s.error);
  const options = useDeskStore((s) => s.options);

  if (admitted) return <AdmittedPanel admission={admitted} />;

  const errorNotice = error ? <DeskErrorNotice error={error} /> : null;

  if (!scan && !walletless) {
    return (
      <div className="stack">
        <ScanPanel />
        {errorNotice}
      </div>
    );
  }

  return (
    <div className="stack">
      {errorNotice}
      {scan ? <ScanOutcome scan={scan} /> : null}
      {walletless ? <WalletlessAdmission patient={walletless} /> : null}
      {!options ? <Loading label="Loading wards and clinicians…" /> : null}
    </div>
  );
}

/**
 * A refusal says what happened and the one thing to do: a bed taken meanwhile, a patient
 * already admitted (with Transfer and Discharge at hand), a wallet code that cannot be read.
 */
function DeskErrorNotice({ error }: { error: IpcError }): ReactNode {
  const openMovement = useDeskStore((s) => s.openMovement);
  const refusal = error.details?.['refusal'];
  const admissionId = error.details?.['admissionId'];
  if (refusal === 'bed-taken') {
    return (
      <Notice tone="danger" title="Bed taken" testId="error-bed-taken">
        <p>{error.message}</p>
      </Notice>
    );
  }
  if (refusal === 'already-admitted' && typeof admissionId === 'string') {
    return (
      <Notice tone="danger" title="Already admitted" testId="error-already-admitted">
        <p>{error.message}</p>
        <StayActions admissionId={admissionId} onAction={openMovement} />
      </Notice>
    );
  }
  return (
    <ErrorNotice error={error}>
      {typeof error.details?.['walletQrCode'] === 'string' ? (
        <p>Scan the code again, or ask the patient to refresh it in their wallet.</p>
      ) : null}
    </ErrorNotice>
  );
}

function StayActions({
  admissionId,
  onAction,
}: {
  admissionId: string;
  onAction: (movement: { kind: 'transfer' | 'discharge'; admissionId: string }) => void;
}): ReactNode {
  return (
    <div className="form-actions">
      <button type="button" className="btn btn-primary" onClick={() => onAction({ kind: 'transfer', admissionId })}>
        Transfer
      </button>
      <button type="button" className="btn" onClick={() => onAction({ kind: 'discharge', admissionId })}>
        Discharge
      </button>
    </div>
  );
}

/** The patient at the desk is in a bed already: no admission form, only what can be done with that stay. */
function AlreadyAdmitted({ stay }: { stay: CurrentStay }): ReactNode {
  const openMovement = useDeskStore((s) => s.openMovement);
  return (
    <section className="card" aria-labelledby="stay-title" data-testid="already-admitted">
      <h2 id="stay-title">Already admitted</h2>
      <p>
        This patient is in {stay.wardName}, bed <strong>{stay.bed}</strong>. Transfer or discharge that stay; a second
        admission is not possible.
      </p>
      <StayActions admissionId={stay.admissionId} onAction={openMovement} />
    </section>
  );
}

function ScanOutcome({ scan }: { scan: VerifiedScan }): ReactNode {
  const options = useDeskStore((s) => s.options);
  const choice = useDeskStore((s) => s.choice);
  const chosen =
    choice?.kind === 'existing' ? scan.matches.find((m) => m.patient.patientId === choice.patientId) : undefined;
  const stay = chosen?.currentStay ?? null;
  if (!scan.accepted) {
    return (
      <VerificationResult scan={scan}>
        <div className="next-steps" data-testid="not-accepted">
          <h3>What to do now</h3>
          <ul className="plain-list">
            <li>Ask the patient to open their wallet again and show a fresh code, then scan it.</li>
            <li>If the code is still refused, register the patient without a wallet (marked unverified).</li>
          </ul>
        </div>
      </VerificationResult>
    );
  }
  return (
    <div className="desk-columns">
      <div className="stack">
        <VerificationResult scan={scan} />
        <ConsentPanel consent={scan.consent} />
        <EligibilityPanel eligibility={scan.eligibility} />
      </div>
      <div className="stack">
        <PatientMatchPanel scan={scan} />
        {stay ? <AlreadyAdmitted stay={stay} /> : null}
        {options && !stay ? (
          <AdmitForm
            key={chosen?.patient.patientId ?? 'new'}
            options={options}
            canAdmit={choice !== null}
            blockedReason={choice === null ? 'Choose the patient record first.' : null}
            recordedAllergies={chosen?.patient.allergies ?? null}
          />
        ) : null}
        <ReconcileForm />
      </div>
    </div>
  );
}

/** A manual or unidentified record gets this verified wallet attached (their identity is now confirmed). */
function ReconcileForm(): ReactNode {
  const reconcile = useDeskStore((s) => s.reconcile);
  const [mrn, setMrn] = useState('');
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  async function submit(): Promise<void> {
    const found = await api['patients.search']({ mrn: mrn.trim(), limit: 1 });
    const patient = found.ok ? found.value[0]?.patient : undefined;
    if (!patient) {
      setMessage(`No record with MRN ${mrn.trim()}.`);
      return;
    }
    const result = await reconcile(patient.patientId);
    if (result) setMessage(`MRN ${result.mrn} is now verified with this wallet.`);
  }

  if (!open)
    return (
      <button type="button" className="btn btn-quiet reconcile-open" onClick={() => setOpen(true)}>
        Patient was registered earlier without a wallet? Reconcile…
      </button>
    );
  return (
    <section className="card" aria-labelledby="reconcile-title" data-testid="reconcile">
      <h2 id="reconcile-title">Reconcile an unverified record</h2>
      <div className="field">
        <label htmlFor="reconcile-mrn">MRN of the manual or emergency record</label>
        <div className="input-row">
          <input id="reconcile-mrn" className="input mono" value={mrn} onChange={(e) => setMrn(e.target.value)} />
          <button type="button" className="btn" onClick={() => void submit()} disabled={mrn.trim() === ''}>
            Attach this wallet
          </button>
        </div>
      </div>
      {message ? <p role="status">{message}</p> : null}
    </section>
  );
}

function WalletlessAdmission({ patient }: { patient: PatientSummary }): ReactNode {
  const options = useDeskStore((s) => s.options);
  return (
    <div className="desk-columns">
      <div className="stack">
        <section className="card" data-testid="walletless-patient">
          <h2>
            {patientName(patient)} <IdentityBadge patient={patient} />
          </h2>
          <p>
            MRN <span className="mono">{patient.mrn}</span>. Identity not verified from a wallet: scan the wallet later
            to reconcile.
          </p>
        </section>
        <ConsentPanel consent={null} withoutWallet />
        <EligibilityPanel eligibility={null} withoutWallet />
      </div>
      <div className="stack">
        {options ? (
          <AdmitForm
            key={patient.patientId}
            options={options}
            canAdmit
            blockedReason={null}
            recordedAllergies={patient.allergies}
          />
        ) : null}
      </div>
    </div>
  );
}
