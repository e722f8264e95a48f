// The Trace view's worker's life (web/src/trace-worker.mjs), without a browser: a stand-in
// Worker records what the page sends it. The worker is prepared once; a read goes to it; a
// worker that could not run is ended, so the next file starts another; stop() ends a read in
// progress and prepares the next worker, and does nothing when no file is being read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installStandInWorker } from './stand-in-worker.mjs';

/** Every worker the module started, in order. */
const started = installStandInWorker();
const { createTraceWorker } = await import('../../web/src/trace-worker.mjs');
const OPTIONS = { model: 'llama-2-70b-hf', gpu: 'h100-sxm', skipBad: false };
const FILE = { name: 'steps.json' };

function traceWorker() {
  const seen = { messages: [], errors: [], preparing: 0 };
  const worker = createTraceWorker({
    onMessage: (data) => seen.messages.push(data), onError: (text) => seen.errors.push(text),
    prepareOptions: () => OPTIONS, onPreparing: () => { seen.preparing++; },
  });
  return { worker, seen };
}

test('prepared once, then the file read by the same worker; its messages reach the view', () => {
  started.length = 0;
  const { worker, seen } = traceWorker();
  worker.prepare();
  worker.prepare();
  assert.equal(started.length, 1);
  assert.ok(started[0].url.endsWith('/worker.js'), started[0].url);
  assert.deepEqual(started[0].sent, [{ type: 'prepare', options: OPTIONS }]);
  assert.equal(seen.preparing, 1);
  worker.read(1, FILE, OPTIONS);
  assert.deepEqual(started[0].sent[1], { type: 'run', id: 1, file: FILE, options: OPTIONS });
  started[0].answer({ type: 'done', id: 1 });
  assert.deepEqual(seen.messages, [{ type: 'done', id: 1 }]);
  worker.stop(); // nothing is being read: the worker, its module loaded, is kept
  assert.equal(started[0].terminated, false);
  worker.fit(1, 0);
  assert.deepEqual(started[0].sent[2], { type: 'fit', id: 1, lambda: 0 });
});

test('a worker that could not run is ended, and the next file starts another', () => {
  started.length = 0;
  const { worker, seen } = traceWorker();
  worker.read(1, FILE, OPTIONS);
  started[0].dispatchEvent(Object.assign(new Event('error'), { message: undefined }));
  assert.deepEqual(seen.errors, ['The trace worker could not run (no message).']);
  assert.equal(started[0].terminated, true);
  worker.read(2, FILE, OPTIONS);
  assert.equal(started.length, 2, 'the next file has a worker of its own');
  assert.equal(started[0].sent.length, 1, 'nothing more is sent to the worker that could not run');
  assert.deepEqual(started[1].sent, [{ type: 'run', id: 2, file: FILE, options: OPTIONS }]);
});

test('stop ends a read in progress and prepares the next worker', () => {
  started.length = 0;
  const { worker, seen } = traceWorker();
  worker.read(1, FILE, OPTIONS);
  worker.stop();
  assert.equal(started[0].terminated, true);
  assert.equal(started.length, 2);
  assert.deepEqual(started[1].sent, [{ type: 'prepare', options: OPTIONS }]);
  assert.equal(seen.preparing, 1);
});
