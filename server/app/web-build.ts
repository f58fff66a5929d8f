// Which build of the pages this node serves: a hash of its HTML files, which name every script
// and style by its content hash, so any change to the pages changes it. Announced on the live
// channel; a page loaded from another build (a kiosk left open across an upgrade) reloads itself
// when idle instead of speaking an old protocol to a new server.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';

export function webBuild(webDir: string | undefined): string | undefined {
  if (!webDir || !fs.existsSync(webDir)) return undefined;
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(webDir).filter((f) => f.endsWith('.html')).sort()) {
    hash.update(file).update('\0').update(fs.readFileSync(path.join(webDir, file))).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}
