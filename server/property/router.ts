// The HTTP API of 红色物业 (mount at propertyArea.base, /api/property): the endpoint table in
// server/protocol/http/property.ts served by the one area router; every decision is the service's.
import type { Router } from 'express';
import { createAreaRouter, type TokenVerifier } from '../core/http/area-router.ts';
import type { Logger } from '../core/log.ts';
import { actorOf, type SystemAudit } from '../core/system-audit.ts';
import { propertyArea } from '../protocol/http/property.ts';
import type { PropertyService } from './service.ts';

export interface PropertyRouterDeps {
  service: PropertyService;
  tokens: TokenVerifier;
  /** Camera channels added, removed and retired are directory changes of the system trail. */
  audit: Pick<SystemAudit, 'record'>;
  log: Logger;
}

export function createPropertyRouter({ service: s, tokens, audit, log }: PropertyRouterDeps): Router {
  return createAreaRouter(
    propertyArea,
    {
      'property.compounds': ({ claims }) => s.listCompounds(claims),
      'property.cameras': ({ claims, params }) => s.listCameras(claims, params.compoundId),
      'property.addCamera': async ({ claims, params, body }) => {
        const camera = await s.addCamera(claims, params.compoundId, body);
        await audit.record({ type: 'camera-added', actor: actorOf(claims), details: { compoundId: camera.compoundId, cameraId: camera.id, name: camera.name, location: camera.location } });
        return camera;
      },
      'property.removeCamera': async ({ claims, params }) => {
        await s.removeCamera(claims, params.compoundId, params.cameraId);
        await audit.record({ type: 'camera-removed', actor: actorOf(claims), details: { compoundId: params.compoundId, cameraId: params.cameraId } });
        return {};
      },
      'property.retireCamera': async ({ claims, params }) => {
        await s.retireCamera(claims, params.compoundId, params.cameraId);
        await audit.record({ type: 'camera-retired', actor: actorOf(claims), details: { compoundId: params.compoundId, cameraId: params.cameraId } });
        return {};
      },
      'property.residents': ({ claims, params }) => s.residents(claims, params.compoundId),
      'property.departments': ({ claims, params }) => s.departments(claims, params.compoundId),
      'property.viewCamera': ({ claims, params }) => s.viewCamera(claims, params.cameraId),
      'property.raise': ({ claims, body }) => s.raise(claims, body),
      'property.matters': ({ claims }) => s.listMatters(claims),
      'property.matter': ({ claims, params }) => s.getMatter(claims, params.matterId),
      'property.invite': ({ claims, params, body }) => s.invite(claims, params.matterId, body),
      'property.join': ({ claims, params }) => s.join(claims, params.matterId),
      'property.addMatterCamera': ({ claims, params, body }) => s.addMatterCamera(claims, params.matterId, body.cameraId),
      'property.decide': ({ claims, params, body }) => s.decide(claims, params.matterId, body.decision),
      'property.rate': ({ claims, params, body }) => s.rate(claims, params.matterId, body),
    },
    { tokens, log, bodyLimit: '32kb' },
  );
}
