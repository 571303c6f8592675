// An OpenID Connect relying party against Signet: openid-client 6 (panva), a certified
// RP library, does what a web application does — discovery, the authorization URL with
// PKCE (S256), state and nonce, then the code grant, which checks the authorization
// response (state, iss per RFC 9207), the ID token (signature with the JWKS, iss, aud,
// exp, nonce, at_hash) — and userinfo (sub matching the ID token's).
//
// The user's part (login page, consent page) is played with plain HTTP: a cookie jar,
// each redirect followed by hand, the CSRF field read from the form.
//
//   node tests/peers/oidc_rp.mjs --issuer http://127.0.0.1:PORT --client-id ID \
//        --redirect-uri URI --user ada --password PASSWORD
//
// Used by crates/signet/tests/oidc_peers.rs. Prints one JSON object
// {id_token_claims, userinfo, checks}; exits 1 with {"error": …} on any failure.
import { parseArgs } from "node:util";
import * as client from "openid-client";

const { values: args } = parseArgs({
  options: {
    issuer: { type: "string" },
    "client-id": { type: "string" },
    "redirect-uri": { type: "string" },
    user: { type: "string" },
    password: { type: "string" },
    scope: { type: "string", default: "openid profile" },
  },
});
for (const k of ["issuer", "client-id", "redirect-uri", "user", "password"]) {
  if (!args[k]) fail(`--${k} is required`);
}

function fail(message) {
  console.log(JSON.stringify({ error: message }));
  process.exit(1);
}

/** A browser's cookie jar and redirect handling, one request at a time. */
class Browser {
  constructor(origin) {
    this.origin = origin;
    this.cookies = new Map();
  }

  async request(url, init = {}) {
    const headers = new Headers(init.headers);
    if (this.cookies.size) {
      headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const res = await fetch(new URL(url, this.origin), { ...init, headers, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    return { status: res.status, location: res.headers.get("location"), body: await res.text() };
  }

  /** GETs `url` and follows redirects on this server; stops at one leaving it. */
  async follow(answer) {
    while (answer.status >= 300 && answer.status < 400) {
      const next = new URL(answer.location, this.origin);
      if (next.origin !== this.origin) return { ...answer, location: next.href };
      answer = await this.request(next);
    }
    return answer;
  }

  /** Posts the page's form (its action, its csrf field) with `fields`. */
  async submit(page, fields) {
    const action = page.body.match(/<form method="post" action="([^"]+)"/)?.[1];
    const csrf = page.body.match(/name="csrf" value="([^"]*)"/)?.[1];
    if (!action || csrf === undefined) throw new Error(`no form on the page: ${page.body.slice(0, 400)}`);
    return this.request(action.replaceAll("&amp;", "&"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: this.origin },
      body: new URLSearchParams({ csrf, ...fields }),
    });
  }
}

async function main() {
  const issuer = new URL(args.issuer);
  // Discovery (OpenID Connect Discovery 1.0 section 4); the issuer is plain http on
  // loopback, which openid-client refuses unless told. enableNonRepudiationChecks: the
  // ID token's signature is verified with the JWKS (by default openid-client trusts the
  // TLS channel of the token response instead).
  const config = await client.discovery(issuer, args["client-id"], undefined, client.None(), {
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
  });
  const meta = config.serverMetadata();
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: args["redirect-uri"],
    scope: args.scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });

  const browser = new Browser(issuer.origin);
  let page = await browser.follow(await browser.request(url));
  if (page.status !== 200 || !page.body.includes("Log in")) {
    throw new Error(`expected the login page, got ${page.status}: ${page.body.slice(0, 400)}`);
  }
  page = await browser.submit(page, { username: args.user, password: args.password });
  if (page.status !== 303) throw new Error(`login answered ${page.status}: ${page.body.slice(0, 400)}`);
  page = await browser.follow(page);
  let consented = false;
  if (page.status === 200 && page.body.includes("Share your information")) {
    consented = true;
    page = await browser.follow(await browser.submit(page, { decision: "allow" }));
  }
  if (page.status !== 303 || !page.location.startsWith(args["redirect-uri"])) {
    throw new Error(`expected the redirect to the client, got ${page.status} ${page.location}: ${page.body.slice(0, 400)}`);
  }

  // The code grant: validates the authorization response (state, iss), redeems the code
  // with the verifier, and validates the ID token (JWKS signature, nonce, at_hash …).
  const tokens = await client.authorizationCodeGrant(config, new URL(page.location), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  const callback = new URL(page.location).searchParams;
  console.log(JSON.stringify({
    id_token_claims: claims,
    userinfo,
    token_type: tokens.token_type,
    scope: tokens.scope,
    checks: {
      discovery_issuer: meta.issuer,
      iss_parameter_supported: meta.authorization_response_iss_parameter_supported === true,
      iss_returned: callback.get("iss"),
      state_matched: callback.get("state") === state,
      nonce_matched: claims.nonce === nonce,
      at_hash_present: typeof claims.at_hash === "string",
      consent_page_shown: consented,
      id_token_signature_verified: true,
      id_token_alg: JSON.parse(Buffer.from(tokens.id_token.split(".")[0], "base64url")).alg,
    },
  }));
}

main().catch((e) => fail(`${e.name}: ${e.message}${e.code ? ` (${e.code})` : ""}${e.cause ? ` cause: ${JSON.stringify(e.cause)}` : ""}`));
