// Shared by the edge half of the trust-boundary tests (HTTP, identities, limits): JSON over
// HTTP with a status and a parsed body, a token per seeded person, and a /live connection that
// records what it is pushed. (The rooms half has its own signalling clients in support.ts.)
import { io, type Socket } from 'socket.io-client';
import type { Role } from '../../server/protocol/claims.ts';
import type { TestPlatform } from '../support/platform.ts';

export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  body: { ok: boolean; data?: T; error?: { code: string; message: string; details?: unknown } } | undefined;
}

export async function send<T = unknown>(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: Answer<T>['body'];
  try {
    body = JSON.parse(text) as Answer<T>['body'];
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** A person's token as the directory would issue it (no room grants). */
export function personToken(platform: TestPlatform, sub: string, role: Role, attributes: Record<string, string> = {}): string {
  return platform.tokens.issue({ sub, name: sub, role, grant: { rooms: [], canPublish: false, canSubscribe: false, sources: [] }, attributes });
}

export interface LiveClient {
  socket: Socket;
  /** Every push received, by event name. */
  received: { event: string; payload: unknown }[];
  close(): void;
}

export async function liveClient(platform: TestPlatform, token: string): Promise<LiveClient> {
  const socket = io(`${platform.url}/live`, { auth: { token }, transports: ['websocket'], forceNew: true, reconnection: false });
  const received: LiveClient['received'] = [];
  socket.onAny((event: string, payload: unknown) => received.push({ event, payload }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, received, close: () => void socket.disconnect() };
}

/** A stack frame, a server path or a source location: never in an answer. */
export const LEAK = /\bat [\w.<>]+ \(|\/work\/|\/home\/|node_modules|\.ts:\d+|\.js:\d+/;
