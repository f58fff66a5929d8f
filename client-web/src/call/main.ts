// The call page: ?room=<roomId>[&name=][&audioOnly=1], the token from sessionStorage (or a
// `?token=`, taken out of the address bar at once). The base every role UI extends.
import { CallSession } from '../lib/call-session.ts';
import { CallView } from '../lib/call-view.ts';
import { applyI18n, t, toggleLang } from '../lib/i18n.ts';

applyI18n();
document.getElementById('lang')!.addEventListener('click', toggleLang);

const q = new URLSearchParams(location.search);
const token = q.get('token') ?? sessionStorage.getItem('token');
if (q.has('token')) {
  sessionStorage.setItem('token', token!);
  const u = new URL(location.href);
  u.searchParams.delete('token');
  history.replaceState(history.state, '', u);
}
const roomId = q.get('room') ?? '';
const app = document.getElementById('app')!;

if (!token || !roomId) {
  app.innerHTML = `<p class="card">${t('noToken')}</p>`;
} else {
  const session = new CallSession({
    token,
    roomId,
    displayName: q.get('name') ?? undefined,
    audioOnly: q.get('audioOnly') === '1',
  });
  const view = new CallView(session);
  app.append(view.el);
  // Exposed for diagnostics and the browser tests (getStats on consumers).
  (window as unknown as { callSession: CallSession }).callSession = session;
  session.start().then(
    () => view.refresh(),
    (err: Error) => {
      app.dataset.error = (err as { code?: string }).code ?? 'error';
      app.querySelector('.call-status')!.textContent = `${t('failed')}: ${err.message}`;
    },
  );
}
