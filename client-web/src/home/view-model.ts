// What the development home page shows: the seeded identities grouped by kind, each a sign-in
// button, or why sign-in is not offered.
import type { ViewContext } from '../lib/i18n.ts';
import type { DemoIdentity } from '../../../server/protocol/http/dev.ts';
import { zh } from '../i18n/zh.ts';

export interface HomeState {
  /** null until read; 'unavailable' outside development. */
  identities: DemoIdentity[] | null | 'unavailable';
  room: string;
  name: string;
  error: string;
}

export interface HomeView {
  title: string;
  lead: string;
  unavailable: string | null;
  groups: { kind: string; title: string; items: { id: string; name: string; detail: string }[] }[];
  form: { summary: string; roomLabel: string; room: string; nameLabel: string; name: string; enter: string; error: string };
}

export function homeView(s: HomeState, { t }: ViewContext): HomeView {
  const groups = new Map<string, HomeView['groups'][number]>();
  for (const i of Array.isArray(s.identities) ? s.identities : []) {
    let g = groups.get(i.kind);
    if (!g) groups.set(i.kind, (g = { kind: i.kind, title: i.kind in zh.home.kind ? t(`home.kind.${i.kind}`) : i.kind, items: [] }));
    g.items.push({ id: i.id, name: i.name, detail: i.detail });
  }
  return {
    title: t('common.appName'),
    lead: t('home.lead'),
    unavailable: s.identities === 'unavailable' ? t('home.signInUnavailable') : null,
    groups: [...groups.values()],
    form: { summary: t('home.devTokens'), roomLabel: t('home.room'), room: s.room, nameLabel: t('home.name'), name: s.name, enter: t('home.enter'), error: s.error },
  };
}
