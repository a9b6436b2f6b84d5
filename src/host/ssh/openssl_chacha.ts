/**
 * ChaCha20 and Poly1305 from the system's OpenSSL (libcrypto 3) through Deno's FFI, for
 * ssh2_chacha.ts: when the process may load native code (`--allow-ffi`, or
 * `--allow-all`) and libcrypto is installed. ChaCha20 writes into a buffer the caller
 * gives (node:crypto makes a cipher object and a new buffer per packet), and OpenSSL's
 * Poly1305 uses the CPU's vector units (ssh2's WebAssembly build does not): measured on
 * 3200 packets of 32 KiB, 39 ms against ~200 ms for node:crypto's ChaCha20 plus ssh2's
 * Poly1305. Without the permission (it is never asked for) or the library, there is none.
 *
 * @module
 */

/** ChaCha20 and Poly1305 as chacha20-poly1305@openssh.com uses them. */
export interface NativeChaChaPoly {
  /**
   * XORs `input` with the ChaCha20 keystream of `key` (32 bytes) and `iv` (16 bytes: a
   * 32-bit little-endian block counter, then the 96-bit nonce) into `output`, of the same
   * length.
   */
  xor(key: Uint8Array, iv: Uint8Array, input: Uint8Array, output: Uint8Array): void;
  /** Writes the Poly1305 tag of `a || b` under the one-time `key` (32 bytes) into `tag`. */
  tag(key: Uint8Array, a: Uint8Array, b: Uint8Array, tag: Uint8Array): void;
}

const SYMBOLS = {
  EVP_CIPHER_fetch: { parameters: ["pointer", "buffer", "pointer"], result: "pointer" },
  EVP_CIPHER_CTX_new: { parameters: [], result: "pointer" },
  EVP_EncryptInit_ex2: {
    parameters: ["pointer", "pointer", "buffer", "buffer", "pointer"],
    result: "i32",
  },
  EVP_EncryptUpdate: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "i32"],
    result: "i32",
  },
  EVP_MAC_fetch: { parameters: ["pointer", "buffer", "pointer"], result: "pointer" },
  EVP_MAC_CTX_new: { parameters: ["pointer"], result: "pointer" },
  EVP_MAC_init: { parameters: ["pointer", "buffer", "usize", "pointer"], result: "i32" },
  EVP_MAC_update: { parameters: ["pointer", "buffer", "usize"], result: "i32" },
  EVP_MAC_final: { parameters: ["pointer", "buffer", "buffer", "usize"], result: "i32" },
} as const;

/** Library names the system's loader finds (with the whole `--allow-ffi`). */
const LIBRARIES = ["libcrypto.so.3", "libcrypto.3.dylib"];
/** Where libcrypto 3 usually is, for a grant of its path only (`--allow-ffi=<path>`). */
const PATHS = [
  "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
  "/usr/lib/aarch64-linux-gnu/libcrypto.so.3",
  "/usr/lib64/libcrypto.so.3",
  "/usr/lib/libcrypto.so.3",
  "/opt/homebrew/lib/libcrypto.3.dylib",
  "/usr/local/lib/libcrypto.3.dylib",
];

/** Whether loading native code (from `path`, or from anywhere) is already granted. */
function granted(path?: string): boolean {
  try {
    const descriptor: Deno.FfiPermissionDescriptor = path ? { name: "ffi", path } : { name: "ffi" };
    return Deno.permissions.querySync(descriptor).state === "granted";
  } catch {
    return false;
  }
}

function cString(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${text}\0`);
}

/** Loads libcrypto, or undefined (no FFI permission, no Deno.dlopen, no library). */
function load(): Deno.DynamicLibrary<typeof SYMBOLS> | undefined {
  if (typeof Deno.dlopen !== "function") return undefined;
  for (const name of granted() ? LIBRARIES : PATHS.filter((path) => granted(path))) {
    try {
      return Deno.dlopen(name, SYMBOLS);
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * Opens OpenSSL's ChaCha20 and Poly1305, or returns undefined when this process may not
 * load native code or has no libcrypto 3. One instance serves every connection (calls are
 * synchronous); it stays loaded for the life of the process.
 *
 * @example Usage
 * ```ts
 * import assert from "node:assert/strict";
 * import { Buffer } from "node:buffer";
 * import { createCipheriv } from "node:crypto";
 * import { openNativeChaChaPoly } from "./openssl_chacha.ts";
 * const native = openNativeChaChaPoly(); // with --allow-ffi (or --allow-all) and libcrypto 3
 * if (native) {
 *   const key = new Uint8Array(32).fill(7);
 *   const iv = new Uint8Array(16);
 *   iv[0] = 1; // block 1 onwards, as for a packet's payload
 *   const plain = new Uint8Array(1000).fill(42);
 *   const sealed = new Uint8Array(plain.length);
 *   native.xor(key, iv, plain, sealed);
 *   const expected = createCipheriv("chacha20", Buffer.from(key), Buffer.from(iv)).update(plain);
 *   assert.ok(expected.equals(sealed));
 *   const tag = new Uint8Array(16);
 *   native.tag(new Uint8Array(32).fill(1), plain.subarray(0, 4), plain.subarray(4), tag);
 *   assert.notDeepEqual(tag, new Uint8Array(16));
 * }
 * ```
 */
export function openNativeChaChaPoly(): NativeChaChaPoly | undefined {
  const library = load();
  if (!library) return undefined;
  const s = library.symbols;
  const cipher = s.EVP_CIPHER_fetch(null, cString("ChaCha20"), null);
  const cipherContext = s.EVP_CIPHER_CTX_new();
  const mac = s.EVP_MAC_fetch(null, cString("POLY1305"), null);
  const macContext = mac && s.EVP_MAC_CTX_new(mac);
  if (!cipher || !cipherContext || !macContext) {
    library.close();
    return undefined;
  }
  const outLength = new Uint8Array(8);
  const fail = (what: string) => {
    throw new Error(`OpenSSL ${what} failed`);
  };
  return {
    xor(key, iv, input, output) {
      if (output.length !== input.length) throw new RangeError("output length differs");
      if (s.EVP_EncryptInit_ex2(cipherContext, cipher, key, iv, null) !== 1) fail("ChaCha20");
      if (!input.length) return;
      if (s.EVP_EncryptUpdate(cipherContext, output, outLength, input, input.length) !== 1) {
        fail("ChaCha20");
      }
    },
    tag(key, a, b, tag) {
      if (
        s.EVP_MAC_init(macContext, key, 32n, null) !== 1 ||
        s.EVP_MAC_update(macContext, a, BigInt(a.length)) !== 1 ||
        s.EVP_MAC_update(macContext, b, BigInt(b.length)) !== 1 ||
        s.EVP_MAC_final(macContext, tag, outLength, 16n) !== 1
      ) {
        fail("Poly1305");
      }
    },
  };
}
