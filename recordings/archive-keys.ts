// The node's archive signing keys: SM2 (GB/T 32918, through sm-crypto — Node 20 has no SM2 key
// type) and/or Ed25519 (Node's crypto), by configuration. Private keys stay in the key folder
// (mode 0600, outside the recordings); public keys are published beside the audit log in
// archive-keys.json and go into every export, each as an SPKI PEM that stock OpenSSL verifies
// with (`openssl pkeyutl -verify -pubin -inkey … -rawin`, for SM2 also `-digest sm3 -pkeyopt
// distid:1234567812345678`), so a records office needs no tool of ours to check a signature.
import fs from 'node:fs';
import path from 'node:path';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import { sm2 } from 'sm-crypto';
import { z } from 'zod';
import { sha256Hex } from '../server/core/audit-chain.ts';
import { writeJsonAtomic } from './manifest.ts';

export const SIGNING_ALGORITHMS = ['sm2', 'ed25519'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

/** The SM2 signer's identity (Z value): the GB/T 35276 default, which is also OpenSSL's distid default. */
export const SM2_USER_ID = '1234567812345678';

export const publicKeySchema = z.object({
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  alg: z.enum(SIGNING_ALGORITHMS),
  /** SubjectPublicKeyInfo, PEM. */
  publicKeyPem: z.string(),
  /** SHA-256 of the SubjectPublicKeyInfo DER: what a records office compares with the published one. */
  fingerprintSha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  nodeId: z.string().optional(),
});
export type PublicKeyRecord = z.infer<typeof publicKeySchema>;

export const publishedKeysSchema = z.object({ format: z.literal('suzhou-video-archive-keys/1'), keys: z.array(publicKeySchema) });

export const signatureSchema = z.object({
  keyId: z.string(),
  alg: z.enum(SIGNING_ALGORITHMS),
  /** Base64: Ed25519's 64 bytes; SM2's DER SEQUENCE { r, s }. */
  value: z.string(),
});
export type Signature = z.infer<typeof signatureSchema>;

export const PUBLISHED_KEYS_FILE = 'archive-keys.json';

// SubjectPublicKeyInfo header for an SM2 point: id-ecPublicKey with the SM2 curve
// (1.2.156.10197.1.301), then the 65-byte uncompressed point in a BIT STRING.
const SM2_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');

function pem(der: Buffer): string {
  return `-----BEGIN PUBLIC KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

function derOfPem(text: string): Buffer {
  return Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

function record(alg: SigningAlgorithm, spkiDer: Buffer, createdAt: string, nodeId?: string): PublicKeyRecord {
  const fingerprintSha256 = sha256Hex(spkiDer);
  return { keyId: fingerprintSha256.slice(0, 16), alg, publicKeyPem: pem(spkiDer), fingerprintSha256, createdAt, ...(nodeId ? { nodeId } : {}) };
}

interface Signer {
  key: PublicKeyRecord;
  sign(data: Buffer): Buffer;
}

const sm2KeyFileSchema = z.object({ privateKeyHex: z.string().regex(/^[0-9a-f]{64}$/), publicKeyHex: z.string().regex(/^04[0-9a-f]{128}$/), createdAt: z.string() });

function writeSecret(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
}

function ed25519Signer(dir: string, nodeId: string | undefined): { signer: Signer; created: boolean } {
  const file = path.join(dir, 'archive-ed25519.pem');
  let created = false;
  if (!fs.existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeSecret(file, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
    created = true;
  }
  const priv: KeyObject = createPrivateKey(fs.readFileSync(file));
  const spki = createPublicKey(priv).export({ type: 'spki', format: 'der' });
  const key = record('ed25519', spki, fs.statSync(file).mtime.toISOString(), nodeId);
  return { signer: { key, sign: (data) => edSign(null, data, priv) }, created };
}

function sm2Signer(dir: string, nodeId: string | undefined): { signer: Signer; created: boolean } {
  const file = path.join(dir, 'archive-sm2.json');
  let created = false;
  if (!fs.existsSync(file)) {
    const k = sm2.generateKeyPairHex();
    // sm-crypto may drop a leading zero of the private scalar.
    writeSecret(file, JSON.stringify({ privateKeyHex: k.privateKey.padStart(64, '0'), publicKeyHex: k.publicKey, createdAt: new Date().toISOString() }) + '\n');
    created = true;
  }
  const k = sm2KeyFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const key = record('sm2', Buffer.concat([SM2_SPKI_PREFIX, Buffer.from(k.publicKeyHex, 'hex')]), k.createdAt, nodeId);
  return {
    signer: {
      key,
      sign: (data) => Buffer.from(sm2.doSignature(Array.from(data), k.privateKeyHex, { hash: true, der: true, publicKey: k.publicKeyHex, userId: SM2_USER_ID }), 'hex'),
    },
    created,
  };
}

export interface ArchiveKeysOptions {
  /** Where the private keys live (DATA_DIR/keys by default); created on first use. */
  keyDir: string;
  /** The archive root: archive-keys.json is published there. */
  publishDir: string;
  algorithms: readonly SigningAlgorithm[];
  nodeId?: string;
}

export class ArchiveKeys {
  readonly #signers: Signer[];
  /** Keys made by this open (the caller records them in the audit chain). */
  readonly created: PublicKeyRecord[];
  readonly publishedFile: string;

  static open(o: ArchiveKeysOptions): ArchiveKeys {
    return new ArchiveKeys(o);
  }

  private constructor(o: ArchiveKeysOptions) {
    if (o.algorithms.length === 0) throw new Error('archive signing: at least one algorithm (sm2, ed25519) is needed');
    const made = o.algorithms.map((alg) => (alg === 'sm2' ? sm2Signer(o.keyDir, o.nodeId) : ed25519Signer(o.keyDir, o.nodeId)));
    this.#signers = made.map((m) => m.signer);
    this.created = made.filter((m) => m.created).map((m) => m.signer.key);
    this.publishedFile = path.join(o.publishDir, PUBLISHED_KEYS_FILE);
    // Published keys are never removed: signatures made with a retired key must stay checkable.
    const known = readPublishedKeys(this.publishedFile);
    const missing = this.#signers.map((s) => s.key).filter((k) => !known.some((x) => x.keyId === k.keyId));
    if (missing.length > 0) writeJsonAtomic(this.publishedFile, { format: 'suzhou-video-archive-keys/1', keys: [...known, ...missing] });
  }

  /** Every key archive-keys.json lists (retired ones too): what signatures are checked against. */
  get published(): PublicKeyRecord[] {
    return readPublishedKeys(this.publishedFile);
  }

  /** The keys signing now. */
  get current(): PublicKeyRecord[] {
    return this.#signers.map((s) => s.key);
  }

  /** One signature per configured algorithm. SM2 hashes in JavaScript: sign statements, not files. */
  sign(data: Buffer): Signature[] {
    return this.#signers.map((s) => ({ keyId: s.key.keyId, alg: s.key.alg, value: s.sign(data).toString('base64') }));
  }
}

/** Every key archive-keys.json lists; none when the file is absent. Throws when it is unreadable. */
export function readPublishedKeys(file: string): PublicKeyRecord[] {
  if (!fs.existsSync(file)) return [];
  return publishedKeysSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))).keys;
}

/** Checks one signature over `data` with the published key it names. */
export function verifySignature(data: Buffer, sig: Signature, key: PublicKeyRecord): boolean {
  if (sig.alg !== key.alg || sig.keyId !== key.keyId) return false;
  const value = Buffer.from(sig.value, 'base64');
  try {
    if (key.alg === 'ed25519') return edVerify(null, data, createPublicKey(key.publicKeyPem), value);
    const point = derOfPem(key.publicKeyPem).subarray(SM2_SPKI_PREFIX.length).toString('hex');
    return sm2.doVerifySignature(Array.from(data), value.toString('hex'), point, { hash: true, der: true, userId: SM2_USER_ID });
  } catch {
    return false;
  }
}

/** The key a published record describes is what its id and fingerprint say (a swapped PEM is caught). */
export function keyRecordConsistent(key: PublicKeyRecord): boolean {
  const fp = sha256Hex(derOfPem(key.publicKeyPem));
  return fp === key.fingerprintSha256 && fp.startsWith(key.keyId);
}
