// The 视频接访 domain: regions, terminals, departments, officials, cases and their timeline.
// The stored shapes are part of the HTTP contract and live in server/protocol/http/
// petition-shapes.ts (re-exported here); client-sent shapes are the zod schemas of the endpoint
// table (server/protocol/http/petition.ts) and are never used as stored ones.

export * from '../protocol/http/petition-shapes.ts';

/** Who is acting, as the server knows them (from a verified token, never from the request body). */
export interface Actor {
  id: string;
  name: string;
  role: 'petitioner' | 'terminal' | 'official' | 'head' | 'coordinator' | 'system' | 'other';
  terminalId?: string;
}
