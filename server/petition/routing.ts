// Where a petition goes: the routing rule names department kinds and a level; the office is
// the one of that kind at the terminal's ancestor region of that level, climbing a level where
// no such office exists (a township has no 人社 office, so its cases go to the county's).
import { AppError } from '../core/errors.ts';
import type { CategoryRule, RoutingRules } from '../scheduler/routing-rules.ts';
import type { PetitionRepository } from './repository.ts';
import { levelRank, type Department } from './types.ts';

/** Offices of the rule's kinds for a terminal in `regionCode`, at the rule's level or above. */
export async function routeCategory(repo: PetitionRepository, rule: CategoryRule, regionCode: string): Promise<Department[]> {
  const along = (await repo.departmentsAlong(regionCode, rule.departments)).filter((d) => levelRank(d.regionLevel) >= levelRank(rule.level));
  const out: Department[] = [];
  // The nearest office of each kind, in the rule's order of kinds.
  for (const kind of rule.departments) {
    const d = along.find((x) => x.department.kind === kind);
    if (d) out.push(d.department);
  }
  if (out.length === 0) throw new AppError('unavailable', `no department handles "${rule.code}" for region ${regionCode}`);
  return out;
}

/** The office one level up: same kind in the parent region, else the escalation department there. */
export async function levelAbove(repo: PetitionRepository, rules: RoutingRules, from: Department): Promise<Department> {
  const region = await repo.getRegion(from.regionCode);
  const parent = region?.parentCode ? await repo.getRegion(region.parentCode) : undefined;
  if (!parent) throw new AppError('bad_request', `${from.name} has no level above it`, { reason: 'no_level_above' });
  const d = (await repo.findDepartment(from.kind, parent.code)) ?? (await repo.findDepartment(rules.escalationDepartment, parent.code));
  if (!d) throw new AppError('unavailable', `no office above ${from.name}`);
  return d;
}
