// The 红色物业 page (property.html) of the property office's staff and of a compound's residents:
// state and actions. Every call goes through the typed API (server/protocol/http/property.ts); a
// matter's changes arrive on the live channel (`property:matter`). What is shown is view-model.ts,
// how it is laid out view.ts.
import { ApiError, type Api } from '../lib/api.ts';
import { CallSession } from '../lib/call-session.ts';
import { startLanguage, t, viewContext } from '../lib/i18n.ts';
import { PageElement, define } from '../lib/page.ts';
import { personSession, type PersonSession } from '../household/common.ts';
import type { MatterCategory } from '../../../server/protocol/http/property-shapes.ts';
import '../widgets/call-tiles.ts';
import { propertyView, type Matter, type PropertyRoom, type PropertyState } from './view-model.ts';
import { propertyTemplate, type PropertyActions } from './view.ts';

class PropertyPage extends PageElement<PropertyState> {
  static override properties = { ...PageElement.properties, session: { state: true } };
  declare session: CallSession | null;
  #api: Api | undefined;
  #person: PersonSession | undefined;

  constructor() {
    super({ phase: 'loading', role: 'resident', who: '', me: '', compound: null, cameras: [], residents: [], departments: [], matters: [], selectedId: null, events: [], room: null, error: null });
    this.session = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#boot();
  }

  /** This tab's development token, else the signed-in session of a property office's staff or a resident. */
  async #boot(): Promise<void> {
    startLanguage();
    const signedIn = await personSession(
      'property-token',
      ['property', 'resident'],
      () => undefined,
      () => void this.#load(),
      () => this.#signedOut(),
    );
    if (!signedIn) return this.set({ phase: 'no-token' });
    this.#person = signedIn;
    this.#api = signedIn.api;
    this.set({ role: signedIn.role === 'property' ? 'property' : 'resident', who: signedIn.name, me: signedIn.sub });
    signedIn.live.on('property:matter', ({ matter }) => this.#changed(matter));
  }

  /** The session ended under the page (revoked, idle, past its limit): nothing of the compound stays shown. */
  #signedOut(): void {
    this.#leave();
    this.#person = undefined;
    this.set({ phase: 'no-token', who: '', me: '', compound: null, cameras: [], residents: [], matters: [], selectedId: null, events: [] });
  }

  protected override render(): unknown {
    return propertyTemplate(propertyView(this.state, viewContext()), this.session, this.#actions, () => void this.#person?.signOut());
  }

  protected override updated(): void {
    document.title = t(this.state.role === 'property' ? 'property.title' : 'property.titleResident');
  }

  readonly #actions: PropertyActions = {
    raise: (f) => this.#do(() => this.#raise(f)),
    select: (id) => this.#do(() => this.#select(id)),
    join: (id) => this.#do(async () => this.#enter({ kind: 'matter', matterId: id }, await this.#api!.call('property.join', { params: { matterId: id } }))),
    inviteCommunity: (id) => this.#do(async () => this.#changed(await this.#api!.call('property.invite', { params: { matterId: id }, body: { party: 'community' } }))),
    inviteDepartment: (id, departmentId) => this.#do(async () => this.#changed(await this.#api!.call('property.invite', { params: { matterId: id }, body: { party: 'department', departmentId } }))),
    addCamera: (id, cameraId) => this.#do(async () => this.#changed(await this.#api!.call('property.addMatterCamera', { params: { matterId: id }, body: { cameraId } }))),
    decide: (id, decision) => this.#do(async () => this.#changed(await this.#api!.call('property.decide', { params: { matterId: id }, body: { decision } }))),
    rate: (id, score, comment) => this.#do(async () => this.#changed(await this.#api!.call('property.rate', { params: { matterId: id }, body: { score, comment } }))),
    view: (cameraId) => this.#do(async () => this.#enter({ kind: 'camera', cameraId }, await this.#api!.call('property.viewCamera', { params: { cameraId } }))),
    leave: () => this.#leave(),
  };

  async #load(): Promise<void> {
    const api = this.#api!;
    await this.#do(async () => {
      const [compound] = await api.call('property.compounds');
      const matters = await api.call('property.matters');
      if (!compound || this.state.role !== 'property') return this.set({ phase: 'running', compound: compound ?? null, matters });
      const params = { compoundId: compound.id };
      const [cameras, residents, departments] = await Promise.all([
        api.call('property.cameras', { params }),
        api.call('property.residents', { params }),
        api.call('property.departments', { params }),
      ]);
      this.set({ phase: 'running', compound, matters, cameras, residents, departments });
    });
    if (this.state.selectedId) await this.#do(() => this.#select(this.state.selectedId!));
  }

  async #raise(f: { residentId?: string; category: MatterCategory; location: string; description: string }): Promise<void> {
    const compoundId = this.state.compound!.id;
    const ticket = await this.#api!.call('property.raise', { body: { compoundId, ...f } });
    this.#changed(ticket.matter);
    await this.#select(ticket.matter.id);
    await this.#enter({ kind: 'matter', matterId: ticket.matter.id }, ticket);
  }

  async #select(matterId: string): Promise<void> {
    const { matter, events } = await this.#api!.call('property.matter', { params: { matterId } });
    this.set({ selectedId: matterId, events });
    this.#changed(matter, false);
  }

  /** A matter as the server now has it; its timeline is read again when it is the one shown. */
  #changed(matter: Matter, reloadEvents = true): void {
    this.set({ matters: [matter, ...this.state.matters.filter((m) => m.id !== matter.id)].sort((a, b) => b.createdAt.localeCompare(a.createdAt)) });
    if (reloadEvents && matter.id === this.state.selectedId) void this.#do(() => this.#select(matter.id));
  }

  /** Into a matter's joint session (camera and microphone) or a camera view (watch only). */
  async #enter(room: PropertyRoom, ticket: { roomId: string; token: string }): Promise<void> {
    this.#leave();
    const matter = room.kind === 'matter';
    const session = new CallSession({
      token: ticket.token,
      roomId: ticket.roomId,
      publish: matter ? ['camera', 'microphone'] : [],
      ...(matter ? { renewToken: async () => (await this.#api!.call('property.join', { params: { matterId: room.matterId } })).token } : {}),
    });
    (window as unknown as { callSession: CallSession }).callSession = session;
    this.session = session;
    this.set({ room });
    // The decision (民决) or the view's time limit closes the room: back to the list.
    session.on('state', (s) => {
      if (s === 'closed' || s === 'failed') setTimeout(() => this.session === session && this.#leave(), 0);
    });
    await session.start();
  }

  #leave(): void {
    const session = this.session;
    this.session = null;
    if (this.state.room) this.set({ room: null });
    session?.close();
  }

  /** Runs an action; a refusal is shown in words (the server's message), never swallowed. */
  async #do(fn: () => Promise<void>): Promise<void> {
    try {
      this.set({ error: null });
      await fn();
    } catch (err) {
      this.set({ error: err instanceof ApiError ? err.message : String(err) });
    }
  }
}

define('property-page', PropertyPage);
