// The invite page's view-model: which households one may invite into, the code in a link's
// fragment, the invitation the form sends (or none while it is incomplete), and how a refusal is
// worded.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../client-web/src/lib/api.ts';
import { translator, type Lang, type ViewContext } from '../../client-web/src/lib/i18n.ts';
import { EMPTY_INVITE, codeOfLink, invitableHouseholds, invitationBody, refusalText, type InviteForm } from '../../client-web/src/invite/view-model.ts';
import type { HouseholdView } from '../../server/protocol/http/household-shapes.ts';

const ctx = (lang: Lang = 'zh'): ViewContext => ({ t: translator(lang), lang, now: 0 });
const form = (f: Partial<InviteForm>): InviteForm => ({ ...EMPTY_INVITE, householdId: 'hh-zhang', relation: '女儿', ...f });
const household = (id: string, myPermission?: string) => ({ household: { id, name: id }, ...(myPermission ? { myPermission } : {}) }) as unknown as HouseholdView;

describe('invite view-model', () => {
  it('lets a family member invite into managed households and a counsellor into every assigned one', () => {
    const hs = [household('hh-zhang', 'manage'), household('hh-li', 'call')];
    expect(invitableHouseholds('family', hs).map((h) => h.household.id)).toEqual(['hh-zhang']);
    expect(invitableHouseholds('counsellor', [household('hh-zhang'), household('hh-li')]).map((h) => h.household.id)).toEqual(['hh-zhang', 'hh-li']);
  });

  it('reads the code from the link fragment', () => {
    expect(codeOfLink('#code=ABCD-2345')).toBe('ABCD-2345');
    expect(codeOfLink('#lang=en&code=%20WXYZ2345%20')).toBe('WXYZ2345');
    expect(codeOfLink('')).toBe('');
  });

  it('makes an open link, or one addressed to a sign-in name', () => {
    expect(invitationBody(form({ relation: ' 女儿 ' }))).toEqual({ householdId: 'hh-zhang', relation: '女儿', permission: 'call', validHours: 72 });
    expect(invitationBody(form({ permission: 'look-in', username: ' zhang.li ', validHours: '168' }))).toEqual({
      householdId: 'hh-zhang', relation: '女儿', permission: 'look-in', validHours: 168, username: 'zhang.li',
    });
  });

  it('sends nothing without a household or relation, or with a validity outside 1–168 whole hours', () => {
    for (const f of [{ householdId: '' }, { relation: '  ' }, { validHours: '0' }, { validHours: '169' }, { validHours: '2.5' }, { validHours: '' }]) {
      expect(invitationBody(form(f)), JSON.stringify(f)).toBeNull();
    }
  });

  it('says an unknown invitation is unknown, and passes anything else on', () => {
    expect(refusalText(new ApiError(404, { code: 'not_found', message: 'no invitation' }), ctx())).toBe('邀请不存在或已过期，请向家人索取新的邀请。');
    expect(refusalText(new ApiError(409, { code: 'conflict', message: 'username taken' }), ctx())).toBe('未能完成：username taken');
    expect(refusalText(new TypeError('Failed to fetch'), ctx('en'))).toBe(ctx('en').t('invite.failed', { m: 'Failed to fetch' }));
  });
});
