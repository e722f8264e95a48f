// Assembles the static site in build/site: bundled page JS+CSS, index.html, and the
// WASM module files: the module and Emscripten's glue copied as they are (esbuild never
// touches the glue), the facade and its response builder minified (they are our own plain
// ES modules, and most of their bytes are comments).
import { build, transform } from 'esbuild';
import { mkdir, copyFile, readFile, writeFile, rm, stat } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const WASM_DIR = join(ROOT, 'build', 'wasm');
const SITE = join(ROOT, 'build', 'site');
const WASM_FILES = ['stepcalc.mjs', 'response_builder.mjs', 'stepcalc_glue.mjs', 'stepcalc.wasm'];
const MINIFIED = new Set(['stepcalc.mjs', 'response_builder.mjs']);

async function exists(path) {
  try { await stat(path); return true; } catch { return false; }
}

const missing = [];
for (const f of WASM_FILES) if (!(await exists(join(WASM_DIR, f)))) missing.push(`build/wasm/${f}`);
if (missing.length) {
  console.error(`web/build.mjs: missing ${missing.join(', ')}.\n` +
    'Build the WebAssembly module first: cmake --preset wasm && cmake --build --preset wasm');
  process.exit(1);
}

await rm(SITE, { recursive: true, force: true });
await mkdir(join(SITE, 'wasm'), { recursive: true });

const result = await build({
  // The Trace view's worker is a second entry, loaded as trace-worker.js beside app.js.
  entryPoints: { app: join(ROOT, 'web', 'src', 'main.mjs'), 'trace-worker': join(ROOT, 'web', 'src', 'trace-worker.mjs') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  outdir: SITE,
  // Loaded at run time with import('./wasm/stepcalc.mjs'), relative to app.js.
  external: ['./wasm/stepcalc.mjs'],
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

for (const f of WASM_FILES) {
  if (!MINIFIED.has(f)) {
    await copyFile(join(WASM_DIR, f), join(SITE, 'wasm', f));
    continue;
  }
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
for (const f of ['index.html', 'app.js', 'app.css', 'trace-worker.js', ...WASM_FILES.map((w) => `wasm/${w}`)]) {
  const { size } = await stat(join(SITE, f));
  total += size;
  sizes.push(`${f} ${size}`);
}
console.log(`web/build.mjs: wrote build/site (${total} bytes: ${sizes.join(', ')})`);
if (Object.keys(result.metafile.outputs).length === 0) process.exit(1);
