// Rewrites the role × action tables of docs/security.md from the endpoint tables' `access`
// (server/protocol/http), keeping each row's hand-written "and then" (what the domain checks
// next). Run by `npm run docs:http`; test/security/http-authorization.test.ts then holds a running
// node to every cell. Hand-written tables drifted within a day of three branches adding endpoints.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROLES } from '../../server/protocol/claims.ts';
import type { Access } from '../../server/protocol/http/contract.ts';
import { HTTP_AREAS } from '../../server/protocol/http/index.ts';

const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/security.md');
const BEGIN = '<!-- role-tables:begin (npm run docs:http) -->';
const END = '<!-- role-tables:end -->';
const CALLERS = ['anonymous', ...ROLES] as const;

function allowed(access: Access, caller: (typeof CALLERS)[number]): boolean {
  if (access === 'public') return true;
  if (access === 'internal') return false;
  if (caller === 'anonymous') return false;
  return access.roles === 'any' || (access.roles as readonly string[]).includes(caller);
}

const doc = fs.readFileSync(DOC, 'utf8');
const start = doc.indexOf(BEGIN);
const end = doc.indexOf(END);
if (start < 0 || end < start) throw new Error(`docs/security.md: the markers ${BEGIN} … ${END} are missing`);

// The "and then" already written for an endpoint, by name.
const notes = new Map<string, string>();
for (const line of doc.split('\n')) {
  const c = line.split('|').slice(1, -1).map((s) => s.trim());
  const name = /^`([\w.]+)`$/.exec(c[0] ?? '')?.[1];
  if (name && c.length > 2) notes.set(name, c.at(-1)!);
}

const header = `| endpoint | ${CALLERS.join(' | ')} | and then |\n| ${['---', ...CALLERS.map(() => '---'), '---'].join(' | ')} |`;
const sections = HTTP_AREAS.map((area) => {
  const rows = Object.entries(area.endpoints).map(([name, e]) => {
    const marks = CALLERS.map((c) => (allowed(e.access, c) ? '✓' : '—'));
    const grant = typeof e.access === 'object' && e.access.grant ? `needs \`${e.access.grant}\`; ` : '';
    const note = notes.get(name) ?? `${grant}${e.summary.replace(/\|/g, '\\|')}`;
    return `| \`${name}\` | ${marks.join(' | ')} | ${note} |`;
  });
  return `### ${area.title} (\`${area.base || '/'}\`)\n\n${header}\n${rows.join('\n')}`;
});
fs.writeFileSync(DOC, `${doc.slice(0, start + BEGIN.length)}\n\n${sections.join('\n\n')}\n\n${doc.slice(end)}`);
console.log(`wrote the role tables of ${path.relative(process.cwd(), DOC)}`);
