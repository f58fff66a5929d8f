// Shapes of 红色物业 (compound property service) as its HTTP API answers them, shared by the
// server (server/property/) and the property page. A compound has camera channels (RTSP, pulled by
// the server), a property office (物业服务中心) and its community (社区/居委会, the 网格员). A matter
// (物业呼叫) is raised by a resident or by the property office and handled in one joint video
// session with every party invited, the relevant compound cameras pulled in, recorded like a
// petition session, and tracked through the 四民 steps: 民提 raised → 民议 discussed → 民决
// decided → 民评 rated by the resident who raised it.
import { z } from 'zod';
import { idSchema } from './household-shapes.ts';

export { idSchema };

export const MATTER_CATEGORIES = ['repair', 'environment', 'parking', 'security', 'neighbour', 'facility', 'other'] as const;
export type MatterCategory = (typeof MATTER_CATEGORIES)[number];

/** 四民: raised (民提), discussed (民议: the joint session ran), decided (民决), rated (民评). */
export const MATTER_STATES = ['raised', 'discussing', 'decided', 'rated'] as const;
export type MatterState = (typeof MATTER_STATES)[number];

/** Who takes part in a matter: the compound's property office, its community, a department, the resident. */
export const PARTY_KINDS = ['property', 'community', 'department', 'resident'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

export interface Compound {
  id: string;
  name: string;
  address: string;
  /** Division code of the compound's 社区 (9 or 12 digits): its 网格员 see it. */
  region: string;
  propertyCompany: string;
  community: string;
  /** The 派出所 (petition directory department id) a security matter invites by default. */
  policeDepartmentId: string | null;
}

/** A camera channel of the compound; its RTSP URL never leaves the server. */
export interface CompoundCamera {
  id: string;
  compoundId: string;
  name: string;
  /** Where it looks (东门, 3 号楼地库 …): matched against a matter's location. */
  location: string;
}

/** A resident of a compound, as its property office picks whom a hotline matter is for. */
export interface CompoundResident {
  id: string;
  name: string;
  /** 楼号 单元 室, when known. */
  unit: string | null;
}

export interface MatterParty {
  kind: PartyKind;
  /** The department id (department), the compound id (property, community), the resident id. */
  ref: string;
  name: string;
  invitedAt: string;
  invitedBy: string | null;
  /** The first person of this party who joined the session, and when. */
  joinedBy: string | null;
  joinedByName: string | null;
  joinedAt: string | null;
}

export interface Matter {
  id: string;
  compoundId: string;
  compoundName: string;
  category: MatterCategory;
  location: string;
  description: string;
  state: MatterState;
  /** The resident the matter is about (who raised it, or for whom the property office raised it). */
  residentId: string;
  residentName: string;
  raisedBy: { id: string; name: string; role: string };
  roomId: string;
  /** The session is open: parties can join, cameras are pulled in. */
  sessionOpen: boolean;
  parties: MatterParty[];
  cameraIds: string[];
  decision: string | null;
  rating: { score: number; comment: string; at: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface MatterEvent {
  id: number;
  matterId: string;
  type: 'raised' | 'invited' | 'joined' | 'camera-added' | 'session-opened' | 'decided' | 'rated';
  actorId: string;
  actorName: string;
  at: string;
  data: Record<string, unknown>;
}

export const newCompoundCameraSchema = z.strictObject({
  name: z.string().min(1).max(100),
  location: z.string().min(1).max(100),
  // Only RTSP from clients (as household cameras): no http:// or file: through ffmpeg.
  url: z.string().min(1).max(1000).regex(/^rtsps?:\/\/[^\s]+$/, 'url: rtsp:// or rtsps://'),
});
export type NewCompoundCamera = z.output<typeof newCompoundCameraSchema>;

export const raiseMatterSchema = z.strictObject({
  compoundId: idSchema,
  category: z.enum(MATTER_CATEGORIES),
  location: z.string().min(1).max(100),
  description: z.string().min(1).max(2000),
  /** The property office raising it for a resident (the hotline): whom. A resident raises for themself. */
  residentId: idSchema.optional(),
  /** Cameras to pull in at once; by default those whose location matches the matter's. */
  cameraIds: z.array(idSchema).max(8).optional(),
});
export type RaiseMatter = z.output<typeof raiseMatterSchema>;

export const inviteSchema = z.discriminatedUnion('party', [
  z.strictObject({ party: z.literal('community') }),
  z.strictObject({ party: z.literal('department'), departmentId: idSchema }),
]);
export type InviteParty = z.output<typeof inviteSchema>;

export const addMatterCameraSchema = z.strictObject({ cameraId: idSchema });
export const decideSchema = z.strictObject({ decision: z.string().min(1).max(4000) });
export const rateSchema = z.strictObject({ score: z.number().int().min(1).max(5), comment: z.string().max(1000).default('') });
