// A case's timeline as the shared <ui-timeline> shows it (the official desk and the coordinator's
// case lookup): every event with its time, name, actor and a detail. Pure.
import type { ViewContext } from '../lib/i18n.ts';
import { formatTime, type TimeStyle } from '../lib/time.ts';
import type { TimelineEntry } from '../widgets/timeline.ts';
import { zh } from '../i18n/zh.ts';
import type { CaseEvent, TimelineEvent } from './common.ts';

export function caseTimeline(events: TimelineEvent[], ctx: ViewContext, officeName: (id: string) => string, timeStyle: TimeStyle): TimelineEntry[] {
  const { t } = ctx;
  return events.map((e) => ({
    key: `${e.seq}`,
    type: e.type,
    at: e.at,
    time: formatTime(e.at, timeStyle, ctx.lang),
    title: e.type in zh.petition.event ? t(`petition.event.${e.type}`) : e.type,
    actor: `${e.actorRole in zh.petition.role ? t(`petition.role.${e.actorRole}`) : e.actorRole} ${e.actorName ?? e.actorId}`,
    detail: eventDetail(e, ctx, officeName),
  }));
}

/** What an event adds to its name: where it went, why, what was decided. */
export function eventDetail(e: CaseEvent, ctx: ViewContext, officeName: (id: string) => string): string {
  const { t } = ctx;
  const d = e.data;
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  const colon = ctx.lang === 'en' ? ': ' : '：';
  switch (e.type) {
    case 'invited':
      return `→ ${s(d.departmentName) || s(d.departmentId)}${d.level === 'up' ? t('official.levelAboveDetail') : ''}`;
    case 'joined':
    case 'claimed':
      return officeName(s(d.departmentId));
    case 'transferred':
    case 'escalated':
      return `→ ${s(d.toName)}${colon}${s(d.reason)}`;
    case 'opinion_written':
      return d.accepted ? t('official.decisionAccepted') : t('official.decisionNotAccepted');
    case 'rated':
      return s(d.rating) in zh.petition.rating ? t(`petition.rating.${s(d.rating) as keyof typeof zh.petition.rating}`) : '';
    case 'deadline_extended':
    case 'claim_released':
      return s(d.reason);
    case 'appointment_booked':
      return `${s(d.leaderName)} ${s(d.at) ? formatTime(s(d.at), 'dateTime', ctx.lang) : ''}`.trim();
    default:
      return '';
  }
}
