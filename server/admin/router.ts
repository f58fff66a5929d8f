// /api/admin (server/protocol/http/admin.ts) over the directory administration.
import type { Router } from 'express';
import type { TokenIssuer } from '../auth/grants.ts';
import { createAreaRouter } from '../core/http/area-router.ts';
import type { Logger } from '../core/log.ts';
import { actorOf, type SystemAudit } from '../core/system-audit.ts';
import { adminArea } from '../protocol/http/admin.ts';
import type { RoutingRules } from '../protocol/http/petition-shapes.ts';
import { rulesChangeDetails } from '../scheduler/routing-rules.ts';
import type { RetentionPeriods } from '../protocol/http/archive-shapes.ts';
import type { DirectoryAdmin } from './directory.ts';

export interface AdminRouterDeps {
  directory: DirectoryAdmin;
  /** Replaces the routing rules in use on every node (the petition service's rule book), recorded as changed by `by`. */
  replaceRoutingRules(rules: RoutingRules, by: string): Promise<RoutingRules>;
  /** The archive's retention periods: read, and set (every kept recording's deletion date follows). */
  retention: { get(): Promise<RetentionPeriods>; set(periods: RetentionPeriods, changedBy: string): Promise<RetentionPeriods> };
  audit: SystemAudit;
  tokens: TokenIssuer;
  log: Logger;
}

export function createAdminRouter(d: AdminRouterDeps): Router {
  return createAreaRouter(
    adminArea,
    {
      'admin.directory': () => d.directory.view(),
      'admin.saveDirectory': ({ claims, body }) => d.directory.apply(body.changes, { dryRun: body.dryRun, actor: actorOf(claims) }),
      'admin.importCsv': ({ claims, body }) => d.directory.importCsv(body.kind, Buffer.from(body.content, 'base64'), { dryRun: body.dryRun, actor: actorOf(claims) }),
      'admin.replaceRoutingRules': async ({ claims, body }) => {
        const rules = await d.replaceRoutingRules(body, claims.sub);
        await d.audit.record({ type: 'configuration-changed', actor: actorOf(claims), details: rulesChangeDetails(rules) });
        return rules;
      },
      'admin.retention': () => d.retention.get(),
      'admin.setRetention': async ({ claims, body }) => {
        const before = await d.retention.get();
        const after = await d.retention.set(body, claims.sub);
        await d.audit.record({ type: 'configuration-changed', actor: actorOf(claims), details: { setting: 'retention', before, after } });
        return after;
      },
    },
    // A CSV of 500 terminal points is ~60 KB; base64 and headroom.
    { tokens: d.tokens, log: d.log, bodyLimit: '5mb' },
  );
}
