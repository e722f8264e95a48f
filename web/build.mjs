// Assembles the static site in build/site: bundled page JS+CSS, index.html, and the
// WASM module files: both modules (stepcalc.wasm for the page, stepcalc_worker.wasm for the
// page's worker) copied as they are, and every ES module beside them (the facades,
// the parts they import, the response builder and Emscripten's glue) minified one file
// each, so each module still imports the others by name and both facades share one
// StepCalcError class.
import { build, transform } from 'esbuild';
import { mkdir, copyFile, readFile, readdir, writeFile, rm, stat } from 'node:fs/promises';
import { resolve, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const WASM_DIR = join(ROOT, 'build', 'wasm');
const SITE = join(ROOT, 'build', 'site');
const WASM_MODULES = ['stepcalc.wasm', 'stepcalc_worker.wasm'];

async function exists(path) {
  try { await stat(path); return true; } catch { return false; }
}

const missing = [];
for (const f of [...WASM_MODULES, 'stepcalc.mjs', 'stepcalc_worker.mjs']) if (!(await exists(join(WASM_DIR, f)))) missing.push(`build/wasm/${f}`);
if (missing.length) {
  console.error(`web/build.mjs: missing ${missing.join(', ')}.\n` +
    'Build the WebAssembly module first: cmake --preset wasm && cmake --build --preset wasm');
  process.exit(1);
}

await rm(SITE, { recursive: true, force: true });
await mkdir(join(SITE, 'wasm'), { recursive: true });

const result = await build({
  // The page's worker (the Trace and Serving views') is a second entry, loaded as worker.js beside app.js.
  entryPoints: { app: join(ROOT, 'web', 'src', 'main.mjs'), worker: join(ROOT, 'web', 'src', 'worker.mjs') },
  bundle: true,
  // Code loaded with import() when first needed (the Trace view after its first file,
  // the Serving view when opened)
  // goes into chunks of its own, and code both entries share into one more. Chunks sit
  // beside app.js: their code finds worker.js and wasm/ relative to import.meta.url.
  splitting: true,
  chunkNames: '[name]-[hash]',
  minify: true,
  format: 'esm',
  target: ['es2022'],
  outdir: SITE,
  // Loaded at run time with import('./wasm/stepcalc.mjs') (the page) and
  // import('./wasm/stepcalc_worker.mjs') (the worker), relative to app.js.
  external: ['./wasm/stepcalc.mjs', './wasm/stepcalc_worker.mjs'],
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const wasmModuleFiles = (await readdir(WASM_DIR)).filter((f) => f.endsWith('.mjs') && !f.endsWith('.d.mts')).sort();
for (const f of WASM_MODULES) await copyFile(join(WASM_DIR, f), join(SITE, 'wasm', f));
for (const f of wasmModuleFiles) {
  // keepNames: error classes and functions keep the names callers may print.
  const { code } = await transform(await readFile(join(WASM_DIR, f), 'utf8'),
    { loader: 'js', format: 'esm', target: 'es2022', minify: true, keepNames: true, legalComments: 'none' });
  await writeFile(join(SITE, 'wasm', f), code);
}
// index.html without its indentation (1.4 KB), which only a <pre> or <textarea> with
// text in it would show: there is none, and the build stops if one appears.
const html = await readFile(join(ROOT, 'web', 'index.html'), 'utf8');
if (/<(pre|textarea)\b[^>]*>[^<]/.test(html)) {
  console.error('web/build.mjs: index.html has a <pre> or <textarea> with text, which removing indentation would change');
  process.exit(1);
}
await writeFile(join(SITE, 'index.html'), html.replace(/\n[ \t]+/g, '\n'));

let total = 0;
const sizes = [];
const bundled = Object.keys(result.metafile.outputs).map((path) => relative(SITE, resolve(ROOT, path))).sort();
for (const f of ['index.html', ...bundled, ...[...WASM_MODULES, ...wasmModuleFiles].map((w) => `wasm/${w}`)]) {
  const { size } = await stat(join(SITE, f));
  total += size;
  sizes.push(`${f} ${size}`);
}
// Every file of the site; what the default page fetches is web/bench/first-load.mjs's to say.
console.log(`web/build.mjs: wrote build/site (${total} bytes: ${sizes.join(', ')})`);
if (Object.keys(result.metafile.outputs).length === 0) process.exit(1);
