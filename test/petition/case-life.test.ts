// The case after the call, on both dialects, driven through the service with a clock the test
// moves (never by waiting): 受理告知 → notes → an extension the head approves → the reply the
// head signs off (its document and hash) → the petitioner's lookup by number + code and rating
// → 复查 by the level above in a session of its own → the review answer → the window passes →
// closed → archived with a sealed case file. And a case past its 60 days on every work list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { DIALECTS } from '../support/stores.ts';
import { CITY_RS, DANGSHAN_RS, coordinatorActor, officialActor, openHarness, rows, terminalActor, VILLAGE_TERMINAL, VILLAGE_TERMINAL_2, type Harness } from './support.ts';
import type { Actor } from '../../server/petition/types.ts';

const DAY = 86_400_000;
const head = (departmentId: string): Actor => ({ id: `H${departmentId}`, name: '负责人', role: 'head' });

describe.each(DIALECTS)('the case life on %s', (dialect, fresh) => {
  let h: Harness;
  let now = new Date('2026-11-26T02:00:00Z');
  const rs = officialActor('O341321-rs-1');
  const cityRs = officialActor('O341300-rs-1');
  const kiosk = terminalActor(VILLAGE_TERMINAL);
  const otherKiosk = terminalActor(VILLAGE_TERMINAL_2);

  beforeAll(async () => {
    h = await openHarness({ name: `life-${dialect}`, location: await fresh(`life_${dialect}`), now: () => now });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function inSession(terminal: Actor, category = 'wages') {
    const started = await h.service.startPetition(terminal, { terminalId: terminal.terminalId!, category, petitionerName: '王秀英' });
    const a = await h.service.claimNext(rs);
    expect(a?.case.id).toBe(started.case.id);
    return started;
  }

  it('walks one case through every step, each on the timeline with its actor', async () => {
    const started = await inSession(kiosk);
    const caseId = started.case.id;
    expect(started.queryCode).toMatch(/^\d{6}$/);
    // Taken up as lead: the office joins the handlers in the assignment’s own transaction.
    expect((await h.service.life.view(caseId)).handlers).toEqual([expect.objectContaining({ departmentId: DANGSHAN_RS, role: 'lead' })]);

    // 受理告知 in the session: the notice is a document with its hash; 60 days start.
    now = new Date(now.getTime() + 10 * 60_000);
    const accepted = await h.service.life.notifyAcceptance(rs, caseId, { decision: 'accepted', reason: '属于本局职权范围。' });
    expect(accepted).toMatchObject({ stage: 'handling', acceptance: 'accepted' });
    await h.service.endSession(rs, caseId);
    let life = await h.service.life.view(caseId);
    const notice = life.documents.find((d) => d.kind === 'acceptance_notice')!;
    const full = await h.service.life.document(notice.id);
    expect(createHash('sha256').update(full.html).digest('hex')).toBe(notice.sha256);
    expect(full.html).toContain('予以受理');
    expect(full.html).toContain(notice.number);
    expect(life.clocks.find((k) => k.kind === 'acceptance')).toMatchObject({ state: 'stopped', onTime: true });
    expect(life.clocks.find((k) => k.kind === 'handling')).toMatchObject({ state: 'running', overdue: false });

    // Handling: a note; the handler asks for 20 more days, the head approves.
    await h.service.life.addNote(rs, caseId, '已约谈用工单位负责人。');
    const att = await h.service.life.addAttachment(rs, caseId, { name: '工资条.png', mime: 'image/png', base64: Buffer.from('not really a png').toString('base64') });
    expect(att.sha256).toBe(createHash('sha256').update('not really a png').digest('hex'));
    const ext = await h.service.life.requestExtension(rs, caseId, 20, '需调取银行流水');
    await expect(h.service.life.decide(head('341321-zj'), ext.id, true, null)).rejects.toMatchObject({ details: { reason: 'not_head_of_department' } });
    await h.service.life.decide(head(DANGSHAN_RS), ext.id, true, '同意');
    life = await h.service.life.view(caseId);
    expect(life.clocks.find((k) => k.kind === 'handling')!.extensionDays).toBe(20);

    // The reply: written by the handler, signed off by the head, then issued.
    now = new Date(now.getTime() + 30 * DAY);
    const reply = await h.service.life.submitReply(rs, caseId, '经查，拖欠工资属实。\n已责令用工单位十日内结清。');
    expect((await h.service.life.view(caseId)).next).toBe('sign_off_reply');
    const replied = await h.service.life.decide(head(DANGSHAN_RS), reply.id, true, null);
    expect(replied.stage).toBe('replied');
    life = await h.service.life.view(caseId);
    expect(life.clocks.find((k) => k.kind === 'handling')).toMatchObject({ state: 'stopped', onTime: true });
    expect(life.clocks.find((k) => k.kind === 'review_window')).toMatchObject({ state: 'running', window: true });
    const replyDoc = await h.service.life.document(life.documents.find((d) => d.kind === 'reply')!.id);
    expect(replyDoc.html).toContain('已责令用工单位十日内结清');
    expect(replyDoc.html).toContain('宿州市人力资源和社会保障局'); // where a review goes

    // Any terminal, by number + code: a wrong code tells nothing; the right one shows the answer.
    await expect(h.service.lookup(otherKiosk, caseId, '000000' === started.queryCode ? '111111' : '000000', () => h.service.life.lookup(caseId, '000000'))).rejects.toMatchObject({ code: 'not_found' });
    const seen = await h.service.lookup(otherKiosk, caseId, started.queryCode!, () => h.service.life.lookup(caseId, started.queryCode!));
    expect(seen).toMatchObject({ stage: 'replied', canRate: true, canRequestReview: true, answer: { round: 'reply' } });
    await h.service.life.rateResult(otherKiosk, caseId, 'unsatisfied', 'terminal');

    // 复查 at the other terminal: the level above (宿州市人社局) receives it in a session of its own.
    const review = await h.service.requestReview(otherKiosk, caseId, started.queryCode!);
    expect(review.case).toMatchObject({ stage: 'review', state: 'queued', terminalId: VILLAGE_TERMINAL_2, departmentId: CITY_RS });
    expect((await h.service.desk(cityRs)).queue.map((e) => e.caseId)).toContain(caseId);
    const taken = await h.service.claimNext(cityRs);
    expect(taken).toMatchObject({ kind: 'review', case: { id: caseId, state: 'in_session', officialId: cityRs.id } });
    // The petitioner at the new terminal gets into the room; the first office's official does not.
    await expect(h.service.roomAccess(otherKiosk, caseId)).resolves.toMatchObject({ roomId: `petition:${caseId}` });
    await expect(h.service.roomAccess(rs, caseId)).rejects.toMatchObject({ code: 'forbidden' });
    const reviewReply = await h.service.life.submitReply(cityRs, caseId, '经复查，原处理意见正确，予以维持。');
    await h.service.endSession(cityRs, caseId);
    const reviewed = await h.service.life.decide(head(CITY_RS), reviewReply.id, true, null);
    expect(reviewed.stage).toBe('reviewed');

    // Nobody asks for 复核 within 30 days: the sweep closes the case; then it is archived.
    now = new Date(now.getTime() + 40 * DAY);
    await h.service.sweep();
    expect((await h.service.getCase(coordinatorActor, caseId)).stage).toBe('closed');
    const archived = await h.service.archive(coordinatorActor, caseId);
    expect(archived).toMatchObject({ stage: 'archived', state: 'archived' });

    const timeline = await h.service.timeline(coordinatorActor, caseId);
    const life2 = timeline.filter((e) => !['queued', 'claimed', 'session_ended'].includes(e.type)).map((e) => `${e.type}:${e.actorId}`);
    expect(life2).toEqual([
      `registered:${kiosk.id}`,
      `acceptance_notified:${rs.id}`,
      `note_added:${rs.id}`,
      `attachment_added:${rs.id}`,
      `extension_requested:${rs.id}`,
      `extension_decided:H${DANGSHAN_RS}`,
      `deadline_extended:H${DANGSHAN_RS}`,
      `reply_submitted:${rs.id}`,
      `reply_decided:H${DANGSHAN_RS}`,
      `reply_issued:H${DANGSHAN_RS}`,
      `result_rated:${otherKiosk.id}`,
      `review_requested:${otherKiosk.id}`,
      `reply_submitted:${cityRs.id}`,
      `reply_decided:H${CITY_RS}`,
      `reply_issued:H${CITY_RS}`,
      'closed:system',
      'case_file_sealed:coordinator-1'.replace('coordinator-1', coordinatorActor.id),
      `archived:${coordinatorActor.id}`,
    ]);
    const sealed = timeline.find((e) => e.type === 'case_file_sealed')!.data as { file: { documents: unknown[] }; sha256: string };
    expect(sealed.file.documents).toHaveLength(3);
    expect(createHash('sha256').update(JSON.stringify(sealed.file)).digest('hex')).toBe(sealed.sha256);
  });

  it('shows a case past its 60 days on the official’s, the head’s and the coordinator’s lists', async () => {
    const started = await inSession(kiosk, 'wages');
    const caseId = started.case.id;
    await h.service.life.notifyAcceptance(rs, caseId, { decision: 'accepted', reason: '受理。' });
    await h.service.endSession(rs, caseId);
    const due = (await h.service.life.view(caseId)).clocks.find((k) => k.kind === 'handling')!.dueAt!;
    // Not yet over: on no overdue list.
    expect((await h.service.coordinatorWork(coordinatorActor)).overdue.map((i) => i.case.id)).not.toContain(caseId);
    now = new Date(Date.parse(due) + 60_000);
    const mine = (await h.service.workList(rs)).cases.find((i) => i.case.id === caseId)!;
    expect(mine.clock).toMatchObject({ kind: 'handling', overdue: true });
    const heads = (await h.service.life.headWorkList(head(DANGSHAN_RS))).deadlines.find((i) => i.case.id === caseId)!;
    expect(heads.clock).toMatchObject({ kind: 'handling', overdue: true });
    const coordinator = (await h.service.coordinatorWork(coordinatorActor)).overdue.find((i) => i.case.id === caseId)!;
    expect(coordinator.clock).toMatchObject({ kind: 'handling', overdue: true });
    expect((await h.service.overdue(coordinatorActor)).find((o) => o.case.id === caseId)?.overdue).toEqual(['handling']);
    // The same, straight from the store: the running handling clock is past its due instant.
    const late = await rows<{ case_id: string }>(h, "SELECT case_id FROM petition_clocks WHERE kind = 'handling' AND stopped_at IS NULL AND due_at < $1".replace('$1', dialect === 'sqlite' ? '?' : '$1'), [now.toISOString()]);
    expect(late.map((r) => r.case_id)).toContain(caseId);
  });
});
