// The administration page's state and its pure parts. One page, three views by role (三员分立):
// the system administrator edits the directory (the region tree, departments, terminal points,
// officials, leader reception days), the routing rules, households, their IP cameras and the
// compounds', counsellor assignments, imports it from CSV and sees the enrolled devices; the security
// administrator keeps the accounts (lock-outs, sessions, second factors, disabling); the audit
// administrator searches and verifies the system audit trail. A form row becomes a change-set row
// here (checked with the same zod row schemas the server uses), so the page and the CSV import
// share one path: `admin.saveDirectory`.
import {
  departmentRowSchema,
  officialRowSchema,
  receptionDayRowSchema,
  regionRowSchema,
  terminalRowSchema,
  type ChangeSet,
  type DirectoryView,
  type ImportKind,
  type ImportReport,
} from '../../../server/protocol/http/admin-shapes.ts';
import type { Account, AuditVerifyReport, EnrolledDevice, InitialPassword, PersonRole, SessionInfo, SystemAuditEntry, SystemAuditType } from '../../../server/protocol/http/identity-shapes.ts';
import type { Counsellor, DevicePlace, HouseholdView, NewHousehold } from '../../../server/protocol/http/household-shapes.ts';
import type { Compound, CompoundCamera } from '../../../server/protocol/http/property-shapes.ts';
import { RETENTION_CLASSES, retentionPeriodsSchema, type RetentionPeriods } from '../../../server/protocol/http/archive-shapes.ts';
import { LEVELS, levelRank, routingRulesSchema, type CategoryRule, type Level, type Region, type RoutingRules } from '../../../server/protocol/http/petition-shapes.ts';
import type { z } from 'zod';

export type AdminRole = 'admin' | 'security-admin' | 'audit-admin';
export const ADMIN_PAGE_ROLES: readonly AdminRole[] = ['admin', 'security-admin', 'audit-admin'];

/** The tabs each administrator has: no tab of one role is reachable from another's. */
export const TABS = {
  admin: ['regions', 'departments', 'terminals', 'officials', 'receptionDays', 'routing', 'households', 'cameras', 'counsellors', 'import', 'devices'],
  'security-admin': ['accounts', 'sessions'],
  'audit-admin': ['audit'],
} as const satisfies Record<AdminRole, readonly string[]>;
export type Tab = (typeof TABS)[AdminRole][number];

/** Long lists show this many rows, filtered by the search box (500 terminals fit no screen). */
export const LIST_LIMIT = 100;

export interface RegionForm { code: string; name: string; parentCode: string }
/** One category of the routing rules: which department kinds receive it, at which level. */
export interface RoutingForm { code: string; name: string; icon: string; departments: string[]; level: CategoryRule['level'] }
/** `owner`: `household:<id>` or `compound:<id>`; `where` is the household's room or the compound's spot. */
export interface CameraForm { owner: string; name: string; where: string; url: string }
export interface CounsellorForm { householdId: string; counsellorId: string }
export interface DepartmentForm { kind: string; name: string; regionCode: string }
export interface TerminalForm { name: string; regionCode: string; regionName: string; parentCode: string }
export interface OfficialForm { name: string; departmentId: string; post: string; head: boolean; maxSessions: string }
export interface ReceptionDayForm { officialId: string; portfolio: string; place: string; startsAt: string; slotMinutes: string; slots: string; capacityPerSlot: string }
export interface HouseholdForm { name: string; address: string; region: string }
export interface AccountForm { username: string; displayName: string; role: PersonRole; subject: string }
export interface AuditForm { type: SystemAuditType | ''; text: string; from: string; to: string }
/** Days per class, as typed (blank until the periods in force are loaded). */
export type RetentionForm = Record<keyof RetentionPeriods, string>;

export interface Forms {
  regions: RegionForm;
  routing: RoutingForm;
  cameras: CameraForm;
  counsellors: CounsellorForm;
  departments: DepartmentForm;
  terminals: TerminalForm;
  officials: OfficialForm;
  receptionDays: ReceptionDayForm;
  households: HouseholdForm;
  accounts: AccountForm;
  audit: AuditForm;
  retention: RetentionForm;
}
export type FormName = keyof Forms;

export const EMPTY_FORMS: Forms = {
  regions: { code: '', name: '', parentCode: '' },
  routing: { code: '', name: '', icon: 'help', departments: [], level: 'county' },
  cameras: { owner: '', name: '', where: '', url: '' },
  counsellors: { householdId: '', counsellorId: '' },
  departments: { kind: '', name: '', regionCode: '' },
  terminals: { name: '', regionCode: '', regionName: '', parentCode: '' },
  officials: { name: '', departmentId: '', post: '', head: false, maxSessions: '2' },
  receptionDays: { officialId: '', portfolio: '', place: '', startsAt: '', slotMinutes: '30', slots: '6', capacityPerSlot: '1' },
  households: { name: '', address: '', region: '' },
  accounts: { username: '', displayName: '', role: 'official', subject: '' },
  audit: { type: '', text: '', from: '', to: '' },
  retention: { petition: '', household: '', property: '' },
};

/** The CSV import: the file as read, then the dry run's report, then the applied one. */
export interface ImportState {
  kind: ImportKind;
  fileName: string | null;
  /** base64 of the file's bytes. */
  content: string | null;
  phase: 'idle' | 'reading' | 'checking' | 'checked' | 'applying' | 'applied' | 'failed';
  /** The file read so far: bytes of its size and lines (a large file is read in pieces, and shown so). */
  read: ReadProgress;
  report: ImportReport | null;
  error: string | null;
}

export interface ReadProgress {
  bytes: number;
  total: number;
  lines: number;
}

export interface AdminState {
  phase: 'loading' | 'signed-out' | 'ready';
  role: AdminRole | null;
  who: string;
  tab: Tab | null;
  filter: string;
  directory: DirectoryView | null;
  households: HouseholdView[];
  /** The routing rules in use (the scheduler's). */
  rules: RoutingRules | null;
  counsellors: Counsellor[];
  compounds: { compound: Compound; cameras: CompoundCamera[] }[];
  devices: EnrolledDevice[];
  accounts: Account[];
  sessions: SessionInfo[];
  audit: SystemAuditEntry[];
  verify: AuditVerifyReport | null;
  /** The retention periods in force (the system administrator's setting). */
  retention: RetentionPeriods | null;
  forms: Forms;
  /** The last save of a form: the server's problems, by form. */
  formError: string | null;
  /** A one-time password just issued (shown once). */
  issued: InitialPassword | null;
  import: ImportState;
}

export const initialAdmin = (): AdminState => ({
  phase: 'loading',
  role: null,
  who: '',
  tab: null,
  filter: '',
  directory: null,
  households: [],
  rules: null,
  counsellors: [],
  compounds: [],
  devices: [],
  accounts: [],
  sessions: [],
  audit: [],
  verify: null,
  retention: null,
  forms: EMPTY_FORMS,
  formError: null,
  issued: null,
  import: { kind: 'terminals', fileName: null, content: null, phase: 'idle', read: { bytes: 0, total: 0, lines: 0 }, report: null, error: null },
});

// ---- forms → change sets ----------------------------------------------------------------------

const EMPTY_CHANGES: ChangeSet = { regions: [], terminals: [], departments: [], officials: [], receptionDays: [] };
type Built<T> = { ok: true; value: T } | { ok: false; error: string };

function parse<S extends z.ZodType>(schema: S, value: unknown): Built<z.output<S>> {
  const r = schema.safeParse(value);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: r.error.issues.map((i) => `${i.path.join('.') || '—'}: ${i.message}`).join('; ') };
}
const changes = (patch: Partial<ChangeSet>): ChangeSet => ({ ...EMPTY_CHANGES, ...patch });
/** Region codes by length: 12 village, 9 township, 6 county (a city is chosen from the list). */
const levelOfCode = (code: string, known?: Region): Level | undefined => known?.level ?? (code.length === 12 ? 'village' : code.length === 9 ? 'township' : code.length === 6 ? 'county' : undefined);
/** The first id not yet taken: `base`, then `base-2`, `base-3` … */
function freeId(base: string, taken: Iterable<{ id: string }>): string {
  const ids = new Set(Array.from(taken, (x) => x.id));
  if (!ids.has(base)) return base;
  for (let n = 2; ; n++) if (!ids.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** The regions as a tree, depth first: each region after its parent, children by code. */
export function regionTree(regions: readonly Region[]): { region: Region; depth: number }[] {
  const known = new Set(regions.map((r) => r.code));
  const children = new Map<string | null, Region[]>();
  for (const r of regions) {
    // A region whose parent is missing is shown at the top rather than lost.
    const parent = r.parentCode && known.has(r.parentCode) ? r.parentCode : null;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const out: { region: Region; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const r of (children.get(parent) ?? []).sort((a, b) => a.code.localeCompare(b.code))) {
      out.push({ region: r, depth });
      walk(r.code, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** A region: its level is the one below its parent's (a city without a parent). */
export function regionChanges(f: RegionForm, d: DirectoryView): Built<ChangeSet> {
  const parent = d.regions.find((r) => r.code === f.parentCode);
  const level = parent ? LEVELS[levelRank(parent.level) - 1] : 'city';
  const row = parse(regionRowSchema, { code: f.code.trim(), name: f.name, level, parentCode: parent?.code ?? null });
  return row.ok ? { ok: true, value: changes({ regions: [row.value] }) } : row;
}

export const regionForm = (r: Region): RegionForm => ({ code: r.code, name: r.name, parentCode: r.parentCode ?? '' });
export const routingForm = (c: CategoryRule): RoutingForm => ({ code: c.code, name: c.name, icon: c.icon, departments: [...c.departments], level: c.level });

/** The rules with one category replaced (or added), as the next version. */
export function routingChange(rules: RoutingRules, f: RoutingForm): Built<RoutingRules> {
  const category = { code: f.code.trim(), name: f.name.trim(), icon: f.icon.trim() || 'help', departments: f.departments, level: f.level };
  const categories = rules.categories.some((c) => c.code === category.code)
    ? rules.categories.map((c) => (c.code === category.code ? category : c))
    : [...rules.categories, category];
  return parse(routingRulesSchema, { ...rules, version: rules.version + 1, categories });
}

/** Where a camera form registers: a household's look-in camera or a compound's channel. */
export function cameraTarget(f: CameraForm):
  | { kind: 'household'; householdId: string; body: { name: string; place: DevicePlace; url: string } }
  | { kind: 'compound'; compoundId: string; body: { name: string; location: string; url: string } }
  | null {
  const [kind, id] = f.owner.split(':', 2) as [string, string | undefined];
  const name = f.name.trim();
  const url = f.url.trim();
  if (!id || !name || !url || !f.where.trim()) return null;
  if (kind === 'household') return { kind, householdId: id, body: { name, place: f.where as DevicePlace, url } };
  if (kind === 'compound') return { kind, compoundId: id, body: { name, location: f.where.trim(), url } };
  return null;
}

/** Who looks after which household: one row per assignment, households without one too. */
export interface Assignment { householdId: string; household: string; counsellorId: string | null; counsellor: string }
export function assignments(households: readonly HouseholdView[], counsellors: readonly Counsellor[]): Assignment[] {
  const name = new Map(counsellors.map((c) => [c.id, c.name]));
  return households.flatMap((h): Assignment[] =>
    h.counsellorIds.length
      ? h.counsellorIds.map((id) => ({ householdId: h.household.id, household: h.household.name, counsellorId: id, counsellor: name.get(id) ?? id }))
      : [{ householdId: h.household.id, household: h.household.name, counsellorId: null, counsellor: '' }],
  );
}

/** A department at a region: id `<region>-<kind>` as the CSV import makes it. */
export function departmentChanges(f: DepartmentForm, d: DirectoryView): Built<ChangeSet> {
  const region = d.regions.find((r) => r.code === f.regionCode);
  const row = parse(departmentRowSchema, { id: `${f.regionCode}-${f.kind.trim()}`, kind: f.kind.trim(), name: f.name, level: region?.level, regionCode: f.regionCode });
  return row.ok ? { ok: true, value: changes({ departments: [row.value] }) } : row;
}

/** A terminal point, with its region when the region is new (as one CSV row would bring it). */
export function terminalChanges(f: TerminalForm, d: DirectoryView): Built<ChangeSet> {
  const code = f.regionCode.trim();
  const known = d.regions.find((r) => r.code === code);
  const parentCode = known ? known.parentCode : f.parentCode || null;
  const level = levelOfCode(code, known);
  const regions = [];
  if (!known) {
    const region = parse(regionRowSchema, { code, name: f.regionName.trim() || f.name, level, parentCode });
    if (!region.ok) return region;
    regions.push(region.value);
  }
  const row = parse(terminalRowSchema, { id: freeId(`T${code}`, d.terminals), name: f.name, level, regionCode: code, parentRegionCode: parentCode });
  return row.ok ? { ok: true, value: changes({ regions, terminals: [row.value] }) } : row;
}

/** An official of a department (a leader when a post is given; the head approves extensions). */
export function officialChanges(f: OfficialForm, d: DirectoryView): Built<ChangeSet> {
  const dept = d.departments.find((x) => x.id === f.departmentId);
  const row = parse(officialRowSchema, {
    id: freeId(`${f.departmentId}-${d.officials.filter((o) => o.departmentId === f.departmentId).length + 1}`, d.officials),
    name: f.name,
    departmentId: f.departmentId,
    level: dept?.level,
    regionCode: dept?.regionCode,
    maxSessions: Number(f.maxSessions),
    post: f.post.trim() || null,
    head: f.head,
  });
  return row.ok ? { ok: true, value: changes({ officials: [row.value] }) } : row;
}

/** A 领导接访日: the leader's name, post, department and region come from the official. */
export function receptionDayChanges(f: ReceptionDayForm, d: DirectoryView): Built<ChangeSet> {
  const o = d.officials.find((x) => x.id === f.officialId);
  // The form's time is China Standard Time, as every time the pages show (lib/time.ts).
  const startsAt = f.startsAt ? new Date(`${f.startsAt}:00+08:00`) : null;
  const row = parse(receptionDayRowSchema, {
    id: freeId(`RD-${f.officialId}-${f.startsAt.slice(0, 10).replace(/-/g, '')}`, d.receptionDays),
    officialId: f.officialId,
    leaderName: o?.name,
    post: o?.post ?? undefined,
    portfolio: f.portfolio,
    departmentId: o?.departmentId,
    regionCode: o?.regionCode,
    place: f.place,
    startsAt: startsAt && !Number.isNaN(startsAt.getTime()) ? startsAt.toISOString() : undefined,
    slotMinutes: Number(f.slotMinutes),
    slots: Number(f.slots),
    capacityPerSlot: Number(f.capacityPerSlot),
  });
  return row.ok ? { ok: true, value: changes({ receptionDays: [row.value] }) } : row;
}

export function householdBody(f: HouseholdForm): NewHousehold | null {
  const body = { name: f.name.trim(), address: f.address.trim(), region: f.region.trim() };
  return body.name && body.address && /^\d{6}(\d{3}(\d{3})?)?$/.test(body.region) ? { ...body, residents: [] } : null;
}

/** The problems of a report, one line each (the page shows them under the form). */
export const reportProblems = (r: ImportReport): string => r.problems.map((p) => `${p.key || p.entity}: ${p.message}`).join('; ');

// ---- lists --------------------------------------------------------------------------------------

/** Rows whose text contains the filter (case-insensitive), the first LIST_LIMIT of them, and how many matched. */
export function filtered<T>(rows: readonly T[], filter: string, text: (row: T) => string): { rows: T[]; total: number } {
  const q = filter.trim().toLowerCase();
  const all = q ? rows.filter((r) => text(r).toLowerCase().includes(q)) : rows;
  return { rows: all.slice(0, LIST_LIMIT), total: all.length };
}

/** The account's state in one word: disabled beats locked beats a pending first sign-in. */
export function accountState(a: Account, now: number): 'disabled' | 'locked' | 'first' | 'active' {
  if (a.disabled) return 'disabled';
  if (a.lockedUntil && Date.parse(a.lockedUntil) > now) return 'locked';
  if (a.mustChangePassword) return 'first';
  return 'active';
}

/** The audit query of the form: dates are whole days in China Standard Time. */
export function auditQueryOf(f: AuditForm): { type?: SystemAuditType; text?: string; from?: string; to?: string } {
  const day = (d: string, end: boolean) => (d ? new Date(`${d}T${end ? '23:59:59.999' : '00:00:00'}+08:00`).toISOString() : undefined);
  const q = { type: f.type || undefined, text: f.text.trim() || undefined, from: day(f.from, false), to: day(f.to, true) };
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));
}

/** Whom an audit entry concerned, from its details (the account, device, household … it names). */
export function auditSubject(e: SystemAuditEntry): string {
  const d = e.details;
  const v = d.username ?? d.accountId ?? d.deviceId ?? d.householdId ?? d.terminalId ?? d.source ?? d.sessionId;
  return typeof v === 'string' ? v : '';
}

/** The form's periods, checked as the server checks them (whole days, at least one). */
export function retentionBody(f: RetentionForm): Built<RetentionPeriods> {
  return parse(retentionPeriodsSchema, Object.fromEntries(RETENTION_CLASSES.map((c) => [c, f[c].trim() === '' ? undefined : Number(f[c])])));
}

export const retentionForm = (p: RetentionPeriods): RetentionForm => ({ petition: String(p.petition), household: String(p.household), property: String(p.property) });

/** A large file is read this much at a time (a browser may hand over a whole file in one piece otherwise). */
export const READ_PIECE_BYTES = 64 * 1024;

/**
 * A file's bytes, read piece by piece, telling `progress` after each piece how far it is: bytes,
 * and lines (a newline byte is one in UTF-8 and in GBK alike).
 */
export async function readWithProgress(file: Blob, progress: (p: ReadProgress) => void): Promise<Uint8Array> {
  const out = new Uint8Array(file.size);
  let lines = 0;
  for (let at = 0; at < file.size; ) {
    const piece = new Uint8Array(await file.slice(at, at + READ_PIECE_BYTES).arrayBuffer());
    out.set(piece, at);
    at += piece.length;
    for (const b of piece) if (b === 0x0a) lines++;
    progress({ bytes: at, total: file.size, lines });
  }
  return out;
}

/** Rows of the file the server checked: each line of an import is one terminal point or one department. */
export const reportRows = (r: ImportReport, kind: ImportKind): number => r.counts[kind].create + r.counts[kind].update + r.counts[kind].unchanged;

/** The import's file as base64 (the endpoint takes bytes in JSON). */
export function base64Of(bytes: ArrayBuffer | Uint8Array): string {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
  return btoa(s);
}
