// The Trace view's worker (worker.mjs), its life: started to prepare (load its module and
// warm it up on a made-up trace) or with the first file, never with the page's first load;
// ended by stop() while it reads, and then started again, prepared. Ending it is how a
// read is cancelled: a worker reading a file that streams in quickly may not turn to a
// 'cancel' message for seconds, and by then may have read it all.
/** @typedef {import('./wasm/stepcalc.mjs').TraceOptions} TraceOptions */

/**
 * onMessage(data): every message the worker posts. onError(text): the worker could not run.
 * prepareOptions(): the options the warm-up reads with (the calculator's), or null when
 * they are not valid. onPreparing(): a worker has started to prepare.
 * @param {{ onMessage: (data: any) => void, onError: (text: string) => void,
 *   prepareOptions: () => TraceOptions | null, onPreparing: () => void }} hooks
 */
export function createTraceWorker({ onMessage, onError, prepareOptions, onPreparing }) {
  /** @type {Worker | null} */
  let worker = null;
  let busy = false; // a file is being read

  function started() {
    if (worker) return worker;
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.addEventListener('message', ({ data }) => {
      if (data.type === 'done' || data.type === 'failed') busy = false;
      onMessage(data);
    });
    worker.addEventListener('error', (e) => {
      // Ended, so that the next file starts another rather than waiting for ever on one
      // that takes no messages (its script did not load, say).
      worker?.terminate();
      worker = null;
      busy = false;
      onError(`The trace worker could not run (${e.message ?? 'no message'}).`);
    });
    return worker;
  }

  function prepare() {
    if (worker) return;
    onPreparing();
    started().postMessage({ type: 'prepare', options: prepareOptions() });
  }

  return {
    prepare,
    /** @param {number} id @param {File} file @param {TraceOptions} options */
    read(id, file, options) {
      busy = true;
      started().postMessage({ type: 'run', id, file, options });
    },
    /** @param {number} id @param {number} lambda */
    fit(id, lambda) {
      worker?.postMessage({ type: 'fit', id, lambda });
    },
    // Ends a read in progress (nothing of it stays) and prepares the next worker.
    stop() {
      if (!busy) return;
      worker?.terminate();
      worker = null;
      busy = false;
      prepare();
    },
  };
}
