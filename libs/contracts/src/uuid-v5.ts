import { hash } from 'node:crypto';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function uuidToBytes(uuid: string): Buffer {
  if (!UUID_RE.test(uuid)) throw new Error(`not a UUID: ${uuid}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

// Entity and event ids are derived for every event projected: the few namespaces are parsed once.
const namespaceBytes = new Map<string, Buffer>();

function namespaceOf(uuid: string): Buffer {
  let bytes = namespaceBytes.get(uuid);
  if (!bytes) {
    bytes = uuidToBytes(uuid);
    if (namespaceBytes.size < 64) namespaceBytes.set(uuid, bytes);
  }
  return bytes;
}

/** A name to hash: text (UTF-8), bytes, or parts of either hashed one after the other (no concatenation needed). */
export type UuidName = string | Uint8Array | ReadonlyArray<string | Uint8Array>;

// Ids are derived for every event replayed and every entity projected, so the hash input is assembled in one reused
// buffer and hashed in one call (crypto.hash): a Hash object per id, a Buffer.concat per event id and the formatting
// from bytes cost ~2.5x as much. Hashing is synchronous, so one buffer per thread is safe.
let scratch = Buffer.allocUnsafe(1024);

function byteLength(part: string | Uint8Array): number {
  return typeof part === 'string' ? Buffer.byteLength(part) : part.length;
}

/** Namespace bytes then the name's parts, in the scratch buffer; returns how many bytes. */
function hashInput(namespace: Buffer, name: UuidName): number {
  const parts = typeof name === 'string' || name instanceof Uint8Array ? [name] : name;
  let length = namespace.length;
  for (const part of parts) length += byteLength(part);
  if (length > scratch.length) scratch = Buffer.allocUnsafe(Math.max(length, 2 * scratch.length));
  let offset = namespace.copy(scratch, 0);
  for (const part of parts) {
    if (typeof part === 'string') offset += scratch.write(part, offset, 'utf8');
    else {
      scratch.set(part, offset);
      offset += part.length;
    }
  }
  return offset;
}

/** The variant's first hex digit: RFC 9562 variant bits 10xx over the hash's own low two bits. */
const VARIANT_DIGIT = '89ab';

/** RFC 9562 UUID version 5 (SHA-1, name-based). Deterministic: same namespace and name, same UUID. */
export function uuidV5(name: UuidName, namespace: string): string {
  const length = hashInput(namespaceOf(namespace), name);
  const hex = hash('sha1', scratch.subarray(0, length), 'hex');
  const variant = VARIANT_DIGIT[Number.parseInt(hex[16], 16) & 3];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Namespaces of this project's name-based ids (random constants, fixed forever: changing one changes every id). */
export const EVENT_ID_NAMESPACE = '5f0c7a52-3d7e-4f5e-9a51-2a8f4c1d9b60';
export const ENTITY_ID_NAMESPACE = 'b7e2d8a4-1c3f-4e6a-8d2b-9f0e5c7a3b14';
