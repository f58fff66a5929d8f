// What the 红色物业 page shows, from its state: the property office raises a matter for a
// resident and runs it through 民提 → 民议 → 民决 (inviting the community and a department into
// the joint session, looking at the compound cameras by place); the resident raises one of their
// own and rates it (民评). The server decides every step; the view only offers what the state allows.
import type { ViewContext } from '../lib/i18n.ts';
import { formatTime } from '../lib/time.ts';
import type { Department } from '../../../server/protocol/http/petition-shapes.ts';
import {
  MATTER_CATEGORIES,
  MATTER_STATES,
  type Compound,
  type CompoundCamera,
  type CompoundResident,
  type Matter,
  type MatterCategory,
  type MatterEvent,
  type MatterState,
} from '../../../server/protocol/http/property-shapes.ts';

export type { Compound, CompoundCamera, CompoundResident, Department, Matter, MatterEvent };

export type PropertyRoom = { kind: 'matter'; matterId: string } | { kind: 'camera'; cameraId: string };

export interface PropertyState {
  phase: 'loading' | 'running' | 'no-token';
  /** The signed-in role: the property office's staff, or a resident. */
  role: 'property' | 'resident';
  who: string;
  me: string;
  compound: Compound | null;
  cameras: CompoundCamera[];
  residents: CompoundResident[];
  departments: Department[];
  matters: Matter[];
  selectedId: string | null;
  events: MatterEvent[];
  /** The joint session or the camera view this page is in. */
  room: PropertyRoom | null;
  error: string | null;
}

export interface MatterItem {
  id: string;
  state: MatterState;
  line: string;
  stateText: string;
  selected: boolean;
}

export interface MatterDetail {
  id: string;
  line: string;
  description: string;
  steps: { state: MatterState; label: string; done: boolean; current: boolean }[];
  parties: { kind: string; label: string; status: string; joined: boolean }[];
  cameras: string;
  decision: string | null;
  rating: string | null;
  timeline: { at: string; text: string }[];
  /** What this viewer may do now (the server checks again). */
  canJoin: boolean;
  canInviteCommunity: boolean;
  /** Departments not yet invited, while the session is open (property office). */
  invitable: { id: string; name: string }[];
  /** Compound cameras not yet in the session (property office, open session). */
  addableCameras: { id: string; name: string }[];
  canDecide: boolean;
  canRate: boolean;
}

export interface PropertyView {
  title: string;
  who: string;
  /** Someone is signed in on this page (sign-out and passkeys are offered). */
  signedIn: boolean;
  signOut: string;
  notice: string | null;
  error: string | null;
  /** The raise form: the office picks the resident; a resident raises for themself. */
  raise: { residents: { id: string; name: string }[] | null; categories: { id: MatterCategory; label: string }[]; locations: string[] } | null;
  matters: MatterItem[];
  detail: MatterDetail | null;
  /** The compound's cameras grouped by place (the property office, nothing selected). */
  cameraGroups: { location: string; cameras: { id: string; name: string }[] }[] | null;
  room: { title: string; matter: MatterDetail | null } | null;
}

export function propertyView(s: PropertyState, ctx: ViewContext): PropertyView {
  const { t } = ctx;
  const office = s.role === 'property';
  const title = t(office ? 'property.title' : 'property.titleResident');
  if (s.phase === 'no-token') return empty(title, t('property.noToken'));
  if (s.phase === 'running' && !s.compound) return empty(title, t('property.noCompound'));
  const selected = s.matters.find((m) => m.id === s.selectedId) ?? null;
  const detail = selected && matterDetail(selected, s, ctx);
  const roomMatter = s.room?.kind === 'matter' ? s.matters.find((m) => m.id === (s.room as { matterId: string }).matterId) : undefined;
  const roomCamera = s.room?.kind === 'camera' ? s.cameras.find((c) => c.id === (s.room as { cameraId: string }).cameraId) : undefined;
  return {
    title,
    who: [s.who, s.compound?.name].filter(Boolean).join(' · '),
    signedIn: s.phase === 'running' && s.me !== '',
    signOut: t('common.signOut'),
    notice: s.matters.length === 0 ? t('property.noMatters') : null,
    error: s.error ? t('property.error', { message: s.error }) : null,
    raise: s.compound
      ? {
          residents: office ? s.residents.map((r) => ({ id: r.id, name: r.unit ? t('common.aside', { text: r.name, aside: r.unit }) : r.name })) : null,
          categories: MATTER_CATEGORIES.map((id) => ({ id, label: t(`property.cat.${id}`) })),
          locations: [...new Set(s.cameras.map((c) => c.location))],
        }
      : null,
    matters: s.matters.map((m) => ({ id: m.id, state: m.state, line: matterLine(m, ctx), stateText: t(`property.state.${m.state}`), selected: m.id === s.selectedId })),
    detail,
    cameraGroups: office && !selected ? groupByLocation(s.cameras) : null,
    room: s.room
      ? roomMatter
        ? { title: t('property.inSession', { line: matterLine(roomMatter, ctx) }), matter: matterDetail(roomMatter, s, ctx) }
        : { title: roomCamera ? t('property.viewing', { camera: roomCamera.name, location: roomCamera.location }) : '', matter: null }
      : null,
  };
}

function empty(title: string, notice: string): PropertyView {
  return { title, who: '', signedIn: false, signOut: '', notice, error: null, raise: null, matters: [], detail: null, cameraGroups: null, room: null };
}

function matterLine(m: Matter, { t }: ViewContext): string {
  return t('property.matterLine', { category: t(`property.cat.${m.category}`), location: m.location, resident: m.residentName });
}

function matterDetail(m: Matter, s: PropertyState, ctx: ViewContext): MatterDetail {
  const { t, lang } = ctx;
  const office = s.role === 'property';
  const open = m.sessionOpen && (m.state === 'raised' || m.state === 'discussing');
  const reached = MATTER_STATES.indexOf(m.state);
  const invited = (kind: string, ref: string) => m.parties.some((p) => p.kind === kind && p.ref === ref);
  const cameraName = (id: string) => s.cameras.find((c) => c.id === id)?.name ?? id;
  return {
    id: m.id,
    line: matterLine(m, ctx),
    description: m.description,
    steps: MATTER_STATES.map((state, i) => ({ state, label: t(`property.steps.${state}`), done: i < reached, current: i === reached })),
    parties: m.parties.map((p) => ({
      kind: p.kind,
      label: `${t(`property.partyKind.${p.kind}`)} · ${p.name}`,
      status: p.joinedAt ? t('property.joined', { name: p.joinedByName ?? '', at: formatTime(p.joinedAt, 'time', lang) }) : t(p.invitedBy ? 'property.invited' : 'property.notJoined'),
      joined: !!p.joinedAt,
    })),
    cameras: m.cameraIds.length ? t('property.cameras', { names: m.cameraIds.map(cameraName).join(t('common.listSeparator')) }) : t('property.noMatterCameras'),
    decision: m.decision ? t('property.decided', { decision: m.decision }) : null,
    rating: m.rating ? t('property.rated', { score: m.rating.score, comment: m.rating.comment }) : null,
    timeline: s.selectedId === m.id ? s.events.map((e) => ({ at: formatTime(e.at, 'time', lang), text: eventText(e, ctx) })) : [],
    canJoin: open && !(s.room?.kind === 'matter' && s.room.matterId === m.id),
    canInviteCommunity: office && open && !invited('community', m.compoundId),
    invitable: office && open ? s.departments.filter((d) => !invited('department', d.id)).map((d) => ({ id: d.id, name: d.name })) : [],
    addableCameras: office && open ? s.cameras.filter((c) => !m.cameraIds.includes(c.id)).map((c) => ({ id: c.id, name: t('common.aside', { text: c.name, aside: c.location }) })) : [],
    canDecide: office && open,
    canRate: s.role === 'resident' && m.state === 'decided' && m.residentId === s.me,
  };
}

function eventText(e: MatterEvent, { t }: ViewContext): string {
  const str = (k: string) => (typeof e.data[k] === 'string' ? (e.data[k] as string) : '');
  const who = e.actorName;
  switch (e.type) {
    case 'invited':
      return t('property.ev.invited', { who, name: str('name') });
    case 'camera-added':
      return t('property.ev.camera-added', { who, name: str('name') });
    case 'rated':
      return t('property.ev.rated', { who, score: typeof e.data.score === 'number' ? e.data.score : 0 });
    case 'session-opened':
      return t('property.ev.session-opened');
    default:
      return t(`property.ev.${e.type}`, { who });
  }
}

function groupByLocation(cameras: CompoundCamera[]): { location: string; cameras: { id: string; name: string }[] }[] {
  const groups = new Map<string, { id: string; name: string }[]>();
  for (const c of cameras) groups.set(c.location, [...(groups.get(c.location) ?? []), { id: c.id, name: c.name }]);
  return [...groups].map(([location, list]) => ({ location, cameras: list }));
}
