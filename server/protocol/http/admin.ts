// The system administrator's directory over HTTP: /api/admin (三员分立 ①: the directory, devices,
// routing, retention periods; no petition content, no recordings). Served by server/admin/router.ts. Households,
// cameras and counsellor assignments are the household area's (`household.create`,
// `household.addCamera`, `household.assignCounsellor`); devices are enrolled under /api/enrol.
import { area, json } from './contract.ts';
import { importBody, saveBody, type DirectoryView, type ImportReport } from './admin-shapes.ts';
import { routingRulesSchema, type RoutingRules } from './petition-shapes.ts';
import { retentionPeriodsSchema, type RetentionPeriods } from './archive-shapes.ts';

const ADMIN = { roles: ['admin'] } as const;

export const adminArea = area({
  base: '/api/admin',
  title: 'Administration: the directory',
  shapes: 'server/protocol/http/admin-shapes.ts',
  notes:
    'Every change is a change set (`ChangeSet`), checked whole and answered with an `ImportReport`: rows ' +
    'to create, update or leave, and problems by line. Nothing is written on a dry run or when any ' +
    'problem is found. A CSV is sent base64-encoded (UTF-8 with or without BOM, or GBK).',
  endpoints: {
    'admin.directory': {
      method: 'GET', path: '/directory', summary: 'Regions, terminal points, departments and kinds, officials, reception days',
      access: ADMIN, answer: json<DirectoryView>('DirectoryView'),
    },
    'admin.saveDirectory': {
      method: 'POST', path: '/directory', summary: 'Create or change directory rows (a form saves one row this way)',
      access: ADMIN, body: saveBody, answer: json<ImportReport>('ImportReport'),
    },
    'admin.importCsv': {
      method: 'POST', path: '/directory/import', summary: 'Import terminal points (with their regions) or departments from CSV; `dryRun` (default) only reports',
      access: ADMIN, body: importBody, answer: json<ImportReport>('ImportReport'),
    },
    'admin.replaceRoutingRules': {
      method: 'PUT', path: '/routing-rules', summary: 'Replace the routing rules (audited as a configuration change)',
      access: ADMIN, body: routingRulesSchema, answer: json<RoutingRules>('RoutingRules'),
    },
    'admin.retention': {
      method: 'GET', path: '/retention', summary: 'How many days recordings are kept after they end, by class (petition, household, property)',
      access: ADMIN, answer: json<RetentionPeriods>('RetentionPeriods'),
    },
    'admin.setRetention': {
      method: 'PUT', path: '/retention', summary: 'Set the retention periods (audited as a configuration change); every kept recording’s deletion date follows at once',
      access: ADMIN, body: retentionPeriodsSchema, answer: json<RetentionPeriods>('RetentionPeriods'),
    },
  },
});
