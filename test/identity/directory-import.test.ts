// The system administrator loads the directory from CSV as Excel exports it, against a running
// node: 500 terminal points (GBK, with their regions) and 30 departments (UTF-8 with BOM); the dry
// run reports and writes nothing; the import applies; petitions at the new terminals are routed
// to the new departments; a file with a broken row is refused whole, naming the line.
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryView, ImportReport } from '../../server/protocol/http/admin-shapes.ts';
import type { SystemAuditEntry } from '../../server/protocol/http/identity-shapes.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser } from './support.ts';

let platform: TestPlatform;
let api: Browser;
let admin: string;
const COUNTY = '341399';
const KINDS = ['xfj', 'rs', 'zrzy', 'zj', 'ga', 'mz', 'nync', 'wsjk'];

beforeAll(async () => {
  platform = await startTestPlatform();
  api = new Browser(platform);
  admin = platform.token('sysadmin-1', 'admin', { rooms: [] }, { name: '系统管理员' });
});
afterAll(async () => {
  await platform?.close();
});

/** 1 county, 11 townships, 488 villages: 500 terminal points, one per region. */
function terminalsCsv(): string {
  const rows = ['接访点名称,区划代码,区划名称,级别,上级区划代码', `测试县视频接访点,${COUNTY},测试县,县,341300`];
  const townships = Array.from({ length: 11 }, (_, t) => `${COUNTY}${101 + t}`);
  townships.forEach((code, t) => rows.push(`测试县第${t + 1}镇视频接访点,${code},第${t + 1}镇,乡镇,${COUNTY}`));
  for (let v = 0; v < 488; v++) {
    const township = townships[v % 11]!;
    const code = `${township}${201 + Math.floor(v / 11)}`;
    rows.push(`"测试县第${(v % 11) + 1}镇${v + 1}村视频接访点",${code},${v + 1}村,村,${township}`);
  }
  return rows.join('\r\n') + '\r\n';
}

/** 8 county offices and 2 in each township: 30 departments. */
function departmentsCsv(): string {
  const rows = ['部门类别,部门名称,区划代码'];
  for (const k of KINDS) rows.push(`${k},测试县${k}局,${COUNTY}`);
  for (let t = 0; t < 11; t++) for (const k of ['xfj', 'ga']) rows.push(`${k},第${t + 1}镇${k}所,${COUNTY}${101 + t}`);
  return rows.join('\n');
}

const send = (kind: 'terminals' | 'departments', bytes: Buffer, dryRun: boolean) =>
  api.data<ImportReport>('POST', '/api/admin/directory/import', { token: admin, body: { kind, content: bytes.toString('base64'), dryRun } });

describe('directory import', () => {
  it('dry-runs, then imports 500 terminal points (GBK) and 30 departments (UTF-8 BOM); petitions there are routed to them', async () => {
    const gbk = iconv.encode(terminalsCsv(), 'gbk');
    const dry = await send('terminals', gbk, true);
    expect(dry).toMatchObject({ dryRun: true, applied: false, encoding: 'gbk', problems: [] });
    expect(dry.counts.terminals).toEqual({ create: 500, update: 0, unchanged: 0 });
    expect(dry.counts.regions.create).toBe(500);
    const before = await api.data<DirectoryView>('GET', '/api/admin/directory', { token: admin });
    expect(before.terminals.some((t) => t.regionCode.startsWith(COUNTY))).toBe(false);

    expect(await send('terminals', gbk, false)).toMatchObject({ applied: true, counts: { terminals: { create: 500 } } });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(departmentsCsv(), 'utf8')]);
    const deps = await send('departments', bom, false);
    expect(deps).toMatchObject({ applied: true, encoding: 'utf-8-bom', counts: { departments: { create: 30, update: 0 } }, problems: [] });
    // The same file again changes nothing.
    expect((await send('departments', bom, true)).counts.departments).toEqual({ create: 0, update: 0, unchanged: 30 });

    const village = `T${COUNTY}105207`;
    const terminal = { id: 'tdev-test', name: '终端', role: 'terminal', terminalId: village } as const;
    const wages = await platform.services.petition.startPetition(terminal, { terminalId: village, category: 'wages' });
    expect(wages.case.routedDepartmentIds).toEqual([`${COUNTY}-rs`]);
    const order = await platform.services.petition.startPetition({ ...terminal, id: 'tdev-test-2', terminalId: `T${COUNTY}106201` }, { terminalId: `T${COUNTY}106201`, category: 'public_order' });
    expect(order.case.routedDepartmentIds).toEqual([`${COUNTY}106-ga`]);
  });

  it('refuses a file with a broken row whole, naming its line', async () => {
    const csv = ['接访点名称,区划代码,区划名称,上级区划代码', '孤村视频接访点,341398101201,孤村,341398101', '坏码,12345,坏,341300'].join('\n');
    const r = await send('terminals', Buffer.from(csv), false);
    expect(r.applied).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ line: 3, entity: 'regions', key: '12345' }), expect.objectContaining({ line: 3, entity: 'terminals' })]);
    const orphan = await send('terminals', Buffer.from(csv.split('\n').slice(0, 2).join('\n')), false);
    expect(orphan.problems[0]).toMatchObject({ line: 2, entity: 'regions', message: expect.stringContaining('parent region 341398101') });
    expect(orphan.applied).toBe(false);
  });

  it('refuses a file longer than one change set by its first line too many, as a report', async () => {
    const rows = ['接访点名称,区划代码,区划名称,级别,上级区划代码'];
    for (let v = 0; v < 5001; v++) rows.push(`超长${v}村,${COUNTY}9${String(Math.floor(v / 999)).padStart(2, '0')}${String((v % 999) + 1).padStart(3, '0')},超长${v}村,村,${COUNTY}901`);
    const report = await send('terminals', Buffer.from(rows.join('\r\n')), true);
    expect(report.problems).toEqual([{ line: 5002, entity: 'terminals', key: '', message: expect.stringContaining('at most 5000 rows') }]);
  });

  it('is for system administrators only, and every import is in the audit trail', async () => {
    const coordinator = platform.token('coord-1', 'coordinator', { rooms: [] });
    expect((await api.send('POST', '/api/admin/directory/import', { token: coordinator, body: { kind: 'terminals', content: 'eA==' } })).status).toBe(403);
    const auditor = platform.token('auditor-1', 'audit-admin', { rooms: [] });
    const entries = await api.data<SystemAuditEntry[]>('GET', '/api/identity/audit?type=directory-imported', { token: auditor });
    expect(entries.map((e) => e.details.source)).toEqual(expect.arrayContaining(['terminals.csv', 'departments.csv', 'demo-seed']));
  });
});
