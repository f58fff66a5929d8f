// A fresh terminal in production mode, in Chromium: with no credential it shows a pairing code;
// the system administrator enters it for a terminal point; the kiosk then starts a petition with
// one tap and the case is routed to that point's office; revoking the device in one click takes
// the kiosk back to a new pairing code, and its old credential is refused.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import type { EnrolledDevice, SystemAuditEntry } from '../../server/protocol/http/identity-shapes.ts';
import type { Terminal } from '../../server/petition/types.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { Browser, loadDirectory } from './support.ts';

describe('a terminal enrolled with its pairing code', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let http: Browser;
  let admin: string;
  let village: Terminal;

  beforeAll(async () => {
    platform = await startTestPlatform({ NODE_ENV: 'production', JWT_SECRET: randomBytes(32).toString('hex') });
    browser = await launchBrowser();
    http = new Browser(platform);
    admin = platform.token('sysadmin-1', 'admin', { rooms: [] }, { name: '系统管理员' });
    village = (await loadDirectory(platform)).terminals.find((t) => t.level === 'village' && t.regionCode.startsWith('341321'))!;
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  it('pairs, starts a petition routed to its point, and stops when revoked', async () => {
    const errors: string[] = [];
    const kiosk = await browser.newPage();
    kiosk.on('pageerror', (e) => errors.push(e.message));
    await kiosk.goto(`${platform.url}/terminal.html`);
    const code = (await kiosk.locator('#pairing-code').getAttribute('data-code', { timeout: 15_000 }))!;
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(await kiosk.locator('#pairing').textContent()).toContain('本设备尚未登记');

    // The administrator types it as read off the screen, in lower case.
    const typed = code.toLowerCase();
    const device = await http.data<EnrolledDevice>('POST', '/api/enrol/claims', { token: admin, body: { kind: 'terminal', code: typed, terminalId: village.id, name: `${village.name}一号机` } });
    expect(device).toMatchObject({ kind: 'terminal', terminalId: village.id, state: 'active' });

    // The kiosk's next poll brings its credential: the category buttons appear, one tap starts.
    await kiosk.locator('[data-category=wages]').click({ timeout: 15_000 });
    const caseId = (await kiosk.locator('.waiting [data-case-id]').textContent({ timeout: 15_000 }))!.trim();
    expect(caseId).toMatch(/^XF\d{8}-\d{6}$/);
    const c = await platform.services.petition.getCase({ id: 'system', name: 'system', role: 'system' }, caseId);
    expect(c.terminalId).toBe(village.id);
    expect(c.routedDepartmentIds).toEqual(['341321-rs']);
    const stored = await kiosk.evaluate(() => JSON.parse(localStorage.getItem('enrol.terminal') ?? 'null') as { deviceId: string; refreshToken: string });
    expect(stored.deviceId).toBe(device.id);

    // Revoke in one click: the kiosk is thrown back to a new pairing code within seconds.
    await http.data('POST', `/api/enrol/devices/${device.id}/revoke`, { token: admin });
    await kiosk.locator('#pairing-code').waitFor({ timeout: 10_000 });
    expect(await kiosk.locator('#pairing-code').getAttribute('data-code')).not.toBe(code);
    const refused = await http.send('POST', '/api/enrol/refresh', { body: stored });
    expect(refused.status).toBe(401);

    const auditor = platform.token('auditor-1', 'audit-admin', { rooms: [] });
    const trail = await http.data<SystemAuditEntry[]>('GET', '/api/identity/audit', { token: auditor });
    expect(trail.filter((e) => e.details.deviceId === device.id).map((e) => e.type)).toEqual(['device-revoked', 'device-enrolled']);
    expect(errors).toEqual([]);
  });
});
