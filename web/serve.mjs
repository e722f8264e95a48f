// Static server for build/site (node:http only). Also imported by the e2e tests and the benchmark.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve, sep, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const MAX_HEADER_BYTES = 256 * 1024;
export const DEFAULT_ROOT = resolve(HERE, '..', 'build', 'site');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

function send(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

// Maps a URL path to a file under root, or null when it would leave root.
export function resolveInRoot(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split('?')[0].split('#')[0]);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const full = resolve(root, '.' + (path.startsWith('/') ? path : '/' + path));
  if (full !== root && !full.startsWith(root + sep)) return null;
  return full;
}

export function startServer({ root = DEFAULT_ROOT, port = 8080, host = '127.0.0.1' } = {}) {
  const base = resolve(root);
  // Links of a big batch can be long; Node's default 16 KB header limit would answer 431.
  // (The page keeps its own links under 8,000 characters for hosts with smaller limits.)
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
    let file = resolveInRoot(base, req.url ?? '/');
    if (!file) return send(res, 403, 'forbidden\n');
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file);
      }
      if (!info.isFile()) return send(res, 404, 'not found\n');
      res.writeHead(200, {
        'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
    } catch {
      send(res, 404, 'not found\n');
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({
        server,
        port: actual,
        url: `http://${host}:${actual}/`,
        close: () => new Promise((done) => { server.closeAllConnections?.(); server.close(() => done()); }),
      });
    });
  });
}

const USAGE = `usage: node web/serve.mjs [--port N]

Serves the built calculator (build/site, made by scripts/build.sh or node web/build.mjs)
on http://127.0.0.1:N/ (default 8080; PORT=N in the environment does the same).

options:
  --port N, --port=N   the port to listen on, 0 to 65535 (0: any free port)
  -h, --help           show this help
`;

function usageError(message) {
  console.error(`stepcalc: ${message}\n\n${USAGE}`);
  process.exit(2);
}

// The port asked for; exits with the usage for anything else on the command line.
function portFromArgs(argv) {
  let text = process.env.PORT || undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (arg === '--port') {
      if (i + 1 >= argv.length) usageError('--port needs a number');
      text = argv[++i];
    } else if (arg.startsWith('--port=')) {
      text = arg.slice('--port='.length);
    } else {
      usageError(`unknown argument "${arg}"`);
    }
  }
  if (text === undefined) return 8080;
  const port = Number(text);
  if (text.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    usageError(`bad port "${text}"; expected an integer from 0 to 65535`);
  }
  return port;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = portFromArgs(process.argv.slice(2));
  try {
    await stat(join(DEFAULT_ROOT, 'index.html'));
  } catch {
    console.error('stepcalc: build/site/index.html is missing; run `node web/build.mjs` first');
    process.exit(1);
  }
  const { url } = await startServer({ port }).catch((e) => {
    console.error(`stepcalc: cannot listen on 127.0.0.1:${port}: ${e.message}`);
    process.exit(1);
  });
  console.log(`stepcalc: serving build/site on ${url}`);
}
