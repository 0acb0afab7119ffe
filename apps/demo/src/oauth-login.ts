/**
 * Logs a user in through a connector's real OAuth endpoints, the way a browser would: GET /auth/login on the
 * connector (session cookie + redirect to the provider), follow the provider's authorize redirect back to
 * /auth/callback with the same cookie. The fake providers approve immediately.
 */
export async function loginThroughConnector(connectorUrl: string): Promise<void> {
  const login = await fetch(`${connectorUrl}/auth/login`, { redirect: 'manual' });
  const cookie = login.headers.get('set-cookie')?.split(';')[0];
  const authorizeUrl = login.headers.get('location');
  if (login.status !== 302 || !cookie || !authorizeUrl) {
    throw new Error(`login at ${connectorUrl} did not redirect to the provider (HTTP ${login.status}): ${await login.text()}`);
  }
  let next = authorizeUrl;
  for (let hop = 0; hop < 5; hop++) {
    const sameOrigin = new URL(next).origin === new URL(connectorUrl).origin;
    const response = await fetch(next, { redirect: 'manual', headers: sameOrigin ? { cookie } : {} });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      next = new URL(location, next).toString();
      continue;
    }
    if (!response.ok) throw new Error(`OAuth step ${new URL(next).pathname} failed (HTTP ${response.status}): ${await response.text()}`);
    return;
  }
  throw new Error('OAuth login: too many redirects');
}
