// Persistence of 红色物业 on the node's store (SQLite or PostgreSQL). Rows and SQL only; who may
// do what, and the 四民 steps, are the service's. Epoch ms in SQL, ISO strings out.
import type { Generated } from 'kysely';
import type { Executor, Store } from '../core/db.ts';
import { propertyMatterRoomId } from '../protocol/room-id.ts';
import type { Compound, CompoundCamera, Matter, MatterCategory, MatterEvent, MatterParty, MatterState, PartyKind } from '../protocol/http/property-shapes.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

interface CompoundRow { id: string; name: string; address: string; region: string; property_company: string; community: string; police_department_id: string | null }
interface CameraRow { id: string; compound_id: string; name: string; location: string; url: string; retired_at: number | null }
interface PersonRow { id: string; compound_id: string; kind: 'property' | 'resident'; name: string; unit: string | null }
interface MatterRow {
  id: string; compound_id: string; category: string; location: string; description: string; state: string;
  resident_id: string; raised_by_id: string; raised_by_name: string; raised_by_role: string; session_open: number;
  decision: string | null; rating_score: number | null; rating_comment: string | null; rated_at: number | null;
  created_at: number; updated_at: number;
}
interface PartyRow { matter_id: string; kind: string; ref: string; name: string; invited_at: number; invited_by: string | null; joined_by: string | null; joined_by_name: string | null; joined_at: number | null }
interface EventRow { id: Generated<number>; matter_id: string; type: string; actor_id: string; actor_name: string; at: number; data_json: string }
interface ViewRow { id: string; camera_id: string; compound_id: string; viewer_id: string; viewer_role: string; viewer_name: string; started_at: number; ends_at: number }

interface PropertyTables {
  compounds: CompoundRow;
  compound_cameras: CameraRow;
  compound_people: PersonRow;
  property_matters: MatterRow;
  property_matter_parties: PartyRow;
  property_matter_cameras: { matter_id: string; camera_id: string; added_at: number };
  property_matter_events: EventRow;
  compound_camera_views: ViewRow;
}

export interface CompoundPerson { id: string; compoundId: string; kind: 'property' | 'resident'; name: string; unit: string | null }
export interface CameraView { id: string; cameraId: string; compoundId: string; viewerId: string; viewerRole: string; startedAtMs: number; endsAtMs: number }
export interface NewMatter {
  id: string; compoundId: string; category: MatterCategory; location: string; description: string;
  residentId: string; raisedBy: { id: string; name: string; role: string }; atMs: number;
}

export class PropertyRepository {
  readonly #store: Store;
  readonly #q: Executor<PropertyTables>;

  constructor(store: Store, q?: Executor<PropertyTables>) {
    this.#store = store;
    this.#q = q ?? store.db<PropertyTables>();
  }

  /** One transaction; `lockMatter` inside it serializes changes of one matter across nodes. */
  transaction<T>(fn: (tx: PropertyRepository) => Promise<T>): Promise<T> {
    return this.#store.transaction<PropertyTables, T>((trx) => fn(new PropertyRepository(this.#store, trx)));
  }

  async lockMatter(id: string): Promise<void> {
    await this.#store.forUpdate(this.#q.selectFrom('property_matters').select('id').where('id', '=', id)).executeTakeFirst();
  }

  // ---- compounds, cameras, people -------------------------------------------------------------

  async insertCompound(c: Compound): Promise<void> {
    await this.#q
      .insertInto('compounds')
      .values({ id: c.id, name: c.name, address: c.address, region: c.region, property_company: c.propertyCompany, community: c.community, police_department_id: c.policeDepartmentId })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async getCompound(id: string): Promise<Compound | undefined> {
    const r = await this.#q.selectFrom('compounds').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toCompound(r);
  }

  async listCompounds(): Promise<Compound[]> {
    return (await this.#q.selectFrom('compounds').selectAll().orderBy('id').execute()).map(toCompound);
  }

  async insertCamera(c: CompoundCamera & { url: string }): Promise<void> {
    await this.#q.insertInto('compound_cameras').values({ id: c.id, compound_id: c.compoundId, name: c.name, location: c.location, url: c.url }).execute();
  }

  /** Retired ones too (`retired`): a matter's record still names the cameras it showed. */
  async getCamera(id: string): Promise<(CompoundCamera & { url: string; retired: boolean }) | undefined> {
    const r = await this.#q.selectFrom('compound_cameras').selectAll().where('id', '=', id).executeTakeFirst();
    return r && { ...toCamera(r), url: r.url, retired: r.retired_at !== null };
  }

  /** Marks a camera retired (kept, with its history); 'retired' also when it already was. */
  async retireCamera(compoundId: string, id: string, atMs: number): Promise<'retired' | 'missing'> {
    const r = await this.#q
      .updateTable('compound_cameras')
      .set((eb) => ({ retired_at: eb.fn.coalesce('retired_at', eb.val(atMs)) }))
      .where('id', '=', id)
      .where('compound_id', '=', compoundId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0 ? 'retired' : 'missing';
  }

  /** Deletes a camera no matter or view ever used; false when it has such history (kept as evidence). */
  async deleteUnusedCamera(compoundId: string, id: string): Promise<'deleted' | 'in-use' | 'missing'> {
    return this.#q.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('compound_cameras').select('id').where('id', '=', id).where('compound_id', '=', compoundId).executeTakeFirst();
      if (!row) return 'missing';
      const used =
        (await tx.selectFrom('property_matter_cameras').select('camera_id').where('camera_id', '=', id).executeTakeFirst()) ??
        (await tx.selectFrom('compound_camera_views').select('camera_id').where('camera_id', '=', id).executeTakeFirst());
      if (used) return 'in-use';
      await tx.deleteFrom('compound_cameras').where('id', '=', id).execute();
      return 'deleted';
    });
  }

  /** The cameras in service (retired ones are hidden), by place, then name: the order people read them in (ids are random, so ordering by them shuffled the list). */
  async listCameras(compoundId: string): Promise<CompoundCamera[]> {
    return (await this.#q.selectFrom('compound_cameras').selectAll().where('compound_id', '=', compoundId).where('retired_at', 'is', null).orderBy('location').orderBy('name').execute()).map(toCamera);
  }

  async insertPerson(p: CompoundPerson): Promise<void> {
    await this.#q
      .insertInto('compound_people')
      .values({ id: p.id, compound_id: p.compoundId, kind: p.kind, name: p.name, unit: p.unit })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async getPerson(id: string): Promise<CompoundPerson | undefined> {
    const r = await this.#q.selectFrom('compound_people').selectAll().where('id', '=', id).executeTakeFirst();
    return r && { id: r.id, compoundId: r.compound_id, kind: r.kind, name: r.name, unit: r.unit };
  }

  /** People of one kind, of every compound or of one. */
  async listPeople(kind: 'property' | 'resident', compoundId?: string): Promise<CompoundPerson[]> {
    let q = this.#q.selectFrom('compound_people').selectAll().where('kind', '=', kind);
    if (compoundId) q = q.where('compound_id', '=', compoundId);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({ id: r.id, compoundId: r.compound_id, kind: r.kind, name: r.name, unit: r.unit }));
  }

  async staffOf(compoundId: string): Promise<string[]> {
    const rows = await this.#q.selectFrom('compound_people').select('id').where('compound_id', '=', compoundId).where('kind', '=', 'property').execute();
    return rows.map((r) => r.id);
  }

  // ---- matters --------------------------------------------------------------------------------

  async insertMatter(m: NewMatter): Promise<void> {
    await this.#q
      .insertInto('property_matters')
      .values({
        id: m.id, compound_id: m.compoundId, category: m.category, location: m.location, description: m.description, state: 'raised',
        resident_id: m.residentId, raised_by_id: m.raisedBy.id, raised_by_name: m.raisedBy.name, raised_by_role: m.raisedBy.role,
        session_open: 1, decision: null, rating_score: null, rating_comment: null, rated_at: null, created_at: m.atMs, updated_at: m.atMs,
      })
      .execute();
  }

  async updateMatter(id: string, patch: { state?: MatterState; sessionOpen?: boolean; decision?: string; rating?: { score: number; comment: string } }, atMs: number): Promise<void> {
    await this.#q
      .updateTable('property_matters')
      .set({
        updated_at: atMs,
        ...(patch.state ? { state: patch.state } : {}),
        ...(patch.sessionOpen === undefined ? {} : { session_open: patch.sessionOpen ? 1 : 0 }),
        ...(patch.decision === undefined ? {} : { decision: patch.decision }),
        ...(patch.rating ? { rating_score: patch.rating.score, rating_comment: patch.rating.comment, rated_at: atMs } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  async getMatter(id: string): Promise<Matter | undefined> {
    const r = await this.#q.selectFrom('property_matters').selectAll().where('id', '=', id).executeTakeFirst();
    return r && this.#toMatter(r);
  }

  /** Matters of these compounds, or in which one of these parties is invited, newest first. */
  async listMatters(q: { compoundIds?: string[]; parties?: { kind: PartyKind; ref: string }[] }): Promise<Matter[]> {
    const ids = new Set<string>();
    if (q.compoundIds?.length) {
      for (const r of await this.#q.selectFrom('property_matters').select('id').where('compound_id', 'in', q.compoundIds).execute()) ids.add(r.id);
    }
    for (const p of q.parties ?? []) {
      for (const r of await this.#q.selectFrom('property_matter_parties').select('matter_id').where('kind', '=', p.kind).where('ref', '=', p.ref).execute()) ids.add(r.matter_id);
    }
    if (ids.size === 0) return [];
    const rows = await this.#q.selectFrom('property_matters').selectAll().where('id', 'in', [...ids]).orderBy('created_at', 'desc').execute();
    return Promise.all(rows.map((r) => this.#toMatter(r)));
  }

  async countMatters(): Promise<number> {
    const r = await this.#q.selectFrom('property_matters').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async addParty(matterId: string, p: { kind: PartyKind; ref: string; name: string; invitedBy: string | null }, atMs: number): Promise<void> {
    await this.#q
      .insertInto('property_matter_parties')
      .values({ matter_id: matterId, kind: p.kind, ref: p.ref, name: p.name, invited_at: atMs, invited_by: p.invitedBy, joined_by: null, joined_by_name: null, joined_at: null })
      .onConflict((oc) => oc.columns(['matter_id', 'kind', 'ref']).doNothing())
      .execute();
  }

  /** Records the first person of a party who joined; later joins of the same party change nothing. */
  async markJoined(matterId: string, kind: PartyKind, ref: string, who: { id: string; name: string }, atMs: number): Promise<boolean> {
    const r = await this.#q
      .updateTable('property_matter_parties')
      .set({ joined_by: who.id, joined_by_name: who.name, joined_at: atMs })
      .where('matter_id', '=', matterId).where('kind', '=', kind).where('ref', '=', ref).where('joined_by', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async addMatterCamera(matterId: string, cameraId: string, atMs: number): Promise<boolean> {
    const r = await this.#q
      .insertInto('property_matter_cameras')
      .values({ matter_id: matterId, camera_id: cameraId, added_at: atMs })
      .onConflict((oc) => oc.columns(['matter_id', 'camera_id']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async appendEvent(e: { matterId: string; type: MatterEvent['type']; actorId: string; actorName: string; atMs: number; data?: Record<string, unknown> }): Promise<void> {
    await this.#q
      .insertInto('property_matter_events')
      .values({ matter_id: e.matterId, type: e.type, actor_id: e.actorId, actor_name: e.actorName, at: e.atMs, data_json: JSON.stringify(e.data ?? {}) })
      .execute();
  }

  async events(matterId: string): Promise<MatterEvent[]> {
    const rows = await this.#q.selectFrom('property_matter_events').selectAll().where('matter_id', '=', matterId).orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), matterId: r.matter_id, type: r.type as MatterEvent['type'], actorId: r.actor_id, actorName: r.actor_name, at: iso(Number(r.at)), data: JSON.parse(r.data_json) as Record<string, unknown> }));
  }

  // ---- camera views -----------------------------------------------------------------------------

  async insertView(v: CameraView & { viewerName: string }): Promise<void> {
    await this.#q
      .insertInto('compound_camera_views')
      .values({ id: v.id, camera_id: v.cameraId, compound_id: v.compoundId, viewer_id: v.viewerId, viewer_role: v.viewerRole, viewer_name: v.viewerName, started_at: v.startedAtMs, ends_at: v.endsAtMs })
      .execute();
  }

  async getView(id: string): Promise<CameraView | undefined> {
    const r = await this.#q.selectFrom('compound_camera_views').selectAll().where('id', '=', id).executeTakeFirst();
    return r && { id: r.id, cameraId: r.camera_id, compoundId: r.compound_id, viewerId: r.viewer_id, viewerRole: r.viewer_role, startedAtMs: Number(r.started_at), endsAtMs: Number(r.ends_at) };
  }

  async #toMatter(r: MatterRow): Promise<Matter> {
    const [compound, resident, parties, cameras] = await Promise.all([
      this.#q.selectFrom('compounds').select('name').where('id', '=', r.compound_id).executeTakeFirst(),
      this.#q.selectFrom('compound_people').select('name').where('id', '=', r.resident_id).executeTakeFirst(),
      this.#q.selectFrom('property_matter_parties').selectAll().where('matter_id', '=', r.id).orderBy('invited_at').execute(),
      this.#q.selectFrom('property_matter_cameras').select('camera_id').where('matter_id', '=', r.id).orderBy('added_at').execute(),
    ]);
    return {
      id: r.id,
      compoundId: r.compound_id,
      compoundName: compound?.name ?? r.compound_id,
      category: r.category as MatterCategory,
      location: r.location,
      description: r.description,
      state: r.state as MatterState,
      residentId: r.resident_id,
      residentName: resident?.name ?? r.resident_id,
      raisedBy: { id: r.raised_by_id, name: r.raised_by_name, role: r.raised_by_role },
      roomId: propertyMatterRoomId(r.id),
      sessionOpen: r.session_open === 1,
      parties: parties.map(toParty),
      cameraIds: cameras.map((c) => c.camera_id),
      decision: r.decision,
      rating: r.rating_score === null ? null : { score: r.rating_score, comment: r.rating_comment ?? '', at: iso(Number(r.rated_at)) },
      createdAt: iso(Number(r.created_at)),
      updatedAt: iso(Number(r.updated_at)),
    };
  }
}

function toCompound(r: CompoundRow): Compound {
  return { id: r.id, name: r.name, address: r.address, region: r.region, propertyCompany: r.property_company, community: r.community, policeDepartmentId: r.police_department_id };
}

function toCamera(r: CameraRow): CompoundCamera {
  return { id: r.id, compoundId: r.compound_id, name: r.name, location: r.location };
}

function toParty(r: PartyRow): MatterParty {
  return {
    kind: r.kind as PartyKind, ref: r.ref, name: r.name, invitedAt: iso(Number(r.invited_at)), invitedBy: r.invited_by,
    joinedBy: r.joined_by, joinedByName: r.joined_by_name, joinedAt: r.joined_at === null ? null : iso(Number(r.joined_at)),
  };
}
