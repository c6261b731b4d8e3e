// A tiny static file server for the built page (dist/), with no server logic, so the
// tests see what any static host would serve. It can mount the site under a sub-path
// such as /socklab/ to prove that asset URLs are relative.
//
//   node e2e/serve.mjs [dir=dist] [port=8000] [prefix=/socklab/]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

/** The build the end-to-end tests serve: SOCKLAB_DIST (to test or profile another build), or dist/. */
export const DIST = process.env.SOCKLAB_DIST ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

/**
 * The crash banner's test build (e2e/panic.test.mjs): the page with the cargo feature
 * panic-trigger, which dist/ never has. SOCKLAB_PANIC_DIST, or target/panic-dist, where
 * tools/test.sh builds it.
 */
export const PANIC_DIST =
  process.env.SOCKLAB_PANIC_DIST ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'target', 'panic-dist');

/** The command that builds PANIC_DIST, for the message of a test that finds it missing. */
/** Where every test file saves its screenshots. */
export const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'target', 'e2e');

/**
 * Debian's Chromium, headless, as the brief requires (root needs --no-sandbox;
 * nothing may reach the network): the one launch every test file uses.
 */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
  });
}

export const PANIC_DIST_BUILD = 'trunk build --release --features panic-trigger --dist target/panic-dist';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serves `dir` under `prefix` on 127.0.0.1; resolves to { url, close }. Port 0 picks a free one. */
export function startServer({ dir = 'dist', prefix = '/', port = 0 } = {}) {
  const root = resolve(dir);
  if (!prefix.endsWith('/')) prefix += '/';
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path + '/' === prefix) {
      res.writeHead(301, { location: prefix }).end();
      return;
    }
    if (!path.startsWith(prefix)) {
      res.writeHead(404).end('not found');
      return;
    }
    let file = join(root, path.slice(prefix.length));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}${prefix}`;
      ok({ url, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dir = 'dist', port = '8000', prefix = '/socklab/'] = process.argv.slice(2);
  const { url } = await startServer({ dir, prefix, port: Number(port) });
  console.log(`serving ${dir} at ${url}`);
}
