// The rooms this node hosts. Creation is serialized per room id so two peers arriving at once
// get the same router (mediasoup-demo's getOrCreateRoom).
import type { Logger } from '../server/core/log.ts';
import { SafeEmitter } from '../server/core/safe-emitter.ts';
import { Room } from './room.ts';
import type { WorkerPool } from './worker-pool.ts';

export interface RoomRegistryEvents {
  /** A room was created on this node; hang per-room services (recording, routing) here. */
  room: [Room];
}

export class RoomRegistry extends SafeEmitter<RoomRegistryEvents> {
  readonly #rooms = new Map<string, Room>();
  readonly #creating = new Map<string, Promise<Room>>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly log: Logger,
    private readonly emptyTimeoutMs?: number,
  ) {
    super();
  }

  get(roomId: string): Room | undefined {
    return this.#rooms.get(roomId);
  }

  get size(): number {
    return this.#rooms.size;
  }

  values(): IterableIterator<Room> {
    return this.#rooms.values();
  }

  async getOrCreate(roomId: string): Promise<Room> {
    const existing = this.#rooms.get(roomId);
    if (existing && !existing.closed) return existing;
    const pending = this.#creating.get(roomId);
    if (pending) return pending;
    const creation = Room.create({ roomId, pool: this.pool, log: this.log, emptyTimeoutMs: this.emptyTimeoutMs })
      .then((room) => {
        this.#rooms.set(roomId, room);
        room.once('close', () => {
          if (this.#rooms.get(roomId) === room) this.#rooms.delete(roomId);
        });
        this.emit('room', room);
        return room;
      })
      .finally(() => this.#creating.delete(roomId));
    this.#creating.set(roomId, creation);
    return creation;
  }

  closeAll(reason: 'server-shutdown'): void {
    for (const room of [...this.#rooms.values()]) room.close(reason);
  }
}
