/** Query parameters that carry credentials (Deezer puts the access token in the query and echoes it in `next`). */
const SECRET_PARAMS = /^(access_token|token|code|secret|client_secret|refresh_token|code_verifier)$/i;

/** Path and query of a URL with every credential parameter replaced — the only form of a URL we log or report. */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '[unparseable url]';
  }
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMS.test(name)) parsed.searchParams.set(name, 'REDACTED');
  }
  return `${parsed.pathname}${parsed.search}`;
}
