// A throw-away PostgreSQL cluster (Debian's postgresql-15) for tests and benches: initdb into a
// temp dir, started on a free loopback port, removed on stop. initdb refuses to run as root, so
// as root the cluster belongs to the `postgres` user (BRIEF §5).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from './product-node.ts';

const run = promisify(execFile);

export interface ThrowawayPostgres {
  /** `postgres://…/<database>` of the database created for the caller. */
  url: string;
  port: number;
  /** Another empty database on the same cluster (one per test file, say). */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin/initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (scripts/setup.sh installs Debian\'s postgresql)');
  return path.join(root, newest, 'bin');
}

export interface ThrowawayPostgresOptions {
  /**
   * fsync, synchronous_commit and full_page_writes on, as a deployment runs (benches of the
   * store's cost); off by default: durability is PostgreSQL's job, not what the tests prove.
   */
  durable?: boolean;
}

export async function startThrowawayPostgres(database = 'sv', opts: ThrowawayPostgresOptions = {}): Promise<ThrowawayPostgres> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sv-pg-'));
  const data = path.join(dir, 'data');
  const as = async (cmd: string, args: string[]) => {
    const file = path.join(bin, cmd);
    return asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, args);
  };
  if (asRoot) fs.chownSync(dir, uidOf('postgres'), gidOf('postgres'));
  await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8']);
  const durability = ['fsync', 'synchronous_commit', 'full_page_writes'].map((k) => `-c ${k}=${opts.durable ? 'on' : 'off'}`).join(' ');
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await as('pg_ctl', ['-D', data, '-w', '-t', '60', '-l', path.join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 ${durability}`, 'start']);
      break;
    } catch (err) {
      if (attempt >= 3) throw new Error(`pg_ctl start failed: ${fs.existsSync(path.join(dir, 'log')) ? fs.readFileSync(path.join(dir, 'log'), 'utf8').slice(-2000) : String(err)}`);
    }
  }
  const base = `postgres://postgres@127.0.0.1:${port}`;
  const createDatabase = async (name: string) => {
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
    await as('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
    return `${base}/${name}`;
  };
  const url = await createDatabase(database);
  return {
    url,
    port,
    createDatabase,
    async stop() {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function idOf(flag: '-u' | '-g', user: string): number {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no ${user} user (Debian's postgresql package creates it)`);
  const [, , uid, gid] = line.split(':');
  return Number(flag === '-u' ? uid : gid);
}
const uidOf = (u: string) => idOf('-u', u);
const gidOf = (u: string) => idOf('-g', u);
