// The errors the module's callers may catch, one class each for both modules (the page's
// calculator and the worker's), so `instanceof` holds whichever module threw.

export class StepCalcError extends Error {
  /** @param {string} where @param {string} what */
  constructor(where, what) {
    super(`error: ${where}: ${what}`); // the CLI's line
    this.name = 'StepCalcError';
    this.where = where;
    this.what = what;
  }
}

// Thrown when the engine cannot run the module: reloading does not help, another browser
// (or a newer one) does.
export class UnsupportedEngineError extends Error {
  constructor() {
    super('this WebAssembly engine has no 128-bit SIMD, which the module needs ' +
      '(Chrome and Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+ have it)');
    this.name = 'UnsupportedEngineError';
  }
}
