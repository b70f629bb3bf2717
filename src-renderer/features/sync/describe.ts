import type { SyncState } from '../../../src-shared/ipc/contract';

export interface SyncSummary {
  /** Short label for the status bar. */
  label: string;
  tone: 'ok' | 'warning' | 'danger' | 'neutral';
  /** One sentence for the Sync screen. */
  explanation: string;
}

/** Words for the ledger connection, shared by the status bar and the Sync screen. */
export function describeSync(state: SyncState): SyncSummary {
  switch (state.connection) {
    case 'online':
      return {
        label: 'Ledger online',
        tone: state.failed > 0 ? 'warning' : 'ok',
        explanation: 'Connected to the ledger gateway. Changes made here are sent as soon as they are saved.',
      };
    case 'offline':
      return {
        label: 'Ledger offline',
        tone: 'warning',
        explanation:
          'The ledger gateway cannot be reached. You can keep working: changes wait in the outbox and are sent when the connection returns.',
      };
    case 'connecting':
      return {
        label: 'Connecting to ledger…',
        tone: 'neutral',
        explanation: 'CareLedger is connecting to the ledger gateway.',
      };
    case 'not-configured':
      return {
        label: 'Ledger not configured',
        tone: 'neutral',
        explanation:
          'This workstation is not connected to a ledger yet, so nothing is sent or received. Everything stays in the encrypted local cache.',
      };
  }
}
