import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { BufferReader } from './buffer-reader';
import { Provider, TrackDTO } from './generated/soulspot/events/v1/dto';
import { EventEnvelope, Origin } from './generated/soulspot/events/v1/events';

/** Length-delimited bytes as a protobuf string field's value (length prefix, then the bytes). */
function delimited(bytes: Uint8Array): Uint8Array {
  return new BinaryWriter().bytes(bytes).finish();
}

describe('BufferReader', () => {
  const samples = ['', 'a', 'Beyoncé', 'x'.repeat(31), 'y'.repeat(33), 'Sigur Rós – Ágætis byrjun 🎵', '\u0000nul'];

  it.each(samples)('reads %j as the library reader does', (text) => {
    const bytes = delimited(Buffer.from(text, 'utf8'));
    expect(new BufferReader(bytes).string()).toBe(text);
    expect(new BufferReader(Buffer.from(bytes)).string()).toBe(new BinaryReader(bytes).string());
  });

  it('replaces invalid UTF-8 like the non-strict library reader, and leaves strict reads to it', () => {
    const bytes = delimited(Uint8Array.from([0x61, 0xff, 0xc3, 0x62]));
    expect(new BufferReader(bytes).string()).toBe(new BinaryReader(bytes).string());
    expect(new BufferReader(bytes).string()).toBe('a\ufffd\ufffdb');
    expect(() => new BufferReader(bytes).string(true)).toThrow();
  });

  it('reads a string at an offset inside a larger buffer', () => {
    const backing = Buffer.concat([Buffer.from('garbage'), Buffer.from(delimited(Buffer.from('inner')))]);
    expect(new BufferReader(backing.subarray(7)).string()).toBe('inner');
  });

  it('fails on a string that runs past the end', () => {
    const bytes = delimited(Buffer.from('truncated')).subarray(0, 5);
    expect(() => new BufferReader(bytes).string()).toThrow(/premature EOF/);
  });

  it('decodes a whole envelope exactly as the library reader does', () => {
    const envelope: EventEnvelope = {
      eventId: 'e1',
      observedAt: new Date('2026-01-02T03:04:05.678Z'),
      provider: Provider.PROVIDER_DEEZER,
      origin: Origin.ORIGIN_LIVE_SYNC,
      producer: 'deezer-connector',
      correlationId: 'c',
      payload: {
        $case: 'trackObserved',
        value: {
          track: TrackDTO.fromPartial({
            providerId: '3135556',
            title: 'Harder, Better, Faster, Stronger – Ünïcödé',
            isrc: 'GBDUW0000059',
            artists: [{ providerId: '27', name: 'Daft Punk' }],
            previewUrl: 'https://cdns-preview-d.dzcdn.net/stream/' + 'c'.repeat(60),
          }),
        },
      },
    };
    const bytes = Buffer.from(EventEnvelope.encode(envelope).finish());
    expect(EventEnvelope.decode(new BufferReader(bytes))).toEqual(EventEnvelope.decode(bytes));
  });
});
