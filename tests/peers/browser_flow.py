"""A signer's whole journey through Signet's pages in a real browser (Chromium driven by
Playwright), with pyHanko on the application's side.

The application is a small loopback HTTP server in this script: it sends the browser to
Signet's authorization endpoint and receives the redirect back (its redirect URI), as a
real web application does; `page.route` would not see the redirect hops.

Runs, each in a fresh browser context (no shared session):
  consent  - OpenID Connect data access (scope "openid profile"): login page, consent
             page ("Allow"), back to the application with code, state and iss (RFC 9207);
             the code is redeemed (PKCE S256, public client), the ID token's nonce
             checked, userinfo read.
  sign     - CSC credential authorization (scope "credential", CSC API v2 section 8.4.2)
             of the digest of a PDF prepared by pyHanko (interrupted signing): login,
             approval page showing the digest, a wrong PIN first (the error shown), then
             the right PIN; the code is redeemed for a credential token that signHash
             accepts without SAD; the signature is embedded and pyHanko validates the PDF.
  remembered - a second data-access request in a new session: after the login the
             consent already given is not asked again and the browser lands back at the
             application.
  document - a PDF approved as itself: the application has Signet prepare a PAdES
             signature (documents/prepare), sends the browser with the DTBS/R and its
             document_transaction; the approval page frames the PDF (loaded by Chromium
             under the page's CSP, no refusal), the PIN approves, and the credential
             token completes the signature (documents/complete), which pyHanko validates.

Screenshots (full page, PNG) of each page go to --artefacts, with a basic accessibility
check of each (lang on <html>, one <h1>, every input labelled, every button named).

Used by crates/signet/tests/oidc_peers.rs. Prints one JSON object (the summary) and exits
0 when every check passed; on a failure the summary carries "failures" and the exit
status is 1 (2 when the script could not run at all).
"""
import argparse
import asyncio
import base64
import hashlib
import http.server
import io
import json
import os
import queue
import secrets
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

from asn1crypto import pem, x509
from playwright.sync_api import sync_playwright
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

# What PEERS.md prescribes for Debian's Chromium ("playwright install" cannot download).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SHA256_OID = "2.16.840.1.101.3.4.2.1"
ECDSA_SHA256_OID = "1.2.840.10045.4.3.2"
TIMEOUT_MS = 30_000


class Failure(Exception):
    """A check that did not hold: the message says what was expected and what came."""


def check(cond, message):
    if not cond:
        raise Failure(message)


def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64url_decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def jwt_claims(jwt: str) -> dict:
    return json.loads(b64url_decode(jwt.split(".")[1]))


# --- the application's side: its loopback listener and its back-channel calls ---------

class App:
    """The relying application: `/start?state=…` redirects the browser to the authorize
    URL prepared for that state; `/cb` is the redirect URI, whose query is handed over."""

    def __init__(self, listen: str):
        host, port = listen.rsplit(":", 1)
        check(host == "127.0.0.1", f"the application listens on loopback only, not {host}")
        self.pending = {}
        self.callbacks = queue.Queue()
        app = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
                if url.path == "/start" and query.get("state") in app.pending:
                    self.send_response(302)
                    self.send_header("Location", app.pending[query["state"]])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif url.path == "/favicon.ico":
                    self.send_response(204)
                    self.end_headers()
                elif url.path == "/cb":
                    app.callbacks.put(query)
                    body = (
                        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                        "<title>Back in the application</title></head><body>"
                        "<h1>Back in the application</h1></body></html>"
                    ).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((host, int(port)), Handler)
        self.base = f"http://{listen}"
        self.redirect_uri = f"{self.base}/cb"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def start_url(self, authorize_url: str) -> tuple:
        """A new request: (start URL for the browser, state, PKCE verifier, nonce)."""
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        verifier = secrets.token_urlsafe(48)  # RFC 7636 4.1: 43 to 128 characters
        challenge = b64url(hashlib.sha256(verifier.encode()).digest())
        sep = "&" if "?" in authorize_url else "?"
        self.pending[state] = authorize_url + sep + urllib.parse.urlencode({
            "redirect_uri": self.redirect_uri,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        })
        return f"{self.base}/start?state={state}", state, verifier, nonce

    def callback(self) -> dict:
        try:
            return self.callbacks.get(timeout=5)
        except queue.Empty:
            raise Failure("the application's redirect URI was never called") from None

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def http_call(method, url, *, form=None, json_body=None, token=None, basic=None):
    """(status, parsed JSON or text) of one request to Signet."""
    headers = {}
    if basic is not None:
        user_pass = base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
        headers["Authorization"] = f"Basic {user_pass}"
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode(errors="replace")


def redeem(args, code, verifier, redirect_uri):
    """`POST /oauth2/token`, authorization_code for a public client (RFC 6749 4.1.3,
    RFC 7636 4.5)."""
    status, tokens = http_call("POST", f"{args.issuer}/oauth2/token", form={
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": args.client_id,
        "code_verifier": verifier,
    })
    check(status == 200, f"token request: expected 200, got {status} {tokens}")
    return tokens


# --- the browser's side ----------------------------------------------------------------

A11Y_FACTS = """() => {
  const inputs = [...document.querySelectorAll('input, select, textarea')]
    .filter(e => !['hidden', 'submit', 'button', 'reset', 'image'].includes(e.type));
  const unlabelled = inputs.filter(e => !(e.labels && e.labels.length)
      && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
    .map(e => e.name || e.id || e.outerHTML);
  const unnamed = [...document.querySelectorAll('button, input[type=submit]')]
    .filter(b => !(b.innerText || b.value || b.getAttribute('aria-label') || '').trim())
    .map(b => b.outerHTML);
  return {
    lang: document.documentElement.getAttribute('lang'),
    title: document.title,
    h1: [...document.querySelectorAll('h1')].map(h => h.innerText.trim()),
    inputs: inputs.map(e => e.name),
    unlabelled, unnamed,
  };
}"""


class Pages:
    """Screenshots and accessibility facts of every page met, by name."""

    def __init__(self, artefacts):
        self.artefacts = artefacts
        self.shots = {}
        self.a11y = {}

    def record(self, page, name, expect_h1):
        path = os.path.join(self.artefacts, f"{name}.png")
        page.screenshot(path=path, full_page=True)
        self.shots[name] = path
        facts = page.evaluate(A11Y_FACTS)
        self.a11y[name] = facts
        check(facts["lang"], f"{name}: <html> has no lang attribute")
        check(facts["title"].strip(), f"{name}: the page has no <title>")
        check(len(facts["h1"]) == 1, f"{name}: expected one <h1>, found {facts['h1']}")
        check(expect_h1 in facts["h1"][0], f"{name}: <h1> {facts['h1']} is not {expect_h1!r}")
        check(not facts["unlabelled"], f"{name}: inputs without a label: {facts['unlabelled']}")
        check(not facts["unnamed"], f"{name}: buttons without a name: {facts['unnamed']}")


def new_page(browser, console):
    ctx = browser.new_context(viewport={"width": 800, "height": 900}, locale="en-GB")
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("console", lambda m: console.append(f"{m.type}: {m.text} ({m.location.get('url', '')})") if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    return ctx, page


def wait_for(page, prefix, what, console):
    """Waits until the browser shows a URL starting with `prefix`; on a timeout, says
    where it stayed and what the console reported (a CSP refusal shows there)."""
    try:
        page.wait_for_url(lambda u: u.startswith(prefix), timeout=TIMEOUT_MS)
    except Exception:
        body = page.locator("body").inner_text()[:600]
        raise Failure(
            f"{what}: the browser stayed at {page.url} (expected {prefix}…); "
            f"page says: {body!r}; console: {console}"
        ) from None


def login(page, args, pages, console, shot=None):
    """On the login page: fill the form and press "Log in"; the post must be accepted
    (a 303 onwards, or the page again with an error)."""
    check("/oauth2/interaction/" in page.url, f"expected the login page, at {page.url}")
    if shot:
        pages.record(page, shot, "Log in")
    page.get_by_label("User name").fill(args.user)
    page.get_by_label("Password").fill(args.password)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Log in").click()
    answer = posted.value
    sent = answer.request.all_headers()
    if answer.status != 303:
        page.wait_for_load_state()
        raise Failure(
            f"the login form's POST {answer.url} was answered {answer.status}, expected 303; "
            f"the browser sent Origin: {sent.get('origin')!r}, Sec-Fetch-Site: "
            f"{sent.get('sec-fetch-site')!r}, Referer: {sent.get('referer')!r}; "
            f"the page says {page.locator('main').inner_text()[:300]!r}"
        )
    return answer.headers.get("location", "")


def wait_for_page(page, h1, what, console):
    """Waits for the page whose <h1> says `h1`."""
    try:
        page.locator("h1", has_text=h1).wait_for(timeout=TIMEOUT_MS)
    except Exception:
        body = page.locator("body").inner_text()[:600]
        raise Failure(
            f"{what}: expected the page {h1!r}, the browser is at {page.url} showing "
            f"{body!r}; console: {console}"
        ) from None


def no_csp_refusal(console, what):
    refused = [m for m in console if "Content Security Policy" in m]
    check(not refused, f"{what}: the browser refused something under the page's CSP: {refused}")


def consent_run(browser, app, args, pages, out):
    console = []
    ctx, page = new_page(browser, console)
    try:
        authorize = f"{args.issuer}/oauth2/authorize?" + urllib.parse.urlencode({
            "response_type": "code", "client_id": args.client_id, "scope": "openid profile",
        })
        start, state, verifier, nonce = app.start_url(authorize)
        page.goto(start)
        login(page, args, pages, console, shot="login")
        wait_for_page(page, "Share your information", "after the login", console)
        pages.record(page, "consent", "Share your information")
        claims = page.locator("ul.claims").inner_text()
        check("name" in claims, f"the consent page does not list the claim name: {claims!r}")
        page.get_by_role("button", name="Allow").click()
        wait_for(page, app.redirect_uri, "after Allow", console)
        back = app.callback()
        check(back.get("state") == state, f"state: expected {state}, got {back}")
        check(back.get("iss") == args.issuer, f"iss (RFC 9207): expected {args.issuer}, got {back}")
        check("code" in back, f"no code in the redirect: {back}")
        tokens = redeem(args, back["code"], verifier, app.redirect_uri)
        id_token = jwt_claims(tokens["id_token"])
        check(id_token.get("nonce") == nonce, f"nonce: expected {nonce}, got {id_token}")
        check(id_token.get("aud") in (args.client_id, [args.client_id]), f"aud: {id_token}")
        status, info = http_call("GET", f"{args.issuer}/oidc/userinfo", token=tokens["access_token"])
        check(status == 200, f"userinfo: expected 200, got {status} {info}")
        check(info.get("sub") == id_token.get("sub"), f"userinfo sub {info} vs ID token {id_token}")
        no_csp_refusal(console, "consent")
        out["consent"] = {
            "state_ok": True, "iss_ok": True, "nonce_ok": True,
            "scope": tokens.get("scope"), "id_token": id_token, "userinfo": info,
            "console_errors": console,
        }
    finally:
        ctx.close()


def remembered_run(browser, app, args, pages, out):
    """A new session for the same client and scopes: the consent is not asked again."""
    console = []
    ctx, page = new_page(browser, console)
    try:
        authorize = f"{args.issuer}/oauth2/authorize?" + urllib.parse.urlencode({
            "response_type": "code", "client_id": args.client_id, "scope": "openid profile",
        })
        start, state, verifier, _ = app.start_url(authorize)
        page.goto(start)
        login(page, args, pages, console)
        # The login's 303 leads (possibly through the interaction page) straight back to
        # the client: a redirect chain started by the login form, so the login page's
        # CSP form-action must allow the client's origin.
        wait_for(page, app.redirect_uri, "after the login, consent already given", console)
        back = app.callback()
        check(back.get("state") == state and "code" in back, f"redirect: {back}")
        redeem(args, back["code"], verifier, app.redirect_uri)
        no_csp_refusal(console, "remembered")
        out["remembered"] = {"back_without_consent": True, "console_errors": console}
    finally:
        ctx.close()


def credential_authorize_url(args, digest, description, **extra):
    """CSC API v2 8.4.2: oauth2/authorize with scope "credential" for one digest."""
    return f"{args.issuer}/csc/v1/oauth2/authorize?" + urllib.parse.urlencode({
        "response_type": "code",
        "client_id": args.client_id,
        "scope": "credential",
        "credentialID": args.credential,
        "numSignatures": "1",
        "hash": b64url(digest),
        "description": description,
        **extra,
    })


def sign_run(browser, app, args, pages, out, digest):
    console = []
    ctx, page = new_page(browser, console)
    try:
        authorize = credential_authorize_url(
            args, digest, "Browser test contract", hashAlgorithmOID=SHA256_OID,
        )
        start, state, verifier, _ = app.start_url(authorize)
        page.goto(start)
        login(page, args, pages, console)
        wait_for_page(page, "Approve the signature", "after the login", console)
        pages.record(page, "approve", "Approve the signature")
        text = page.locator("main").inner_text()
        check(digest.hex() in text, f"the approval page does not show the digest {digest.hex()}: {text!r}")
        check("Browser test contract" in text, f"the approval page lacks the description: {text!r}")
        # A wrong PIN first: the page stays, says so.
        page.get_by_label("Signing PIN").fill("000000")
        with page.expect_navigation():
            page.get_by_role("button", name="Sign").click()
        alert = page.get_by_role("alert")
        check(alert.count() == 1, f"no error shown after a wrong PIN: {page.locator('body').inner_text()[:400]!r}")
        wrong_pin = alert.inner_text()
        check("Wrong PIN" in wrong_pin, f"the error after a wrong PIN: {wrong_pin!r}")
        pages.record(page, "approve-wrong-pin", "Approve the signature")
        page.get_by_label("Signing PIN").fill(args.pin)
        page.get_by_role("button", name="Sign").click()
        wait_for(page, app.redirect_uri, "after Sign", console)
        back = app.callback()
        check(back.get("state") == state, f"state: expected {state}, got {back}")
        check(back.get("iss") == args.issuer, f"iss (RFC 9207): expected {args.issuer}, got {back}")
        tokens = redeem(args, back["code"], verifier, app.redirect_uri)
        check(tokens.get("scope") == "credential", f"token scope: {tokens}")
        # signHash with the credential token in place of a SAD.
        status, signed = http_call(
            "POST", f"{args.issuer}/csc/v1/signatures/signHash", token=tokens["access_token"],
            json_body={
                "credentialID": args.credential,
                "hash": [base64.b64encode(digest).decode()],
                "hashAlgo": SHA256_OID,
                "signAlgo": ECDSA_SHA256_OID,
            },
        )
        check(status == 200, f"signHash: expected 200, got {status} {signed}")
        no_csp_refusal(console, "sign")
        out["sign"] = {
            "state_ok": True, "iss_ok": True, "token_scope": tokens.get("scope"),
            "digest": digest.hex(), "approval_shows_digest": True,
            "wrong_pin_error": wrong_pin, "console_errors": console,
        }
        return base64.b64decode(signed["signatures"][0])
    finally:
        ctx.close()


def document_run(browser, app, args, pages, out):
    """The approval of a PDF that Signet prepared: the page frames the document itself."""
    status, login_answer = http_call(
        "POST", f"{args.issuer}/csc/v1/auth/login", json_body={}, basic=(args.user, args.password),
    )
    check(status == 200, f"auth/login: expected 200, got {status} {login_answer}")
    status, prepared = http_call(
        "POST", f"{args.issuer}/api/v1/documents/prepare", token=login_answer["access_token"],
        json_body={
            "credentialID": args.credential, "format": "pades", "level": "B-B",
            "document": base64.b64encode(minimal_pdf()).decode(),
        },
    )
    check(status == 201, f"documents/prepare: expected 201, got {status} {prepared}")
    transaction = prepared["transactionID"]
    dtbsr = base64.b64decode(prepared["hashes"][0])
    console = []
    ctx, page = new_page(browser, console)
    framed, failed = [], []
    page.on("response", lambda r: framed.append(r) if r.url.endswith("/document") else None)
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        authorize = credential_authorize_url(
            args, dtbsr, "Browser test PDF", document_transaction=transaction,
        )
        start, state, verifier, _ = app.start_url(authorize)
        page.goto(start)
        login(page, args, pages, console)
        wait_for_page(page, "Approve the signature", "after the login", console)
        page.wait_for_load_state("load")
        for _ in range(50):  # the frame's request, made by the page as it loads
            if framed:
                break
            page.wait_for_timeout(100)
        check(framed, f"the approval page did not load the document into its frame; console: {console}")
        shown = framed[0]
        check(shown.status == 200, f"the framed document: expected 200, got {shown.status}")
        check(
            shown.headers.get("content-type") == "application/pdf",
            f"the framed document's type: {shown.headers.get('content-type')}",
        )
        frames = [f.url for f in page.frames if f.url.endswith("/document")]
        check(frames, f"no frame shows the document: {[f.url for f in page.frames]}")
        pages.record(page, "approve-document", "Approve the signature")
        text = page.locator("main").inner_text()
        check(dtbsr.hex() in text, f"the approval page does not show the DTBS/R {dtbsr.hex()}: {text!r}")
        pin = page.get_by_label("Signing PIN")
        pin.fill(args.pin)
        check(pin.input_value() == args.pin, "the PIN field did not keep the PIN")
        # Submitted from the keyboard (Enter: the form's first button, Sign): a click can
        # land on the PDF viewer while it lays itself out in the frame above the form.
        with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/approve")):
            pin.press("Enter")
        wait_for(page, app.redirect_uri, "after Sign", console)
        back = app.callback()
        check(back.get("state") == state, f"state: expected {state}, got {back}")
        tokens = redeem(args, back["code"], verifier, app.redirect_uri)
        status, done = http_call(
            "POST", f"{args.issuer}/api/v1/documents/complete", token=tokens["access_token"],
            json_body={"transactionID": transaction},
        )
        check(status == 200, f"documents/complete: expected 200, got {status} {done}")
        no_csp_refusal(console, "document")
        out["document"] = {
            "framed_status": shown.status, "framed_type": shown.headers.get("content-type"),
            "frame_urls": frames, "console_errors": console, "failed_requests": failed,
        }
        return base64.b64decode(done["document"])
    finally:
        ctx.close()


# --- the PDF: pyHanko's interrupted signing ------------------------------------------

def minimal_pdf() -> bytes:
    """A one-page PDF, written with exact xref offsets."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n" % (len(objects) + 1))
    out.write(b"0000000000 65535 f \n")
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


class PreparedPdf:
    """A PAdES B-B signature prepared up to its signed attributes (pyHanko "interrupted
    signing"): the digest to sign is SHA-256 of their DER (RFC 5652 5.4)."""

    def __init__(self, info_path):
        with open(info_path) as f:
            info = json.load(f)
        certs = [x509.Certificate.load(base64.b64decode(c)) for c in info["cert"]["certificates"]]
        self.cert, self.registry = certs[0], SimpleCertificateStore.from_certs(certs)

    async def prepare(self):
        signer = signers.ExternalSigner(self.cert, self.registry, signature_value=256)
        meta = signers.PdfSignatureMetadata(
            field_name="Sig1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        )
        pdf_signer = signers.PdfSigner(meta, signer=signer)
        writer = IncrementalPdfFileWriter(io.BytesIO(minimal_pdf()))
        self.prep, tbs, self.output = await pdf_signer.async_digest_doc_for_signing(writer)
        self.post_sign = tbs.post_sign_instructions
        self.signed_attrs = await signer.signed_attrs(
            self.prep.document_digest, "sha256", use_pades=True,
        )
        return hashlib.sha256(self.signed_attrs.dump()).digest()

    async def finish(self, signature: bytes) -> bytes:
        signer = signers.ExternalSigner(self.cert, self.registry, signature_value=signature)
        cms = await signer.async_sign_prescribed_attributes("sha256", signed_attrs=self.signed_attrs)
        await PdfTBSDocument.async_finish_signing(
            self.output, self.prep, cms, post_sign_instr=self.post_sign,
        )
        return self.output.getvalue()


async def validate(signed: bytes, root_path: str) -> dict:
    with open(root_path, "rb") as f:
        _, _, der = pem.unarmor(f.read())
    context = ValidationContext(trust_roots=[x509.Certificate.load(der)])
    reader = PdfFileReader(io.BytesIO(signed))
    status = await async_validate_pdf_signature(reader.embedded_signatures[0], context)
    return {
        "valid": bool(status.bottom_line), "intact": bool(status.intact),
        "trusted": bool(status.trusted), "coverage": status.coverage.name,
        "summary": status.summary(),
    }


def pyhanko_cli(pdf_path, root_path) -> str:
    """`pyhanko sign validate` (the CLI beside this Python) on the written file."""
    cli = os.path.join(os.path.dirname(sys.executable), "pyhanko")
    r = subprocess.run(
        [cli, "sign", "validate", "--executive-summary", "--trust-replace", "--trust", root_path, pdf_path],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return (r.stdout + r.stderr).strip()


# --- main ------------------------------------------------------------------------------

def run(args, summary):
    os.makedirs(args.artefacts, exist_ok=True)
    pdf = digest = None
    if "sign" in args.runs:
        pdf = PreparedPdf(args.credential_info)
        digest = asyncio.run(pdf.prepare())
    app = App(args.app_listen)
    pages = Pages(args.artefacts)
    summary["screenshots"] = pages.shots
    summary["accessibility"] = pages.a11y
    failures = summary["failures"]
    signature = signed_document = None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            summary["browser"] = f"Chromium {browser.version}"
            try:
                runs = {
                    "consent": lambda: consent_run(browser, app, args, pages, summary),
                    "sign": lambda: sign_run(browser, app, args, pages, summary, digest),
                    "remembered": lambda: remembered_run(browser, app, args, pages, summary),
                    "document": lambda: document_run(browser, app, args, pages, summary),
                }
                for name in args.runs:
                    run_one = runs[name]
                    try:
                        result = run_one()
                        if name == "sign":
                            signature = result
                        elif name == "document":
                            signed_document = result
                    except Failure as e:
                        failures.append(f"{name}: {e}")
                    except Exception as e:  # a browser step that broke: same report
                        failures.append(f"{name}: {type(e).__name__}: {e}")
            finally:
                browser.close()
    finally:
        app.stop()
    if signature is not None:
        signed = asyncio.run(pdf.finish(signature))
        judge_pdf(args, summary, "pdf", "signed.pdf", signed)
    if signed_document is not None:
        judge_pdf(args, summary, "document_pdf", "signed-document.pdf", signed_document)


def judge_pdf(args, summary, key, name, signed):
    """Writes the signed PDF to the artefacts and has pyHanko (library and CLI) judge it."""
    path = os.path.join(args.artefacts, name)
    with open(path, "wb") as f:
        f.write(signed)
    verdict = asyncio.run(validate(signed, args.root))
    verdict["cli"] = pyhanko_cli(path, args.root)
    summary[key] = {"path": path, **verdict}
    failures = summary["failures"]
    if not (verdict["valid"] and verdict["intact"] and verdict["trusted"]):
        failures.append(f"{key}: pyHanko does not find the signature valid: {verdict}")
    if not any(line.endswith(":VALID") for line in verdict["cli"].splitlines()):
        failures.append(f"{key}: pyhanko sign validate: {verdict['cli']}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--issuer", required=True, help="Signet's public URL, http://127.0.0.1:PORT")
    p.add_argument("--client-id", required=True, help="a public client allowing openid, profile, credential")
    p.add_argument("--app-listen", required=True, help="127.0.0.1:PORT; http://…/cb is the client's redirect URI")
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--pin", required=True)
    p.add_argument("--credential", help="for the sign run")
    p.add_argument("--credential-info", help="for the sign run: credentials/info answer (certificates chain), JSON file")
    p.add_argument("--root", help="for the sign run: root CA, PEM, trusted to validate the PDF")
    p.add_argument("--artefacts", required=True, help="directory for the screenshots and the signed PDF")
    p.add_argument(
        "--runs", default="consent,sign,remembered",
        help="comma-separated, in order: consent, sign, remembered (after consent, same server), document",
    )
    args = p.parse_args()
    args.runs = args.runs.split(",")
    unknown = set(args.runs) - {"consent", "sign", "remembered", "document"}
    if unknown:
        p.error(f"unknown runs: {unknown}")
    if "sign" in args.runs and not (args.credential and args.credential_info and args.root):
        p.error("the sign run needs --credential, --credential-info and --root")
    if "document" in args.runs and not (args.credential and args.root):
        p.error("the document run needs --credential and --root")
    args.issuer = args.issuer.rstrip("/")
    summary = {"failures": []}
    try:
        run(args, summary)
    except Exception as e:  # could not run at all: say why
        summary["failures"].append(f"error: {type(e).__name__}: {e}")
        print(json.dumps(summary, indent=1))
        sys.exit(2)
    summary["ok"] = not summary["failures"]
    print(json.dumps(summary, indent=1))
    sys.exit(0 if summary["ok"] else 1)


if __name__ == "__main__":
    main()
