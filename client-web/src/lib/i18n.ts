// UI strings: Chinese by default, English on request (?lang=en, remembered per browser).
const zh = {
  appName: '视频接访 · 平安心居',
  connecting: '正在连接…',
  joined: '已接通',
  reconnecting: '网络中断，正在重新连接…',
  closed: '通话已结束',
  failed: '无法加入',
  replaced: '您已在其他设备上加入，本页已断开',
  me: '我',
  camera: '摄像头',
  microphone: '麦克风',
  cameraOn: '关闭摄像头',
  cameraOff: '打开摄像头',
  micOn: '静音',
  micOff: '取消静音',
  leave: '挂断',
  noToken: '缺少访问令牌，请从首页进入',
  waitingOthers: '等待对方加入…',
  connection: '连接',
  language: 'English',
  participants: '参会人',
  cameraPaused: '对方已关闭摄像头',
  errorPrefix: '错误',
  room: '房间',
  name: '姓名',
  role: '角色',
  enter: '进入通话',
  devTokens: '开发测试：生成令牌并进入通话',
  recording: '录制中：本次通话全程录音录像',
  homeLead: '演示环境：选择一个身份登录，打开对应的页面。',
  signInUnavailable: '演示登录仅在开发模式下可用。',
} as const;

export type StringKey = keyof typeof zh;

const en: Record<StringKey, string> = {
  appName: 'Video Petition · Safe Home',
  connecting: 'Connecting…',
  joined: 'Connected',
  reconnecting: 'Network lost, reconnecting…',
  closed: 'Call ended',
  failed: 'Could not join',
  replaced: 'You joined from another device; this page was disconnected',
  me: 'Me',
  camera: 'Camera',
  microphone: 'Microphone',
  cameraOn: 'Turn camera off',
  cameraOff: 'Turn camera on',
  micOn: 'Mute',
  micOff: 'Unmute',
  leave: 'Hang up',
  noToken: 'No access token; please start from the home page',
  waitingOthers: 'Waiting for others to join…',
  connection: 'Connection',
  language: '中文',
  participants: 'Participants',
  cameraPaused: 'Camera is off',
  errorPrefix: 'Error',
  room: 'Room',
  name: 'Name',
  role: 'Role',
  enter: 'Join call',
  devTokens: 'Development: mint a token and join',
  recording: 'Recording: this call is recorded in full',
  homeLead: 'Demo: pick an identity to sign in and open its page.',
  signInUnavailable: 'Demo sign-in is available in development mode only.',
};

export type Lang = 'zh' | 'en';

export function currentLang(): Lang {
  const q = new URLSearchParams(location.search).get('lang');
  if (q === 'en' || q === 'zh') {
    localStorage.setItem('lang', q);
    return q;
  }
  return localStorage.getItem('lang') === 'en' ? 'en' : 'zh';
}

export function t(key: StringKey, lang: Lang = currentLang()): string {
  return lang === 'en' ? en[key] : zh[key];
}

export function toggleLang(): void {
  localStorage.setItem('lang', currentLang() === 'en' ? 'zh' : 'en');
  const u = new URL(location.href);
  u.searchParams.delete('lang');
  location.replace(u);
}

/** Fills every element carrying data-i18n with its string and sets <html lang>. */
export function applyI18n(root: ParentNode = document): void {
  const lang = currentLang();
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n as StringKey, lang);
}
