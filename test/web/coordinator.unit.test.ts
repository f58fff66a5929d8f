// The coordinator overview's view-model: totals, the busiest queues first with "nobody online"
// flagged, office names from the seed's id scheme, the rules table, and the editor's checks.
import { describe, expect, it } from 'vitest';
import { translator, type Lang, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { coordinatorView, draftOf, officeLabel, rulesOfDraft, type CoordinatorState, type OverviewView, type RulesView } from '../../client-web/src/coordinator/view-model.ts';
import type { Case, RoutingRules } from '../../client-web/src/petition-ui/common.ts';

const NOW = Date.parse('2026-11-26T07:00:00Z');
const ctx = (lang: Lang = 'zh'): ViewContext => ({ t: translator(lang), lang, now: NOW });
const RULES: RoutingRules = {
  version: 3,
  escalationDepartment: 'xfj',
  waiting: { offerAfterSeconds: 120, maxWaitSeconds: 1800 },
  categories: [{ code: 'wages', name: '拖欠工资', icon: 'wallet', departments: ['rs', 'xfj'], level: 'county' }],
} as RoutingRules;
const CASE = { id: 'XF20261126-000042', category: 'wages', state: 'joint_session', acceptDeadline: '2026-11-20T06:00:00Z', handleDeadline: '2027-01-25T06:00:00Z', handleExtended: false, rating: null } as unknown as Case;
const state = (s: Partial<CoordinatorState> = {}): CoordinatorState => ({
  phase: 'ready', overview: null, updatedAt: NOW, refreshError: null, officeNames: {}, rules: RULES, rulesError: null, draft: null, draftError: null,
  lookupInput: '', lookup: null, watching: null, ...s,
});
const overview = (s: CoordinatorState): OverviewView => {
  const b = coordinatorView(s, ctx()).body;
  if (b?.kind !== 'ready' || !b.overview) throw new Error('an overview');
  return b.overview;
};
const rules = (s: CoordinatorState, lang: Lang = 'zh'): RulesView => {
  const b = coordinatorView(s, ctx(lang)).body;
  if (b?.kind !== 'ready') throw new Error('ready');
  return b.rules;
};

describe('coordinator view-model', () => {
  const s = state({
    overview: {
      queues: [
        { departmentId: '341321-zj', name: '砀山县住建局', length: 1, online: 1, oldestWaitSeconds: 30 },
        { departmentId: '341321-rs', name: '砀山县人社局', length: 3, online: 0, oldestWaitSeconds: 700 },
      ],
      sessions: [{ case: CASE, roomId: 'petition:x', participants: [
        { officialId: 'O1', officialName: '王建国', departmentId: '341321-rs', departmentName: '砀山县人社局', role: 'lead' },
        { officialId: 'O2', officialName: '李卫东', departmentId: '341321001-ga', departmentName: '砀城镇派出所', role: 'invited' },
      ] }],
      terminals: [{ regionCode: '341321', name: '砀山县', total: 4, online: 3, offline: [{ id: 'T9', name: '良梨镇村民服务站', alertSince: null }] }],
      overdue: [{ case: CASE, overdue: ['acceptance'] }],
    },
    officeNames: { '341321-rs': '砀山县人社局' },
  });

  it('totals what is waiting, live, online and overdue', () => {
    expect(overview(s).tiles.map((x) => [x.n, x.value, x.sub, x.alert])).toEqual([
      ['waiting', '4', '最长已等 11 分钟', false],
      ['sessions', '1', '联合接访 1', false],
      ['terminals', '3 / 4', '离线 1', false],
      ['overdue', '1', '受理或办理超期', true],
    ]);
  });

  it('lists the busiest queue first and flags people waiting with nobody online', () => {
    expect(overview(s).queues.rows.map((r) => [r.id, r.warn, r.oldest])).toEqual([
      ['341321-rs', '无人在线', '11 分钟'],
      ['341321-zj', null, '不到 1 分钟'],
    ]);
  });

  it('names the offices and officials in a session, and offline terminals, never by id', () => {
    expect(overview(s).sessions.rows[0]).toMatchObject({ state: '联合接访中', category: '拖欠工资', participants: ['砀山县人社局 (王建国，主办)', '砀城镇派出所 (李卫东)'] });
    expect(overview(s).terminals.rows[0]).toMatchObject({ offline: 1, offlineNames: '良梨镇村民服务站' });
    expect(overview(s).terminals.alerts).toEqual([]);
    expect(officeLabel(s, '341321-wsjk', ctx('en'))).toBe('341321 Health Commission');
    expect(officeLabel(s, 'somewhere-else', ctx())).toBe('somewhere-else');
    expect(overview(s).overdue.rows[0]).toMatchObject({ overdue: '受理告知超期' });
  });

  it('raises a terminal gone for the offline-alert time, by name, on top of the terminals and on the tile', () => {
    const alerted = state({
      ...s,
      overview: { ...s.overview!, terminals: [{ regionCode: '341321', name: '砀山县', total: 4, online: 3, offline: [{ id: 'T9', name: '良梨镇村民服务站', alertSince: '2026-11-26T04:00:00.000Z' }] }] },
    });
    expect(overview(alerted).terminals.alerts).toEqual([{ id: 'T9', text: '终端离线告警：良梨镇村民服务站，最后在线 11/26 12:00' }]);
    expect(overview(alerted).tiles.find((x) => x.n === 'terminals')!.alert).toBe(true);
  });

  it('shows the rules in words and opens the editor on the rules in use', () => {
    const table = rules(state()).table!;
    expect(table.summary).toBe('等待超过 2 分钟 无人在线，或预计等待超过 30 分钟 时，向信访人提供预约或回电。上报上级时，没有同类上级部门的交 信访局。');
    expect(table.rows).toEqual([{ code: 'wages', icon: 'wallet', name: '拖欠工资', offices: '人社局、信访局', level: '县区级' }]);
    const editor = rules(state({ draft: draftOf(RULES) })).editor!;
    expect(editor.offerAfter.value).toBe('2');
    expect(editor.rows[0]!.code).toMatchObject({ value: 'wages', readonly: true });
    expect(editor.rows[0]!.offices.filter((o) => o.checked).map((o) => o.value)).toEqual(['xfj', 'rs']);
  });

  it('refuses a category without an office, and sends waits in seconds with the next version', () => {
    const draft = draftOf(RULES);
    const none = { ...draft, rows: [...draft.rows, { key: 9, code: 'roads', name: '道路', icon: 'doc', departments: [], level: 'county', existing: false }] };
    expect(rulesOfDraft(RULES, none, ctx())).toEqual({ error: '“道路”至少要选一个部门' });
    const next = rulesOfDraft(RULES, { ...draft, maxWait: '45' }, ctx());
    expect(next).toEqual({ rules: { version: 4, escalationDepartment: 'xfj', waiting: { offerAfterSeconds: 120, maxWaitSeconds: 2700 }, categories: [{ code: 'wages', name: '拖欠工资', icon: 'wallet', departments: ['xfj', 'rs'], level: 'county' }] } });
  });
});

describe('coordinator overview: the archive alarm', () => {
  it('shows the trusted-timestamp alarm while the TSA is unreachable, and nothing when it answers', () => {
    const status = (timestamps: NonNullable<CoordinatorState['archiveStatus']>['timestamps']) => ({ timestamps, keys: [], transcriptEngine: null, composite: true, storage: [] });
    expect(coordinatorView(state({ archiveStatus: status({ state: 'ok', pending: 0 }) }), ctx()).alarm).toBeNull();
    expect(coordinatorView(state(), ctx()).alarm).toBeNull();
    expect(coordinatorView(state({ archiveStatus: status({ state: 'unreachable', pending: 2, since: '2026-11-26T06:00:00Z' }) }), ctx()).alarm).toBe('可信时间戳服务不可用（自 2026-11-26 14:00:00 起）：2 项封存等待时间戳，服务恢复后自动补签。');
  });

  it('shows the recordings-storage alarm before anything else while the disk is full', () => {
    const full = { timestamps: { state: 'ok' as const, pending: 0 }, keys: [], transcriptEngine: null, composite: true, storage: [{ kind: 'disk-low' as const, area: 'archive' as const, detail: '/srv/rec: 0 MiB free, below the 2048 MiB floor', since: '2026-11-26T06:00:00Z', freeBytes: 0 }] };
    expect(coordinatorView(state({ archiveStatus: full }), ctx()).alarm).toBe('录像存储空间不足或写入失败（自 2026-11-26 14:00:00 起）：新的接访不再录像，已存录像完好。/srv/rec: 0 MiB free, below the 2048 MiB floor');
  });
});
