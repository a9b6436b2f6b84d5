/**
 * The part of ssh2's internal cipher module (`lib/protocol/crypto.js`) that
 * `packet_reuse.ts` uses: the cipher table and the cipher factory.
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
  /** The MAC (none for an AEAD cipher). */
  macInfo: undefined;
  /** The MAC key (none for an AEAD cipher). */
  macKey: undefined;
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

/** The module's exports. */
declare const ssh2Crypto: {
  /** The ciphers ssh2 knows, by SSH name. */
  CIPHER_INFO: Record<string, CipherInfo>;
  /** Creates the cipher of a configuration. */
  createCipher(config: { outbound: OutboundConfig }): Ssh2Cipher;
};
export default ssh2Crypto;
