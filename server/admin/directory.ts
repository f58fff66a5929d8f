// The directory as the system administrator keeps it: regions (市 › 县 › 乡 › 村), terminal points,
// departments and their kinds, officials, leader reception days. Every change goes one way — a
// change set, checked whole against the store (each row's shape, parents and references, the
// level of each region under its parent, one office per kind and region), reported row by row
// (create / update / unchanged), and applied in one transaction only when nothing is wrong and it
// is not a dry run. A CSV import is parsed into a change set; the demo seed is one too.
import type { z } from 'zod';
import type { AuditActor } from '../core/audit-chain.ts';
import type { SystemAudit } from '../core/system-audit.ts';
import type { PetitionRepository } from '../petition/repository.ts';
import {
  changeSetSchema,
  departmentRowSchema,
  MAX_CHANGE_ROWS,
  regionRowSchema,
  terminalRowSchema,
  ENTITIES,
  type ChangeSet,
  type DirectoryView,
  type Entity,
  type ImportKind,
  type ImportProblem,
  type ImportReport,
} from '../protocol/http/admin-shapes.ts';
import { LEVELS, levelRank, type Level } from '../protocol/http/petition-shapes.ts';
import { csvRecords, decodeCsv, type CsvEncoding } from './csv.ts';

type Row = ChangeSet[Entity][number];
const keyOf: Record<Entity, (r: never) => string> = {
  regions: (r: { code: string }) => r.code,
  terminals: (r: { id: string }) => r.id,
  departments: (r: { id: string }) => r.id,
  officials: (r: { id: string }) => r.id,
  receptionDays: (r: { id: string }) => r.id,
} as Record<Entity, (r: never) => string>;

const LEVEL_WORDS: Record<string, Level> = { 市: 'city', 市级: 'city', 县: 'county', 区: 'county', 县区: 'county', 县级: 'county', 乡: 'township', 镇: 'township', 乡镇: 'township', 乡级: 'township', 村: 'village', 村级: 'village', 社区: 'village' };
const levelOf = (v: string | undefined): string | undefined => (v ? (LEVEL_WORDS[v] ?? v.toLowerCase()) : undefined);
/** Region codes by level: 6 digits (city, county), 9 (township), 12 (village). */
const levelFromCode = (c: string): Level | undefined => (c.length === 12 ? 'village' : c.length === 9 ? 'township' : undefined);

/** Accepted headers per column (an Excel sheet kept by a county office may use either). */
const TERMINAL_COLUMNS = {
  id: ['终端编号', '编号', 'id', 'terminal_id'],
  name: ['接访点名称', '终端名称', '名称', 'name'],
  regionCode: ['区划代码', 'region_code', 'region'],
  regionName: ['区划名称', 'region_name'],
  level: ['级别', '层级', 'level'],
  parentCode: ['上级区划代码', 'parent_code', 'parent_region_code'],
} as const;
const DEPARTMENT_COLUMNS = {
  id: ['部门编号', '编号', 'id', 'department_id'],
  kind: ['部门类别', '类别', 'kind'],
  name: ['部门名称', '名称', 'name'],
  regionCode: ['区划代码', 'region_code', 'region'],
  level: ['级别', '层级', 'level'],
} as const;
const REQUIRED: Record<ImportKind, string[]> = { terminals: ['name', 'regionCode', 'regionName'], departments: ['kind', 'name', 'regionCode'] };

export interface DirectoryAdminDeps {
  repo: PetitionRepository;
  audit: SystemAudit;
}

const emptyReport = (dryRun: boolean): ImportReport => ({
  dryRun,
  applied: false,
  counts: Object.fromEntries(ENTITIES.map((e) => [e, { create: 0, update: 0, unchanged: 0 }])) as ImportReport['counts'],
  changes: Object.fromEntries(ENTITIES.map((e) => [e, { create: [], update: [] }])) as unknown as ImportReport['changes'],
  problems: [],
});

export class DirectoryAdmin {
  constructor(private readonly d: DirectoryAdminDeps) {}

  async view(): Promise<DirectoryView> {
    const { repo } = this.d;
    const departments = await repo.listDepartments();
    return {
      regions: await repo.listRegions(),
      terminals: await repo.listTerminals(),
      departments,
      officials: await repo.listOfficials(),
      receptionDays: await repo.listReceptionDays(new Date(0).toISOString()),
      kinds: [...new Set(departments.map((x) => x.kind))].sort(),
    };
  }

  /** Checks a change set and, unless it is a dry run or something is wrong, applies it. */
  async apply(changes: ChangeSet, o: { dryRun: boolean; actor: AuditActor; lines?: Partial<Record<Entity, number[]>>; encoding?: CsvEncoding; source?: string }): Promise<ImportReport> {
    const report = emptyReport(o.dryRun);
    if (o.encoding) report.encoding = o.encoding;
    const current = await this.view();
    const lineOf = (e: Entity, i: number) => o.lines?.[e]?.[i] ?? i + 1;
    const problem = (e: Entity, i: number, key: string, message: string) => report.problems.push({ line: lineOf(e, i), entity: e, key, message });

    // What the directory would be afterwards, for the reference checks.
    const after = {
      regions: new Map(current.regions.map((r) => [r.code, r])),
      departments: new Map(current.departments.map((r) => [r.id, r])),
      officials: new Map(current.officials.map((r) => [r.id, r])),
    };
    for (const r of changes.regions) after.regions.set(r.code, r);
    for (const r of changes.departments) after.departments.set(r.id, r);
    for (const r of changes.officials) after.officials.set(r.id, r);

    changes.regions.forEach((r, i) => {
      if (r.level === 'city') return;
      const parent = r.parentCode ? after.regions.get(r.parentCode) : undefined;
      if (!parent) problem('regions', i, r.code, `parent region ${r.parentCode ?? '(none)'} is not in the directory`);
      else if (levelRank(parent.level) !== levelRank(r.level) + 1) problem('regions', i, r.code, `a ${r.level} belongs under a ${LEVELS[levelRank(r.level) + 1]}, not under ${parent.name} (${parent.level})`);
    });
    changes.terminals.forEach((t, i) => {
      const region = after.regions.get(t.regionCode);
      if (!region) problem('terminals', i, t.id, `region ${t.regionCode} is not in the directory`);
      else if (region.level !== t.level) problem('terminals', i, t.id, `level ${t.level} differs from its region's (${region.level})`);
    });
    const officeOf = new Map([...after.departments.values()].map((x) => [`${x.kind}@${x.regionCode}`, x.id]));
    changes.departments.forEach((x, i) => {
      const region = after.regions.get(x.regionCode);
      if (!region) problem('departments', i, x.id, `region ${x.regionCode} is not in the directory`);
      else if (region.level !== x.level) problem('departments', i, x.id, `level ${x.level} differs from its region's (${region.level})`);
      const holder = officeOf.get(`${x.kind}@${x.regionCode}`);
      if (holder && holder !== x.id) problem('departments', i, x.id, `region ${x.regionCode} already has a ${x.kind} office (${holder})`);
    });
    changes.officials.forEach((x, i) => {
      if (!after.departments.has(x.departmentId)) problem('officials', i, x.id, `department ${x.departmentId} is not in the directory`);
    });
    changes.receptionDays.forEach((x, i) => {
      if (!after.officials.has(x.officialId)) problem('receptionDays', i, x.id, `official ${x.officialId} is not in the directory`);
      if (!after.departments.has(x.departmentId)) problem('receptionDays', i, x.id, `department ${x.departmentId} is not in the directory`);
    });

    // Create / update / unchanged, against what is stored now.
    const stored: Record<Entity, Map<string, unknown>> = {
      regions: new Map(current.regions.map((r) => [r.code, r])),
      terminals: new Map(current.terminals.map((r) => [r.id, r])),
      departments: new Map(current.departments.map((r) => [r.id, r])),
      officials: new Map(current.officials.map((r) => [r.id, r])),
      receptionDays: new Map(current.receptionDays.map((r) => [r.id, r])),
    };
    const changed: ChangeSet = { regions: [], terminals: [], departments: [], officials: [], receptionDays: [] };
    for (const e of ENTITIES) {
      const seen = new Set<string>();
      (changes[e] as Row[]).forEach((row, i) => {
        const key = (keyOf[e] as (r: Row) => string)(row);
        if (seen.has(key)) return problem(e, i, key, `${key} appears twice`);
        seen.add(key);
        const before = stored[e].get(key);
        const action = before === undefined ? 'create' : sameRow(before, row) ? 'unchanged' : 'update';
        report.counts[e][action]++;
        if (action === 'unchanged') return;
        if (report.changes[e][action].length < 50) report.changes[e][action].push(key);
        (changed[e] as Row[]).push(row);
      });
    }
    if (o.dryRun || report.problems.length > 0) return report;
    // Parents before children: each region row references the one above it.
    changed.regions.sort((a, b) => levelRank(b.level) - levelRank(a.level));
    await this.d.repo.importDirectory(changed);
    report.applied = true;
    const counts = Object.fromEntries(ENTITIES.map((e) => [e, report.counts[e]]).filter(([, c]) => (c as { create: number; update: number }).create + (c as { update: number }).update > 0));
    await this.d.audit.record({ type: o.source ? 'directory-imported' : 'directory-changed', actor: o.actor, details: { ...(o.source ? { source: o.source } : {}), counts, changed: report.changes } });
    return report;
  }

  /** A CSV of terminal points (with their regions) or of departments, decoded and checked, then `apply`. */
  async importCsv(kind: ImportKind, bytes: Uint8Array, o: { dryRun: boolean; actor: AuditActor }): Promise<ImportReport> {
    const { text, encoding } = decodeCsv(bytes);
    const problems: ImportProblem[] = [];
    const changes: ChangeSet = { regions: [], terminals: [], departments: [], officials: [], receptionDays: [] };
    const lines: Partial<Record<Entity, number[]>> = { regions: [], terminals: [], departments: [] };
    const take = <S extends z.ZodType>(entity: Entity, schema: S, value: unknown, line: number, key: string): z.output<S> | undefined => {
      const r = schema.safeParse(value);
      if (r.success) return r.data;
      problems.push({ line, entity, key, message: r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') });
      return undefined;
    };
    if (kind === 'terminals') {
      const { records, missing } = csvRecords(text, TERMINAL_COLUMNS);
      const absent = missing.filter((m) => REQUIRED.terminals.includes(m));
      if (absent.length) return { ...emptyReport(o.dryRun), encoding, problems: [{ line: 1, entity: 'terminals', key: '', message: `missing column(s): ${absent.join(', ')}` }] };
      // Regions several terminals share are listed once.
      const regionSeen = new Set<string>();
      for (const { line, values: v } of records) {
        const code = v.regionCode ?? '';
        const level = levelOf(v.level) ?? levelFromCode(code);
        const region = take('regions', regionRowSchema, { code, name: v.regionName, level, parentCode: v.parentCode ?? null }, line, code);
        const terminal = take('terminals', terminalRowSchema, { id: v.id ?? `T${code}`, name: v.name, level, regionCode: code, parentRegionCode: v.parentCode ?? null }, line, v.id ?? `T${code}`);
        if (region && !regionSeen.has(region.code)) {
          regionSeen.add(region.code);
          changes.regions.push(region);
          lines.regions!.push(line);
        }
        if (terminal) {
          changes.terminals.push(terminal);
          lines.terminals!.push(line);
        }
      }
    } else {
      const { records, missing } = csvRecords(text, DEPARTMENT_COLUMNS);
      const absent = missing.filter((m) => REQUIRED.departments.includes(m));
      if (absent.length) return { ...emptyReport(o.dryRun), encoding, problems: [{ line: 1, entity: 'departments', key: '', message: `missing column(s): ${absent.join(', ')}` }] };
      const regions = new Map((await this.d.repo.listRegions()).map((r) => [r.code, r]));
      for (const { line, values: v } of records) {
        const code = v.regionCode ?? '';
        const level = levelOf(v.level) ?? regions.get(code)?.level;
        const row = take('departments', departmentRowSchema, { id: v.id ?? `${code}-${v.kind}`, kind: v.kind, name: v.name, level, regionCode: code }, line, v.id ?? `${code}-${v.kind}`);
        if (row) {
          changes.departments.push(row);
          lines.departments!.push(line);
        }
      }
    }
    if (problems.length) return { ...emptyReport(o.dryRun), encoding, problems };
    // A file longer than a change set may be is refused by its first line too many, not by the
    // schema (each line is one row of `kind`; its regions are never more).
    if (changes[kind].length > MAX_CHANGE_ROWS) {
      return { ...emptyReport(o.dryRun), encoding, problems: [{ line: lines[kind]![MAX_CHANGE_ROWS]!, entity: kind, key: '', message: `at most ${MAX_CHANGE_ROWS} rows per file: split the file` }] };
    }
    return this.apply(changeSetSchema.parse(changes), { ...o, lines, encoding, source: `${kind}.csv` });
  }
}

function sameRow(a: unknown, b: unknown): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  return Object.keys(y).every((k) => (x[k] ?? null) === (y[k] ?? null));
}
