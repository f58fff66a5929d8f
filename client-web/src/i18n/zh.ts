// The Chinese dictionary: the default language, and the source of every key (en.ts must have
// the same keys; the types and test/web/i18n.unit.test.ts check it). One section per page, plus
// the pieces several pages share. Interpolation is i18next's `{{name}}`.
export const zh = {
  common: {
    signOut: '退出',
    pleaseSignIn: '请先登录',
    loading: '正在加载…',
    listSeparator: '、',
  },
  time: {
    hms: '{{h}}小时{{m}}分{{s}}秒',
    ms: '{{m}}分{{s}}秒',
    s: '{{s}}秒',
    underMinute: '不到 1 分钟',
    minutes: '{{m}} 分钟',
    hours: '{{h}} 小时',
    hoursMinutes: '{{h}} 小时 {{m}} 分钟',
  },
  call: {
    connecting: '正在连接…',
    joined: '已接通',
    reconnecting: '网络中断，正在重新连接…',
    closed: '通话已结束',
    failed: '无法加入',
    replaced: '您已在其他设备上加入，本页已断开',
    me: '我',
    cameraOn: '关闭摄像头',
    cameraOff: '打开摄像头',
    micOn: '静音',
    micOff: '取消静音',
    leave: '挂断',
    noToken: '缺少访问令牌，请从首页进入',
    waitingOthers: '等待对方加入…',
    cameraPaused: '对方已关闭摄像头',
    errorPrefix: '错误',
    recording: '录制中：本次通话全程录音录像',
  },
  home: {
    appName: '视频接访 · 平安心居',
    lead: '演示环境：选择一个身份登录，打开对应的页面。',
    devTokens: '开发测试：生成令牌并进入通话',
    room: '房间',
    name: '姓名',
    enter: '进入通话',
    signInUnavailable: '演示登录仅在开发模式下可用。',
  },
} as const;

/** The dictionary's shape with any text: what the English dictionary must fill in. */
export type Dictionary = Widen<typeof zh>;
type Widen<T> = { -readonly [K in keyof T]: T[K] extends string ? string : Widen<T[K]> };
