import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTsa, type TestTsa } from '../../scripts/harness/tsa.ts';

describe('the test time-stamp authority (openssl ts behind HTTP)', () => {
  let tsa: TestTsa;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-tsa-test-'));
  const file = (n: string) => path.join(dir, n);
  beforeAll(async () => {
    tsa = await startTestTsa();
    fs.writeFileSync(file('ca.pem'), tsa.caCertPem);
    fs.writeFileSync(file('tsa.pem'), tsa.tsaCertPem);
  });
  afterAll(async () => {
    await tsa.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const stamp = async (data: string) => {
    fs.writeFileSync(file('data'), data);
    execFileSync('openssl', ['ts', '-query', '-data', file('data'), '-sha256', '-cert', '-out', file('q.tsq')]);
    const res = await fetch(tsa.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: fs.readFileSync(file('q.tsq')) });
    fs.writeFileSync(file('r.tsr'), Buffer.from(await res.arrayBuffer()));
    return res.status;
  };
  const verify = () =>
    execFileSync('openssl', ['ts', '-verify', '-data', file('data'), '-in', file('r.tsr'), '-CAfile', file('ca.pem'), '-untrusted', file('tsa.pem')], { encoding: 'utf8', stdio: 'pipe' });

  it('issues tokens that openssl verifies against its CA, and that fail for other data', async () => {
    expect(await stamp('manifest bytes')).toBe(200);
    expect(verify()).toContain('Verification: OK');
    fs.writeFileSync(file('data'), 'manifest bytes, altered');
    expect(verify).toThrow();
  });

  it('can be taken down and brought back on the same address', async () => {
    await tsa.stop();
    await expect(fetch(tsa.url, { method: 'POST' })).rejects.toThrow();
    await tsa.start();
    expect(await stamp('again')).toBe(200);
    expect(tsa.issued).toBe(2);
  });
});
