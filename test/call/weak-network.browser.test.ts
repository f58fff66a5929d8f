// A call over a village link (issue 12.3): both Chromium pages reach the worker only through the
// lossy relay, at 10% loss on each uplink and 300 kbps each way per transport. Sound keeps
// playing (Opus FEC: concealment stays under a bound), the picture keeps being decoded at a
// lower simulcast layer instead of freezing, and the villager's page says 网络较差 and offers a
// voice call, which stops its camera when pressed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWeakCall, type WeakCall } from '../../scripts/harness/weak-call.ts';
import { waitFor } from '../support/media.ts';

const CLEAN = { loss: 0, delayMs: 20, rateBps: 0 };
const VILLAGE_UP = { loss: 0.1, delayMs: 40, rateBps: 300_000 };
const VILLAGE_DOWN = { loss: 0, delayMs: 40, rateBps: 300_000 };

describe('a call over a lossy, slow village link', () => {
  let call: WeakCall;
  beforeAll(async () => {
    call = await startWeakCall({ up: CLEAN });
  }, 120_000);
  afterAll(async () => {
    await call?.close();
  });

  it('keeps the sound playing and the picture moving at a lower layer, and says 网络较差', async () => {
    await waitFor(() => call.counters(), (c) => c.framesDecoded > 0 && c.samples > 0, { what: 'first frame and sound on a clean link', timeoutMs: 45_000 });
    // The villager's microphone sends Opus with in-band FEC and DTX (the negotiated fmtp of its sender).
    const fmtp = await call.villager.evaluate(async () => {
      const s = (window as unknown as { callSession: { getLocalStats(source: string): Promise<RTCStatsReport | undefined> } }).callSession;
      const lines: string[] = [];
      (await s.getLocalStats('microphone'))?.forEach((st: Record<string, string>) => {
        if (st.type === 'codec' && st.mimeType === 'audio/opus') lines.push(st.sdpFmtpLine ?? '');
      });
      return lines;
    });
    expect(fmtp.length).toBeGreaterThan(0);
    for (const line of fmtp) expect(line.split(';')).toEqual(expect.arrayContaining(['useinbandfec=1', 'usedtx=1']));
    call.relay.shape(VILLAGE_UP, VILLAGE_DOWN);

    // The villager's own uplink loses a tenth of its packets: its page says so, with the offer.
    const notice = call.villager.locator('.call-network');
    await notice.waitFor({ timeout: 45_000 });
    expect(await notice.textContent()).toContain('网络较差');
    expect(await notice.locator('[data-act="audio-only"]').textContent()).toContain('改为语音通话');

    const weak = await call.sample(8_000);
    expect(weak.concealedPct, JSON.stringify(weak)).toBeLessThan(15);
    expect(weak.fps, JSON.stringify(weak)).toBeGreaterThan(3);
    // The camera sends 640 wide; at 300 kbps the official gets a smaller layer.
    expect(weak.width, JSON.stringify(weak)).toBeGreaterThan(0);
    expect(weak.width, JSON.stringify(weak)).toBeLessThanOrEqual(320);
    expect(call.relay.stats().up.dropped).toBeGreaterThan(0);
  });

  it('switches to a voice call when the villager presses the offer: no camera sent, sound still heard', async () => {
    await call.villager.locator('.call-network [data-act="audio-only"]').click();
    await call.villager.locator('.call-network[data-audio-only="1"]').waitFor({ timeout: 15_000 });
    expect(await call.villager.evaluate(() => (window as unknown as { callSession: { hasSource(s: string): boolean } }).callSession.hasSource('camera'))).toBe(false);
    const before = await call.counters();
    await waitFor(() => call.counters(), (c) => c.samples > before.samples + 48_000, { what: 'sound keeps arriving after the switch', timeoutMs: 20_000 });
  });
});
