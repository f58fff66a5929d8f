// Holds a short petition session in Chromium through the real platform — a village terminal and
// the routed official, both publishing — then closes it and waits until the archive has sealed
// and indexed its recording. For tests of what comes after recording.
import type { BrowserContext } from 'playwright-core';
import type { TestPlatform } from './platform.ts';

const TERMINAL = 'T341321101201'; // 砀山县砀城镇, first village (seed)
const OFFICIAL = 'O341321-rs-1'; // 砀山县人社局

export interface RecordedSession {
  caseNumber: string;
  roomId: string;
  sessionId: string;
  terminalParticipantId: string;
  officialParticipantId: string;
}

export async function recordPetitionSession(platform: TestPlatform, browser: BrowserContext, seconds = 6): Promise<RecordedSession> {
  const petition = platform.services.petition;
  const terminal = { id: `device-${TERMINAL}`, name: '终端', role: 'terminal', terminalId: TERMINAL } as const;
  const official = { id: OFFICIAL, name: OFFICIAL, role: 'official' } as const;
  const started = await petition.startPetition(terminal, { terminalId: TERMINAL, category: 'wages', petitionerName: '王秀英' });
  await petition.heartbeat(official, 'available');
  const assignment = await petition.claimNext(official);
  if (assignment?.case.id !== started.case.id) throw new Error('the official did not get the new case');

  const open = async (token: string) => {
    const page = await browser.newPage();
    await page.goto(`${platform.url}/call.html?room=${encodeURIComponent(started.roomId)}&token=${encodeURIComponent(token)}`);
    return page;
  };
  const pages = [await open(started.token), await open(assignment.token)];
  for (const page of pages) {
    // Everyone is shown the recording, and both sides receive each other.
    await page.waitForSelector('.call-recording:not([hidden])', { timeout: 15_000 });
    await page.waitForFunction(() => (window as unknown as { callSession: { remote: Map<string, unknown> } }).callSession.remote.size >= 2, null, { timeout: 20_000 });
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  for (const page of pages) await page.close();
  await new Promise((r) => setTimeout(r, 500));
  platform.rooms.get(started.roomId)?.close('ended');

  // The recorder seals the manifest shortly after the room closes.
  const archive = platform.services.archive;
  for (let i = 0; i < 60; i++) {
    const hit = (await archive.catalog.search({ caseNumber: started.case.id })).find((h) => h.status === 'stopped');
    if (hit) {
      return { caseNumber: started.case.id, roomId: started.roomId, sessionId: hit.sessionId, terminalParticipantId: terminal.id, officialParticipantId: OFFICIAL };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the session of case ${started.case.id} was not sealed and indexed in 15 s`);
}
