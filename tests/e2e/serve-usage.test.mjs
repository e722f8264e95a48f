// web/serve.mjs on the command line: --help prints its usage instead of serving, and an
// argument it does not know is refused with the usage (each run waits for the process to end).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVE = fileURLToPath(new URL('../../web/serve.mjs', import.meta.url));
const run = (...args) => spawnSync(process.execPath, [SERVE, ...args], { encoding: 'utf8', env: { ...process.env, PORT: '' }, timeout: 60_000 });

test('--help and -h print the usage and exit 0 without serving', () => {
  for (const flag of ['--help', '-h']) {
    const { status, stdout, stderr } = run(flag);
    assert.equal(status, 0, flag);
    assert.match(stdout, /^usage: node web\/serve\.mjs \[--port N\]/, flag);
    assert.doesNotMatch(stdout, /serving/, flag);
    assert.equal(stderr, '', flag);
  }
});

test('an unknown argument or a bad port is refused with the usage, exit 2', () => {
  for (const [args, line] of [
    [['--bogus'], 'stepcalc: unknown argument "--bogus"'],
    [['--port'], 'stepcalc: --port needs a number'],
    [['--port=abc'], 'stepcalc: bad port "abc"; expected an integer from 0 to 65535'],
    [['--port', '70000'], 'stepcalc: bad port "70000"; expected an integer from 0 to 65535'],
  ]) {
    const { status, stdout, stderr } = run(...args);
    assert.equal(status, 2, args.join(' '));
    assert.equal(stdout, '', args.join(' '));
    assert.equal(stderr.split('\n')[0], line);
    assert.match(stderr, /usage: node web\/serve\.mjs/);
  }
});
