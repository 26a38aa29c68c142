// Browser test of `h5dig serve`: Debian's chromium, headless, driven by playwright-core
// (web/node_modules), opens the viewer on the file picker, on a bitshuffle+LZ4 frame
// stack (heatmap) and on a 1-D spectrum (line); waits for each to render, fails on any
// console error, failed request or blank plot, and saves screenshots.
//
//   node tests/serve/browser.mjs
//
// Environment:
//   H5DIG_SERVE_CMD   the server command, split at spaces [default: BUILD/h5dig serve];
//                     it is given --port 0 --bind 127.0.0.1 --web-root BUILD/web DIR
//   H5DIG_BUILD_DIR   [default: build] where the bundle (web/) and h5dig are
//   H5DIG_SCREENSHOT_DIR  [default: BUILD/serve] where the PNGs go
//   CHROMIUM          [default: /usr/bin/chromium]
//   H5DIG_SERVED_DIR  serve this fixtures.py output instead of writing a fresh one
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const build = resolve(repo, process.env.H5DIG_BUILD_DIR || 'build');
const shots = resolve(process.env.H5DIG_SCREENSHOT_DIR || join(build, 'serve'));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const serveCmd = (process.env.H5DIG_SERVE_CMD || `${join(build, 'h5dig')} serve`).split(/\s+/).filter(Boolean);
const { chromium } = createRequire(join(repo, 'web', 'package.json'))('playwright-core');

const RENDER_TIMEOUT_MS = 60_000;

function fail(message) {
  console.error(`browser test: FAILED: ${message}`);
  process.exitCode = 1;
}

// Starts the server and resolves with its URL, the first http:// URL it prints.
function startServer(servedDir) {
  const args = [...serveCmd.slice(1), '--port', '0', '--bind', '127.0.0.1',
    '--web-root', join(build, 'web'), servedDir];
  const child = spawn(serveCmd[0], args, { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URL printed in 30 s: ${out}`)), 30_000);
    child.stdout.on('data', (data) => {
      out += data;
      const match = out.match(/http:\/\/[^\s]+/);
      if (match) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[0].endsWith('/') ? match[0] : `${match[0]}/` });
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before printing its URL`)));
  });
}

// Distinct colours in a PNG (decoded by the page itself: no image library needed).
async function distinctColours(page, png) {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = new OffscreenCanvas(img.width, img.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, img.width, img.height);
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4) {
      seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    return seen.size;
  }, png.toString('base64'));
}

async function checkVis(page, url, { figure, tab, minColours, shot }) {
  try {
    await renderVis(page, url, { figure, tab, minColours, shot });
  } catch (error) {
    await page.screenshot({ path: join(shots, `failed-${shot}`) });
    console.error(`browser test: what the page showed: ${join(shots, `failed-${shot}`)}`);
    throw error;
  }
}

async function renderVis(page, url, { figure, tab, minColours, shot }) {
  await page.goto(url);
  const fig = page.getByRole('figure', { name: figure });
  await fig.waitFor({ state: 'visible', timeout: RENDER_TIMEOUT_MS });
  const selected = await page.getByRole('tab', { name: tab }).getAttribute('aria-selected');
  if (selected !== 'true') fail(`${figure}: the ${tab} tab is not the one shown`);
  // Data loaded: no "Loading data..." placeholder left, then two frames for WebGL.
  await page.getByTestId('LoadingDatasetValue').waitFor({ state: 'detached', timeout: RENDER_TIMEOUT_MS });
  await page.waitForTimeout(500);
  const png = await fig.screenshot();
  const colours = await distinctColours(page, png);
  console.log(`browser test: ${figure} (${tab}): ${colours} distinct colours`);
  if (colours < minColours) fail(`${figure}: the plot looks blank (${colours} colours < ${minColours})`);
  await page.screenshot({ path: join(shots, shot) });
  console.log(`browser test: saved ${join(shots, shot)}`);
  await page.waitForLoadState('networkidle', { timeout: RENDER_TIMEOUT_MS });  // before the next goto
}

async function main() {
  if (!existsSync(join(build, 'web', 'index.html'))) {
    throw new Error(`no viewer bundle in ${join(build, 'web')}: run scripts/build`);
  }
  mkdirSync(shots, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'h5dig-browser-'));
  const profile = join(work, 'profile');
  let server;
  let context;
  try {
    let servedDir = process.env.H5DIG_SERVED_DIR;
    if (!servedDir) {
      const fx = spawnSync('/usr/bin/python3', [join(repo, 'tests/serve/fixtures.py'), work], { encoding: 'utf8' });
      if (fx.status !== 0) throw new Error(`fixtures.py failed: ${fx.stderr}`);
      servedDir = join(work, 'served');
    }
    server = await startServer(servedDir);
    console.log(`browser test: server at ${server.url}`);

    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        // WebGL (H5Web draws with three.js) on the CPU, without a GPU.
        '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
    });
    const page = context.pages()[0] || (await context.newPage());
    const problems = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    // The API requests H5Web makes (docs/serve-api.md quotes them).
    const apiRequests = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (/^\/(meta|data|attr|paths|stats|files)\/?$/.test(url.pathname)) {
        apiRequests.push(decodeURIComponent(`${url.pathname}${url.search}`));
      }
    });

    // The picker: several files served, the safe ones listed.
    await page.goto(server.url);
    const list = page.getByRole('list', { name: 'Files' });
    await list.waitFor({ timeout: RENDER_TIMEOUT_MS });
    const names = await list.getByRole('link').allTextContents();
    for (const expected of ['frames.h5', 'sub/nested.h5']) {
      if (!names.includes(expected)) fail(`picker: ${expected} not listed (${names.join(', ')})`);
    }
    for (const hidden of ['notes.txt', '.hidden.h5', 'link_out.h5', 'dir_out/secret.h5']) {
      if (names.includes(hidden)) fail(`picker: ${hidden} must not be listed`);
    }
    await page.screenshot({ path: join(shots, 'picker.png') });
    await page.getByRole('link', { name: 'frames.h5' }).click();
    await page.getByRole('treeitem', { name: 'entry' }).waitFor({ timeout: RENDER_TIMEOUT_MS });
    // Let the page's own requests finish: navigating away would abort them, and an
    // aborted request (net::ERR_ABORTED) is the test's doing, not the server's.
    await page.waitForLoadState('networkidle', { timeout: RENDER_TIMEOUT_MS });

    const viewer = (path) => `${server.url}?file=frames.h5&path=${encodeURIComponent(path)}`;
    await checkVis(page, viewer('/entry/data/data'),
      { figure: 'data', tab: 'Heatmap', minColours: 64, shot: 'heatmap-bitshuffle.png' });
    await checkVis(page, viewer('/entry/spectrum'),
      { figure: 'spectrum', tab: 'Line', minColours: 3, shot: 'line-spectrum.png' });

    console.log(`browser test: API requests made by the viewer:\n  ${[...new Set(apiRequests)].join('\n  ')}`);
    for (const p of problems) fail(p);
    if (!process.exitCode) console.log('browser test: OK');
  } finally {
    if (context) await context.close();
    if (server) {
      server.child.kill('SIGINT');
      await new Promise((r) => {
        const t = setTimeout(() => { server.child.kill('SIGKILL'); r(); }, 5000);
        server.child.on('exit', () => { clearTimeout(t); r(); });
      });
    }
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  fail(error.stack || error.message);
});
