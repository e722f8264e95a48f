// Loads one of the two modules (stepcalc.wasm, stepcalc_worker.wasm) through its
// Emscripten glue, in a browser or in Node, after checking the engine can run it.

import { UnsupportedEngineError } from './errors.mjs';

/** @typedef {{ wasmBinary?: ArrayBuffer | Uint8Array, wasmUrl?: string | URL }} LoadOptions */

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

// The smallest module with a SIMD instruction (a function returning i8x16.splat of 0):
// valid exactly where the core's SIMD batch loop can run.
const SIMD_PROBE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b]); // i32.const 0, i8x16.splat, end

/**
 * The glue's module object. wasmFile: the module's default place (a URL beside the facade);
 * options.wasmBinary or options.wasmUrl replace it.
 * @template G
 * @param {(options: import('./stepcalc_glue.mjs').GlueOptions) => Promise<G>} createGlue
 * @param {URL} wasmFile @param {LoadOptions} options
 * @returns {Promise<G>}
 */
export async function loadGlue(createGlue, wasmFile, options) {
  if (!WebAssembly.validate(SIMD_PROBE)) throw new UnsupportedEngineError();
  /** @type {import('./stepcalc_glue.mjs').GlueOptions} */
  const moduleArgs = {};
  if (options.wasmBinary) {
    moduleArgs.wasmBinary = options.wasmBinary;
  } else if (isNode) {
    // The web-only glue would fetch() a file: URL, which Node refuses.
    const { readFile } = await import('node:fs/promises');
    moduleArgs.wasmBinary = await readFile(wasmFile);
  } else {
    moduleArgs.locateFile = () => (options.wasmUrl ?? wasmFile).toString();
  }
  return createGlue(moduleArgs);
}

// The glue's malloc and free as the wasm functions themselves. Its exports start as
// wrappers that, on their first call, put the wasm function in their place in the glue
// object; a wrapper kept in a variable stays a wrapper (an apply per call). So each is
// called once, harmlessly, then read again.
/** @param {{ _malloc(bytes: number): number, _free(address: number): void }} glue */
export function heapFunctions(glue) {
  glue._free(glue._malloc(8));
  return { malloc: glue._malloc, free: glue._free };
}
