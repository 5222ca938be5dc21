// URLs as they may be shown: in logs, error messages, /healthz, index.html,
// status. Feed URLs carry secrets (a password in the userinfo, an API key or
// token in the query), and what refeed prints ends up in log collectors,
// monitoring and bug reports.

/** Query parameter names that hold secrets: key, token, secret, password, signature, session… with any prefix. */
const SECRET_NAME = /(?:^|[_.-])(?:key|token|secret|password|passwd|pwd|auth|authorization|sig|signature|session(?:_?id)?|sid|credential|jwt|bearer)s?$|^(?:apikey|accesskey|authtoken|accesstoken|privatekey|secretkey|clientsecret|apitoken)$/;

const HIDDEN = '…';

/** Whether a query parameter's value is a secret, by its name. */
function isSecretParam(name: string): boolean {
  // apiKey and api_key alike: camelCase boundaries count as separators.
  return SECRET_NAME.test(name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase());
}

/**
 * The URL without anything secret: no userinfo, and `…` for the value of
 * every query parameter whose name looks like a key or token. What is left
 * still says which feed it is. Text that is not a URL comes back unchanged.
 */
export function redactUrl(href: string): string {
  let u: URL;
  try {
    u = new URL(href);
  } catch {
    return href;
  }
  const userinfo = u.username || u.password ? `${HIDDEN}@` : '';
  let query = u.search;
  if (query.length > 1) {
    query = `?${query
      .slice(1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const name = eq === -1 ? pair : pair.slice(0, eq);
        let decoded = name;
        try {
          decoded = decodeURIComponent(name.replace(/\+/g, ' '));
        } catch {
          // a name that is not valid percent-encoding is judged as written
        }
        return eq !== -1 && isSecretParam(decoded) ? `${name}=${HIDDEN}` : pair;
      })
      .join('&')}`;
  }
  return `${u.protocol}//${userinfo}${u.host}${u.pathname}${query}${u.hash}`;
}

// http(s) URLs inside free text, up to whitespace, quotes or angle brackets
// (and a trailing punctuation mark that ends a sentence, not the URL).
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>]+?(?=[.,;:!?)\]]*(?:[\s"'<>]|$))/gi;

/** Every URL in `text` redacted (see redactUrl): for error messages that name URLs. */
export function redactUrlsIn(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => redactUrl(url));
}
