// Walk-away safety at the village terminal (issue 12 item 6, docs/field.md): 不等了 asks first and
// then withdraws the case; a waiting screen nobody touches asks 还在吗? and then gives the place
// up — as a call-back when there is a phone number to call; a reload comes back to the open
// case's screen; a receipt returns to the start screen by itself. The times come from the
// routing rules' `waiting`, set small here by the coordinator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DbPetitionRepository } from '../../server/petition/repository.ts';
import type { Case, RoutingRules, Terminal, TimelineEvent } from '../../server/petition/types.ts';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { openSignedIn, petitionTokens } from './ui-support.ts';

describe('a terminal nobody is left stranded at', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let terminals: Terminal[];
  const errors: string[] = [];

  const api = async <T,>(method: string, path: string, token: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${platform.url}/api/petition${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as { data: T };
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json.data;
  };
  const coordinator = () => petitionTokens(platform).coordinator();
  const caseOf = (id: string) => api<Case>('GET', `/cases/${id}`, coordinator());
  const timelineOf = (id: string) => api<TimelineEvent[]>('GET', `/cases/${id}/timeline`, coordinator());
  const open = (t: Terminal) => openSignedIn(browser, platform.url, errors, t.id, 'terminal.html', petitionTokens(platform).terminal(t));
  const waitingCase = async (kiosk: Page) => (await kiosk.locator('.waiting [data-case-id]').textContent())!.trim();

  beforeAll(async () => {
    platform = await startTestPlatform();
    browser = await launchBrowser();
    // Nobody at the desks: every case waits. 还在吗? after 5 s untouched, given up 5 s later; receipts stay 5 s.
    const rules = await api<RoutingRules>('GET', '/routing-rules', coordinator());
    await api('PUT', '/routing-rules', coordinator(), { ...rules, waiting: { offerAfterSeconds: 600, maxWaitSeconds: 3600, stillThereAfterSeconds: 5, stillThereAnswerSeconds: 5, receiptSeconds: 5 } });
    terminals = (await new DbPetitionRepository(platform.services.store).listTerminals()).filter((t) => t.level === 'village');
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  it('不等了 asks first; a reload comes back to the waiting case; confirmed, the case is withdrawn and the receipt gives way to the start screen', async () => {
    const kiosk = await open(terminals[0]!);
    await kiosk.locator('[data-category=wages]').click();
    const caseId = await waitingCase(kiosk);

    await kiosk.locator('[data-act=give-up]').click();
    await kiosk.locator('#dialog[data-dialog=withdraw]').waitFor();
    await kiosk.locator('#dialog [data-act=keep-waiting]').click();
    await kiosk.locator('#dialog').waitFor({ state: 'detached' });
    expect((await caseOf(caseId)).state).toBe('queued');

    // A reload (power blip, a curious hand) comes back to the same case's waiting screen.
    await kiosk.reload();
    expect(await waitingCase(kiosk)).toBe(caseId);

    await kiosk.locator('[data-act=give-up]').click();
    await kiosk.locator('#dialog [data-act=withdraw]').click();
    await kiosk.locator('[data-receipt]').filter({ hasText: '已撤回' }).waitFor({ timeout: 10_000 });
    expect((await caseOf(caseId)).state).toBe('archived');
    expect((await timelineOf(caseId)).find((e) => e.type === 'withdrawn')).toMatchObject({ actorRole: 'terminal', data: { why: 'petitioner' } });
    // Nobody taps 完成: the terminal is back at its start screen by itself, and stays there on a reload.
    await kiosk.locator('[data-category=wages]').waitFor({ timeout: 20_000 });
    await kiosk.reload();
    await kiosk.locator('[data-category=wages]').waitFor({ timeout: 15_000 });
    expect(errors).toEqual([]);
    await kiosk.close();
  }, 90_000);

  it('nobody touches the waiting screen: 还在吗? — a tap keeps the place; unanswered, the case is withdrawn', async () => {
    const kiosk = await open(terminals[1]!);
    await kiosk.locator('[data-category=wages]').click();
    const caseId = await waitingCase(kiosk);
    await kiosk.locator('#dialog[data-dialog=still-there]').waitFor({ timeout: 15_000 });
    await kiosk.locator('#dialog [data-act=keep-waiting]').click();
    await kiosk.locator('#dialog').waitFor({ state: 'detached' });
    expect((await caseOf(caseId)).state).toBe('queued');

    // Asked again, and this time nobody is there.
    await kiosk.locator('#dialog[data-dialog=still-there]').waitFor({ timeout: 15_000 });
    await kiosk.locator('[data-receipt]').filter({ hasText: '已撤回' }).waitFor({ timeout: 15_000 });
    expect((await timelineOf(caseId)).find((e) => e.type === 'withdrawn')).toMatchObject({ data: { why: 'idle' } });
    await kiosk.locator('[data-category=wages]').waitFor({ timeout: 20_000 });
    expect(errors).toEqual([]);
    await kiosk.close();
  }, 90_000);

  it('with a phone number on the case, an unanswered 还在吗? turns the wait into a call-back', async () => {
    const kiosk = await open(terminals[2]!);
    await kiosk.locator('.helper summary').click();
    await kiosk.locator('.helper [name=phone]').fill('13800000000');
    await kiosk.locator('.helper summary').click();
    await kiosk.locator('[data-category=wages]').click();
    const caseId = await waitingCase(kiosk);
    await kiosk.locator('#dialog[data-dialog=still-there]').filter({ hasText: '13800000000' }).waitFor({ timeout: 15_000 });
    await kiosk.locator('[data-receipt]').filter({ hasText: '已登记回电' }).waitFor({ timeout: 15_000 });
    const c = await caseOf(caseId);
    expect(c.state).toBe('appointment');
    expect(c.appointment).toMatchObject({ kind: 'callback' });
    expect(errors).toEqual([]);
    await kiosk.close();
  }, 90_000);
});
