import { sql } from '../sql';
import type { Migration } from './types';

/**
 * The status bar asks how many writes are waiting several times a second, also while the sync
 * thread drains a backlog of thousands. Counting the pending rows of the `(state, seq)` index
 * grew with the backlog (a few milliseconds at 5,000, more under a busy machine), so the count
 * per state is now kept in `outbox_state_count` by triggers, in the same transaction as every
 * change of an outbox row: the query reads at most seven rows, whatever the backlog.
 *
 * Triggers, not code in outbox.ts, so that no path that writes the outbox (queueing, the
 * worker's steps, retry, discard, the import of a rebuilt cache's export) can leave the count
 * behind. The rebuild never carries this table; the imported rows count themselves.
 */
const migration: Migration = {
  version: 12,
  name: 'outbox-counts',
  async up(w) {
    await w.run(sql`CREATE TABLE outbox_state_count (state TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID`);
    await w.run(sql`INSERT INTO outbox_state_count (state, n) SELECT state, count(*) FROM outbox GROUP BY state`);
    await w.run(sql`
      CREATE TRIGGER outbox_count_insert AFTER INSERT ON outbox BEGIN
        INSERT INTO outbox_state_count (state, n) VALUES (new.state, 1) ON CONFLICT (state) DO UPDATE SET n = n + 1;
      END`);
    await w.run(sql`
      CREATE TRIGGER outbox_count_delete AFTER DELETE ON outbox BEGIN
        UPDATE outbox_state_count SET n = n - 1 WHERE state = old.state;
      END`);
    await w.run(sql`
      CREATE TRIGGER outbox_count_update AFTER UPDATE OF state ON outbox WHEN old.state IS NOT new.state BEGIN
        UPDATE outbox_state_count SET n = n - 1 WHERE state = old.state;
        INSERT INTO outbox_state_count (state, n) VALUES (new.state, 1) ON CONFLICT (state) DO UPDATE SET n = n + 1;
      END`);
  },
};

export default migration;
