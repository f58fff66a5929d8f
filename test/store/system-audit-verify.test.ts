// The system audit trail is verified a page of rows at a time: a trail longer than a page is
// walked whole, its count is every row, and an entry altered on a later page is named by seq.
import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../server/core/db.ts';
import { SystemAudit, createSystemAuditTable, systemActor } from '../../server/core/system-audit.ts';
import { DIALECTS } from '../support/stores.ts';

const ENTRIES = 4_500; // more than two pages of the verify walk

describe.each(DIALECTS)('verifying a long system audit trail on %s', (_dialect, fresh) => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
  });

  it('walks every row across pages and names the one altered far down the trail', async () => {
    store = await Store.open(await fresh('audit_verify_pages'));
    await store.migrate([{ id: 'identity-005-system-audit', up: (db) => createSystemAuditTable(db) }]);
    const audit = new SystemAudit(store);
    await Promise.all(Array.from({ length: ENTRIES }, (_, i) => audit.record({ type: 'account-created', actor: systemActor('test'), details: { username: `user.${i}` } })));
    expect(await audit.verify()).toEqual({ entries: ENTRIES, problems: [] });

    const db = store.db<{ system_audit: { seq: number; details_json: string } }>();
    const seq = ENTRIES - 7;
    const row = await db.selectFrom('system_audit').select('details_json').where('seq', '=', seq).executeTakeFirstOrThrow();
    await db.updateTable('system_audit').set({ details_json: row.details_json.replace('user.', 'usr.') }).where('seq', '=', seq).execute();
    const report = await audit.verify();
    expect(report.entries).toBe(ENTRIES);
    expect(report.problems).toEqual([{ line: seq + 1, seq, problem: 'entry content does not match its hash (entry altered)' }]);
  }, 120_000);
});
