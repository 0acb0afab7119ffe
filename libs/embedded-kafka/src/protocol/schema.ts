/**
 * Field-table driven codec. Each API module describes its request and response as a list of fields with the
 * version range they exist in (Kafka's own JSON schema style: "0+", "3-5"); one generic walker encodes and
 * decodes every version, including the compact/tagged forms of flexible versions.
 */
import { ProtocolError, Reader, Writer } from './primitives.js';

export type PrimitiveType = 'int8' | 'int16' | 'int32' | 'int64' | 'bool' | 'string' | 'bytes' | 'records';

export interface Field {
  readonly name: string;
  /** A primitive, or a nested struct (its own field list). */
  readonly type: PrimitiveType | readonly Field[];
  readonly array: boolean;
  readonly min: number;
  readonly max: number;
  readonly nullableMin: number;
  readonly nullableMax: number;
  /** Value used when the field is absent from the decoded version. */
  readonly default: unknown;
}

export interface ApiSchema {
  readonly key: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible version (compact encodings, tag buffers), or Infinity. */
  readonly firstFlexible: number;
  readonly request: readonly Field[];
  readonly response: readonly Field[];
}

function parseRange(spec: string): [number, number] {
  if (spec === 'none') return [1, 0];
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return [Number(plus[1]), Number.POSITIVE_INFINITY];
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (range) return [Number(range[1]), Number(range[2])];
  const single = /^(\d+)$/.exec(spec);
  if (single) return [Number(single[1]), Number(single[1])];
  throw new Error(`bad version spec ${spec}`);
}

function defaultFor(type: PrimitiveType | readonly Field[], array: boolean, nullable: boolean): unknown {
  if (array) return [];
  if (nullable) return null;
  switch (type) {
    case 'int8':
    case 'int16':
    case 'int32':
      return 0;
    case 'int64':
      return 0n;
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'bytes':
    case 'records':
      return Buffer.alloc(0);
    default:
      return {};
  }
}

interface FieldOptions {
  /** Versions in which null is allowed (strings, bytes, arrays). */
  nullable?: string;
  default?: unknown;
}

/** A scalar field present in `versions` (e.g. "0+", "2-4"). */
export function field(name: string, type: PrimitiveType, versions = '0+', opts: FieldOptions = {}): Field {
  return build(name, type, false, versions, opts);
}

/** An array of primitives or of structs. */
export function array(name: string, type: PrimitiveType | readonly Field[], versions = '0+', opts: FieldOptions = {}): Field {
  return build(name, type, true, versions, opts);
}

function build(name: string, type: PrimitiveType | readonly Field[], isArray: boolean, versions: string, opts: FieldOptions): Field {
  const [min, max] = parseRange(versions);
  const [nullableMin, nullableMax] = parseRange(opts.nullable ?? 'none');
  return {
    name,
    type,
    array: isArray,
    min,
    max,
    nullableMin,
    nullableMax,
    default: 'default' in opts ? opts.default : defaultFor(type, isArray, opts.nullable !== undefined),
  };
}

export function defineApi(api: {
  key: number;
  name: string;
  versions: string;
  flexible?: string;
  request: Field[];
  response: Field[];
}): ApiSchema {
  const [minVersion, maxVersion] = parseRange(api.versions);
  const firstFlexible = api.flexible ? parseRange(api.flexible)[0] : Number.POSITIVE_INFINITY;
  return { key: api.key, name: api.name, minVersion, maxVersion, firstFlexible, request: api.request, response: api.response };
}

const inRange = (v: number, min: number, max: number): boolean => v >= min && v <= max;

// ---------------------------------------------------------------------------------------------------------------
// decoding

function readPrimitive(r: Reader, type: PrimitiveType, nullable: boolean, flexible: boolean): unknown {
  switch (type) {
    case 'int8':
      return r.int8();
    case 'int16':
      return r.int16();
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'bool':
      return r.bool();
    case 'string': {
      const s = flexible ? r.compactNullableString() : r.nullableString();
      if (s === null && !nullable) throw new ProtocolError('null in non-nullable string');
      return s;
    }
    case 'bytes':
    case 'records': {
      const b = flexible ? r.compactNullableBytes() : r.nullableBytes();
      if (b === null && !nullable && type === 'bytes') throw new ProtocolError('null in non-nullable bytes');
      return b;
    }
  }
}

function readStruct(r: Reader, fields: readonly Field[], version: number, flexible: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!inRange(version, f.min, f.max)) {
      out[f.name] = f.default;
      continue;
    }
    const nullable = inRange(version, f.nullableMin, f.nullableMax);
    if (f.array) {
      const n = r.arrayLength(flexible);
      if (n < 0) {
        if (!nullable) throw new ProtocolError(`null array ${f.name}`);
        out[f.name] = null;
        continue;
      }
      const items = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        items[i] = typeof f.type === 'string' ? readPrimitive(r, f.type, false, flexible) : readStruct(r, f.type, version, flexible);
      }
      out[f.name] = items;
    } else if (typeof f.type === 'string') {
      out[f.name] = readPrimitive(r, f.type, nullable, flexible);
    } else {
      out[f.name] = readStruct(r, f.type, version, flexible);
    }
  }
  if (flexible) r.skipTags();
  return out;
}

/** Decodes a message body of `version` (request or response side). */
export function decodeBody<T>(r: Reader, fields: readonly Field[], version: number, flexible: boolean): T {
  return readStruct(r, fields, version, flexible) as T;
}

// ---------------------------------------------------------------------------------------------------------------
// encoding

function writePrimitive(w: Writer, type: PrimitiveType, value: unknown, flexible: boolean): void {
  switch (type) {
    case 'int8':
      w.int8(value as number);
      return;
    case 'int16':
      w.int16(value as number);
      return;
    case 'int32':
      w.int32(value as number);
      return;
    case 'int64':
      w.int64(value as bigint);
      return;
    case 'bool':
      w.bool(value as boolean);
      return;
    case 'string':
      if (flexible) w.compactNullableString(value as string | null);
      else w.nullableString(value as string | null);
      return;
    case 'bytes':
    case 'records':
      if (Array.isArray(value)) w.bytesList(value as Buffer[], flexible);
      else if (flexible) w.compactNullableBytes(value as Buffer | null);
      else w.nullableBytes(value as Buffer | null);
      return;
  }
}

function writeStruct(w: Writer, fields: readonly Field[], value: Record<string, unknown>, version: number, flexible: boolean): void {
  for (const f of fields) {
    if (!inRange(version, f.min, f.max)) continue;
    let v = value[f.name];
    if (v === undefined) v = f.default;
    if (f.array) {
      const items = v as unknown[] | null;
      w.arrayLength(items === null ? null : items.length, flexible);
      if (items === null) continue;
      for (const item of items) {
        if (typeof f.type === 'string') writePrimitive(w, f.type, item, flexible);
        else writeStruct(w, f.type, item as Record<string, unknown>, version, flexible);
      }
    } else if (typeof f.type === 'string') {
      writePrimitive(w, f.type, v, flexible);
    } else {
      writeStruct(w, f.type, v as Record<string, unknown>, version, flexible);
    }
  }
  if (flexible) w.uvarint(0);
}

/** Encodes a message body of `version`; fields missing from `value` take their declared default. */
export function encodeBody(w: Writer, fields: readonly Field[], value: object, version: number, flexible: boolean): void {
  writeStruct(w, fields, value as Record<string, unknown>, version, flexible);
}
