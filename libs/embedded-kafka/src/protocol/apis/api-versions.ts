/** ApiVersions (key 18), v0-3. v3 is flexible, but its response still uses response header v0 (KIP-511). */
import { array, defineApi, field } from '../schema.js';

export const ApiVersionsApi = defineApi({
  key: 18,
  name: 'ApiVersions',
  versions: '0-3',
  flexible: '3+',
  request: [field('clientSoftwareName', 'string', '3+'), field('clientSoftwareVersion', 'string', '3+')],
  response: [
    field('errorCode', 'int16'),
    array('apiKeys', [field('apiKey', 'int16'), field('minVersion', 'int16'), field('maxVersion', 'int16')]),
    field('throttleTimeMs', 'int32', '1+'),
  ],
});

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
  throttleTimeMs?: number;
}
