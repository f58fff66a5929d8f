import { describe, expect, it } from 'vitest';
import { newId, uuidv7 } from '../../server/core/ids.ts';

describe('generated ids (UUIDv7)', () => {
  it('are RFC 9562 version 7 with the time in the first 48 bits', () => {
    const at = Date.parse('2026-11-26T04:00:00.123Z');
    const id = uuidv7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('do not repeat, even many in one millisecond', () => {
    const ids = Array.from({ length: 100_000 }, () => uuidv7(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sort by creation time across milliseconds', () => {
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    expect(a < b).toBe(true);
    expect(newId('call')).toMatch(/^call-[0-9a-f-]{36}$/);
  });
});
