// Demo and test data: households in the counties of 宿州 (division codes 3413xx), family members
// working in other cities, and the counsellors of two county social-work stations. Idempotent:
// running it on a store that already has the demo households changes nothing.
import type { HouseholdRepository } from './repository.ts';
import { DEFAULT_SETTINGS, type HouseholdSettings } from './domain.ts';

/** Division codes of 宿州's county-level units. */
export const SUZHOU_REGIONS = {
  city: '341300',
  yongqiao: '341302', // 埇桥区
  dangshan: '341321', // 砀山县
  xiaoxian: '341322', // 萧县
  lingbi: '341323', // 灵璧县
  sixian: '341324', // 泗县
} as const;

export const SEED = {
  households: { zhang: 'hh-yq-zhang', wang: 'hh-ds-wang', liu: 'hh-xx-liu', zhao: 'hh-lb-zhao' },
  devices: { zhang: 'dev-yq-zhang-1', wang: 'dev-ds-wang-1', liu: 'dev-xx-liu-1', zhao: 'dev-lb-zhao-1' },
  family: {
    zhangWei: 'fm-zhang-wei', // son of the 张 household, works in 杭州, manages
    liNa: 'fm-li-na', // daughter-in-law, 苏州, may look in
    zhangLei: 'fm-zhang-lei', // grandson, 深圳, may only call
    wangQiang: 'fm-wang-qiang', // 王 household, 上海, manages
    liuFang: 'fm-liu-fang', // 刘 household, 合肥, call only
    zhaoMin: 'fm-zhao-min', // 赵 household, 南京, manages
  },
  counsellors: { chen: 'cs-chen-jing', zhou: 'cs-zhou-hong' },
  /** 村委会 / 网格员 contacts an SOS escalates to (the same people sign in as grid workers). */
  villageContacts: { zhangzhuang: 'gw-zhangzhuang', wanglou: 'gw-wanglou', liutao: 'gw-liutao', zhaoji: 'gw-zhaoji' },
} as const;

const on = (s: Partial<HouseholdSettings>): HouseholdSettings => ({ ...DEFAULT_SETTINGS, ...s });

export async function seedHouseholdDemo(repo: HouseholdRepository, nowMs: number): Promise<{ created: boolean }> {
  const created = await seedHouseholds(repo, nowMs);
  await seedCare(repo, nowMs);
  return { created };
}

async function seedHouseholds(repo: HouseholdRepository, nowMs: number): Promise<boolean> {
  if (await repo.getHousehold(SEED.households.zhang)) return false;
  const { households: H, devices: D, family: F, counsellors: C } = SEED;
  try {
    await repo.transaction(async (tx) => {
      await tx.insertHousehold({
        id: H.zhang, name: '张家', address: '埇桥区符离镇张庄村 3 组 12 号', region: '341302101',
        residents: [
          { name: '张秀英', kind: 'elderly', birthYear: 1948, note: '耳背，说话请大声、慢一点' },
          { name: '张小雨', kind: 'child', birthYear: 2016 },
        ],
        settings: on({
          autoAnswer: { mode: 'selected', memberIds: [F.zhangWei] },
          lookInAllowed: true,
          // Nights are private.
          privacySchedule: [{ days: [0, 1, 2, 3, 4, 5, 6], start: '22:00', end: '07:00' }],
          // Grandmother goes to bed early: calls after nine ring softly.
          quietHours: [{ days: [0, 1, 2, 3, 4, 5, 6], start: '21:00', end: '07:00' }],
          activityWatch: { enabled: true, start: '08:00', end: '20:00', inactiveHours: 3, threshold: 0.02 },
        }),
        createdAtMs: nowMs,
      });
      await tx.insertHousehold({
        id: H.wang, name: '王家', address: '砀山县良梨镇王楼村 8 号', region: '341321101',
        residents: [
          { name: '王德发', kind: 'elderly', birthYear: 1944 },
          { name: '李桂兰', kind: 'elderly', birthYear: 1946, note: '高血压，每日 8 点服药' },
        ],
        settings: on({ autoAnswer: { mode: 'all-family', memberIds: [] }, lookInAllowed: true }),
        createdAtMs: nowMs,
      });
      await tx.insertHousehold({
        id: H.liu, name: '刘家', address: '萧县龙城镇刘套村 21 号', region: '341322100',
        residents: [
          { name: '刘桂芝', kind: 'elderly', birthYear: 1952 },
          { name: '刘子涵', kind: 'child', birthYear: 2014 },
          { name: '刘子轩', kind: 'child', birthYear: 2018 },
        ],
        settings: on({}),
        createdAtMs: nowMs,
      });
      await tx.insertHousehold({
        id: H.zhao, name: '赵家', address: '灵璧县虞姬乡赵集村 5 号', region: '341323102',
        residents: [{ name: '赵长山', kind: 'elderly', birthYear: 1940 }],
        settings: on({ lookInAllowed: true }),
        createdAtMs: nowMs,
      });

      for (const [hid, did] of [[H.zhang, D.zhang], [H.wang, D.wang], [H.liu, D.liu], [H.zhao, D.zhao]] as const) {
        await tx.insertDevice({ id: did, householdId: hid, name: '客厅平安心居终端', place: 'living-room', boundAtMs: nowMs });
      }

      await tx.insertFamilyMember({ id: F.zhangWei, name: '张伟', city: '杭州', phone: null });
      await tx.insertFamilyMember({ id: F.liNa, name: '李娜', city: '苏州', phone: null });
      await tx.insertFamilyMember({ id: F.zhangLei, name: '张磊', city: '深圳', phone: null });
      await tx.insertFamilyMember({ id: F.wangQiang, name: '王强', city: '上海', phone: null });
      await tx.insertFamilyMember({ id: F.liuFang, name: '刘芳', city: '合肥', phone: null });
      await tx.insertFamilyMember({ id: F.zhaoMin, name: '赵敏', city: '南京', phone: null });
      await tx.linkFamilyMember({ householdId: H.zhang, memberId: F.zhangWei, relation: '儿子', permission: 'manage' });
      await tx.linkFamilyMember({ householdId: H.zhang, memberId: F.liNa, relation: '儿媳', permission: 'look-in' });
      await tx.linkFamilyMember({ householdId: H.zhang, memberId: F.zhangLei, relation: '孙子', permission: 'call' });
      await tx.linkFamilyMember({ householdId: H.wang, memberId: F.wangQiang, relation: '儿子', permission: 'manage' });
      await tx.linkFamilyMember({ householdId: H.liu, memberId: F.liuFang, relation: '女儿', permission: 'call' });
      await tx.linkFamilyMember({ householdId: H.zhao, memberId: F.zhaoMin, relation: '女儿', permission: 'manage' });

      await tx.insertCounsellor({ id: C.chen, name: '陈静', organisation: '埇桥区社会工作服务站', regions: [SUZHOU_REGIONS.yongqiao] });
      await tx.insertCounsellor({
        id: C.zhou, name: '周红', organisation: '砀山县、萧县社工联合站',
        regions: [SUZHOU_REGIONS.dangshan, SUZHOU_REGIONS.xiaoxian],
      });
      await tx.assignCounsellor(H.zhang, C.chen);
      await tx.assignCounsellor(H.wang, C.zhou);
      await tx.assignCounsellor(H.liu, C.zhou);
    });
  } catch (err) {
    // Another node seeding the same store at the same moment won the race: nothing left to do.
    if (await repo.getHousehold(SEED.households.zhang)) return false;
    throw err;
  }
  return true;
}

/**
 * Issue 14's demo data, added to stores seeded before it: village contacts, and the consent of
 * each household to the look-ins its family may make (recorded as given at seeding).
 */
async function seedCare(repo: HouseholdRepository, nowMs: number): Promise<void> {
  if (await repo.getVillageContact(SEED.villageContacts.zhangzhuang)) return;
  const { households: H, family: F, villageContacts: V } = SEED;
  try {
    await repo.transaction(async (tx) => {
      await tx.insertVillageContact({ id: V.zhangzhuang, name: '王建华', organisation: '符离镇张庄村村委会', region: '341302101', phone: null });
      await tx.insertVillageContact({ id: V.wanglou, name: '李红梅', organisation: '良梨镇王楼村村委会', region: '341321101', phone: null });
      await tx.insertVillageContact({ id: V.liutao, name: '刘长江', organisation: '龙城镇刘套村村委会', region: '341322100', phone: null });
      await tx.insertVillageContact({ id: V.zhaoji, name: '赵玉梅', organisation: '虞姬乡赵集村村委会', region: '341323102', phone: null });
      const consents: [string, string, string][] = [
        [H.zhang, F.zhangWei, '张伟'],
        [H.zhang, F.liNa, '李娜'],
        [H.wang, F.wangQiang, '王强'],
        [H.zhao, F.zhaoMin, '赵敏'],
      ];
      for (const [householdId, memberId, memberName] of consents) {
        const h = await tx.getHousehold(householdId);
        await tx.appendConsent({ householdId, memberId, memberName, source: '*', action: 'granted', byId: 'system', byName: h?.name ?? householdId, byRole: 'admin', atMs: nowMs });
      }
    });
  } catch (err) {
    if (await repo.getVillageContact(SEED.villageContacts.zhangzhuang)) return;
    throw err;
  }
}
