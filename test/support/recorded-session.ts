// Holds a short petition session in Chromium through the real platform — a village terminal and
// the routed official, both publishing, and with `invite` a third party: an official of another
// department invited into a joint session — then closes it and waits until the archive has
// sealed and indexed its recording. For tests of what comes after recording.
import type { BrowserContext } from 'playwright-core';
import { readManifest } from '../../recordings/manifest.ts';
import { until } from './evidence.ts';
import type { TestPlatform } from './platform.ts';

const TERMINAL = 'T341321101201'; // 砀山县砀城镇, first village (seed)
const OFFICIAL = 'O341321-rs-1'; // 砀山县人社局

export interface RecordedSession {
  caseNumber: string;
  roomId: string;
  sessionId: string;
  terminalParticipantId: string;
  officialParticipantId: string;
  /** The invited official, when there was one. */
  invitedParticipantId?: string;
}

export interface RecordOptions {
  /** How many finished segments every track has before the session ends. */
  segmentsPerTrack?: number;
  /** A third party: the lead official invites this department, whose official joins. */
  invite?: { departmentId: string; officialId: string };
}

export async function recordPetitionSession(platform: TestPlatform, browser: BrowserContext, o: RecordOptions = {}): Promise<RecordedSession> {
  const segmentsPerTrack = o.segmentsPerTrack ?? 2;
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
  let invited: { id: string; name: string; role: 'official' } | undefined;
  if (o.invite) {
    invited = { id: o.invite.officialId, name: o.invite.officialId, role: 'official' };
    const ticket = await petition.invite(official, started.case.id, { departmentId: o.invite.departmentId });
    await petition.heartbeat(invited, 'available');
    pages.push(await open((await petition.acceptTicket(invited, ticket.id)).token));
  }
  const parties = pages.length;
  for (const page of pages) {
    // Everyone is shown the recording, and every side receives the others' camera and microphone.
    await page.waitForSelector('.call-recording:not([hidden])', { timeout: 15_000 });
    await page.waitForFunction((n) => (window as unknown as { callSession: { remote: Map<string, unknown> } }).callSession.remote.size >= 2 * (n - 1), parties, { timeout: 20_000 });
  }
  const archive = platform.services.archive;
  const sessionId = (await until('the session in the catalog', async () => (await archive.catalog.search({ caseNumber: started.case.id }))[0]?.sessionId))!;
  await until(`${segmentsPerTrack} finished segments on all ${parties} participants' cameras and microphones`, () => {
    const m = readManifest(archive.sessionDir(sessionId));
    return m.participants.length === parties && m.participants.every((p) => p.tracks.length >= 2 && p.tracks.every((t) => t.segments.length >= segmentsPerTrack));
  });
  for (const page of pages) {
    // Closed the way Chromium closes a call page: `pagehide`, then the page's capture tracks end.
    // Chromium fires the microphone's `ended` on some closes and not on others; here always.
    await page.evaluate(() => {
      const tracks = (window as unknown as { callSession: { localStream: MediaStream } }).callSession.localStream.getTracks();
      dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
      for (const t of tracks) t.dispatchEvent(new Event('ended'));
    });
    await page.close();
  }
  await until('both participants gone from the room', () => (platform.rooms.get(started.roomId)?.peers.size ?? 0) === 0);
  platform.rooms.get(started.roomId)?.close('ended');

  // The recorder seals the manifest shortly after the room closes.
  await until(`the session of case ${started.case.id} sealed and indexed`, async () => (await archive.catalog.get(sessionId))?.status === 'stopped');
  return { caseNumber: started.case.id, roomId: started.roomId, sessionId, terminalParticipantId: terminal.id, officialParticipantId: OFFICIAL, ...(invited ? { invitedParticipantId: invited.id } : {}) };
}
