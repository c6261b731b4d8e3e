// End-to-end (issue #19, the lesson as real code): the page offers the lesson on screen
// as a Python, C or Rust program; the downloaded program is the lesson's calls, and
// the Python and C ones, run on real loopback sockets in a network namespace of their
// own, do what the lesson says. Screenshots of the control go to target/shots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DIST, startServer, launchChromium, SHOTS } from './serve.mjs';

const OUT = join(dirname(SHOTS), 'shots');
let server;
let browser;

before(async () => {
  await mkdir(OUT, { recursive: true });
  server = await startServer({ dir: DIST, prefix: '/socklab/' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh English page on `lesson` (or at a link's `fragment`), recording console errors. */
async function open(lesson, fragment = '') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(server.url + fragment);
  await page.locator('#step-forward').waitFor();
  if (lesson) await page.locator('#lesson-select').selectOption(lesson);
  return { context, page, problems };
}

/** Clicks the control's button for `language`; the file it offers: its name and its path on disk. */
async function downloadAs(page, language) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator(`.export-card button[data-export="${language}"]`).click(),
  ]);
  const path = join(OUT, download.suggestedFilename());
  await download.saveAs(path);
  return { name: download.suggestedFilename(), path, text: await readFile(path, 'utf8') };
}

/** Runs `command` in a network namespace whose only interface is loopback, up; its output. */
function inLoopbackNamespace(command) {
  const asRoot = process.getuid?.() === 0;
  return execFileSync('unshare', [asRoot ? '-n' : '-rn', 'sh', '-c', `ip link set lo up && ${command}`], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('the handshake downloads as Python and C programs that make its calls and meet its expectations', async () => {
  const { context, page, problems } = await open('handshake');
  const card = page.locator('.export-card');
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: join(OUT, 'export-control-en.png') });

  const py = await downloadAs(page, 'python');
  assert.equal(py.name, 'handshake.py');
  assert.match(py.text, /^#!\/usr\/bin\/env python3\n# handshake\.sock: The three-way handshake\n/);
  assert.match(py.text, /python3 handshake\.py/, 'the header says how to run it');
  assert.match(py.text, /call\(25, "server: listen\(l, 5\) = 0", lambda: l\.listen\(5\), want=0\)/);
  assert.match(py.text, /a = call\(29, "server: a = accept\(l\)", lambda: l\.accept\(\)\[0\], may_block=True\)/);
  const ran = inLoopbackNamespace(`python3 ${py.path}`);
  assert.match(ran, /line 29: server: a = accept\(l\) {2}-> {2}a socket/);
  assert.match(ran, /all 7 expectations met\n$/);

  const c = await downloadAs(page, 'c');
  assert.equal(c.name, 'handshake.c');
  assert.match(c.text, /CALL\(29, 1, a = accept\(l, NULL, NULL\)\);/);
  const binary = join(OUT, 'handshake');
  const compiled = inLoopbackNamespace(`cc -Wall -Wextra -Werror -pthread -o ${binary} ${c.path} && ${binary}`);
  assert.match(compiled, /all 7 expectations met\n$/);

  const rust = await downloadAs(page, 'rust');
  assert.equal(rust.name, 'handshake.rs');
  assert.match(rust.text, /cargo add socket2@0\.6 libc@0\.2/);
  assert.match(rust.text, /let a = call\(29, "server: a = accept\(l\)", true, Want::Nothing, \|\| sock\(&l\)\?\.accept\(\)/);

  // In Korean the control says the same.
  await page.getByRole('button', { name: '한국어' }).click();
  await page.waitForFunction(() => document.documentElement.lang === 'ko');
  await card.scrollIntoViewIfNeeded();
  assert.match(await card.textContent(), /실제 코드로 보는 레슨.*Python 코드로 내려받기/s);
  await card.screenshot({ path: join(OUT, 'export-control-ko.png') });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a sandbox script that cannot be exported says why at the control', async () => {
  const script = 'host a 10.0.0.1\na: s = socket(udp)\na: close(3) = 0\n';
  const { context, page, problems } = await open(null, `#lesson=sandbox&script=${encodeURIComponent(script)}`);
  await page.locator('.export-card button[data-export="python"]').click();
  const said = page.locator('.export-card [role="status"]');
  await said.waitFor();
  assert.match(await said.textContent(), /Cannot export: line 3: descriptor 3 is a number/);
  await page.locator('.export-card').screenshot({ path: join(OUT, 'export-problem-en.png') });
  assert.deepEqual(problems, []);
  await context.close();
});
