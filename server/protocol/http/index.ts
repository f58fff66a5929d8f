// Every HTTP endpoint of the product, by name ('petition.getCase', 'archive.search', …): the
// areas' tables in one map, each entry with its area's base. The pages call them through
// `api.call(name, …)`; docs/http-api.md is generated from HTTP_AREAS (npm run docs:http).
import type { Area, Endpoint, JsonEndpointName } from './contract.ts';
import { archiveArea } from './archive.ts';
import { devArea } from './dev.ts';
import { householdArea } from './household.ts';
import { identityArea } from './identity.ts';
import { enrolmentArea } from './enrolment.ts';
import { adminArea } from './admin.ts';
import { opsArea } from './ops.ts';
import { petitionArea } from './petition.ts';
import { propertyArea } from './property.ts';
import { sessionArea } from './session.ts';

export const HTTP_AREAS = [petitionArea, householdArea, propertyArea, archiveArea, identityArea, enrolmentArea, adminArea, sessionArea, devArea, opsArea] as const;

type Based<E extends Record<string, Endpoint>> = { [K in keyof E]: E[K] & { readonly base: string } };
export type HttpApi = Based<typeof petitionArea.endpoints> &
  Based<typeof householdArea.endpoints> &
  Based<typeof propertyArea.endpoints> &
  Based<typeof archiveArea.endpoints> &
  Based<typeof identityArea.endpoints> &
  Based<typeof enrolmentArea.endpoints> &
  Based<typeof adminArea.endpoints> &
  Based<typeof sessionArea.endpoints> &
  Based<typeof devArea.endpoints> &
  Based<typeof opsArea.endpoints>;
export type EndpointName = keyof HttpApi & string;
/** Endpoints answering JSON, the ones `api.call` serves; raw ones get a URL from `api.url`. */
export type JsonEndpoint = JsonEndpointName<HttpApi> & string;

export const HTTP_API = Object.fromEntries(
  HTTP_AREAS.flatMap((a: Area) => Object.entries(a.endpoints).map(([name, e]) => [name, { ...e, base: a.base }])),
) as unknown as HttpApi;

export type { Area, Endpoint };
export { adminArea, archiveArea, devArea, enrolmentArea, householdArea, identityArea, opsArea, petitionArea, propertyArea, sessionArea };
