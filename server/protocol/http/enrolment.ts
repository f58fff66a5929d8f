// Device enrolment over HTTP: /api/enrol. A device without a credential asks for a pairing and
// polls; the installer claims the code; the device then refreshes its access token with its own
// rotating refresh token. Served by server/identity/enrolment-router.ts.
import { z } from 'zod';
import { area, json } from './contract.ts';
import {
  claimPairingBody,
  devicePatchSchema,
  deviceRefreshBody,
  newPairingBody,
  pollBody,
  type DeviceSession,
  type EnrolledDevice,
  type Pairing,
  type PairingPoll,
} from './identity-shapes.ts';

const idParam = z.string().min(1).max(64).regex(/^[\w-]+$/);
const pairingParams = z.strictObject({ pairingId: idParam });
const deviceParams = z.strictObject({ deviceId: idParam });
const devicesQuery = z.strictObject({ householdId: idParam.optional() });
/** System administrators (terminals, any device) and household managers (their home devices; the service checks). */
const INSTALLERS = { roles: ['admin', 'family'] } as const;

export const enrolmentArea = area({
  base: '/api/enrol',
  title: 'Device enrolment',
  shapes: 'server/protocol/http/identity-shapes.ts',
  notes:
    'The pairing code is 8 characters (shown XXXX-XXXX, dashes and case ignored), valid 15 minutes, ' +
    'single-use. A refresh token works once: each refresh answers the next one; a revoked or unknown ' +
    'device is `unauthorized` (`details.reason: not_enrolled`) and pairs again; a disabled one is ' +
    '`forbidden` (`device_disabled`).',
  endpoints: {
    'enrol.begin': {
      method: 'POST', path: '/pairings', summary: "A device's first start: a pairing code and QR to show, a secret to poll with",
      access: 'public', body: newPairingBody, answer: json<Pairing>('Pairing', 201),
    },
    'enrol.poll': {
      method: 'POST', path: '/pairings/:pairingId/poll', summary: 'Has the code been entered? Answers the refresh token once',
      access: 'public', params: pairingParams, body: pollBody, answer: json<PairingPoll>('PairingPoll'),
    },
    'enrol.claim': {
      method: 'POST', path: '/claims', summary: 'Enter a pairing code: a terminal at a terminal point (system administrator) or a home device in a household (its manager)',
      access: INSTALLERS, body: claimPairingBody, answer: json<EnrolledDevice>('EnrolledDevice', 201),
    },
    'enrol.refresh': {
      method: 'POST', path: '/refresh', summary: "The device's access token from its refresh token (which rotates)",
      access: 'public', body: deviceRefreshBody, answer: json<DeviceSession>('DeviceSession'),
    },
    'enrol.devices': {
      method: 'GET', path: '/devices', summary: 'Enrolled devices: all, or one household’s (`?householdId=`, its manager)',
      access: INSTALLERS, query: devicesQuery, answer: json<EnrolledDevice[]>('EnrolledDevice[]'),
    },
    'enrol.updateDevice': {
      method: 'PATCH', path: '/devices/:deviceId', summary: 'Rename, or move to another terminal point / household (its tokens stop; the next refresh carries the new place)',
      access: INSTALLERS, params: deviceParams, body: devicePatchSchema, answer: json<EnrolledDevice>('EnrolledDevice'),
    },
    'enrol.disableDevice': {
      method: 'POST', path: '/devices/:deviceId/disable', summary: 'Stop the device now; it stays enrolled',
      access: INSTALLERS, params: deviceParams, answer: json<EnrolledDevice>('EnrolledDevice'),
    },
    'enrol.enableDevice': {
      method: 'POST', path: '/devices/:deviceId/enable', summary: 'Let a disabled device refresh again',
      access: INSTALLERS, params: deviceParams, answer: json<EnrolledDevice>('EnrolledDevice'),
    },
    'enrol.revokeDevice': {
      method: 'POST', path: '/devices/:deviceId/revoke', summary: 'A stolen or retired device: its credential stops everywhere at once; it must pair again',
      access: INSTALLERS, params: deviceParams, answer: json<EnrolledDevice>('EnrolledDevice'),
    },
  },
});
