// The directory as the system administrator edits it (regions, terminal points, departments,
// officials, leader reception days) and the report of an import, dry run or applied. One change
// set, one path: a CSV import, a form saving one row and the demo seed all go through it.
import { z } from 'zod';
import { LEVELS, type Department, type Official, type ReceptionDay, type Region, type Terminal } from './petition-shapes.ts';

const code = z.string().regex(/^\d{6}(\d{3}(\d{3})?)?$/, 'region code: 6, 9 or 12 digits');
const id = z.string().min(1).max(64).regex(/^[\w.\-]+$/, 'id: letters, digits, _ . - only');
const name = z.string().trim().min(1).max(100);
const level = z.enum(LEVELS);

export const regionRowSchema = z.strictObject({ code, name, level, parentCode: code.nullable() });
export const terminalRowSchema = z.strictObject({ id, name, level, regionCode: code, parentRegionCode: code.nullable() });
export const departmentRowSchema = z.strictObject({ id, kind: z.string().regex(/^[a-z][a-z0-9]{0,15}$/, 'kind: lower-case letters'), name, level, regionCode: code });
export const officialRowSchema = z.strictObject({
  id,
  name: z.string().trim().min(1).max(50),
  departmentId: id,
  level,
  regionCode: code,
  maxSessions: z.number().int().min(1).max(10),
  post: z.string().trim().max(50).nullable(),
  /** 部门负责人: approves extensions and signs replies off (docs/case-life.md). */
  head: z.boolean().default(false),
});
export const receptionDayRowSchema = z.strictObject({
  id,
  officialId: id,
  leaderName: z.string().trim().min(1).max(50),
  post: z.string().trim().min(1).max(50),
  portfolio: z.string().trim().min(1).max(100),
  departmentId: id,
  regionCode: code,
  place: z.string().trim().min(1).max(100),
  startsAt: z.iso.datetime(),
  slotMinutes: z.number().int().min(5).max(240),
  slots: z.number().int().min(1).max(48),
  capacityPerSlot: z.number().int().min(1).max(20),
});

/** Rows of one entity in one change set (one CSV file): a city's ~500 terminal points fit ten times over. */
export const MAX_CHANGE_ROWS = 5000;
export const changeSetSchema = z.strictObject({
  regions: z.array(regionRowSchema).max(MAX_CHANGE_ROWS).default([]),
  terminals: z.array(terminalRowSchema).max(MAX_CHANGE_ROWS).default([]),
  departments: z.array(departmentRowSchema).max(MAX_CHANGE_ROWS).default([]),
  officials: z.array(officialRowSchema).max(MAX_CHANGE_ROWS).default([]),
  receptionDays: z.array(receptionDayRowSchema).max(MAX_CHANGE_ROWS).default([]),
});
export type ChangeSet = z.output<typeof changeSetSchema>;
export const saveBody = z.strictObject({ changes: changeSetSchema, dryRun: z.boolean().default(false) });

export const IMPORT_KINDS = ['terminals', 'departments'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const importBody = z.strictObject({
  kind: z.enum(IMPORT_KINDS),
  /** The file's bytes, base64: UTF-8 (with or without BOM) or GBK, as Excel saves CSV in China. */
  content: z.string().min(1).max(4 * 1024 * 1024),
  dryRun: z.boolean().default(true),
});

export const ENTITIES = ['regions', 'terminals', 'departments', 'officials', 'receptionDays'] as const;
export type Entity = (typeof ENTITIES)[number];

export interface ImportProblem {
  /** 1-based line of the CSV (with the header as line 1), or the row's index in a change set. */
  line: number;
  entity: Entity;
  key: string;
  message: string;
}

/** What an import would do (dry run) or did: per entity, rows created, updated, unchanged. */
export interface ImportReport {
  dryRun: boolean;
  applied: boolean;
  encoding?: 'utf-8' | 'utf-8-bom' | 'gbk';
  counts: Record<Entity, { create: number; update: number; unchanged: number }>;
  /** Keys of the rows that would change (first 50 per entity), for the administrator to check. */
  changes: Record<Entity, { create: string[]; update: string[] }>;
  problems: ImportProblem[];
}

export interface DirectoryView {
  regions: Region[];
  terminals: Terminal[];
  departments: Department[];
  officials: Official[];
  receptionDays: ReceptionDay[];
  /** Department kinds in use and routing rule categories that name them. */
  kinds: string[];
}
