/**
 * ssh2's Poly1305 WebAssembly build (`lib/protocol/crypto/poly1305.js`, emscripten): a
 * factory that resolves with the instantiated module.
 *
 * @module
 */

/** Instantiates the module (its exports are used untyped by `ssh2_chacha.ts`). */
declare const createPoly1305: () => Promise<unknown>;
export default createPoly1305;
