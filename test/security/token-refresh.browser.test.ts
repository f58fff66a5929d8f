// A room token that lives a short while (TOKEN_TTL_SECONDS=15) does not end a call: two Chromium
// pages in a petition session renew theirs on the open connection (refreshToken) before each
// expiry, the call runs on past several expiries with pictures decoded all along, and an official
// who joins after them is seen and heard — which needs the earlier pages' tokens to be current,
// since an expired token consumes nothing.
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../scripts/harness/chromium.ts';
import type { Actor } from '../../server/petition/types.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { remoteMedia, waitFor, openCallPage } from '../support/media.ts';

const TTL_SECONDS = 15;
const TERMINAL = 'T341321101201'; // 砀山县砀城镇 (seed); wages → 砀山县人社局
const LEAD = 'O341321-rs-1';
const GUEST = 'O341321-zj-1';
const terminal: Actor = { id: `device-${TERMINAL}`, name: '砀城镇一号终端', role: 'terminal', terminalId: TERMINAL };
const official = (id: string): Actor => ({ id, name: id, role: 'official' });

describe('a call past several room-token expiries', () => {
  let platform: TestPlatform;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    platform = await startTestPlatform({ TOKEN_TTL_SECONDS: String(TTL_SECONDS) });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.cleanup();
    await platform?.close();
  });

  const open = (token: string, room: string, name: string) => openCallPage(browser, platform.url, token, room, name);
  /** The token a peer holds on the server now: its id and expiry. */
  const held = (roomId: string, peerId: string) => {
    const c = platform.rooms.get(roomId)?.peers.get(peerId)?.claims;
    return c ? { jti: c.jti, exp: c.exp } : undefined;
  };

  it('renews the tokens before they expire, keeps decoding, and a late participant is still consumed', { timeout: 240_000 }, async () => {
    const petition = platform.services.petition;
    const started = await petition.startPetition(terminal, { terminalId: TERMINAL, category: 'wages', petitionerName: '王秀英' });
    const lead = await petition.acceptTicket(official(LEAD), started.ticketId);
    const room = started.roomId;
    const leadPage = await open(lead.token, room, '人社干部');
    const petitionerPage = await open(started.token, room, '王秀英');
    const pages = [leadPage, petitionerPage];
    for (const page of pages) await waitFor(() => remoteMedia(page), (r) => r.framesDecoded > 0 && r.audioPackets > 0, { what: 'first frames', timeoutMs: 30_000 });

    // Each side's token is swapped at least three times; what it held never lapses for long.
    const seen = { [LEAD]: new Set<string>(), [terminal.id]: new Set<string>() };
    const before = await Promise.all(pages.map((p) => remoteMedia(p)));
    await waitFor(
      async () => {
        for (const id of Object.keys(seen)) {
          const h = held(room, id);
          if (h) seen[id]!.add(h.jti);
        }
        return Object.values(seen).map((s) => s.size);
      },
      (sizes) => sizes.every((n) => n >= 4),
      { what: 'three renewals on each side', timeoutMs: 6 * TTL_SECONDS * 1000 },
    );
    for (const id of Object.keys(seen)) expect(held(room, id)!.exp * 1000).toBeGreaterThan(Date.now());
    // Pictures kept coming through all of it, on both pages, and the call is still up.
    const after = await Promise.all(pages.map((p) => remoteMedia(p)));
    after.forEach((r, i) => expect(r.framesDecoded).toBeGreaterThan(before[i]!.framesDecoded + 30));
    for (const page of pages) {
      expect(await page.locator('.call-status').getAttribute('data-state')).toBe('connected');
      expect(await page.evaluate(() => document.getElementById('app')?.dataset.error ?? null)).toBeNull();
    }
    // Well past the first tokens' expiry: the pages must consume a newcomer with current tokens.
    const firstExp = (jwt.decode(lead.token) as { exp: number }).exp;
    expect(Date.now()).toBeGreaterThan(firstExp * 1000);
    await petition.invite(official(LEAD), started.case.id, { departmentId: '341321-zj' });
    const ticket = (await petition.queue.ticketsOfCase(started.case.id)).filter((t) => t.kind === 'invite' && t.state === 'queued').pop()!;
    const guest = await petition.acceptTicket(official(GUEST), ticket.id);
    const guestPage = await open(guest.token, room, '住建干部');
    for (const page of pages) {
      await waitFor(() => remoteMedia(page), (r) => (r.byPeer[GUEST]?.framesDecoded ?? 0) > 0, { what: 'the late official decoded', timeoutMs: 30_000 });
    }
    await guestPage.close();
    await petition.endSession(official(LEAD), started.case.id);
  });
});
