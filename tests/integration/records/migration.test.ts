/**
 * Migration 0010 (the chart): a cache at version 9 with patients and settings gains the chart's
 * tables, the default emergency-access duration (60 minutes), and keeps everything it held.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { CacheDatabase, keyCheckValue } from '../../../src-main/cache/database';
import { migrate, schemaVersion } from '../../../src-main/cache/migrations';
import { sql } from '../../../src-main/cache/sql';

it('adds the chart tables to a version-9 cache and keeps its data', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'careledger-chart-migration-'));
  const key = randomBytes(32);
  const db = await CacheDatabase.open(path.join(dir, 'cache.db'), key, {
    create: true,
    expectedKeyCheck: keyCheckValue(key),
  });
  try {
    await migrate(db, 9);
    await db.write((w) =>
      w.run(sql`INSERT OR REPLACE INTO workstation_setting (key, value) VALUES ('autoLockMinutes', '7')`),
    );
    expect(await migrate(db)).toBeGreaterThanOrEqual(10);
    expect(await schemaVersion(db)).toBeGreaterThanOrEqual(10);
    const tables = await db.read((r) =>
      r.all<{ name: string }>(
        sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'chart_%' ORDER BY name`,
      ),
    );
    expect(tables.map((t) => t.name)).toEqual([
      'chart_access',
      'chart_break_glass',
      'chart_offline_batch',
      'chart_resource',
      'chart_review',
      'chart_source',
    ]);
    const settings = await db.read((r) =>
      r.all<{ key: string; value: string }>(
        sql`SELECT key, value FROM workstation_setting WHERE key IN ('autoLockMinutes', 'breakGlassMinutes') ORDER BY key`,
      ),
    );
    expect(settings).toEqual([
      { key: 'autoLockMinutes', value: '7' },
      { key: 'breakGlassMinutes', value: '60' },
    ]);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
});
