// The administration page's view-model: what each administrator may open, how a form row becomes
// the change set the server checks (the same zod row schemas), the region tree, the routing rule
// edit, where a camera registers, who looks after which household, the account state and the
// audit query.
import { describe, expect, it } from 'vitest';
import {
  TABS,
  accountState,
  assignments,
  auditQueryOf,
  cameraTarget,
  departmentChanges,
  filtered,
  regionChanges,
  regionTree,
  routingChange,
  terminalChanges,
  LIST_LIMIT,
} from '../../client-web/src/admin/view-model.ts';
import type { DirectoryView } from '../../server/protocol/http/admin-shapes.ts';
import type { Account } from '../../server/protocol/http/identity-shapes.ts';
import type { Counsellor, HouseholdView } from '../../server/protocol/http/household-shapes.ts';
import type { Region, RoutingRules } from '../../server/protocol/http/petition-shapes.ts';

const regions: Region[] = [
  { code: '341300', name: '宿州市', level: 'city', parentCode: null },
  { code: '341302', name: '埇桥区', level: 'county', parentCode: '341300' },
  { code: '341321', name: '砀山县', level: 'county', parentCode: '341300' },
  { code: '341302001', name: '北关街道', level: 'township', parentCode: '341302' },
  { code: '341302001001', name: '东关社区', level: 'village', parentCode: '341302001' },
];
const directory: DirectoryView = { regions, terminals: [], departments: [], officials: [], receptionDays: [], kinds: ['civil', 'land'] };
const rules: RoutingRules = {
  version: 3,
  escalationDepartment: 'civil',
  categories: [
    { code: 'land', name: '土地', icon: 'land', departments: ['land'], level: 'county' },
    { code: 'wages', name: '欠薪', icon: 'money', departments: ['civil'], level: 'county' },
  ],
};

describe('admin view-model', () => {
  it('each administrator has only their own tabs (三员分立)', () => {
    expect(TABS.admin).toEqual(expect.arrayContaining(['regions', 'routing', 'cameras', 'counsellors']));
    for (const tab of [...TABS['security-admin'], ...TABS['audit-admin']]) expect(TABS.admin).not.toContain(tab);
    expect(TABS['audit-admin']).toEqual(['audit']);
  });

  it('the region tree lists each region after its parent, deeper by one', () => {
    const tree = regionTree([...regions].reverse());
    expect(tree.map((x) => `${x.depth}:${x.region.code}`)).toEqual(['0:341300', '1:341302', '2:341302001', '3:341302001001', '1:341321']);
    // A region whose parent is unknown stays visible, at the top.
    expect(regionTree([{ code: '341399', name: '孤立', level: 'county', parentCode: '999999' }])[0]!.depth).toBe(0);
  });

  it('a region form takes its level from the parent; a bad code is refused before any request', () => {
    const r = regionChanges({ code: '341302002', name: '南关街道', parentCode: '341302' }, directory);
    expect(r.ok && r.value.regions).toEqual([{ code: '341302002', name: '南关街道', level: 'township', parentCode: '341302' }]);
    const city = regionChanges({ code: '340100', name: '合肥市', parentCode: '' }, directory);
    expect(city.ok && city.value.regions[0]!.level).toBe('city');
    const bad = regionChanges({ code: '12', name: '错', parentCode: '341302' }, directory);
    expect(bad.ok).toBe(false);
  });

  it('a department gets the id the CSV import would give it; a terminal brings its new region', () => {
    const d = departmentChanges({ kind: ' land ', name: '埇桥区自然资源局', regionCode: '341302' }, directory);
    expect(d.ok && d.value.departments[0]).toMatchObject({ id: '341302-land', kind: 'land', level: 'county' });
    const t = terminalChanges({ name: '西关社区接访点', regionCode: '341302001002', regionName: '西关社区', parentCode: '341302001' }, directory);
    expect(t.ok && t.value.regions[0]).toMatchObject({ code: '341302001002', level: 'village', parentCode: '341302001' });
    expect(t.ok && t.value.terminals[0]!.id).toBe('T341302001002');
  });

  it('a routing edit replaces the category as the next version; a new code is added; no department kind is refused', () => {
    const edited = routingChange(rules, { code: 'wages', name: '欠薪', icon: 'money', departments: ['land', 'civil'], level: 'city' });
    expect(edited.ok && edited.value.version).toBe(4);
    expect(edited.ok && edited.value.categories.find((c) => c.code === 'wages')).toMatchObject({ departments: ['land', 'civil'], level: 'city' });
    expect(edited.ok && edited.value.categories).toHaveLength(2);
    const added = routingChange(rules, { code: 'roads', name: '道路', icon: '', departments: ['civil'], level: 'township' });
    expect(added.ok && added.value.categories.map((c) => c.code)).toEqual(['land', 'wages', 'roads']);
    expect(routingChange(rules, { code: 'roads', name: '道路', icon: 'x', departments: [], level: 'county' }).ok).toBe(false);
  });

  it('a camera registers with its household or compound; an incomplete form sends nothing', () => {
    expect(cameraTarget({ owner: 'household:H1', name: '院子', where: 'yard', url: 'rtsp://10.0.0.5/s' })).toEqual({ kind: 'household', householdId: 'H1', body: { name: '院子', place: 'yard', url: 'rtsp://10.0.0.5/s' } });
    expect(cameraTarget({ owner: 'compound:C1', name: '东门', where: ' 东门 ', url: 'rtsp://10.0.0.6/s' })).toEqual({ kind: 'compound', compoundId: 'C1', body: { name: '东门', location: '东门', url: 'rtsp://10.0.0.6/s' } });
    expect(cameraTarget({ owner: '', name: 'x', where: 'yard', url: 'rtsp://a' })).toBeNull();
    expect(cameraTarget({ owner: 'household:H1', name: 'x', where: 'yard', url: ' ' })).toBeNull();
  });

  it('assignments list each counsellor of each household by name, and households without one', () => {
    const h = (id: string, counsellorIds: string[]) => ({ household: { id, name: `家庭${id}` }, counsellorIds }) as unknown as HouseholdView;
    const counsellors: Counsellor[] = [{ id: 'C1', name: '李社工', organisation: '北关街道', regions: [] }];
    expect(assignments([h('H1', ['C1', 'C9']), h('H2', [])], counsellors)).toEqual([
      { householdId: 'H1', household: '家庭H1', counsellorId: 'C1', counsellor: '李社工' },
      { householdId: 'H1', household: '家庭H1', counsellorId: 'C9', counsellor: 'C9' },
      { householdId: 'H2', household: '家庭H2', counsellorId: null, counsellor: '' },
    ]);
  });

  it('long lists are filtered and cut to LIST_LIMIT rows, with the full count', () => {
    const rows = Array.from({ length: 250 }, (_, i) => `T${i}`);
    expect(filtered(rows, '', (r) => r)).toMatchObject({ total: 250 });
    expect(filtered(rows, '', (r) => r).rows).toHaveLength(LIST_LIMIT);
    expect(filtered(rows, 't24', (r) => r)).toEqual({ rows: ['T24', 'T240', 'T241', 'T242', 'T243', 'T244', 'T245', 'T246', 'T247', 'T248', 'T249'], total: 11 });
  });

  it('an account shows disabled over locked over a pending first sign-in', () => {
    const now = Date.parse('2026-12-02T08:00:00Z');
    const a = { disabled: false, lockedUntil: null, mustChangePassword: false } as unknown as Account;
    expect(accountState(a, now)).toBe('active');
    expect(accountState({ ...a, mustChangePassword: true }, now)).toBe('first');
    expect(accountState({ ...a, mustChangePassword: true, lockedUntil: '2026-12-02T08:10:00Z' }, now)).toBe('locked');
    expect(accountState({ ...a, lockedUntil: '2026-12-02T07:59:00Z' }, now)).toBe('active');
    expect(accountState({ ...a, disabled: true, lockedUntil: '2026-12-02T08:10:00Z' }, now)).toBe('disabled');
  });

  it('the audit query takes whole days in China Standard Time and leaves empty fields out', () => {
    expect(auditQueryOf({ type: '', text: '  ', from: '', to: '' })).toEqual({});
    expect(auditQueryOf({ type: 'sign-in', text: ' wang ', from: '2026-12-01', to: '2026-12-02' })).toEqual({
      type: 'sign-in',
      text: 'wang',
      from: '2026-11-30T16:00:00.000Z',
      to: '2026-12-02T15:59:59.999Z',
    });
  });
});
