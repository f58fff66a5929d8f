// The 红色物业 page's view-model: what the property office and the resident may do at each of the
// 四民 steps, and the compound cameras by place.
import { describe, expect, it } from 'vitest';
import { translator, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { propertyView, type Matter, type PropertyState } from '../../client-web/src/property/view-model.ts';

const ctx = (lang: 'zh' | 'en' = 'zh'): ViewContext => ({ t: translator(lang), lang, now: 0 });
const compound = { id: 'cp', name: '康居小区', address: '', region: '341302101201', propertyCompany: '康居物业服务中心', community: '康居社区居委会', policeDepartmentId: '341302101-ga' };
const at = '2026-11-26T04:00:00.000Z';

function matter(patch: Partial<Matter> = {}): Matter {
  return {
    id: 'PM1', compoundId: 'cp', compoundName: '康居小区', category: 'security', location: '东门', description: '道闸坏了', state: 'raised',
    residentId: 'pr-chen', residentName: '陈桂兰', raisedBy: { id: 'ps-liu', name: '刘晓东', role: 'property' }, roomId: 'property:PM1', sessionOpen: true,
    parties: [
      { kind: 'property', ref: 'cp', name: '康居物业服务中心', invitedAt: at, invitedBy: null, joinedBy: 'ps-liu', joinedByName: '刘晓东', joinedAt: at },
      { kind: 'resident', ref: 'pr-chen', name: '陈桂兰', invitedAt: at, invitedBy: null, joinedBy: null, joinedByName: null, joinedAt: null },
    ],
    cameraIds: ['cc-1'], decision: null, rating: null, createdAt: at, updatedAt: at, ...patch,
  };
}

function state(patch: Partial<PropertyState>): PropertyState {
  return {
    phase: 'running', role: 'property', who: '刘晓东', me: 'ps-liu', compound,
    cameras: [{ id: 'cc-1', compoundId: 'cp', name: '东门摄像头', location: '东门' }, { id: 'cc-2', compoundId: 'cp', name: '东门北侧', location: '东门' }, { id: 'cc-3', compoundId: 'cp', name: '地库摄像头', location: '3 号楼地库' }],
    residents: [{ id: 'pr-chen', name: '陈桂兰', unit: '3 号楼 2 单元 501' }], departments: [{ id: '341302101-ga', kind: 'ga', name: '符离镇派出所', level: 'township', regionCode: '341302101' }],
    matters: [matter()], selectedId: 'PM1', events: [], room: null, error: null, ...patch,
  };
}

describe('property page view-model', () => {
  it('an open matter: the office may invite the community and the 派出所, add the other cameras and decide; 民提 is the current step', () => {
    const d = propertyView(state({}), ctx()).detail!;
    expect(d.line).toBe('治安 · 东门 · 陈桂兰');
    expect(d.steps.map((s) => [s.label, s.current])).toEqual([['民提', true], ['民议', false], ['民决', false], ['民评', false]]);
    expect(d).toMatchObject({ canJoin: true, canInviteCommunity: true, canDecide: true, canRate: false, invitable: [{ id: '341302101-ga', name: '符离镇派出所' }] });
    expect(d.addableCameras.map((c) => c.id)).toEqual(['cc-2', 'cc-3']);
    expect(d.cameras).toBe('拉入会商的摄像头：东门摄像头');
  });

  it('a decided matter: nothing more for the office; the resident it is about rates it, another resident does not', () => {
    const decided = matter({ state: 'decided', sessionOpen: false, decision: '三日内修复' });
    const office = propertyView(state({ matters: [decided] }), ctx()).detail!;
    expect(office).toMatchObject({ canJoin: false, canInviteCommunity: false, canDecide: false, canRate: false, invitable: [], decision: '决定：三日内修复' });
    const resident = (me: string) => propertyView(state({ role: 'resident', me, matters: [decided], cameras: [], departments: [] }), ctx()).detail!;
    expect(resident('pr-chen').canRate).toBe(true);
    expect(resident('pr-sun').canRate).toBe(false);
  });

  it('shows the compound cameras grouped by place when no matter is chosen, and the resident no cameras and no resident pick', () => {
    expect(propertyView(state({ selectedId: null }), ctx('en')).cameraGroups).toEqual([
      { location: '东门', cameras: [{ id: 'cc-1', name: '东门摄像头' }, { id: 'cc-2', name: '东门北侧' }] },
      { location: '3 号楼地库', cameras: [{ id: 'cc-3', name: '地库摄像头' }] },
    ]);
    const resident = propertyView(state({ role: 'resident', me: 'pr-chen', selectedId: null, cameras: [] }), ctx());
    expect(resident.cameraGroups).toBeNull();
    expect(resident.raise?.residents).toBeNull();
    expect(resident.title).toBe('红色物业 · 我的物业呼叫');
  });

  it('asks for a sign-in without a token', () => {
    expect(propertyView(state({ phase: 'no-token' }), ctx('en')).notice).toBe('Please sign in (no access token).');
  });
});
