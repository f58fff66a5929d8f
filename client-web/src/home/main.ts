// Landing page. In development: sign in as any seeded person or device and open their page, or
// mint a bare token for the generic call page.
import { applyI18n, currentLang, t, toggleLang } from '../lib/i18n.ts';

applyI18n();
document.getElementById('lang')!.addEventListener('click', toggleLang);

interface Identity {
  kind: string;
  id: string;
  name: string;
  detail: string;
}

const KIND_LABELS: Record<string, [zh: string, en: string]> = {
  terminal: ['接访终端（信访人）', 'Petition terminal (petitioner)'],
  official: ['接访干部', 'Receiving official'],
  coordinator: ['综治中心协调员', 'Coordinator'],
  archivist: ['档案员', 'Archivist'],
  family: ['家属（外出务工）', 'Family member (migrant worker)'],
  device: ['平安心居家庭终端', 'Home device'],
  counsellor: ['社工 / 心理咨询师', 'Counsellor'],
};

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const reply = (await res.json()) as { ok: boolean; data?: T; error?: { message: string } };
  if (!reply.ok || !reply.data) throw new Error(reply.error?.message ?? res.statusText);
  return reply.data;
}

async function showIdentities(): Promise<void> {
  const box = document.getElementById('identities')!;
  const res = await fetch('dev/identities');
  if (!res.ok) {
    box.textContent = t('signInUnavailable');
    return;
  }
  const { data } = (await res.json()) as { data: Identity[] };
  const en = currentLang() === 'en';
  const groups = new Map<string, Identity[]>();
  for (const i of data) groups.set(i.kind, [...(groups.get(i.kind) ?? []), i]);
  for (const [kind, items] of groups) {
    const section = document.createElement('section');
    section.className = 'identity-group';
    const h = document.createElement('h2');
    h.textContent = KIND_LABELS[kind]?.[en ? 1 : 0] ?? kind;
    const ul = document.createElement('ul');
    for (const item of items) {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.className = 'btn';
      b.dataset.kind = kind;
      b.dataset.id = item.id;
      b.innerHTML = `<span></span><small></small>`;
      b.querySelector('span')!.textContent = item.name;
      b.querySelector('small')!.textContent = item.detail;
      b.addEventListener('click', () => void signIn(kind, item.id));
      li.append(b);
      ul.append(li);
    }
    section.append(h, ul);
    box.append(section);
  }
}

async function signIn(kind: string, id: string): Promise<void> {
  try {
    // A one-time code in the address, never the token (client-web/src/lib/sign-in-code.ts).
    const { code, page } = await post<{ code: string; page: string }>('dev/sign-in', { kind, id });
    location.href = `${page}?code=${encodeURIComponent(code)}`;
  } catch (err) {
    alert((err as Error).message);
  }
}

const form = document.getElementById('dev') as HTMLFormElement;
form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(form);
  const room = String(f.get('room'));
  const name = String(f.get('name'));
  try {
    const { token } = await post<{ token: string }>('dev/token', {
      sub: `guest-${crypto.randomUUID().slice(0, 8)}`,
      name,
      role: 'official',
      grant: { rooms: [room], canPublish: true, canSubscribe: true, sources: ['camera', 'microphone'] },
    });
    // The call page reads it from sessionStorage: the token never enters an address.
    sessionStorage.setItem('token', token);
    location.href = `call.html?room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}`;
  } catch (err) {
    document.getElementById('err')!.textContent = (err as Error).message;
  }
});

void showIdentities();
