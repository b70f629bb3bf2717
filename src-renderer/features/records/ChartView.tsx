import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { CATEGORY_WORDS } from '../../../src-shared/admission/consent-words';
import {
  BREAK_GLASS_REASON_WORDS,
  CHART_TABS,
  type Chart,
  type ChartDocument,
  type ChartEntry,
  type WardPatient,
} from '../../../src-shared/records/schemas';
import { api } from '../../lib/api';
import { formatDate, formatDateTime, formatTime } from '../../lib/format';
import { Loading } from '../../ui/Loading';
import { ErrorNotice, Notice } from '../../ui/Notice';
import { BreakGlassForm } from './BreakGlassForm';
import { DocumentViewer } from './DocumentViewer';
import { TrendPlot } from './TrendPlot';

type Tab = 'summary' | (typeof CHART_TABS)[number];

const TAB_LABELS: Record<Tab, string> = {
  summary: 'Summary',
  conditions: 'Conditions',
  observations: 'Observations',
  medications: 'Medications',
  allergies: 'Allergies',
  immunizations: 'Immunisations',
  procedures: 'Procedures',
  encounters: 'Encounters',
  documents: 'Documents',
};

/** How often an open chart asks whether it may stay open (and on every sync push). */
const STILL_OPEN_EVERY_MS = 5_000;

function AnchorMark({ entry }: { entry: ChartEntry }): ReactNode {
  if (entry.anchor === 'verified')
    return (
      <span className="badge badge-success" title="The ledger anchor matches this record">
        Anchor verified
      </span>
    );
  if (entry.anchor === 'older-version')
    return (
      <span className="badge badge-warning" title={entry.anchorNote ?? ''}>
        Older version
      </span>
    );
  if (entry.anchor === 'mismatch') return <span className="badge badge-danger">Does not match the ledger</span>;
  return (
    <span className="badge" title={entry.anchorNote ?? ''}>
      Not checked
    </span>
  );
}

function EntryList({
  entries,
  onOpenDocument,
  empty,
}: {
  entries: ChartEntry[];
  onOpenDocument?: (e: ChartEntry) => void;
  empty: string;
}): ReactNode {
  if (entries.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="chart-entries">
      {entries.map((e) => (
        <li
          key={e.key}
          className={`chart-entry${e.anchor === 'mismatch' ? ' chart-entry-mismatch' : ''}`}
          data-testid="chart-entry"
        >
          <div className="chart-entry-main">
            <span className="chart-entry-title">{e.title}</span>
            {e.detail ? <span className="chart-entry-detail">{e.detail}</span> : null}
            {e.anchor === 'mismatch' || e.anchor === 'older-version' ? (
              <span className={`chart-entry-note ${e.anchor === 'mismatch' ? 'text-danger' : ''}`}>{e.anchorNote}</span>
            ) : null}
          </div>
          <div className="chart-entry-meta">
            <span>{e.occurredAt ? formatDate(e.occurredAt) : 'No date'}</span>
            <span className="muted">
              from {e.sourceName}, fetched {formatDateTime(e.fetchedAt)}
            </span>
            <AnchorMark entry={e} />
            {e.hasDocument && onOpenDocument ? (
              <button type="button" className="btn" onClick={() => onOpenDocument(e)}>
                View document
              </button>
            ) : null}
          </div>
        </li>
      ))}
    </ul>
  );
}

function Countdown({ until, onEnd }: { until: string; onEnd: () => void }): ReactNode {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  const left = Math.max(0, Date.parse(until) - now);
  useEffect(() => {
    if (left === 0) onEnd();
  }, [left, onEnd]);
  const m = Math.floor(left / 60_000);
  const s = Math.floor((left % 60_000) / 1000);
  return (
    <span className="countdown" role="timer" aria-live="off" data-testid="break-glass-countdown">
      {m}:{String(s).padStart(2, '0')}
    </span>
  );
}

export function ChartView({
  patient,
  onClose,
}: {
  patient: WardPatient;
  onClose: (reason: string | null) => void;
}): ReactNode {
  const [chart, setChart] = useState<Chart | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [tab, setTab] = useState<Tab>('summary');
  const [tabEntries, setTabEntries] = useState<ChartEntry[] | null>(null);
  const [breakingGlass, setBreakingGlass] = useState(false);
  const [document, setDocument] = useState<ChartDocument | null>(null);
  const chartRef = useRef<Chart | null>(null);

  const open = useCallback(async (): Promise<void> => {
    const result = await api['records.open']({ patientId: patient.patientId, purpose: 'TREAT', refresh: true });
    if (result.ok) {
      chartRef.current = result.value;
      setChart(result.value);
      setError(null);
    } else setError(result.error);
  }, [patient.patientId]);

  useEffect(() => {
    // Opening the chart (and logging it) is what this effect is for.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void open();
  }, [open]);

  // Revocation, expiry and the end of emergency access close the chart within one sync.
  const check = useCallback(async (): Promise<void> => {
    const c = chartRef.current;
    if (!c) return;
    const consentIds = c.banners.map((b) => b.consentId).filter((x): x is string => x !== null);
    const result = await api['records.stillOpen']({
      patientId: c.patientId,
      consentIds,
      breakGlassSessionId: c.breakGlass?.sessionId ?? null,
    });
    if (result.ok && !result.value.open) onClose(result.value.reason);
  }, [onClose]);
  useEffect(() => {
    const timer = setInterval(() => void check(), STILL_OPEN_EVERY_MS);
    const off = api.onEvent((event) => {
      if (event.type === 'sync') void check();
    });
    return () => {
      clearInterval(timer);
      off();
    };
  }, [check]);

  const showTab = useCallback(
    async (next: Tab): Promise<void> => {
      setTab(next);
      setTabEntries(null);
      if (next === 'summary') return;
      // Each tab viewed is its own access, logged by the service.
      const result = await api['records.viewCategory']({
        patientId: patient.patientId,
        category: next,
        purpose: 'TREAT',
      });
      if (result.ok) setTabEntries(result.value.entries);
      else setError(result.error);
    },
    [patient.patientId],
  );

  const openDocument = useCallback(
    async (entry: ChartEntry): Promise<void> => {
      const result = await api['records.document']({ patientId: patient.patientId, key: entry.key });
      if (result.ok) setDocument(result.value);
      else setError(result.error);
    },
    [patient.patientId],
  );

  const endEmergency = useCallback(async (): Promise<void> => {
    await api['records.endBreakGlass']({ patientId: patient.patientId });
    onClose('Emergency access ended. Open the chart again if a consent or the admission allows it.');
  }, [onClose, patient.patientId]);

  const frame = chart?.breakGlass ? 'chart chart-break-glass' : 'chart';
  return (
    <div className={frame} data-testid="chart">
      <header className="chart-header">
        <div>
          <h2 className="chart-patient">{patient.patientName}</h2>
          <p className="muted">
            MRN <span className="mono">{patient.mrn}</span>
            {chart?.birthDate ? ` · born ${formatDate(chart.birthDate)}` : ''}
            {patient.bed ? ` · ${patient.wardName}, bed ${patient.bed}` : ''}
          </p>
        </div>
        <div className="header-actions">
          {chart?.breakGlass ? (
            <>
              <span className="break-glass-label">
                Emergency access · closes in{' '}
                <Countdown
                  until={chart.breakGlass.expiresAt}
                  onEnd={() =>
                    onClose(
                      `Emergency access to ${patient.patientName}'s chart ended at ${formatTime(chart.breakGlass?.expiresAt ?? new Date())}.`,
                    )
                  }
                />
              </span>
              <button type="button" className="btn" onClick={() => void endEmergency()}>
                End emergency access
              </button>
            </>
          ) : (
            <button type="button" className="btn btn-danger" onClick={() => setBreakingGlass(true)}>
              Emergency access…
            </button>
          )}
          <button type="button" className="btn" onClick={() => onClose(null)}>
            Close chart
          </button>
        </div>
      </header>

      {breakingGlass ? (
        <BreakGlassForm
          patient={patient}
          onCancel={() => setBreakingGlass(false)}
          onOpened={() => {
            setBreakingGlass(false);
            setChart(null);
            void open();
          }}
        />
      ) : null}

      {error ? <ErrorNotice error={error} /> : null}
      {chart === null && !error ? <Loading label="Opening the chart…" /> : null}
      {chart ? (
        <>
          <section className="chart-banners" aria-label="What allows this view">
            {chart.banners.map((b, i) => (
              <p key={i} className={`chart-banner chart-banner-${b.basis}`} data-testid="consent-banner">
                {b.text}
              </p>
            ))}
            {chart.offline ? (
              <Notice tone="warning" title="Offline" testId="chart-offline">
                <p>
                  The ledger cannot be reached. This chart shows what this workstation already holds
                  {chart.cachedAsOf ? `, fetched ${formatDateTime(chart.cachedAsOf)}` : ''}, as far as the last synced
                  consent allows. Your views are recorded here and sent to the ledger when it is back.
                </p>
              </Notice>
            ) : null}
            {chart.sources
              .filter((s) => s.state === 'unreachable')
              .map((s) => (
                <Notice key={s.mspId} tone="warning" title={`${s.name} not reached`} testId="source-unreachable">
                  <p>{s.message}</p>
                </Notice>
              ))}
            {chart.sources.flatMap((s) => s.skipped).length > 0 ? (
              <Notice tone="info" title="Some records were skipped">
                <ul>
                  {chart.sources.flatMap((s) => s.skipped.map((note, i) => <li key={`${s.mspId}-${i}`}>{note}</li>))}
                </ul>
              </Notice>
            ) : null}
            {chart.withheld.length > 0 ? (
              <details className="withheld" data-testid="withheld">
                <summary>
                  Withheld from other hospitals:{' '}
                  {chart.withheld.map((w) => CATEGORY_WORDS[w.category] ?? w.category).join(', ')}
                </summary>
                <ul>
                  {chart.withheld.map((w) => (
                    <li key={w.category}>
                      <strong>{CATEGORY_WORDS[w.category] ?? w.category}</strong>: {w.reason}
                    </li>
                  ))}
                </ul>
              </details>
            ) : null}
          </section>

          <div className="chart-tabs" role="tablist" aria-label="Chart sections">
            {(['summary', ...CHART_TABS] as Tab[]).map((t) => {
              const released = t === 'summary' || chart.released.includes(t);
              return (
                <button
                  key={t}
                  type="button"
                  role="tab"
                  aria-selected={tab === t}
                  className={`chart-tab${tab === t ? ' chart-tab-active' : ''}${released ? '' : ' chart-tab-withheld'}`}
                  onClick={() => void showTab(t)}
                >
                  {TAB_LABELS[t]}
                  {released ? null : <span className="visually-hidden"> (withheld)</span>}
                </button>
              );
            })}
          </div>

          {tab === 'summary' ? (
            <div className="chart-summary" data-testid="chart-summary">
              <section className="card">
                <h3>Problems</h3>
                <EntryList entries={chart.summary.problems} empty="No active problems released." />
              </section>
              <section className="card">
                <h3>Allergies</h3>
                <EntryList entries={chart.summary.allergies} empty="No allergies released." />
              </section>
              <section className="card">
                <h3>Active medications</h3>
                <EntryList entries={chart.summary.medications} empty="No active medications released." />
              </section>
              <section className="card">
                <h3>Latest vitals</h3>
                <EntryList entries={chart.summary.vitals} empty="No vital signs released." />
              </section>
            </div>
          ) : (
            <section className="card" aria-live="polite">
              <h3>{TAB_LABELS[tab]}</h3>
              {!chart.released.includes(tab) ? (
                <p className="muted">{chart.withheld.find((w) => w.category === tab)?.reason ?? 'Withheld.'}</p>
              ) : null}
              {tab === 'observations' && chart.trends.length > 0 ? (
                <div className="trend-grid">
                  {chart.trends.map((t) => (
                    <TrendPlot key={t.code} series={t} />
                  ))}
                </div>
              ) : null}
              {tabEntries === null ? (
                <Loading label="Loading…" />
              ) : (
                <EntryList
                  entries={tabEntries}
                  onOpenDocument={(e) => void openDocument(e)}
                  empty="Nothing released in this section."
                />
              )}
            </section>
          )}
          <p className="muted chart-footnote">
            Opened {formatDateTime(chart.openedAt)} for {chart.purpose === 'TREAT' ? 'treatment' : chart.purpose}.
            Access entry <span className="mono">{chart.accessEntryId}</span>.
            {chart.breakGlass ? ` Reason: ${BREAK_GLASS_REASON_WORDS[chart.breakGlass.reasonCode]}.` : ''}
          </p>
        </>
      ) : null}
      {document ? <DocumentViewer document={document} onClose={() => setDocument(null)} /> : null}
    </div>
  );
}
