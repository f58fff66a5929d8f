// Seals, signatures and trusted timestamps against a real RFC 3161 TSA (openssl ts behind HTTP,
// scripts/harness/tsa.ts): tokens for every seal and audit checkpoint, an alarm while the TSA is
// down and the tokens fetched when it is back, and evidence packages that verify on their own
// and fail naming the file when one byte of a segment, the manifest or a token changes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Archive } from '../../recordings/archive.ts';
import { sha256Hex, type AuditActor } from '../../server/core/audit-chain.ts';
import { ExportJobs } from '../../recordings/export.ts';
import { MANIFEST_FILE } from '../../recordings/manifest.ts';
import { verifyArchive, verifyPackage } from '../../recordings/verify.ts';
import type { TimestampStatus } from '../../server/protocol/http/archive-shapes.ts';
import { createLogger } from '../../server/core/log.ts';
import { startTestTsa, type TestTsa } from '../../scripts/harness/tsa.ts';
import { until } from '../support/evidence.ts';
import { tamper } from '../support/tamper.ts';
import { sealedSession } from '../support/sealed-session.ts';

const archivist: AuditActor = { kind: 'user', sub: 'u-1', name: '档案员甲', role: 'archivist' };

describe('seals, signatures and trusted timestamps', () => {
  let tsa: TestTsa;
  let tmp: string;
  let caFile: string;
  let archive: Archive;

  beforeAll(async () => {
    tsa = await startTestTsa();
  });
  afterAll(async () => {
    await tsa.close();
  });
  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'evidence-'));
    caFile = path.join(tmp, 'tsa-ca.pem');
    fs.writeFileSync(caFile, tsa.caCertPem);
    await tsa.start().catch(() => undefined); // a test may leave it stopped
    archive = await Archive.open({ dataDir: tmp, evidence: { tsa: { url: tsa.url, caFile }, retryMs: { min: 100, max: 400 } } });
  });
  afterEach(async () => {
    await archive.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('timestamps every seal and audit checkpoint; verify checks hashes, signatures and tokens', async () => {
    await sealedSession(archive, 'S-1');
    const checkpoint = await archive.evidence.checkpoint();
    expect(checkpoint?.type).toBe('audit-checkpoint');
    await archive.evidence.settled();
    const stamped = archive.audit.entries().filter((e) => e.type === 'timestamp');
    expect(stamped.map((e) => e.details.kind)).toEqual(['manifest-seal', 'audit-checkpoint']);
    expect(archive.evidence.status).toMatchObject({ state: 'ok', pending: 0 });
    // The chain has nothing new to sign: no second checkpoint.
    expect(await archive.evidence.checkpoint()).toBeUndefined();

    const rep = await verifyArchive(archive.root, { tsaCaPem: tsa.caCertPem });
    expect(rep).toMatchObject({ ok: true, problems: [], signaturesChecked: 2, timestampsChecked: 2 });
    expect(rep.trust!.keys.map((k) => k.alg)).toEqual(['sm2', 'ed25519']);
  });

  it('raises the alarm while the TSA is down and fetches the missing tokens once it is back', async () => {
    const states: TimestampStatus[] = [];
    archive.evidence.on('state', (s) => states.push(s));
    await tsa.stop();
    await sealedSession(archive, 'S-2');
    await until('the timestamping alarm', () => archive.evidence.status.state === 'unreachable');
    expect(archive.evidence.status).toMatchObject({ state: 'unreachable', pending: 1, tsaUrl: tsa.url });
    expect(archive.evidence.status.lastError).toMatch(/unreachable/);
    const waiting = await verifyArchive(archive.root, { tsaCaPem: tsa.caCertPem });
    expect(waiting.ok).toBe(true);
    expect(waiting.problems.map((p) => p.kind)).toEqual(['timestamp-missing']);

    // A restart of the node while the TSA is down loses nothing: pending tokens come from the chain.
    await archive.close();
    archive = await Archive.open({ dataDir: tmp, evidence: { tsa: { url: tsa.url, caFile }, retryMs: { min: 100, max: 400 } } });
    archive.evidence.on('state', (s) => states.push(s));
    expect(archive.evidence.status.pending).toBe(1);
    await tsa.start();
    await until('the token after the TSA came back', () => archive.evidence.status.state === 'ok' && archive.evidence.status.pending === 0, 20_000);
    expect(states.at(-1)).toMatchObject({ state: 'ok', pending: 0 });
    expect(await verifyArchive(archive.root, { tsaCaPem: tsa.caCertPem })).toMatchObject({ ok: true, problems: [] });
  });

  it('names the audit entry whose signature fails', async () => {
    await sealedSession(archive, 'S-3');
    await archive.evidence.settled();
    const file = path.join(archive.root, 'audit.jsonl');
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const i = lines.findIndex((l) => l.includes('"recording-stop"'));
    const e = JSON.parse(lines[i]!);
    const sig = Buffer.from(e.details.signatures[1].value, 'base64');
    sig[5] = sig[5]! ^ 1;
    e.details.signatures[1].value = sig.toString('base64');
    lines[i] = JSON.stringify(e);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const rep = await verifyArchive(archive.root, { tsaCaPem: tsa.caCertPem });
    expect(rep.ok).toBe(false);
    const bad = rep.problems.filter((p) => p.kind === 'signature-invalid');
    expect(bad).toHaveLength(1);
    expect(bad[0]!.message).toContain(`entry ${e.seq} (recording-stop, session S-3): ed25519 signature by key ${e.details.signatures[1].keyId} does not verify`);
  });

  it('exports a package that verifies alone, with OpenSSL too, and fails naming the file for one changed byte', async () => {
    const m = await sealedSession(archive, 'S-4');
    await archive.evidence.settled();
    const job = await new ExportJobs(archive, createLogger('silent')).exportAndWait('S-4', archivist);
    const pkg = path.join(tmp, 'package.tar');
    fs.copyFileSync(job.file!, pkg);
    await archive.close();
    fs.rmSync(path.join(tmp, 'recordings'), { recursive: true });
    fs.rmSync(path.join(tmp, 'keys'), { recursive: true });
    archive = await Archive.open({ dataDir: path.join(tmp, 'other') });

    const ok = await verifyPackage(pkg);
    expect(ok).toMatchObject({ ok: true, problems: [], segmentsChecked: 2, signaturesChecked: 1, timestampsChecked: 1 });
    expect(ok.trust!.tsaCa!.source).toBe('package');

    // What docs/evidence.md tells a records office to run, on the unpacked package.
    const out = path.join(tmp, 'unpacked');
    fs.mkdirSync(out);
    execFileSync('tar', ['-xf', pkg, '-C', out]);
    const top = path.join(out, 'S-4');
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: top, encoding: 'utf8' })).toMatch(/OK/);
    expect(execFileSync('openssl', ['ts', '-verify', '-data', 'evidence/manifest-seal.json', '-in', 'evidence/manifest-seal.json.tsr', '-CAfile', 'keys/tsa-ca.pem'], { cwd: top, encoding: 'utf8' })).toContain('Verification: OK');
    const ed = fs.readdirSync(path.join(top, 'keys')).find((f) => f.startsWith('archive-ed25519-'))!;
    expect(execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', `keys/${ed}`, '-rawin', '-in', 'evidence/manifest-seal.json', '-sigfile', 'evidence/manifest-seal.json.ed25519.sig'], { cwd: top, encoding: 'utf8' })).toContain('Verified Successfully');
    const seal = JSON.parse(fs.readFileSync(path.join(top, 'evidence/manifest-seal.json'), 'utf8'));
    expect(seal.sha256).toBe(sha256Hex(fs.readFileSync(path.join(top, MANIFEST_FILE))));

    const segment = `S-4/${m.participants[0]!.tracks[0]!.segments[1]!.file}`;
    for (const [entry, file, kind] of [
      [segment, m.participants[0]!.tracks[0]!.segments[1]!.file, 'segment-altered'],
      ['S-4/manifest.json', 'manifest.json', 'manifest-altered'],
      ['S-4/evidence/manifest-seal.json.tsr', 'evidence/manifest-seal.json.tsr', 'timestamp-invalid'],
      ['S-4/evidence/manifest-seal.json.sm2.sig', 'evidence/manifest-seal.json.sm2.sig', 'signature-invalid'],
    ] as const) {
      const bad = path.join(tmp, `bad-${path.basename(file)}.tar`);
      // Past the first bytes: deep inside the token's signed content, the JSON's hash values, the media.
      tamper(pkg, bad, entry, entry.endsWith('.json') ? 60 : 100);
      const rep = await verifyPackage(bad);
      expect(rep.ok, `${file} changed`).toBe(false);
      expect(rep.problems.filter((p) => p.severity === 'error').map((p) => [p.kind, p.file])).toContainEqual([kind, file]);
    }
  });
});
