// Landing page. In development it mints a token through /dev/token and opens the call page.
import { applyI18n, toggleLang } from '../lib/i18n.ts';

applyI18n();
document.getElementById('lang')!.addEventListener('click', toggleLang);

const form = document.getElementById('dev') as HTMLFormElement;
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(form);
  const room = String(f.get('room'));
  const name = String(f.get('name'));
  const res = await fetch('dev/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      sub: `${f.get('role')}-${crypto.randomUUID().slice(0, 8)}`,
      name,
      role: f.get('role'),
      grant: { rooms: [room], canPublish: true, canSubscribe: true, sources: ['camera', 'microphone'] },
    }),
  });
  const body = (await res.json()) as { ok: boolean; data?: { token: string }; error?: { message: string } };
  if (!body.ok || !body.data) {
    document.getElementById('err')!.textContent = body.error?.message ?? res.statusText;
    return;
  }
  sessionStorage.setItem('token', body.data.token);
  location.href = `call.html?room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}`;
});
