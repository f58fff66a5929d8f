// The signalling protocol: the one source of truth shared by the server and the web client.
// Every client→server event carries one payload validated by the schema below and is answered
// through the socket.io acknowledgement with a Reply. Documented in docs/signalling.md.
import { z } from 'zod';

export const MEDIA_SOURCES = ['camera', 'microphone', 'screen'] as const;
export const mediaSourceSchema = z.enum(MEDIA_SOURCES);
export type MediaSource = z.infer<typeof mediaSourceSchema>;

// ---- shared fragments --------------------------------------------------------------------------

export const roomIdSchema = z.string().min(1).max(200).regex(/^[\w:.\-]+$/, 'room id: letters, digits, _ : . - only');
const id = z.string().min(1).max(64);
const kind = z.enum(['audio', 'video']);

// mediasoup validates RTP dictionaries in depth; here we check the shape and bound the sizes,
// so nothing unbounded or of the wrong type reaches the worker.
const codecCapability = z.looseObject({
  kind,
  mimeType: z.string().max(64),
  clockRate: z.number().int().positive(),
  channels: z.number().int().min(1).max(8).optional(),
  preferredPayloadType: z.number().int().min(0).max(127).optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
  rtcpFeedback: z.array(z.looseObject({ type: z.string().max(32), parameter: z.string().max(32).optional() })).max(20).optional(),
});
const headerExtensionCapability = z.looseObject({
  kind,
  uri: z.string().max(256),
  preferredId: z.number().int().min(1).max(255),
  preferredEncrypt: z.boolean().optional(),
  direction: z.string().max(16).optional(),
});
export const rtpCapabilitiesSchema = z.looseObject({
  codecs: z.array(codecCapability).max(64).optional(),
  headerExtensions: z.array(headerExtensionCapability).max(64).optional(),
});

export const rtpParametersSchema = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z
    .array(
      z.looseObject({
        mimeType: z.string().max(64),
        payloadType: z.number().int().min(0).max(127),
        clockRate: z.number().int().positive(),
        channels: z.number().int().min(1).max(8).optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        rtcpFeedback: z.array(z.looseObject({ type: z.string().max(32), parameter: z.string().max(32).optional() })).max(20).optional(),
      }),
    )
    .min(1)
    .max(16),
  headerExtensions: z
    .array(z.looseObject({ uri: z.string().max(256), id: z.number().int().min(1).max(255), encrypt: z.boolean().optional() }))
    .max(32)
    .optional(),
  encodings: z
    .array(
      z.looseObject({
        ssrc: z.number().int().nonnegative().optional(),
        rid: z.string().max(32).optional(),
        maxBitrate: z.number().positive().optional(),
        scalabilityMode: z.string().max(16).optional(),
      }),
    )
    .max(4)
    .optional(),
  rtcp: z.looseObject({ cname: z.string().max(256).optional(), reducedSize: z.boolean().optional() }).optional(),
});

export const dtlsParametersSchema = z.looseObject({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z.array(z.looseObject({ algorithm: z.string().max(16), value: z.string().max(256) })).min(1).max(8),
});

// ---- client → server requests -----------------------------------------------------------------

export const requestSchemas = {
  join: z.strictObject({
    roomId: roomIdSchema,
    /**
     * Client-chosen text shown beside the participant's name, labelled as the participant's own
     * note. The name itself is the directory's (the token's `name`) and cannot be set here.
     */
    note: z.string().trim().min(1).max(100).optional(),
  }),
  createWebRtcTransport: z.discriminatedUnion('direction', [
    z.strictObject({ direction: z.literal('send'), forceTcp: z.boolean().optional() }),
    /**
     * `rtpCapabilities`: what this device can receive (mediasoup-client's
     * `device.recvRtpCapabilities`, the Device loaded with the join reply's router capabilities).
     * Consumers on this connection are made for them.
     */
    z.strictObject({ direction: z.literal('recv'), forceTcp: z.boolean().optional(), rtpCapabilities: rtpCapabilitiesSchema }),
  ]),
  connectWebRtcTransport: z.strictObject({ transportId: id, dtlsParameters: dtlsParametersSchema }),
  restartIce: z.strictObject({ transportId: id }),
  produce: z.strictObject({ transportId: id, kind, rtpParameters: rtpParametersSchema, source: mediaSourceSchema }),
  /**
   * `rtpCapabilities`: what this device can receive (mediasoup-client's `device.recvRtpCapabilities`),
   * needed once per connection — with the first consume on the join's recv transport, or with a
   * recv transport of its own — and kept for the later ones; a newer set replaces it.
   */
  consume: z.strictObject({ transportId: id, producerId: id, rtpCapabilities: rtpCapabilitiesSchema.optional() }),
  resumeConsumer: z.strictObject({ consumerId: id }),
  /** Stop receiving a consumer for now (audio-only on a poor network); `resumeConsumer` takes it up again. */
  pauseConsumer: z.strictObject({ consumerId: id }),
  pauseProducer: z.strictObject({ producerId: id }),
  resumeProducer: z.strictObject({ producerId: id }),
  closeProducer: z.strictObject({ producerId: id }),
  leave: z.strictObject({}),
  /** The case's lead or a coordinator only: remove a participant for the rest of the session. */
  kickPeer: z.strictObject({ peerId: z.string().min(1).max(128) }),
  /**
   * Swap the connection's token for a fresh one of the same identity without dropping media,
   * checked like a fresh join (signature, expiry, revocation, the room's grant, bans, the room's
   * domain). Send it before the token expires: an expired token opens no transport, producer or
   * consumer.
   */
  refreshToken: z.strictObject({ token: z.string().min(1).max(8192) }),
} as const;

export type RequestName = keyof typeof requestSchemas;
export type RequestPayload<N extends RequestName> = z.input<(typeof requestSchemas)[N]>;

// ---- replies ----------------------------------------------------------------------------------

export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'token_expired',
  'forbidden',
  'not_found',
  'conflict',
  'gone',
  'rate_limited',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}
export type Reply<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

export interface ProducerInfo {
  producerId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  paused: boolean;
}
export interface PeerInfo {
  peerId: string;
  /** From the directory (the token's `name`), never from the client. */
  name: string;
  /** The participant's own note (client-chosen text), when they gave one: show it labelled as such. */
  note?: string;
  role: string;
  producers: ProducerInfo[];
}
export interface TransportOptions {
  transportId: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
}
export interface ConsumerOptions {
  consumerId: string;
  producerId: string;
  peerId: string;
  source: MediaSource;
  kind: 'audio' | 'video';
  rtpParameters: unknown;
}

/**
 * A TURN server with time-limited credentials (RTCIceServer's shape): issued with the room token
 * at `join` and again at `refreshToken`, expiring with the token. Empty when the node has no TURN.
 */
export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

export interface ResponseData {
  /**
   * `rtpCapabilities`: the room router's, to load the client's Device with (its recv transport
   * then carries what the device can receive); sent here so a join costs no round trip before
   * it. `recording`: the session is being recorded (everyone is shown this). `exp`: when the
   * token the connection holds expires (seconds since the epoch): send `refreshToken` before it.
   * `permission`: what this participant may do here now. `iceServers`: TURN for the transports.
   * `nodes`: the public URLs of the cluster's live nodes (this one included; empty when the node
   * registry cannot be read): where the client asks next when this node stops answering.
   * `recv`: a recv transport opened with the join (absent when the participant may not
   * subscribe), so the room's media is consumed without a round trip first; its first consume
   * carries the device's capabilities.
   */
  join: {
    rtpCapabilities: unknown;
    peerId: string;
    role: string;
    exp: number;
    permission: PermissionInfo;
    peers: PeerInfo[];
    recording: boolean;
    iceServers: IceServer[];
    nodes: string[];
    recv?: TransportOptions;
  };
  createWebRtcTransport: TransportOptions;
  connectWebRtcTransport: Record<string, never>;
  restartIce: { iceParameters: unknown };
  produce: { producerId: string };
  consume: ConsumerOptions;
  resumeConsumer: Record<string, never>;
  pauseConsumer: Record<string, never>;
  pauseProducer: Record<string, never>;
  resumeProducer: Record<string, never>;
  closeProducer: Record<string, never>;
  leave: Record<string, never>;
  kickPeer: Record<string, never>;
  /** `exp`: the new token's expiry (seconds since the epoch); `iceServers`: TURN credentials expiring with it. */
  refreshToken: { exp: number; iceServers: IceServer[] };
}

/** Why a connection may do less than its token says: the household's privacy mode, an audio-only call, its part in the case. */
export type NarrowReason = 'privacy' | 'audio-only' | 'role';

/** What the connection may do in its room now (sent when it changes: privacy on, lead handed over). */
export interface PermissionInfo {
  canPublish: boolean;
  canSubscribe: boolean;
  sources: MediaSource[];
  roomAdmin: boolean;
  narrowedBy?: NarrowReason;
}

// ---- server → client notifications ------------------------------------------------------------

// ---- why peers and rooms close ----------------------------------------------------------------

/**
 * Why a peer left its room or a room closed: one enum for the SFU, the signalling layer and the
 * client (LiveKit's DisconnectReason). `closeNotice` maps each to what the client is told.
 *   left                the client asked to leave
 *   disconnected        its socket went away (network loss, tab closed)
 *   duplicate-identity  the same identity joined again; the newer connection wins
 *   kicked              a room admin removed it
 *   ended               the session is over by a domain decision (call hung up, look-in ended)
 *   revoked             it may no longer be here: handed over, link removed, token or device revoked
 *   worker-died         the room's media worker crashed; the room is recreated on its replacement
 *   server-shutdown     this node is stopping
 *   empty               (rooms only) nobody was in the room for the empty-room timeout
 */
export const CLOSE_REASONS = [
  'left',
  'disconnected',
  'duplicate-identity',
  'kicked',
  'ended',
  'revoked',
  'worker-died',
  'server-shutdown',
  'empty',
] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];
export type RoomCloseReason = Extract<CloseReason, 'empty' | 'ended' | 'worker-died' | 'server-shutdown'>;
export type PeerCloseReason = Exclude<CloseReason, 'empty'>;
/** The reasons a client is told to reconnect and join again. */
export type RejoinReason = Extract<CloseReason, 'worker-died' | 'server-shutdown'>;

export interface ServerToClientEvents {
  peerJoined: (p: PeerInfo) => void;
  peerLeft: (p: { peerId: string }) => void;
  newProducer: (p: { peerId: string } & ProducerInfo) => void;
  producerClosed: (p: { peerId: string; producerId: string }) => void;
  producerPaused: (p: { peerId: string; producerId: string }) => void;
  producerResumed: (p: { peerId: string; producerId: string }) => void;
  consumerClosed: (p: { consumerId: string; producerId: string }) => void;
  /**
   * How well you receive a consumer (`score`, 0–10, from loss and repair on your downlink) and how
   * well its producer reaches the server (`producerScore`). Sent when they change.
   */
  consumerScore: (p: { consumerId: string; score: number; producerScore: number }) => void;
  /** How well your producer reaches the server (0–10, the worst of its streams). Sent when it changes. */
  producerScore: (p: { producerId: string; score: number }) => void;
  /** Your room is gone from this worker or node (worker died, node stopping): join again. */
  rejoin: (p: { reason: RejoinReason }) => void;
  /** Recording of this room started or stopped: every participant is shown the state. */
  recording: (p: { active: boolean }) => void;
  /**
   * The session is over for you: `ended` (call hung up, look-in ended, case session over),
   * `kicked` (removed by the lead or a coordinator), `revoked` (you may no longer be here: the
   * case was handed over, your link or device was removed, your token was revoked). Do not rejoin.
   */
  roomClosed: (p: { reason: RoomClosedReason }) => void;
  /** What you may do here changed; producers of sources no longer allowed were closed by the server. */
  permissions: (p: PermissionInfo) => void;
  /** The same identity joined from elsewhere; this connection is closed and must not reconnect. */
  replaced: (p: { reason: 'duplicate-identity' }) => void;
}

export type ClientToServerEvents = {
  [N in RequestName]: (payload: RequestPayload<N>, ack: (reply: Reply<ResponseData[N]>) => void) => void;
};

export type RoomClosedReason = Extract<CloseReason, 'ended' | 'kicked' | 'revoked'>;

/** What a client is told when its peer closes for a reason that is not its own doing. */
export type CloseNotice =
  | { event: 'rejoin'; payload: { reason: RejoinReason } }
  | { event: 'roomClosed'; payload: { reason: RoomClosedReason } }
  | { event: 'replaced'; payload: { reason: 'duplicate-identity' } };

/** The one mapping from close reason to notification; null when the client already knows. */
export function closeNotice(reason: PeerCloseReason): CloseNotice | null {
  switch (reason) {
    case 'left':
    case 'disconnected':
      return null;
    case 'duplicate-identity':
      return { event: 'replaced', payload: { reason } };
    case 'kicked':
    case 'ended':
    case 'revoked':
      return { event: 'roomClosed', payload: { reason } };
    case 'worker-died':
    case 'server-shutdown':
      return { event: 'rejoin', payload: { reason } };
  }
}
