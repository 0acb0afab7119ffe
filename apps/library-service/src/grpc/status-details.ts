import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import type { FieldViolation } from './errors';

/**
 * google.rpc.Status carrying one google.rpc.BadRequest detail, encoded by hand: the two messages are tiny and
 * stable, and vendoring the googleapis protos into our buf module would drag their lint exceptions along.
 *   Status     { int32 code = 1; string message = 2; repeated Any details = 3; }
 *   Any        { string type_url = 1; bytes value = 2; }
 *   BadRequest { repeated FieldViolation field_violations = 1; }
 *   FieldViolation { string field = 1; string description = 2; }
 */
export const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';

export function encodeBadRequestStatus(code: number, message: string, violations: FieldViolation[]): Buffer {
  const badRequest = new BinaryWriter();
  for (const violation of violations) {
    badRequest.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string(violation.field).uint32((2 << 3) | 2).string(violation.description).join();
  }
  const any = new BinaryWriter().uint32((1 << 3) | 2).string(BAD_REQUEST_TYPE_URL).uint32((2 << 3) | 2).bytes(badRequest.finish());
  const status = new BinaryWriter()
    .uint32((1 << 3) | 0)
    .int32(code)
    .uint32((2 << 3) | 2)
    .string(message)
    .uint32((3 << 3) | 2)
    .bytes(any.finish());
  return Buffer.from(status.finish());
}

/** Decodes the field violations from a grpc-status-details-bin value (for clients: the CLI and tests). */
export function decodeFieldViolations(statusBytes: Uint8Array): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const status = new BinaryReader(statusBytes);
  while (status.pos < status.len) {
    const [field, wireType] = status.tag();
    if (field !== 3) {
      status.skip(wireType);
      continue;
    }
    const any = new BinaryReader(status.bytes());
    let typeUrl = '';
    let value: Uint8Array = new Uint8Array();
    while (any.pos < any.len) {
      const [anyField, anyWire] = any.tag();
      if (anyField === 1) typeUrl = any.string();
      else if (anyField === 2) value = any.bytes();
      else any.skip(anyWire);
    }
    if (typeUrl !== BAD_REQUEST_TYPE_URL) continue;
    const badRequest = new BinaryReader(value);
    while (badRequest.pos < badRequest.len) {
      const [brField, brWire] = badRequest.tag();
      if (brField !== 1) {
        badRequest.skip(brWire);
        continue;
      }
      const fv = new BinaryReader(badRequest.bytes());
      const violation: FieldViolation = { field: '', description: '' };
      while (fv.pos < fv.len) {
        const [fvField, fvWire] = fv.tag();
        if (fvField === 1) violation.field = fv.string();
        else if (fvField === 2) violation.description = fv.string();
        else fv.skip(fvWire);
      }
      violations.push(violation);
    }
  }
  return violations;
}
