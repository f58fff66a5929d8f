// The browser's half of the passkey ceremonies (@simplewebauthn/browser): the server's options go
// to navigator.credentials, the authenticator's signed answer goes back. A person who closes the
// browser's dialog (or whose authenticator refuses) gets a failure the page can word.
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type { Api } from '../lib/api.ts';
import type { Passkey, SignInStep } from '../../../server/protocol/http/identity-shapes.ts';

export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

/** The browser's dialog was closed or timed out, or the authenticator said no. */
export class PasskeyCancelled extends Error {}

async function inBrowser<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'NotAllowedError' || name === 'AbortError' || name === 'InvalidStateError' || name === 'WebAuthnError') throw new PasskeyCancelled((err as Error).message);
    throw err;
  }
}

/** Signs in with a passkey: alone, or as the second factor of the step `challenge`. */
export async function signInWithPasskey(api: Api, challenge: string | undefined): Promise<SignInStep> {
  const scope = challenge ? { challenge } : {};
  const { ceremony, options } = await api.call('identity.passkeySignInOptions', { body: scope });
  const response = await inBrowser(() => startAuthentication({ optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON }));
  return api.call('identity.signInPasskey', { body: { ceremony, response: { ...response }, ...scope } });
}

/** Registers a passkey of this browser for the signed-in person. */
export async function registerPasskey(api: Api, name: string): Promise<Passkey> {
  const { ceremony, options } = await api.call('identity.passkeyRegisterOptions');
  const response = await inBrowser(() => startRegistration({ optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON }));
  return api.call('identity.registerPasskey', { body: { ceremony, response: { ...response }, ...(name.trim() ? { name: name.trim() } : {}) } });
}

/** At the first sign-in, a passkey of this browser in place of the authenticator app the step `challenge` asked for. */
export async function enrolPasskey(api: Api, challenge: string): Promise<SignInStep> {
  const { ceremony, options } = await api.call('identity.enrolPasskeyOptions', { body: { challenge } });
  const response = await inBrowser(() => startRegistration({ optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON }));
  return api.call('identity.signInEnrolPasskey', { body: { challenge, ceremony, response: { ...response } } });
}
