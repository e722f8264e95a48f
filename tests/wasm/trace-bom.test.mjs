// The module reads trace files with the CLI's reader: a file that starts like a UTF-8
// byte-order mark but is not one (issue 18: a lone 0xEF read past the buffer) gets the
// CLI's error line, naming the byte that is in the file, whatever pieces it comes in.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { cliPath, loadCalc } from './support.mjs';

const calc = await loadCalc();
const options = { model: 'llama-2-7b-hf', gpu: 'l4' };
const step = '{"step_id": 1, "decode_reqs": [{"context_length": 5}]}\n';

// The last line `stepcalc trace` writes to stderr for `bytes` on stdin, and its exit code.
function cliError(bytes) {
  const cli = spawnSync(cliPath, ['trace', '--model', options.model, '--gpu', options.gpu, '-'], { input: bytes, encoding: 'utf8' });
  return { status: cli.status, line: cli.stderr.trim().split('\n').pop() };
}

// The file as one piece, and one byte a piece (a mark split between chunks).
const wholeAndByBytes = (bytes) => [bytes, [...bytes].map((byte) => Uint8Array.of(byte))];

test('a one-byte 0xEF file gives the CLI error line, naming byte 0xef', async () => {
  const file = Uint8Array.of(0xef);
  const cli = cliError(file);
  assert.equal(cli.status, 2);
  assert.equal(cli.line, 'error: trace: expected a JSON object (an experiment document or JSON Lines), got byte 0xef');
  for (const source of wholeAndByBytes(file)) {
    await assert.rejects(calc.trace(source, options), { message: cli.line });
  }
});

test('every prefix of the mark, and a broken mark before a record, gives the CLI error line', async () => {
  const encoder = new TextEncoder();
  const files = [Uint8Array.of(0xef, 0xbb), Uint8Array.of(0xef, 0xbb, 0xbf),
    Uint8Array.of(0xef, 0xbb, ...encoder.encode(step))];
  for (const file of files) {
    const cli = cliError(file);
    assert.equal(cli.status, 2, `the CLI on ${file}`);
    for (const source of wholeAndByBytes(file)) {
      await assert.rejects(calc.trace(source, options), { message: cli.line }, `bytes ${file}`);
    }
  }
});

test('a whole mark before a record is skipped, read whole or one byte a piece', async () => {
  const file = Uint8Array.of(0xef, 0xbb, 0xbf, ...new TextEncoder().encode(step));
  for (const source of wholeAndByBytes(file)) {
    const result = await calc.trace(source, options);
    assert.deepStrictEqual([...result.columns.step_id], [1]);
    result.release();
  }
});
