/**
 * The wire format between `deployer connect` and `deployer listen`: frames of one type
 * byte, a 4-byte big-endian length and the payload (JSON for control frames, raw bytes
 * for terminal input and output).
 *
 * @module
 */

/** Frame types. Client to server: hello, input, resize, info. Server to client: the rest. */
export const FRAME = {
  /** Client: `{ token, cols, rows, term, color, path }`, opens a shell. */
  hello: 1,
  /** Client: keys typed (raw bytes). */
  input: 2,
  /** Client: `{ cols, rows }`. */
  resize: 3,
  /** Client: `{ token }`, asks for the session's description (no shell). */
  info: 4,
  /** Server: bytes for the terminal. */
  output: 16,
  /** Server: `{ code }`, the shell ended. */
  exit: 17,
  /** Server: `{ message }`, then the connection closes. */
  error: 18,
  /** Server: the session's description, answering `info`. */
  described: 19,
} as const;

/** One decoded frame. */
export interface Frame {
  /** One of {@linkcode FRAME}. */
  readonly type: number;
  /** The payload. */
  readonly data: Uint8Array;
}

/** The largest payload accepted (a paste of 1 MiB is plenty; more is a broken peer). */
export const MAX_FRAME = 1 << 20;

/**
 * Encodes a frame; objects become JSON.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeFrame, FRAME } from "./protocol.ts";
 * const bytes = encodeFrame(FRAME.resize, { cols: 80, rows: 24 });
 * assert.equal(bytes[0], FRAME.resize);
 * assert.equal(new DataView(bytes.buffer).getUint32(1), bytes.length - 5);
 * ```
 */
export function encodeFrame(type: number, payload: Uint8Array | object | string): Uint8Array {
  const data = payload instanceof Uint8Array
    ? payload
    : new TextEncoder().encode(typeof payload === "string" ? payload : JSON.stringify(payload));
  const bytes = new Uint8Array(5 + data.length);
  bytes[0] = type;
  new DataView(bytes.buffer).setUint32(1, data.length);
  bytes.set(data, 5);
  return bytes;
}

/**
 * The JSON payload of a control frame.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonOf } from "./protocol.ts";
 * assert.deepEqual(jsonOf({ type: 3, data: new TextEncoder().encode('{"a":1}') }), { a: 1 });
 * ```
 */
export function jsonOf<T = Record<string, unknown>>(frame: Frame): T {
  return JSON.parse(new TextDecoder().decode(frame.data)) as T;
}

/**
 * Reads frames from a byte stream (a unix socket connection).
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeFrame, FRAME, readFrames } from "./protocol.ts";
 * const bytes = [encodeFrame(FRAME.input, "ab"), encodeFrame(FRAME.exit, { code: 0 })];
 * const stream = ReadableStream.from(bytes);
 * const types = [];
 * for await (const frame of readFrames(stream)) types.push(frame.type);
 * assert.deepEqual(types, [FRAME.input, FRAME.exit]);
 * ```
 */
export async function* readFrames(stream: ReadableStream<Uint8Array>): AsyncGenerator<Frame> {
  let buffer = new Uint8Array(0);
  for await (const chunk of stream) {
    const joined = new Uint8Array(buffer.length + chunk.length);
    joined.set(buffer);
    joined.set(chunk, buffer.length);
    buffer = joined;
    while (buffer.length >= 5) {
      const length = new DataView(buffer.buffer, buffer.byteOffset).getUint32(1);
      if (length > MAX_FRAME) throw new Error(`Session frame of ${length} bytes is too large`);
      if (buffer.length < 5 + length) break;
      yield { type: buffer[0], data: buffer.slice(5, 5 + length) };
      buffer = buffer.slice(5 + length);
    }
  }
}
