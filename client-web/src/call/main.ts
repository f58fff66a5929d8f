// The call page: ?room=<roomId>&token=<jwt>[&name=][&audioOnly=1]. The base every role UI extends.
import { CallSession } from '../lib/call-session.ts';
import { callTiles } from '../widgets/call-tiles.ts';
import { t } from '../lib/i18n.ts';
import { applyI18n, toggleLang } from '../lib/i18n-legacy.ts';

applyI18n();
document.getElementById('lang')!.addEventListener('click', toggleLang);

const q = new URLSearchParams(location.search);
const token = q.get('token') ?? sessionStorage.getItem('token');
const roomId = q.get('room') ?? '';
const app = document.getElementById('app')!;

if (!token || !roomId) {
  app.innerHTML = `<p class="card">${t('call.noToken')}</p>`;
} else {
  const session = new CallSession({
    token,
    roomId,
    displayName: q.get('name') ?? undefined,
    audioOnly: q.get('audioOnly') === '1',
  });
  const view = callTiles(session);
  app.append(view);
  // Exposed for diagnostics and the browser tests (getStats on consumers).
  (window as unknown as { callSession: CallSession }).callSession = session;
  session.start().then(
    () => view.refresh(),
    (err: Error) => {
      app.dataset.error = (err as { code?: string }).code ?? 'error';
      view.failure = err.message;
    },
  );
}
