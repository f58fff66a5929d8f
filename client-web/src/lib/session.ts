// The page's signed-in session. A person signed in on sign-in.html holds an http-only session
// cookie (path /api/identity) that this module turns into short-lived access tokens, drawing the
// next one before the current one lapses and telling the server whether the person was active
// (the idle limit). When the session ends — revoked by the security administrator, signed out
// everywhere, idle, past its limit — the page is told at once and stops. Without a session, a
// development token (lib/token.ts: the dev sign-in) is used as before.
import { Api, ApiError } from './api.ts';
import { pageToken, readClaims, type Claims } from './token.ts';

/** Public endpoints need no bearer token. */
const publicApi = new Api('');
/** The next token is drawn this long before the current one expires. */
const REFRESH_AHEAD_MS = 60_000;
const MIN_REFRESH_MS = 10_000;

export const SIGN_IN_PAGE = 'sign-in.html';

type Drawn = { token: string; expiresAt: number };

export class PageSession {
  #token: string;
  #claims: Claims;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #active = false;
  #ended = false;
  readonly #onEnded = new Set<() => void>();
  readonly api: Api;

  private constructor(
    token: string,
    claims: Claims,
    /** Drawn from the session cookie (else a development token, never refreshed). */
    readonly cookie: boolean,
    private readonly tokenKey: string,
  ) {
    this.#token = token;
    this.#claims = claims;
    this.api = new Api(() => this.#token);
  }

  /**
   * The session of a person in one of `roles`: from the cookie, else (development) the page's
   * token; null when neither is there in one of `roles`.
   */
  static async start(tokenKey: string, roles: readonly string[]): Promise<PageSession | null> {
    const drawn = await draw(false).catch(() => null);
    const drawnClaims = drawn ? readClaims(drawn.token) : null;
    // A session of another role in this browser (the administrator's, say) does not hide a
    // token this page was opened with.
    if (drawn && drawnClaims && roles.includes(drawnClaims.role)) {
      const s = new PageSession(drawn.token, drawnClaims, true, tokenKey);
      s.#schedule(drawn.expiresAt);
      s.#watchActivity();
      return s;
    }
    const token = pageToken(tokenKey);
    const claims = token ? readClaims(token) : null;
    return token && claims && roles.includes(claims.role) ? new PageSession(token, claims, false, tokenKey) : null;
  }

  /** The current access token (for sockets that read it at each (re)connect). */
  readonly token = (): string => this.#token;

  get claims(): Claims {
    return this.#claims;
  }

  /** Called once when the session ends under the page. */
  onEnded(fn: () => void): void {
    this.#onEnded.add(fn);
  }

  /**
   * Draws a token now: answers false (and ends the page's session) when the server says the
   * session is over. A connection the server closed (a revocation) calls this at once.
   */
  async check(): Promise<boolean> {
    if (this.#ended) return false;
    if (!this.cookie) return true;
    try {
      const d = await draw(this.#active);
      this.#active = false;
      this.#token = d.token;
      this.#claims = readClaims(d.token) ?? this.#claims;
      this.#schedule(d.expiresAt);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'unauthorized') {
        this.#end();
        return false;
      }
      // The server out of reach: try again shortly, the token may still be good.
      this.#schedule(Date.now() + MIN_REFRESH_MS + REFRESH_AHEAD_MS);
      return true;
    }
  }

  /** A socket the server disconnects (revocation closes them on every node) re-checks the session. */
  watch(socket: { on(event: 'disconnect', fn: (reason: string) => void): unknown; connect(): unknown }): void {
    socket.on('disconnect', (reason) => {
      if (reason !== 'io server disconnect') return;
      void this.check().then((ok) => {
        if (ok) socket.connect();
      });
    });
  }

  /** Ends this browser's session and goes to the sign-in page. */
  async signOut(): Promise<void> {
    localStorage.removeItem(this.tokenKey);
    if (this.cookie) await publicApi.call('identity.signOut').catch(() => undefined);
    this.#stop();
    location.href = SIGN_IN_PAGE;
  }

  #schedule(expiresAt: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.check(), Math.max(MIN_REFRESH_MS, expiresAt - Date.now() - REFRESH_AHEAD_MS));
  }

  #watchActivity(): void {
    const mark = () => {
      this.#active = true;
    };
    for (const e of ['pointerdown', 'keydown']) addEventListener(e, mark, { passive: true });
  }

  #stop(): void {
    this.#ended = true;
    clearTimeout(this.#timer);
  }

  #end(): void {
    if (this.#ended) return;
    this.#stop();
    for (const fn of this.#onEnded) fn();
  }
}

async function draw(active: boolean): Promise<Drawn> {
  const s = await publicApi.call('identity.refresh', { body: { active } });
  return { token: s.token, expiresAt: Date.parse(s.expiresAt) };
}
