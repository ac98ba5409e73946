// One call each way between the Worker's JavaScript objects and Rust, instead of one per
// header: the request head goes in as one string, the response head comes out as one.
// Lines never contain "\n": HTTP forbids it in names and values.

const CF_FIELDS = ["country", "colo", "city", "region", "continent", "timezone", "asn", "httpProtocol", "clientIp"];

// The origin-form target of a request URL: path and query exactly as received (not
// re-encoded), no fragment; "/" when the URL has no path.
export function requestTarget(url) {
  let start = 0;
  const scheme = url.indexOf("://");
  if (scheme >= 0) {
    start = scheme + 3;
    while (start < url.length && !"/?#".includes(url[start])) start++;
  }
  const hash = url.indexOf("#", start);
  const target = hash < 0 ? url.slice(start) : url.slice(start, hash);
  return target.startsWith("/") ? target : "/" + target;
}

// "METHOD\nTARGET\n" + "name:value\n" per header.
export function faasade_request_head(req) {
  let out = req.method + "\n" + requestTarget(req.url) + "\n";
  for (const [name, value] of req.headers) out += name + ":" + value + "\n";
  return out;
}

// "field=value\n" per `cf` field set: read only when the app asks, since reading `req.cf` has
// workerd build the whole object (about 3 % of a hello world's latency).
export function faasade_request_cf(req) {
  let out = "";
  const cf = req.cf;
  if (cf) {
    for (const field of CF_FIELDS) {
      const value = cf[field];
      if (value !== undefined && value !== null && value !== "") out += field + "=" + value + "\n";
    }
  }
  return out;
}

// The body of a request or response, read chunk by chunk, so no more than `limit` bytes (and
// one chunk) are ever held: `undefined` once past `limit`, the rest left unread.
export async function faasade_read_body_limited(message, limit) {
  if (!message.body) return new Uint8Array(0);
  const reader = message.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

// `head` is "name:value\n" per header; `body` is a Uint8Array or undefined (no body).
export function faasade_response(status, head, body) {
  const headers = new Headers();
  for (const line of head.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.append(line.slice(0, colon), line.slice(colon + 1));
  }
  return new Response(body === undefined ? null : body, { status, headers });
}
