import { InvalidGrant } from '@soulspot/connector-kit';
import { describe, expect, it } from 'vitest';
import { parseDeezerTokenReply } from './deezer-oauth';

describe('parseDeezerTokenReply', () => {
  it('reads the default plain-text reply', () => {
    expect(parseDeezerTokenReply('access_token=frABC123&expires=3600')).toEqual({ accessToken: 'frABC123', expiresInSeconds: 3600 });
  });

  it('reads the JSON reply, with or without the "expire" twin; 0 means never expires', () => {
    expect(parseDeezerTokenReply('{"access_token":"frX","expires":0}')).toEqual({ accessToken: 'frX', expiresInSeconds: 0 });
    expect(parseDeezerTokenReply('{"access_token":"frX","expire":0,"expires":0}')).toEqual({ accessToken: 'frX', expiresInSeconds: 0 });
    expect(parseDeezerTokenReply('{"access_token":"frX","expires":"1800"}').expiresInSeconds).toBe(1800);
  });

  it('turns "wrong code" and error bodies into InvalidGrant', () => {
    expect(() => parseDeezerTokenReply('wrong code')).toThrow(InvalidGrant);
    expect(() => parseDeezerTokenReply('wrong code')).toThrow(/wrong code/);
    expect(() => parseDeezerTokenReply('{"error":{"type":"OAuthException","message":"Invalid code","code":300}}')).toThrow(InvalidGrant);
  });
});
