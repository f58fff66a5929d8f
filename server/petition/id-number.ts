// 居民身份证号码 (GB 11643): validated on input, stored only masked. The full number never
// reaches the store or the logs.
import { AppError } from '../core/errors.ts';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK[sum % 11] ?? '?';
}

export function isValidIdNumber(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  return idNumberCheckChar(id.slice(0, 17)) === id[17];
}

/** 341321199001011234 → 341321********1234 (region kept for routing checks, birth date hidden). */
export function maskIdNumber(raw: string): string {
  const id = raw.trim().toUpperCase();
  if (!isValidIdNumber(id)) throw new AppError('bad_request', 'ID number is not a valid 18-character resident ID');
  return `${id.slice(0, 6)}********${id.slice(14)}`;
}
