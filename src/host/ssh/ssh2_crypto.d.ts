/**
 * The part of ssh2's internal cipher module (`lib/protocol/crypto.js`) that
 * `ssh2_chacha.ts` uses: the cipher table and the cipher and decipher factories.
 *
 * @module
 */
import type { Buffer } from "node:buffer";

/** What ssh2 knows of one cipher. */
export interface CipherInfo {
  /** OpenSSL's name of it. */
  sslName: string;
}

/** The outbound half of ssh2's cipher configuration. */
export interface OutboundConfig {
  /** The cipher. */
  cipherInfo: CipherInfo;
  /** Its key material. */
  cipherKey: Buffer;
  /** The first sequence number. */
  seqno: number;
  /** Where encrypted bytes go. */
  onWrite(data: Buffer): void;
}

/** The inbound half of ssh2's cipher configuration. */
export interface InboundConfig {
  /** The cipher. */
  decipherInfo: CipherInfo;
  /** Its key material. */
  decipherKey: Buffer;
  /** The first sequence number. */
  seqno: number;
  /** Where decrypted payloads go. */
  onPayload(payload: Buffer): unknown;
}

/** An ssh2 cipher instance. */
export interface Ssh2Cipher {
  /** Builds an unencrypted packet for a payload of this length. */
  allocPacket(payloadLength: number): Buffer;
  /** Encrypts a packet and passes it on. */
  encrypt(packet: Buffer): void;
  /** Stops the cipher. */
  free?(): void;
}

/** An ssh2 decipher instance. */
export interface Ssh2Decipher {
  /** Decrypts `data` from `p` to `length`, passing on every whole payload. */
  decrypt(data: Uint8Array, p: number, length: number): unknown;
  /** Stops the decipher. */
  free?(): void;
}

/** The module's exports. */
declare const ssh2Crypto: {
  /** The ciphers ssh2 knows, by SSH name. */
  CIPHER_INFO: Record<string, CipherInfo>;
  /** Creates the cipher of a configuration. */
  createCipher(config: { outbound: OutboundConfig }): Ssh2Cipher;
  /** Creates the decipher of a configuration. */
  createDecipher(config: { inbound: InboundConfig }): Ssh2Decipher;
};
export default ssh2Crypto;
