// The Serving view's worker's life (web/src/serving-worker.mjs), without a browser: a
// stand-in Worker records what the page sends it and answers as the test says. A worker that
// could not run (its script did not load) is ended, so the next Simulate starts another
// rather than waiting for ever on one that takes no messages; Cancel (stop) ends the run in
// progress, and an answer to a run that was replaced is not taken for the new one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installStandInWorker } from './stand-in-worker.mjs';

/** Every worker the module started, in order. */
const started = installStandInWorker();
const { createServingWorker, CANCELLED } = await import('../../web/src/serving-worker.mjs');
const REQUEST = { workload: { requests: 5 } };
const simulated = (id) => ({ type: 'simulated', id, summary: { requests: 5 }, steps: null });

test('a worker that could not run is ended, and the next run starts another', async () => {
  const worker = createServingWorker();
  const first = worker.simulate(REQUEST);
  assert.equal(started.length, 1);
  assert.ok(started[0].url.endsWith('/worker.js'), started[0].url);
  started[0].dispatchEvent(Object.assign(new Event('error'), { message: undefined }));
  await assert.rejects(first, { input: false, where: null, message: 'the worker could not run (no message)' });
  assert.equal(worker.busy(), false);
  const second = worker.simulate(REQUEST);
  assert.equal(started.length, 2, 'the next run has a worker of its own');
  assert.equal(started[0].terminated, true);
  assert.equal(started[0].sent.length, 1, 'nothing more is sent to the worker that could not run');
  started[1].answer(simulated(started[1].sent[0].id));
  assert.deepEqual((await second).summary, { requests: 5 });
});

test('stop ends the run in progress with CANCELLED; an idle worker is kept; an old answer is not the new run\'s', async () => {
  started.length = 0;
  const worker = createServingWorker();
  const done = worker.simulate(REQUEST);
  started[0].answer(simulated(started[0].sent[0].id));
  await done;
  const again = worker.simulate(REQUEST);
  assert.equal(started.length, 1, 'the idle worker runs the next one, its module loaded');
  assert.equal(worker.busy(), true);
  worker.stop();
  await assert.rejects(again, (why) => why === CANCELLED);
  assert.equal(started[0].terminated, true);
  assert.equal(worker.busy(), false);
  const next = worker.simulate(REQUEST);
  assert.equal(started.length, 2);
  started[1].answer(simulated(started[0].sent[1].id)); // an id the new run does not have
  assert.equal(worker.busy(), true, 'still waiting for its own answer');
  started[1].answer({ type: 'failed', id: started[1].sent[0].id, input: true, where: 'workload.seed', message: 'error: workload.seed: bad' });
  await assert.rejects(next, { where: 'workload.seed' });
});
