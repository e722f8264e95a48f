// A stand-in for the browser's Worker, for tests of a view's worker's life without a
// browser: each worker a module starts records what it is sent, and answer(data) plays a
// message from it. Installed as globalThis.Worker before the module under test is imported.

/** Every worker started since the last installStandInWorker(), in order. */
export const started = [];

export function installStandInWorker() {
  started.length = 0;
  globalThis.Worker = class extends EventTarget {
    /** @param {string | URL} url */
    constructor(url) {
      super();
      this.url = String(url);
      /** @type {any[]} */
      this.sent = [];
      this.terminated = false;
      started.push(this);
    }
    /** @param {any} message */
    postMessage(message) { this.sent.push(message); }
    terminate() { this.terminated = true; }
    /** @param {any} data a message of worker.mjs's */
    answer(data) { this.dispatchEvent(Object.assign(new Event('message'), { data })); }
  };
  return started;
}
