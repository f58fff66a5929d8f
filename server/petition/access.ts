// Who may do what to a case. Every check throws a typed AppError and changes nothing.
import type { Claims } from '../auth/grants.ts';
import { AppError } from '../core/errors.ts';
import type { PetitionRepository } from './repository.ts';
import type { Actor, Case, Official } from './types.ts';

export function actorFromClaims(c: Claims): Actor {
  const role: Actor['role'] =
    c.role === 'petitioner' || c.role === 'terminal' || c.role === 'official' || c.role === 'head' || c.role === 'coordinator'
      ? c.role
      : 'other';
  return c.attributes.terminalId ? { id: c.sub, name: c.name, role, terminalId: c.attributes.terminalId } : { id: c.sub, name: c.name, role };
}

export const isPetitionerSide = (a: Actor) => a.role === 'petitioner' || a.role === 'terminal';
export const isCoordinator = (a: Actor) => a.role === 'coordinator' || a.role === 'system';

export async function assertCase(repo: PetitionRepository, caseId: string): Promise<Case> {
  const c = await repo.getCase(caseId);
  if (!c) throw new AppError('not_found', `no case ${caseId}`);
  return c;
}

/** The official behind an actor; petitioners and terminals never pass. */
export async function assertOfficial(repo: PetitionRepository, actor: Actor): Promise<Official> {
  if (actor.role !== 'official') {
    throw new AppError('forbidden', 'only officials can do this', { reason: 'not_an_official', role: actor.role });
  }
  const o = await repo.getOfficial(actor.id);
  if (!o) throw new AppError('forbidden', `unknown official ${actor.id}`, { reason: 'unknown_official' });
  return o;
}

/** The petitioner side of a case: its terminal, or whoever registered it. */
export async function isCasePetitioner(repo: PetitionRepository, actor: Actor, c: Case): Promise<boolean> {
  if (!isPetitionerSide(actor)) return false;
  if (actor.terminalId === c.terminalId) return true;
  return (await repo.timeline(c.id))[0]?.actorId === actor.id;
}

export async function isParticipant(repo: PetitionRepository, officialId: string, caseId: string): Promise<boolean> {
  return (await repo.listParticipants(caseId)).some((p) => p.officialId === officialId);
}

/** The official leading the session now (after a transfer, the new lead). */
export function assertLead(actor: Actor, c: Case): void {
  if (actor.role !== 'official' || c.officialId !== actor.id) {
    throw new AppError('forbidden', `only the official leading case ${c.id} can do this`, { reason: 'not_lead' });
  }
}

/**
 * Anyone who may see the case: its petitioner, officials who took part, coordinators — and,
 * through `handles`, officials and heads of the offices handling it after the call.
 */
export async function assertCanView(repo: PetitionRepository, actor: Actor, c: Case, handles?: (actor: Actor, c: Case) => Promise<boolean>): Promise<void> {
  if (isCoordinator(actor)) return;
  if (actor.role === 'official' && (await isParticipant(repo, actor.id, c.id))) return;
  if (handles && (await handles(actor, c))) return;
  if (await isCasePetitioner(repo, actor, c)) return;
  throw new AppError('forbidden', `not a party to case ${c.id}`, { reason: 'not_a_party' });
}

export function assertState(c: Case, allowed: readonly Case['state'][], action: string): void {
  if (!allowed.includes(c.state)) {
    throw new AppError('conflict', `cannot ${action}: case ${c.id} is ${c.state}`, { reason: 'wrong_state', state: c.state });
  }
}
