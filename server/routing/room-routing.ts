// Which node hosts which room (LiveKit's routing apart from the room). A room lives on one node;
// a client that reaches another node is told where to go. The room logic never touches Redis:
// it sees only this interface.
export type RoomPlacement = { local: true } | { local: false; nodeId: string; url: string };

export interface NodeInfo {
  nodeId: string;
  /** The node's own public URL (PUBLIC_URL). */
  url: string;
}

export interface RoomRouting {
  readonly nodeId: string;
  /** Places the room on this node unless a live node already hosts it. */
  claim(roomId: string): Promise<RoomPlacement>;
  /** Gives the room up, only if this node still holds it. */
  release(roomId: string): Promise<void>;
  /** The nodes whose heartbeat is alive, this one included. */
  liveNodes(): Promise<NodeInfo[]>;
  close(): Promise<void>;
}

