// The web client's pages: the Vite build inputs and the URLs `npm start` prints.
export interface Page {
  file: string;
  title: string;
}

export const PAGES: Page[] = [
  { file: 'index.html', title: 'home 首页' },
  { file: 'call.html', title: 'call 通话' },
  { file: 'terminal.html', title: 'terminal 视频接访终端' },
  { file: 'case.html', title: 'case status on a phone 案件办理进度（回执二维码）' },
  { file: 'official.html', title: 'official 接访工作台' },
  { file: 'coordinator.html', title: 'coordinator 综治中心总览' },
  { file: 'cases.html', title: 'cases 案件办理（承办人、部门负责人、督办）' },
  { file: 'stats.html', title: 'statistics 信访统计' },
  { file: 'document.html', title: 'document 文书（受理告知书、处理意见书）' },
  { file: 'device.html', title: 'home device 平安心居终端' },
  { file: 'family.html', title: 'family 家人' },
  { file: 'counsellor.html', title: 'counsellor 社工' },
  { file: 'grid.html', title: 'village committee / grid worker 村委会 网格员' },
  { file: 'property.html', title: 'compound property service 红色物业（物业、居民）' },
  { file: 'archive.html', title: 'archive 录像档案' },
  { file: 'sign-in.html', title: 'sign-in 登录' },
  { file: 'admin.html', title: 'administration 系统管理（系统、安全、审计管理员）' },
  { file: 'enrol.html', title: 'enrol a device 设备登记（输入配对码）' },
  { file: 'invite.html', title: 'invitations 邀请家人' },
];
