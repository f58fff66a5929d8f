// A two-party call over a village link, for the weak-network test and bench: a product node
// whose worker is announced at 127.0.0.2, where the lossy relay listens and forwards to the
// worker on 127.0.0.1 (UDP only: nothing listens for TCP on 127.0.0.2), so every media packet of
// both Chromium pages crosses a link with the loss, delay and rate the caller sets. The official
// page is where a villager's sound and picture are measured, from its WebRTC stats.
import type { Page } from 'playwright-core';
import { launchBrowser } from './chromium.ts';
import { startLossyRelay, type LinkShape, type LossyRelay } from './lossy-relay.ts';
import { startProductNode, type ProductNode } from './product-node.ts';
import { freeRtcPorts } from './rtc-ports.ts';

export interface MediaCounters {
  /**
   * Audio samples played and those of them concealed (made up for lost packets), not counting
   * the comfort noise played in DTX silence (`silentConcealedSamples`: nothing was lost there).
   */
  samples: number;
  concealed: number;
  framesDecoded: number;
  /** Width of the picture decoded now. */
  width: number;
  at: number;
}

export interface MediaSample {
  /** Concealed audio samples over the window, percent of those played. */
  concealedPct: number;
  /** Video frames decoded per second over the window. */
  fps: number;
  /** Width of the picture at the window's end. */
  width: number;
}

export interface WeakCall {
  node: ProductNode;
  relay: LossyRelay;
  villager: Page;
  official: Page;
  /** The official page's counters for what it receives from the villager. */
  counters(): Promise<MediaCounters>;
  /** Measures what the official receives over `ms`. */
  sample(ms: number): Promise<MediaSample>;
  close(): Promise<void>;
}

async function counters(page: Page): Promise<MediaCounters> {
  return page.evaluate(async () => {
    const s = (window as unknown as {
      callSession?: { remote: Map<string, { consumerId: string }>; getRemoteStats(id: string): Promise<RTCStatsReport | undefined> };
    }).callSession;
    const out = { samples: 0, concealed: 0, framesDecoded: 0, width: 0, at: performance.now() };
    for (const r of s?.remote.values() ?? []) {
      (await s!.getRemoteStats(r.consumerId))?.forEach((st: Record<string, number | string>) => {
        if (st.type !== 'inbound-rtp') return;
        if (st.kind === 'audio') {
          out.samples += Number(st.totalSamplesReceived ?? 0);
          out.concealed += Number(st.concealedSamples ?? 0) - Number(st.silentConcealedSamples ?? 0);
        } else {
          out.framesDecoded += Number(st.framesDecoded ?? 0);
          out.width = Math.max(out.width, Number(st.frameWidth ?? 0));
        }
      });
    }
    return out;
  });
}

export function between(a: MediaCounters, b: MediaCounters): MediaSample {
  const samples = b.samples - a.samples;
  return {
    concealedPct: samples > 0 ? (100 * (b.concealed - a.concealed)) / samples : 100,
    fps: ((b.framesDecoded - a.framesDecoded) * 1000) / Math.max(1, b.at - a.at),
    width: b.width,
  };
}

export async function startWeakCall(o: { up: LinkShape; down?: LinkShape; room?: string }): Promise<WeakCall> {
  const rtc = await freeRtcPorts(900);
  const rtcBase = rtc.base;
  const node = await startProductNode({
    MEDIASOUP_WORKERS: '1',
    RTC_PORT_BASE: String(rtcBase),
    RTC_MIN_PORT: String(rtc.min),
    RTC_MAX_PORT: String(rtc.max),
    RTC_LISTEN_IP: '127.0.0.1',
    RTC_ANNOUNCED_IP: '127.0.0.2',
  });
  let relay: LossyRelay | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  try {
    relay = await startLossyRelay({ listen: { address: '127.0.0.2', port: rtcBase }, target: { address: '127.0.0.1', port: rtcBase }, up: o.up, ...(o.down ? { down: o.down } : {}) });
    browser = await launchBrowser();
    const room = o.room ?? `test:weak-${rtcBase}`;
    const open = async (sub: string, role: string) => {
      const token = await node.token({ sub, role, rooms: [room] });
      const page = await browser!.newPage();
      await page.goto(`${node.url}/call.html?room=${encodeURIComponent(room)}&token=${encodeURIComponent(token)}`);
      return page;
    };
    const official = await open('weak-official', 'official');
    const villager = await open('weak-villager', 'petitioner');
    const b = browser;
    const r = relay;
    return {
      node,
      relay,
      villager,
      official,
      counters: () => counters(official),
      async sample(ms) {
        const a = await counters(official);
        await new Promise((res) => setTimeout(res, ms));
        return between(a, await counters(official));
      },
      async close() {
        await b.cleanup();
        r.close();
        await node.stop();
      },
    };
  } catch (err) {
    await browser?.cleanup();
    relay?.close();
    await node.stop();
    throw err;
  }
}
