// The enrol page's pure parts: who enrols what (a system administrator a petition terminal at a
// terminal point; a household's manager a home device in that household), the claim the form
// makes, and the code as the device shows it (XXXX-XXXX; case, spaces and dashes do not matter).
import { ApiError } from '../lib/api.ts';
import type { ViewContext } from '../lib/i18n.ts';
import { DEVICE_PLACES, type DevicePlace, type HouseholdView } from '../../../server/protocol/http/household-shapes.ts';
import type { ClaimPairing, EnrolledDevice } from '../../../server/protocol/http/identity-shapes.ts';
import { pairingCodeSchema } from '../../../server/protocol/http/identity-shapes.ts';
import type { Terminal } from '../../../server/protocol/http/petition-shapes.ts';

export const ENROL_ROLES = ['admin', 'family'] as const;
export type Installer = (typeof ENROL_ROLES)[number];

export interface EnrolForm {
  code: string;
  /** A terminal point's id (administrators) … */
  terminalId: string;
  /** … or a household the caller manages (family). */
  householdId: string;
  name: string;
  place: DevicePlace;
}

export interface EnrolState {
  phase: 'loading' | 'signed-out' | 'ready';
  role: Installer | null;
  terminals: Terminal[];
  /** Households the family member manages. */
  households: HouseholdView[];
  form: EnrolForm;
  busy: boolean;
  error: string | null;
  enrolled: EnrolledDevice | null;
}

export const EMPTY_FORM: EnrolForm = { code: '', terminalId: '', householdId: '', name: '', place: DEVICE_PLACES[0] };

export const initialEnrol = (): EnrolState => ({ phase: 'loading', role: null, terminals: [], households: [], form: EMPTY_FORM, busy: false, error: null, enrolled: null });

/** The code as typed, shown the way the device shows it. */
export function displayCode(typed: string): string {
  const s = typed.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 8);
  return s.length > 4 ? `${s.slice(0, 4)}-${s.slice(4)}` : s;
}

/** Households where the caller may enrol a device (manage level). */
export const managedHouseholds = (hs: readonly HouseholdView[]) => hs.filter((h) => h.myPermission === 'manage');

/** The claim of the form, or what is missing (an i18n key under `enrol.missing`). */
export function claimOf(role: Installer, f: EnrolForm, terminals: readonly Terminal[]): { ok: true; claim: ClaimPairing } | { ok: false; missing: 'code' | 'terminal' | 'household' | 'name' } {
  const code = pairingCodeSchema.safeParse(f.code);
  if (!code.success) return { ok: false, missing: 'code' };
  const name = f.name.trim();
  if (role === 'admin') {
    const point = terminals.find((x) => x.id === f.terminalId.trim());
    if (!point) return { ok: false, missing: 'terminal' };
    return { ok: true, claim: { kind: 'terminal', code: code.data, terminalId: point.id, name: name || point.name } };
  }
  if (!f.householdId) return { ok: false, missing: 'household' };
  if (!name) return { ok: false, missing: 'name' };
  return { ok: true, claim: { kind: 'home-device', code: code.data, householdId: f.householdId, name, place: f.place } };
}

/** A refused claim in the installer's words: an unknown or mistyped code says so; anything else is passed on. */
export function refusalText(err: unknown, { t }: ViewContext): string {
  const reason = err instanceof ApiError ? err.code : 'internal';
  return reason === 'not_found' || reason === 'bad_request' ? t('enrol.badCode') : t('enrol.failed', { m: (err as Error).message });
}
