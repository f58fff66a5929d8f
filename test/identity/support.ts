// Signing in over HTTP as a browser would: a cookie jar of one cookie, each step's answer, and
// TOTP codes computed from the secret the enrol step showed (as an authenticator app does).
import { generate } from 'otplib';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { SignInStep } from '../../server/protocol/http/identity-shapes.ts';
import { systemActor } from '../../server/core/system-audit.ts';
import { buildDirectory } from '../../server/petition/seed.ts';
import type { TestPlatform } from '../support/platform.ts';

export interface Answer<T = unknown> {
  status: number;
  body: { ok: true; data: T } | { ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };
  setCookie: string | null;
}

/** One browser: keeps the session cookie the server sets. */
export class Browser {
  cookie: string | undefined;
  constructor(private readonly platform: TestPlatform) {}

  async send<T = unknown>(method: string, path: string, opts: { body?: unknown; token?: string } = {}): Promise<Answer<T>> {
    const res = await fetch(this.platform.url + path, {
      method,
      headers: {
        ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const pair = setCookie.split(';')[0]!;
      this.cookie = pair.endsWith('=') ? undefined : pair;
    }
    return { status: res.status, body: (await res.json()) as Answer<T>['body'], setCookie };
  }

  async data<T>(method: string, path: string, opts: { body?: unknown; token?: string } = {}): Promise<T> {
    const a = await this.send<T>(method, path, opts);
    if (!a.body.ok) throw new Error(`${method} ${path}: ${a.status} ${JSON.stringify(a.body.error)}`);
    return a.body.data;
  }

  step(path: string, body: unknown): Promise<SignInStep> {
    return this.data<SignInStep>('POST', `/api/identity${path}`, { body });
  }
}

/** A code for the step after the last one used (the server refuses a code twice). */
export async function totpCode(secret: string, offsetSteps = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSteps * 30 });
}

export const NEW_PASSWORD = 'Qingshui-River-42';

/**
 * A first sign-in from the one-time password to a session: new password, authenticator set up.
 * Answers the signed-in step and the TOTP secret.
 */
/** A first sign-in of a role without a second factor (a family member, a resident): password change only. */
export async function firstPasswordSignIn(b: Browser, username: string, oneTimePassword: string, newPassword = NEW_PASSWORD) {
  const s1 = await b.step('/sign-in', { username, password: oneTimePassword });
  if (s1.step !== 'change-password') throw new Error(`expected change-password, got ${s1.step}`);
  const s2 = await b.step('/sign-in/new-password', { challenge: s1.challenge, newPassword });
  if (s2.step !== 'signed-in') throw new Error(`expected signed-in, got ${s2.step}`);
  return s2;
}

export async function firstSignIn(b: Browser, username: string, oneTimePassword: string, newPassword = NEW_PASSWORD) {
  const s1 = await b.step('/sign-in', { username, password: oneTimePassword });
  expect(s1.step).toBe('change-password');
  if (s1.step !== 'change-password') throw new Error('unreachable');
  const s2 = await b.step('/sign-in/new-password', { challenge: s1.challenge, newPassword });
  if (s2.step !== 'enrol-totp') throw new Error(`expected enrol-totp, got ${s2.step}`);
  expect(s2.qr).toMatch(/^data:image\/png;base64,/);
  const s3 = await b.step('/sign-in/enrol-totp', { challenge: s2.challenge, code: await totpCode(s2.secret) });
  if (s3.step !== 'signed-in') throw new Error(`expected signed-in, got ${s3.step}`);
  return { signedIn: s3, secret: s2.secret };
}

/** The bootstrap command's path: a security administrator with a one-time password. */
export async function bootstrapSecurityAdmin(platform: TestPlatform, username = 'secadmin') {
  return platform.services.identity.accounts.create(systemActor('test'), { username, displayName: '安全管理员', role: 'security-admin' });
}

/** Production starts with no directory: the system administrator loads the demo one (the import path). */
export async function loadDirectory(platform: TestPlatform): Promise<ReturnType<typeof buildDirectory>> {
  const changes = buildDirectory();
  const admin = platform.token('sysadmin-1', 'admin', { rooms: [] });
  const report = await new Browser(platform).data<{ applied: boolean }>('POST', '/api/admin/directory', { token: admin, body: { changes, dryRun: false } });
  expect(report.applied).toBe(true);
  return changes;
}

/**
 * A first sign-in on the sign-in page in Chromium, as a person would do it: one-time password,
 * own password, authenticator set up (the code computed from the secret the page shows). The
 * page is then on the role's own page. Answers the authenticator secret.
 */
export async function signInFirstTime(page: Page, url: string, username: string, oneTimePassword: string, newPassword = NEW_PASSWORD): Promise<string> {
  const fill = async (fields: Record<string, string>) => {
    for (const [name, value] of Object.entries(fields)) await page.locator(`form#sign-in input[name=${name}]`).fill(value);
    await page.locator('#submit').click();
  };
  await page.goto(`${url}/sign-in.html`);
  await fill({ username, password: oneTimePassword });
  await page.locator('form#sign-in[data-step="change-password"]').waitFor();
  await fill({ newPassword, repeat: newPassword });
  await page.locator('form#sign-in[data-step="enrol-totp"]').waitFor();
  const secret = (await page.locator('#totp-secret').textContent())!.trim();
  await fill({ code: await totpCode(secret) });
  return secret;
}

/** An account made by the security administrator (its one-time password). */
export async function createAccount(platform: TestPlatform, security: string, body: { username: string; displayName: string; role: string; subject?: string }): Promise<string> {
  return (await new Browser(platform).data<{ initialPassword: string }>('POST', '/api/identity/accounts', { token: security, body })).initialPassword;
}
