// 红色物业 over HTTP: every endpoint of /api/property. Served by server/property/router.ts; the
// roles here are the first gate, every decision about a particular compound or matter (the
// property office of that compound, the 网格员 of its community, an invited department, the
// resident who raised it) is the service's.
import { z } from 'zod';
import { area, json } from './contract.ts';
import type { Department } from './petition-shapes.ts';
import type { RoomTicket } from './household-shapes.ts';
import {
  addMatterCameraSchema,
  decideSchema,
  idSchema,
  inviteSchema,
  newCompoundCameraSchema,
  raiseMatterSchema,
  rateSchema,
  type Compound,
  type CompoundCamera,
  type CompoundResident,
  type Matter,
  type MatterEvent,
} from './property-shapes.ts';

const compoundParams = z.strictObject({ compoundId: idSchema });
const cameraParams = z.strictObject({ cameraId: idSchema });
const compoundCameraParams = z.strictObject({ compoundId: idSchema, cameraId: idSchema });
const matterParams = z.strictObject({ matterId: idSchema });

/** Everyone with a part in some matter; the service checks which. */
const PARTIES = ['property', 'grid-worker', 'official', 'resident'] as const;
/** Who may look at compound cameras (by their compound or community). */
const WATCHERS = ['property', 'grid-worker'] as const;
type MatterTicket = { matter: Matter } & RoomTicket;

export const propertyArea = area({
  base: '/api/property',
  title: '红色物业 (compound property service)',
  shapes: 'server/protocol/http/property-shapes.ts',
  notes:
    'A matter runs 民提 `raised` → 民议 `discussing` (its joint session) → 民决 `decided` (the session ends) → 民评 `rated` ' +
    '(by the resident it is about). Someone who is not a party of the compound or matter gets `forbidden` with `details.reason` ' +
    '(`not_a_party`, `not_invited`, `not_the_resident`); a matter in the wrong step `conflict` (`wrong_state`).',
  endpoints: {
    'property.compounds': {
      method: 'GET', path: '/compounds', summary: "Compounds the caller belongs to: the property office's, the 网格员's community, the resident's; all (admin)",
      // The system administrator sets compounds and their cameras up; under 三员分立 it reads no
      // matter (a resident's complaint, its timeline, its decision) and has no seat in a session.
      access: { roles: [...PARTIES, 'admin'] }, answer: json<Compound[]>('Compound[]'),
    },
    'property.cameras': {
      method: 'GET', path: '/compounds/:compoundId/cameras', summary: "The compound's camera channels (its property office and its community's 网格员)",
      access: { roles: [...WATCHERS, 'admin'] }, params: compoundParams, answer: json<CompoundCamera[]>('CompoundCamera[]'),
    },
    'property.addCamera': {
      method: 'POST', path: '/compounds/:compoundId/cameras', summary: 'Register an RTSP camera channel of the compound (the URL never leaves the server)',
      access: { roles: ['property', 'admin'] }, params: compoundParams, body: newCompoundCameraSchema, answer: json<CompoundCamera>('CompoundCamera'),
    },
    'property.removeCamera': {
      method: 'DELETE', path: '/compounds/:compoundId/cameras/:cameraId', summary: 'Remove a camera channel no matter or view has used (`conflict`, `camera_has_history`, otherwise)',
      access: { roles: ['property', 'admin'] }, params: compoundCameraParams, answer: json<Record<string, never>>('{}'),
    },
    'property.retireCamera': {
      method: 'POST', path: '/compounds/:compoundId/cameras/:cameraId/retire',
      summary: 'Retire a camera channel that has history: kept for the record, hidden from lists, no longer watched or shown in a session',
      access: { roles: ['property', 'admin'] }, params: compoundCameraParams, answer: json<Record<string, never>>('{}'),
    },
    'property.residents': {
      method: 'GET', path: '/compounds/:compoundId/residents', summary: "The compound's residents, for whom its property office raises a matter (the hotline)",
      access: { roles: ['property'] }, params: compoundParams, answer: json<CompoundResident[]>('CompoundResident[]'),
    },
    'property.departments': {
      method: 'GET', path: '/compounds/:compoundId/departments', summary: "Offices a matter of this compound can invite (its county's and township's, from the petition directory)",
      access: { roles: ['property', 'grid-worker', 'admin'] }, params: compoundParams, answer: json<Department[]>('Department[]'),
    },
    'property.viewCamera': {
      method: 'POST', path: '/cameras/:cameraId/view', summary: 'Watch one camera channel: a view-only room the server pulls the camera into',
      access: { roles: WATCHERS }, params: cameraParams, answer: json<RoomTicket>('RoomTicket'),
    },
    'property.raise': {
      method: 'POST', path: '/matters', summary: '民提: a resident raises a matter, or the property office raises one for a resident (the hotline); its joint session opens with the matching cameras',
      access: { roles: ['property', 'resident'] }, body: raiseMatterSchema, answer: json<MatterTicket>('{ matter: Matter } & RoomTicket'),
    },
    'property.matters': {
      method: 'GET', path: '/matters', summary: 'Matters the caller is a party of (invited ones included), newest first',
      access: { roles: PARTIES }, answer: json<Matter[]>('Matter[]'),
    },
    'property.matter': {
      method: 'GET', path: '/matters/:matterId', summary: 'One matter with its timeline',
      access: { roles: PARTIES }, params: matterParams, answer: json<{ matter: Matter; events: MatterEvent[] }>('{ matter: Matter; events: MatterEvent[] }'),
    },
    'property.invite': {
      method: 'POST', path: '/matters/:matterId/invite', summary: '各方齐到: invite the community (社区/居委会) or a department (派出所 …) into the session; they are rung on their pages',
      access: { roles: ['property', 'grid-worker', 'official'] }, params: matterParams, body: inviteSchema, answer: json<Matter>('Matter'),
    },
    'property.join': {
      method: 'POST', path: '/matters/:matterId/join', summary: "Join the matter's joint session (a party of the matter: its property office, the invited community or department, the resident)",
      access: { roles: ['property', 'grid-worker', 'official', 'resident'] }, params: matterParams, answer: json<MatterTicket>('{ matter: Matter } & RoomTicket'),
    },
    'property.addMatterCamera': {
      method: 'POST', path: '/matters/:matterId/cameras', summary: 'Pull one more compound camera into the session as a participant',
      access: { roles: ['property', 'grid-worker'] }, params: matterParams, body: addMatterCameraSchema, answer: json<Matter>('Matter'),
    },
    'property.decide': {
      method: 'POST', path: '/matters/:matterId/decide', summary: '民决: record what the parties decided; the session ends (its recording is sealed)',
      access: { roles: ['property'] }, params: matterParams, body: decideSchema, answer: json<Matter>('Matter'),
    },
    'property.rate': {
      method: 'POST', path: '/matters/:matterId/rate', summary: '民评: the resident the matter is about rates how it was handled',
      access: { roles: ['resident'] }, params: matterParams, body: rateSchema, answer: json<Matter>('Matter'),
    },
  },
});
