// The archive's national-standard hash and its signatures, without services: SM3 against the
// GB/T 32905-2016 test vectors, SM2 and Ed25519 signatures that our verifier and stock OpenSSL
// accept and that fail on one changed byte, and both audit chains naming an altered entry.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArchiveKeys, SM2_USER_ID, keyRecordConsistent, readPublishedKeys, verifySignature } from '../../recordings/archive-keys.ts';
import { AuditLog, sm3Hex, verifyAuditChain } from '../../server/core/audit-chain.ts';
import { STATEMENT_FORMAT, statementBytes, type SealStatement } from '../../recordings/statements.ts';
import { linesOf } from '../../recordings/transcripts.ts';

describe('SM3 (GB/T 32905-2016)', () => {
  it('gives the standard\'s digest of "abc" (appendix A.1)', () => {
    expect(sm3Hex('abc')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
  it('gives the standard\'s digest of "abcd" × 16, 512 bits (appendix A.2)', () => {
    expect(sm3Hex('abcd'.repeat(16))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });
});

describe('the archive keys', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const statement: SealStatement = {
    format: STATEMENT_FORMAT, kind: 'manifest-seal', sessionId: 'S-1', file: 'manifest.json',
    sha256: 'a'.repeat(64), sm3: 'b'.repeat(64), bytes: 10, signedAt: '2026-12-01T00:00:00.000Z',
  };

  it('signs with SM2 and Ed25519; each signature verifies, and fails for a statement one byte off', () => {
    const keys = ArchiveKeys.open({ keyDir: path.join(tmp, 'keys'), publishDir: tmp, algorithms: ['sm2', 'ed25519'] });
    const published = readPublishedKeys(keys.publishedFile);
    expect(published.map((k) => k.alg)).toEqual(['sm2', 'ed25519']);
    expect(published.every(keyRecordConsistent)).toBe(true);
    const bytes = statementBytes(statement);
    const sigs = keys.sign(bytes);
    const altered = Buffer.from(bytes);
    altered[10] = altered[10]! ^ 1;
    for (const sig of sigs) {
      const key = published.find((k) => k.keyId === sig.keyId)!;
      expect(verifySignature(bytes, sig, key)).toBe(true);
      expect(verifySignature(altered, sig, key)).toBe(false);
    }
    // Private keys are readable by the owner only.
    expect(fs.statSync(path.join(tmp, 'keys', 'archive-ed25519.pem')).mode & 0o077).toBe(0);
  });

  it('makes signatures that stock OpenSSL verifies with the published PEM keys', () => {
    const keys = ArchiveKeys.open({ keyDir: path.join(tmp, 'keys'), publishDir: tmp, algorithms: ['sm2', 'ed25519'] });
    const bytes = statementBytes(statement);
    fs.writeFileSync(path.join(tmp, 'stmt'), bytes);
    for (const sig of keys.sign(bytes)) {
      const key = keys.current.find((k) => k.keyId === sig.keyId)!;
      fs.writeFileSync(path.join(tmp, 'pub.pem'), key.publicKeyPem);
      fs.writeFileSync(path.join(tmp, 'sig'), Buffer.from(sig.value, 'base64'));
      const args = ['pkeyutl', '-verify', '-pubin', '-inkey', 'pub.pem', '-rawin', '-in', 'stmt', '-sigfile', 'sig'];
      if (sig.alg === 'sm2') args.push('-digest', 'sm3', '-pkeyopt', `distid:${SM2_USER_ID}`);
      expect(execFileSync('openssl', args, { cwd: tmp, encoding: 'utf8' })).toContain('Signature Verified Successfully');
    }
  });

  it('keeps its keys across opens and never drops a published key', () => {
    const a = ArchiveKeys.open({ keyDir: path.join(tmp, 'keys'), publishDir: tmp, algorithms: ['ed25519'] });
    const b = ArchiveKeys.open({ keyDir: path.join(tmp, 'keys'), publishDir: tmp, algorithms: ['sm2', 'ed25519'] });
    expect(a.created).toHaveLength(1);
    expect(b.created.map((k) => k.alg)).toEqual(['sm2']);
    expect(b.current.find((k) => k.alg === 'ed25519')!.keyId).toBe(a.current[0]!.keyId);
    ArchiveKeys.open({ keyDir: path.join(tmp, 'keys'), publishDir: tmp, algorithms: ['sm2'] });
    expect(readPublishedKeys(b.publishedFile).map((k) => k.alg).sort()).toEqual(['ed25519', 'sm2']);
  });
});

describe('the audit log in SM3', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-sm3-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('chains every entry in SM3 too, and names an entry whose SM3 hash was rewritten', async () => {
    const log = new AuditLog(path.join(tmp, 'audit.jsonl'));
    for (let i = 0; i < 3; i++) await log.append({ type: 'view', sessionId: 's', actor: { kind: 'user', sub: 'u' }, details: { i } });
    const lines = log.rawLines();
    expect(lines.every((l) => /"hashSm3":"[0-9a-f]{64}"/.test(l))).toBe(true);
    expect(verifyAuditChain(lines, { fromGenesis: true })).toEqual([]);
    const edited = [...lines];
    const e = JSON.parse(edited[1]!);
    e.hashSm3 = '0'.repeat(64);
    edited[1] = JSON.stringify(e);
    expect(verifyAuditChain(edited, { fromGenesis: true })).toEqual([
      { line: 2, seq: 1, problem: expect.stringContaining('SM3 hash (entry altered)') },
      { line: 3, seq: 2, problem: expect.stringContaining('SM3 prev hash') },
    ]);
  });

  it('accepts a log written before SM3 and chains SM3 from genesis after it', async () => {
    const file = path.join(tmp, 'audit.jsonl');
    const log = new AuditLog(file);
    await log.append({ type: 'search', actor: { kind: 'user', sub: 'u' } });
    const old = JSON.parse(log.rawLines()[0]!);
    delete old.prevSm3;
    delete old.hashSm3;
    fs.writeFileSync(file, JSON.stringify(old) + '\n');
    const later = new AuditLog(path.join(tmp, 'audit.jsonl'));
    await new Promise((r) => setTimeout(r, 5)); // a new mtime: the writer re-reads the tail
    await later.append({ type: 'search', actor: { kind: 'user', sub: 'u' } });
    const lines = later.rawLines();
    expect(JSON.parse(lines[1]!).prevSm3).toBe('0'.repeat(64));
    expect(verifyAuditChain(lines, { fromGenesis: true })).toEqual([]);
  });
});

describe('transcript lines', () => {
  it('split at sentence ends and pauses, on the session clock', () => {
    const lines = linesOf({ text: '你好。请坐下', tokens: ['你', '好', '。', '请', '坐', '下'], timestamps: [0.1, 0.3, 0.5, 2.0, 2.2, 2.4] }, 30, 5);
    expect(lines).toEqual([
      { start: 30.1, end: 32, text: '你好。' },
      { start: 32, end: 35, text: '请坐下' },
    ]);
  });
});
