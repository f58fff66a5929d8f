// The English dictionary: the same keys as zh.ts (a missing or extra key is a type error).
import type { Dictionary } from './zh.ts';

export const en: Dictionary = {
  common: {
    signOut: 'Sign out',
    pleaseSignIn: 'Please sign in',
    loading: 'Loading…',
    listSeparator: ', ',
  },
  time: {
    hms: '{{h}}h {{m}}m {{s}}s',
    ms: '{{m}}m {{s}}s',
    s: '{{s}}s',
    underMinute: 'under a minute',
    minutes: '{{m}} min',
    hours: '{{h}} h',
    hoursMinutes: '{{h}} h {{m}} min',
  },
  call: {
    connecting: 'Connecting…',
    joined: 'Connected',
    reconnecting: 'Network lost, reconnecting…',
    closed: 'Call ended',
    failed: 'Could not join',
    replaced: 'You joined from another device; this page was disconnected',
    me: 'Me',
    cameraOn: 'Turn camera off',
    cameraOff: 'Turn camera on',
    micOn: 'Mute',
    micOff: 'Unmute',
    leave: 'Hang up',
    noToken: 'No access token; please start from the home page',
    waitingOthers: 'Waiting for others to join…',
    cameraPaused: 'Camera is off',
    errorPrefix: 'Error',
    recording: 'Recording: this call is recorded in full',
  },
  home: {
    appName: 'Video Petition · Safe Home',
    lead: 'Demo: pick an identity to sign in and open its page.',
    devTokens: 'Development: mint a token and join',
    room: 'Room',
    name: 'Name',
    enter: 'Join call',
    signInUnavailable: 'Demo sign-in is available in development mode only.',
  },
};
