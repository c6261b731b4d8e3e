// The set-up every page test file shares: the release build served under
// /socklab/ and one headless Chromium, started before the file's tests and
// stopped after them.
import { before, after } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { DIST, startServer, launchChromium, SHOTS } from './serve.mjs';

/**
 * Registers the file's before/after hooks; the returned object's `server` and
 * `browser` are set once the tests run (read them inside a test, not at import).
 */
export function servedPage() {
  const served = { server: undefined, browser: undefined };
  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    served.server = await startServer({ dir: DIST, prefix: '/socklab/' });
    served.browser = await launchChromium();
  });
  after(async () => {
    await served.browser?.close();
    await served.server?.close();
  });
  return served;
}
