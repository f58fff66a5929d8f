// Time-based one-time passwords (RFC 6238, 30 s, 6 digits: what every authenticator app reads)
// with otplib. A code is accepted one step either side (clock drift) and only once: the step it
// matched is remembered, and codes of that step or earlier are refused afterwards (replay).
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

export const TOTP_ISSUER = '宿州视频接访';
const PERIOD = 30;

export const newTotpSecret = (): string => generateSecret();

export async function totpSetup(secret: string, username: string): Promise<{ secret: string; uri: string; qr: string }> {
  const uri = generateURI({ issuer: TOTP_ISSUER, label: username, secret });
  return { secret, uri, qr: await QRCode.toDataURL(uri, { margin: 1, width: 240 }) };
}

/** The time step the code matched, or undefined (wrong, or a step already used). */
export async function checkTotp(secret: string, code: string, lastStep: number | null, nowMs: number): Promise<number | undefined> {
  const epoch = Math.floor(nowMs / 1000);
  const current = Math.floor(epoch / PERIOD);
  const r = await verify({ secret, token: code, epoch, epochTolerance: PERIOD, ...(lastStep !== null && lastStep < current + 1 ? { afterTimeStep: lastStep } : {}) }).catch(() => ({ valid: false as const }));
  if (!r.valid) return undefined;
  const step = current + r.delta;
  return lastStep !== null && step <= lastStep ? undefined : step;
}
