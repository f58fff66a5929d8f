// Development sign-in (DEV_TOKENS only): the seeded people and devices, a token for any of them,
// so every role's page can be tried without an identity provider, and a token for any claims
// (POST /dev/token, for tests). Production deployments get their tokens from the city's single
// sign-on and device enrolment instead. Endpoints: server/protocol/http/dev.ts.
import type { Router } from 'express';
import type { TokenIssuer } from '../../auth/grants.ts';
import type { SignInCodes } from '../../auth/sign-in-codes.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { createAreaRouter } from '../../core/http/area-router.ts';
import { devArea, type DemoIdentity, type DemoKind } from '../../protocol/http/dev.ts';
import type { PetitionRepository } from '../../petition/repository.ts';
import { SEED, SYSTEM_ACTOR, type HouseholdRepository, type HouseholdService } from '../../household/index.ts';
import type { PropertyRepository } from '../../property/index.ts';

/** The page each kind of identity opens. */
export const DEMO_PAGES: Record<DemoKind, string> = {
  terminal: 'terminal.html',
  official: 'official.html',
  head: 'cases.html',
  coordinator: 'coordinator.html',
  archivist: 'archive.html',
  family: 'family.html',
  device: 'device.html',
  counsellor: 'counsellor.html',
  admin: 'admin.html',
  'security-admin': 'admin.html',
  'audit-admin': 'admin.html',
  grid: 'grid.html',
  property: 'property.html',
  resident: 'property.html',
};

// The one demo coordinator and archivist: their ids are fixed, never taken from the request, so a
// sign-in cannot mint a coordinator or archivist named after somebody else.
const COORDINATOR_ID = 'coordinator-city';
const ARCHIVIST_ID = 'archivist-city';
/** The three administrators (三员分立), one each, fixed like the coordinator. */
const ADMINISTRATORS = {
  admin: { id: 'sysadmin-city', name: '系统管理员', detail: '目录、设备' },
  'security-admin': { id: 'secadmin-city', name: '安全管理员', detail: '账号、会话' },
  'audit-admin': { id: 'auditadmin-city', name: '审计管理员', detail: '系统审计记录' },
} as const;

const LEVEL_NAMES = { village: '村级', township: '乡镇级', county: '县区级', city: '市级' } as const;

export interface DevDeps {
  tokens: TokenIssuer;
  codes: SignInCodes;
  petitionRepo: PetitionRepository;
  householdRepo: HouseholdRepository;
  households: HouseholdService;
  propertyRepo: PropertyRepository;
}

/** The dev area (DEV_TOKENS only): seeded identities, a token for one of them, a token for any claims. */
export function createDevRouter(d: DevDeps): Router {
  return createAreaRouter(
    devArea,
    {
      'dev.identities': () => listIdentities(d),
      // A one-time code, not the token, goes into the page's address (server/auth/sign-in-codes.ts).
      'dev.signIn': async ({ body: { kind, id } }) => ({ code: await d.codes.issue(await tokenFor(d, kind, id)), page: DEMO_PAGES[kind] }),
      'dev.token': ({ body }) => ({ token: d.tokens.issue(body) }),
    },
    { tokens: d.tokens, bodyLimit: '16kb' },
  );
}

async function listIdentities(d: DevDeps): Promise<DemoIdentity[]> {
  const out: DemoIdentity[] = [];
  const terminals = await d.petitionRepo.listTerminals();
  // A few terminals of each level, not all ~500.
  for (const level of ['village', 'township', 'county', 'city'] as const) {
    for (const t of terminals.filter((x) => x.level === level).slice(0, level === 'village' ? 4 : 2)) {
      out.push({ kind: 'terminal', id: t.id, name: t.name, detail: LEVEL_NAMES[level] });
    }
  }
  const departments = new Map((await d.petitionRepo.listDepartments()).map((x) => [x.id, x]));
  const perDepartment = new Set<string>();
  // Heads of the county and city offices of the demo's first county and the city.
  const heads = (await d.petitionRepo.listOfficials()).filter((o) => o.head && (o.regionCode === '341321' || o.regionCode === '341300'));
  for (const o of heads.slice(0, 12)) out.push({ kind: 'head', id: o.id, name: o.name, detail: departments.get(o.departmentId)?.name ?? o.departmentId });
  for (const o of await d.petitionRepo.listOfficials()) {
    if (o.head || perDepartment.has(o.departmentId) || out.filter((x) => x.kind === 'official').length >= 24) continue;
    perDepartment.add(o.departmentId);
    out.push({ kind: 'official', id: o.id, name: o.name, detail: departments.get(o.departmentId)?.name ?? o.departmentId });
  }
  out.push({ kind: 'coordinator', id: COORDINATOR_ID, name: '综治中心值班员', detail: '宿州市综治中心' });
  out.push({ kind: 'archivist', id: ARCHIVIST_ID, name: '档案员', detail: '宿州市信访局档案室' });
  for (const [kind, a] of Object.entries(ADMINISTRATORS) as [keyof typeof ADMINISTRATORS, (typeof ADMINISTRATORS)[keyof typeof ADMINISTRATORS]][]) out.push({ kind, ...a });
  for (const h of await d.householdRepo.listHouseholds()) {
    for (const m of await d.householdRepo.listFamily(h.id)) out.push({ kind: 'family', id: m.id, name: m.name, detail: `${h.name} · ${m.relation}` });
    for (const dev of await d.householdRepo.listDevices(h.id)) out.push({ kind: 'device', id: dev.device.id, name: dev.device.name, detail: h.name });
  }
  for (const id of Object.values(SEED.counsellors)) {
    const c = await d.householdRepo.getCounsellor(id);
    if (c) out.push({ kind: 'counsellor', id: c.id, name: c.name, detail: c.organisation });
  }
  // 村委会 / 网格员: the village contacts an SOS escalates to (grid.html).
  for (const id of Object.values(SEED.villageContacts)) {
    const g = await d.householdRepo.getVillageContact(id);
    if (g) out.push({ kind: 'grid', id: g.id, name: g.name, detail: g.organisation });
  }
  // 红色物业: the property offices' staff and the residents of the demo compounds.
  const compounds = new Map((await d.propertyRepo.listCompounds()).map((c) => [c.id, c]));
  for (const kind of ['property', 'resident'] as const) {
    for (const p of await d.propertyRepo.listPeople(kind)) {
      const c = compounds.get(p.compoundId);
      out.push({ kind, id: p.id, name: p.name, detail: [kind === 'property' ? c?.propertyCompany : c?.name, p.unit].filter(Boolean).join(' · ') });
    }
  }
  // The same family member can be linked to several households: list once.
  return out.filter((x, i) => out.findIndex((y) => y.kind === x.kind && y.id === x.id) === i);
}

async function tokenFor(d: DevDeps, kind: DemoKind, id: string): Promise<string> {
  const none = { rooms: [], canPublish: false, canSubscribe: false, sources: [] };
  switch (kind) {
    case 'terminal': {
      const t = (await d.petitionRepo.getTerminal(id)) ?? notFoundOf('terminal', id);
      return d.tokens.issue({ use: 'access', sub: t.id, name: t.name, role: 'terminal', grant: none, attributes: { terminalId: t.id, level: t.level, region: t.regionCode } });
    }
    case 'official': {
      const o = (await d.petitionRepo.getOfficial(id)) ?? notFoundOf('official', id);
      return d.tokens.issue({ use: 'access', sub: o.id, name: o.name, role: 'official', grant: none, attributes: { department: o.departmentId, level: o.level, region: o.regionCode } });
    }
    case 'head': {
      const o = (await d.petitionRepo.getOfficial(id)) ?? notFoundOf('official', id);
      if (!o.head) notFoundOf('department head', id);
      return d.tokens.issue({ use: 'access', sub: o.id, name: o.name, role: 'head', grant: none, attributes: { department: o.departmentId, level: o.level, region: o.regionCode } });
    }
    case 'coordinator':
      if (id !== COORDINATOR_ID) notFoundOf('coordinator', id);
      return d.tokens.issue({ use: 'access', sub: COORDINATOR_ID, name: '综治中心值班员', role: 'coordinator', grant: none, attributes: { level: 'city', region: '341300' } });
    case 'archivist':
      if (id !== ARCHIVIST_ID) notFoundOf('archivist', id);
      return d.tokens.issue({ use: 'access', sub: ARCHIVIST_ID, name: '档案员', role: 'archivist', grant: { ...none, canArchive: true } });
    case 'admin':
    case 'security-admin':
    case 'audit-admin': {
      const a = ADMINISTRATORS[kind];
      if (id !== a.id) notFoundOf(kind, id);
      return d.tokens.issue({ use: 'access', sub: a.id, name: a.name, role: kind, grant: none });
    }
    case 'family': {
      const m = (await d.householdRepo.getFamilyMember(id)) ?? notFoundOf('family member', id);
      return d.tokens.issue({ use: 'access', sub: m.id, name: m.name, role: 'family', grant: none });
    }
    case 'counsellor': {
      const c = (await d.householdRepo.getCounsellor(id)) ?? notFoundOf('counsellor', id);
      return d.tokens.issue({ use: 'access', sub: c.id, name: c.name, role: 'counsellor', grant: none });
    }
    case 'grid': {
      const g = (await d.householdRepo.getVillageContact(id)) ?? notFoundOf('village contact', id);
      return d.tokens.issue({ use: 'access', sub: g.id, name: g.name, role: 'grid-worker', grant: none, attributes: { region: g.region } });
    }
    case 'property':
    case 'resident': {
      const p = await d.propertyRepo.getPerson(id);
      if (!p || p.kind !== kind) notFoundOf(kind, id);
      return d.tokens.issue({ use: 'access', sub: p.id, name: p.name, role: kind, grant: none });
    }
    case 'device': {
      const rec = (await d.householdRepo.getDevice(id)) ?? notFoundOf('device', id);
      // Re-binding issues a fresh device token and revokes the previous one, as re-enrolment would.
      return (await d.households.bindDevice(SYSTEM_ACTOR, rec.device.householdId, { id: rec.device.id, name: rec.device.name, place: rec.device.place })).token;
    }
    default:
      throw new AppError('bad_request', `unknown identity kind ${String(kind)}`);
  }
}

function notFoundOf(what: string, id: string): never {
  throw notFound(`no ${what} ${id}`);
}
