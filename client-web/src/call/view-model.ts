// What the bare call page shows: the call, why it cannot start, or why joining failed.
import type { ViewContext } from '../lib/i18n.ts';

export interface CallPageState {
  /** The page has a room and a token. */
  ready: boolean;
  /** Joining failed for good: the error's message. */
  failure: string | null;
}

export interface CallPageView {
  title: string;
  heading: string;
  notice: string | null;
  failure: string | undefined;
}

export function callPageView(s: CallPageState, { t }: ViewContext): CallPageView {
  return { title: t('call.title'), heading: t('common.appName'), notice: s.ready ? null : t('call.noToken'), failure: s.failure ?? undefined };
}
