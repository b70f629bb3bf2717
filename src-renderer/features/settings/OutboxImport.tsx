import { useState, type ChangeEvent, type ReactNode } from 'react';
import type { IpcError } from '../../../src-shared/ipc/contract';
import { api } from '../../lib/api';
import { ErrorNotice, Notice } from '../../ui/Notice';

/**
 * Put back the unsent ledger changes of an outbox export (the file a rebuild of damaged local
 * data writes beside the damaged file). A rebuild already does this by itself; this is for a
 * file IT hands back, e.g. after restoring a backup older than the rebuild. The file only opens
 * with this workstation's data key, and a change already in the queue is never queued twice.
 */
export function OutboxImport(): ReactNode {
  const [result, setResult] = useState<{ imported: number; skipped: number } | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);

  async function importFile(event: ChangeEvent<HTMLInputElement>): Promise<void> {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    setBusy(true);
    setError(null);
    setResult(null);
    const text = await file.text();
    const answer = await api['cache.importOutbox']({ exportFileText: text });
    setBusy(false);
    input.value = '';
    if (answer.ok) setResult(answer.value);
    else setError(answer.error);
  }

  return (
    <div className="stack integrity-check" data-testid="outbox-import">
      <h3>Unsent changes from a rebuild</h3>
      <p>
        If IT support hands you an <span className="path">outbox-export.json</span> file from a rebuild of this
        workstation&rsquo;s local data, put its ledger changes back in the sync queue here. Changes already in the queue
        are not added twice.
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      {result ? (
        <Notice tone="success" title="Changes put back in the sync queue" testId="outbox-import-done">
          <p>
            {result.imported === 1 ? '1 change was added' : `${result.imported} changes were added`}
            {result.skipped > 0 ? `; ${result.skipped} were already in the queue` : ''}.
          </p>
        </Notice>
      ) : null}
      <div className="field">
        <label htmlFor="outbox-import-file">Outbox export file</label>
        <input id="outbox-import-file" type="file" accept=".json,application/json" disabled={busy} onChange={(e) => void importFile(e)} />
      </div>
    </div>
  );
}
