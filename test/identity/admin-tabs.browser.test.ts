// The system administrator's region, routing, camera and counsellor tabs in Chromium: each change
// is seen where it matters — a renamed township and a new village in the tree, a routing rule that
// sends the next petition of its category to other departments, a camera registered through the
// server's address check (a loopback one refused) and removed from the household, a counsellor
// who is assigned sees the household on their desk and loses it when unassigned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import { SEED } from '../../server/household/seed.ts';
import { PROPERTY_SEED } from '../../server/property/index.ts';
import type { DirectoryView } from '../../server/protocol/http/admin-shapes.ts';
import type { HouseholdView } from '../../server/protocol/http/household-shapes.ts';
import type { Case, RoutingRules } from '../../server/protocol/http/petition-shapes.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser } from './support.ts';

describe('admin tabs: regions, routing rules, cameras, counsellors', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let admin: Page;
  let adminToken: string;
  let http: Browser;
  const errors: string[] = [];

  const tab = async (name: string) => {
    await admin.locator(`[data-tab=${name}]`).click();
    await admin.locator(`#panel[data-panel=${name}]`).waitFor();
  };
  const save = async (form: string) => admin.locator(`#form-${form} [data-act=save]`).click();
  const directory = () => http.data<DirectoryView>('GET', '/api/admin/directory', { token: adminToken });

  beforeAll(async () => {
    platform = await startTestPlatform();
    browser = await launchBrowser();
    http = new Browser(platform);
    adminToken = platform.token('sysadmin-1', 'admin', { rooms: [] }, { name: '王系统' });
    admin = await browser.newPage();
    admin.on('pageerror', (e) => errors.push(`[admin] ${e.message}`));
    admin.on('dialog', (d) => void d.accept());
    await admin.setViewportSize({ width: 1024, height: 600 });
    await admin.goto(`${platform.url}/admin.html?token=${encodeURIComponent(adminToken)}`);
    await admin.locator('#panel[data-panel=regions]').waitFor({ timeout: 15_000 });
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  it('the region tree: rename a township, add a village under it; both show in the tree at their depth', async () => {
    const township = (await directory()).regions.find((r) => r.level === 'township')!;
    const row = admin.locator(`#regions tr[data-region="${township.code}"]`);
    expect(await row.getAttribute('data-depth')).toBe('2');
    await admin.locator('#filter').fill(township.code);
    await row.locator('[data-act=edit]').click();
    expect(await admin.locator('#form-regions input[name=code]').inputValue()).toBe(township.code);
    await admin.locator('#form-regions input[name=name]').fill('改名镇');
    await save('regions');
    await expect.poll(() => row.locator('td').first().textContent()).toBe('改名镇');

    await admin.locator('#form-regions input[name=code]').fill(`${township.code}901`);
    await admin.locator('#form-regions input[name=name]').fill('新建村');
    await admin.locator('#form-regions select[name=parentCode]').selectOption(township.code);
    await save('regions');
    const village = admin.locator(`#regions tr[data-region="${township.code}901"]`);
    await village.waitFor();
    expect(await village.getAttribute('data-depth')).toBe('3');
    expect((await directory()).regions.find((r) => r.code === `${township.code}901`)).toMatchObject({ level: 'village', parentCode: township.code, name: '新建村' });
    // A village is no parent of anything: the form refuses a region under it.
    await admin.locator('#form-regions input[name=code]').fill(`${township.code}902`);
    await admin.locator('#form-regions input[name=name]').fill('错误');
    expect(await admin.locator(`#form-regions select[name=parentCode] option[value="${township.code}901"]`).count()).toBe(0);
  });

  it('a routing rule edited on the page sends the next petition of that category to the new department kind', async () => {
    const rules = await http.data<RoutingRules>('GET', '/api/petition/routing-rules', { token: adminToken });
    const category = rules.categories.find((c) => c.level === 'county')!;
    const d = await directory();
    const other = d.kinds.find((k) => !category.departments.includes(k) && d.departments.some((x) => x.kind === k && x.level === 'county'))!;
    await tab('routing');
    await admin.locator(`#routing tr[data-category="${category.code}"] [data-act=edit]`).click();
    for (const k of category.departments) await admin.locator(`#routing-kinds input[value="${k}"]`).uncheck();
    await admin.locator(`#routing-kinds input[value="${other}"]`).check();
    await save('routing');
    await expect.poll(() => admin.locator(`#routing tr[data-category="${category.code}"] [data-kinds]`).textContent()).toBe(other);
    expect((await http.data<RoutingRules>('GET', '/api/petition/routing-rules', { token: adminToken })).version).toBe(rules.version + 1);

    const terminal = d.terminals.find((t) => t.level === 'village')!;
    const kiosk = platform.token(`kiosk-${terminal.id}`, 'terminal', { rooms: [] }, { attributes: { terminalId: terminal.id } });
    const started = await http.data<{ case: Case }>('POST', '/api/petition/cases', { token: kiosk, body: { terminalId: terminal.id, category: category.code, petitionerName: '李桂兰' } });
    const kinds = started.case.routedDepartmentIds.map((id) => d.departments.find((x) => x.id === id)?.kind);
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds)).toEqual(new Set([other]));
  });

  it('a camera is registered through the address check (loopback refused) and removed; the household sees both', async () => {
    const camerasOf = async () => (await http.data<HouseholdView>('GET', `/api/household/households/${SEED.households.zhang}`, { token: adminToken })).cameras;
    await tab('cameras');
    await admin.locator('#form-cameras select[name=owner]').selectOption(`household:${SEED.households.zhang}`);
    await admin.locator('#form-cameras input[name=name]').fill('院子摄像头');
    await admin.locator('#form-cameras select[name=where]').selectOption('yard');
    await admin.locator('#form-cameras input[name=url]').fill('rtsp://127.0.0.1:554/stream1');
    await save('cameras');
    await expect.poll(() => admin.locator('#form-error').textContent()).toContain('camera url');
    expect(await camerasOf()).toEqual([]);

    await admin.locator('#form-cameras input[name=url]').fill('rtsp://192.168.1.64:554/stream1');
    await save('cameras');
    const row = admin.locator('#cameras tr[data-camera]', { hasText: '院子摄像头' });
    await row.waitFor();
    const [camera] = await camerasOf();
    expect(camera).toMatchObject({ name: '院子摄像头', place: 'yard' });
    // The address stays on the server.
    expect(await admin.locator('#panel').textContent()).not.toContain('192.168.1.64');
    await row.locator('[data-act=remove]').click();
    await row.waitFor({ state: 'detached' });
    expect(await camerasOf()).toEqual([]);
  });

  it('an assigned counsellor sees the household on their desk; unassigned, it is gone from their list', async () => {
    const counsellorToken = platform.token(SEED.counsellors.zhou, 'counsellor', { rooms: [] }, { name: '周红' });
    const theirs = async () => (await http.data<HouseholdView[]>('GET', '/api/household/households', { token: counsellorToken })).map((h) => h.household.id);
    const household = (await http.data<HouseholdView[]>('GET', '/api/household/households', { token: adminToken })).find((h) => !h.counsellorIds.includes(SEED.counsellors.zhou))!;
    expect(await theirs()).not.toContain(household.household.id);
    await tab('counsellors');
    await admin.locator('#form-counsellors select[name=householdId]').selectOption(household.household.id);
    await admin.locator('#form-counsellors select[name=counsellorId]').selectOption(SEED.counsellors.zhou);
    await save('counsellors');
    const assignment = admin.locator(`#assignments tr[data-assignment="${household.household.id}/${SEED.counsellors.zhou}"]`);
    await assignment.waitFor();

    const desk = await browser.newPage();
    desk.on('pageerror', (e) => errors.push(`[counsellor] ${e.message}`));
    await desk.goto(`${platform.url}/counsellor.html?token=${encodeURIComponent(counsellorToken)}`);
    await desk.locator(`#households tr[data-household-id="${household.household.id}"]`).waitFor({ timeout: 15_000 });
    await desk.close();

    await assignment.locator('[data-act=unassign]').click();
    await assignment.waitFor({ state: 'detached' });
    expect(await theirs()).not.toContain(household.household.id);
  });

  it('a compound camera someone watched cannot be removed; retired on the page it leaves the list and can no longer be watched', async () => {
    const cameras = `/api/property/compounds/${PROPERTY_SEED.compound}/cameras`;
    const camera = await http.data<{ id: string }>('POST', cameras, { token: adminToken, body: { name: '南门摄像头', location: '南门', url: 'rtsp://192.168.1.65:554/stream1' } });
    const grid = platform.token(SEED.villageContacts.zhangzhuang, 'grid-worker', { rooms: [] }, { name: '张庄网格员' });
    await http.data('POST', `/api/property/cameras/${camera.id}/view`, { token: grid });
    await admin.reload();
    await tab('cameras');
    const row = admin.locator(`#cameras tr[data-camera="${camera.id}"]`);
    await row.waitFor();
    // Removing it is refused: its history stays.
    await row.locator('[data-act=remove]').click();
    await expect.poll(() => admin.locator('#message').textContent()).toContain('不能删除');
    expect(await row.count()).toBe(1);
    await row.locator('[data-act=retire]').click();
    await row.waitFor({ state: 'detached' });
    expect((await http.data<{ id: string }[]>('GET', cameras, { token: adminToken })).map((c) => c.id)).not.toContain(camera.id);
    const view = await http.send('POST', `/api/property/cameras/${camera.id}/view`, { token: grid });
    expect(view.body).toMatchObject({ ok: false, error: { code: 'conflict', details: { reason: 'camera_retired' } } });
  });

  it('every tab fits 1024×600 with no page errors', async () => {
    for (const name of ['regions', 'routing', 'cameras', 'counsellors']) {
      await tab(name);
      const size = await admin.evaluate(() => ({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight }));
      expect(size.w, name).toBeLessThanOrEqual(1024);
      expect(size.h, name).toBeLessThanOrEqual(600);
    }
    expect(errors).toEqual([]);
  });
});
