// The bytes the default page fetches on its first load, file by file: every response body
// (uncompressed) from navigation until the page shows its result (html[data-ready="1"]),
// and anything more it fetches before the network is idle, in headless Chromium with a
// cold cache. Bytes, not time: the figure does not depend on the machine, so a test
// asserts it (tests/e2e/first-load.test.mjs); docs/size.md reports it.
//   node web/bench/first-load.mjs        (after `node web/build.mjs`)
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../serve.mjs';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const SITE = join(ROOT, 'build', 'site');
export const FIRST_LOAD_BUDGET = 500_000;

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update'];

// {files: [{path, bytes, afterReady}], total, beforeReady} for the page at `query`.
export async function measureFirstLoad({ site = SITE, query = '' } = {}) {
  if (!existsSync(join(site, 'index.html'))) throw new Error(`${site}/index.html is missing: run \`node web/build.mjs\` first`);
  const server = await startServer({ root: site, port: 0 });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext();
    /** @type {Promise<{ path: string, bytes: number, afterReady: boolean }>[]} */
    const bodies = [];
    let ready = false;
    const record = (/** @type {import('playwright-core').Response} */ response) => {
      const afterReady = ready;
      const path = response.url().replace(server.url, '/').replace(/\?.*/, '');
      bodies.push(response.body().then((body) => ({ path, bytes: body.length, afterReady })));
    };
    // Responses to the page and to any worker it starts.
    context.on('response', record);
    const page = await context.newPage();
    await page.goto(server.url + query);
    await page.waitForSelector('html[data-ready="1"]', { timeout: 30_000 });
    ready = true;
    await page.waitForLoadState('networkidle');
    const files = await Promise.all(bodies);
    await context.close();
    const total = files.reduce((sum, file) => sum + file.bytes, 0);
    const beforeReady = files.filter((file) => !file.afterReady).reduce((sum, file) => sum + file.bytes, 0);
    return { files, total, beforeReady };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { files, total, beforeReady } = await measureFirstLoad();
  for (const file of [...files].sort((a, b) => b.bytes - a.bytes)) {
    console.log(`${String(file.bytes).padStart(9)}  ${file.path}${file.afterReady ? '  (after the result showed)' : ''}`);
  }
  console.log(`${String(total).padStart(9)}  total in ${files.length} responses (${beforeReady} before the result showed); budget ${FIRST_LOAD_BUDGET}`);
  if (total > FIRST_LOAD_BUDGET) process.exitCode = 1;
}
