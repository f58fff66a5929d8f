// The enrol page's view-model: the pairing code as the device shows it, who may enrol into which
// household, the claim the form sends (or what is missing, in the installer's words) and how a
// refused claim is worded.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../client-web/src/lib/api.ts';
import { translator, type Lang, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { EMPTY_FORM, claimOf, displayCode, managedHouseholds, refusalText, type EnrolForm } from '../../client-web/src/enrol/view-model.ts';
import type { HouseholdView } from '../../server/protocol/http/household-shapes.ts';
import type { Terminal } from '../../server/protocol/http/petition-shapes.ts';

const ctx = (lang: Lang = 'zh'): ViewContext => ({ t: translator(lang), lang, now: 0 });
const POINTS: Terminal[] = [{ id: 'T341321001', name: '孙洼村接访点', level: 'village', regionCode: '341321001', parentRegionCode: '341321' } as Terminal];
const form = (f: Partial<EnrolForm>): EnrolForm => ({ ...EMPTY_FORM, ...f });
const household = (id: string, myPermission: string) => ({ household: { id, name: id }, myPermission }) as unknown as HouseholdView;

describe('enrol view-model', () => {
  it('shows the typed code the way the device does: upper case, XXXX-XXXX, at most 8 characters', () => {
    expect(displayCode('abcd')).toBe('ABCD');
    expect(displayCode('ab cd2')).toBe('ABCD-2');
    expect(displayCode('abcd-2345-6789')).toBe('ABCD-2345');
  });

  it('enrols a terminal at a known terminal point, named after the point unless named', () => {
    expect(claimOf('admin', form({ code: 'abcd-2345', terminalId: ' T341321001 ' }), POINTS)).toEqual({
      ok: true,
      claim: { kind: 'terminal', code: 'ABCD2345', terminalId: 'T341321001', name: '孙洼村接访点' },
    });
    const named = claimOf('admin', form({ code: 'ABCD2345', terminalId: 'T341321001', name: ' 大厅左 ' }), POINTS);
    expect(named.ok && named.claim.name).toBe('大厅左');
    expect(claimOf('admin', form({ code: 'ABCD2345', terminalId: 'T999' }), POINTS)).toEqual({ ok: false, missing: 'terminal' });
  });

  it('refuses a code the device cannot have shown (0, 1, I and O are never used)', () => {
    expect(claimOf('admin', form({ code: 'ABCD-1234', terminalId: 'T341321001' }), POINTS)).toEqual({ ok: false, missing: 'code' });
    expect(claimOf('family', form({ code: 'ABC', householdId: 'hh-zhang', name: '客厅' }), [])).toEqual({ ok: false, missing: 'code' });
  });

  it('enrols a home device in a household with a name and a place', () => {
    expect(claimOf('family', form({ code: 'WXYZ-2345', householdId: 'hh-zhang', name: ' 客厅终端 ', place: 'entrance' }), [])).toEqual({
      ok: true,
      claim: { kind: 'home-device', code: 'WXYZ2345', householdId: 'hh-zhang', name: '客厅终端', place: 'entrance' },
    });
    expect(claimOf('family', form({ code: 'WXYZ2345', name: '客厅终端' }), [])).toEqual({ ok: false, missing: 'household' });
    expect(claimOf('family', form({ code: 'WXYZ2345', householdId: 'hh-zhang', name: '  ' }), [])).toEqual({ ok: false, missing: 'name' });
  });

  it('words every missing part in both languages', () => {
    for (const lang of ['zh', 'en'] as const) {
      for (const m of ['code', 'terminal', 'household', 'name'] as const) expect(ctx(lang).t(`enrol.missing.${m}`)).not.toMatch(/enrol\./);
    }
    expect(ctx().t('enrol.missing.terminal')).toBe('请选择接访点');
  });

  it('offers only the households the family member manages', () => {
    expect(managedHouseholds([household('hh-zhang', 'manage'), household('hh-li', 'call'), household('hh-wang', 'look-in')]).map((h) => h.household.id)).toEqual(['hh-zhang']);
  });

  it('says the code is unknown when the server does not know it, and passes anything else on', () => {
    expect(refusalText(new ApiError(404, { code: 'not_found', message: 'no pairing' }), ctx())).toMatch(/配对码/);
    expect(refusalText(new ApiError(400, { code: 'bad_request', message: 'code: 8 characters' }), ctx('en'))).toBe(ctx('en').t('enrol.badCode'));
    expect(refusalText(new ApiError(403, { code: 'forbidden', message: 'not your household' }), ctx())).toBe('登记失败：not your household');
    expect(refusalText(new TypeError('Failed to fetch'), ctx())).toBe('登记失败：Failed to fetch');
  });
});
