// What the village committee / 网格员 page shows: the SOS calls (and calls from home) that rang
// me — ringing now with answer and decline, or missed — or the call I am in.
import type { ViewContext } from '../lib/i18n.ts';
import { formatTime } from '../lib/time.ts';
import { ringsMe, type Call } from '../household/common.ts';

export interface GridState {
  phase: 'running' | 'no-token';
  me: string;
  who: string;
  calls: Call[];
  /** The call I answered, while I am in it. */
  room: Call | null;
}

export interface GridView {
  title: string;
  who: string;
  notice: string | null;
  calls: { id: string; state: string; ringing: boolean; text: string; answer: string; decline: string }[];
  room: { title: string } | null;
  /** The page has a session to end (its sign-out button). */
  signedIn: boolean;
  signOut: string;
}

export function gridView(s: GridState, { t, lang }: ViewContext): GridView {
  const when = (iso: string) => formatTime(iso, 'dateTime', lang);
  return {
    title: t('grid.title'),
    who: s.who,
    notice: s.phase === 'no-token' ? t('grid.noToken') : s.calls.length === 0 ? t('grid.none') : null,
    calls: s.calls.map((c) => {
      const ringing = ringsMe(c, s.me);
      return {
        id: c.id,
        state: ringing ? 'ringing' : c.state,
        ringing,
        text: t(c.purpose === 'sos' ? 'grid.sos' : 'grid.call', { home: c.callerName, at: when(c.createdAt) }) + (ringing ? '' : ` · ${t(`grid.state_${c.state === 'active' ? 'active' : 'over'}`)}`),
        answer: t('grid.answer'),
        decline: t('grid.decline'),
      };
    }),
    room: s.room ? { title: t('grid.inCall', { home: s.room.callerName }) } : null,
    signedIn: s.phase === 'running' && s.me !== '',
    signOut: t('common.signOut'),
  };
}
