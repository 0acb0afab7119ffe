import { createHash } from 'node:crypto';

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

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** RFC 9562 UUID version 5 (SHA-1, name-based). Deterministic: same namespace and name, same UUID. */
export function uuidV5(name: string | Uint8Array, namespace: string): string {
  const hash = createHash('sha1').update(namespaceOf(namespace)).update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  return formatUuid(hash);
}

/** Namespaces of this project's name-based ids (random constants, fixed forever: changing one changes every id). */
export const EVENT_ID_NAMESPACE = '5f0c7a52-3d7e-4f5e-9a51-2a8f4c1d9b60';
export const ENTITY_ID_NAMESPACE = 'b7e2d8a4-1c3f-4e6a-8d2b-9f0e5c7a3b14';
