"""A loopback-only OCSP responder for tests: an HTTP server bound to 127.0.0.1 that
answers each POSTed OCSP request (RFC 6960 Appendix A.1) with `openssl ocsp -reqin …
-respout …` (OpenSSL's own `-port` server listens on every interface).

usage: ocsp_responder.py PORT INDEX CA_CERT SIGNER_CERT SIGNER_KEY [NMIN]
"""
import http.server
import subprocess
import sys
import tempfile

PORT, INDEX, CA, SIGNER, KEY = sys.argv[1:6]
NMIN = sys.argv[6] if len(sys.argv) > 6 else "60"


class Responder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with tempfile.TemporaryDirectory() as d:
            req, resp = f"{d}/req.der", f"{d}/resp.der"
            with open(req, "wb") as f:
                f.write(body)
            done = subprocess.run(
                ["openssl", "ocsp", "-index", INDEX, "-CA", CA, "-rsigner", SIGNER,
                 "-rkey", KEY, "-nmin", NMIN, "-reqin", req, "-respout", resp],
                capture_output=True,
            )
            if done.returncode != 0:
                self.send_error(500, done.stderr.decode(errors="replace")[:200])
                return
            with open(resp, "rb") as f:
                answer = f.read()
        self.send_response(200)
        self.send_header("Content-Type", "application/ocsp-response")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
        print("OCSP answered", flush=True)


http.server.HTTPServer(("127.0.0.1", int(PORT)), Responder).serve_forever()
