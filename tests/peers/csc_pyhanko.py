"""Signs a PDF through Signet's CSC API with pyHanko's CSC client (a real CSC
client), then validates the result with pyHanko against the given root CA.

Used by crates/signet/tests/csc_pyhanko.rs. Prints one JSON line:
{"valid": bool, "summary": str, "mechanism": str}. Exits 0 when signing ran
(valid or not), non-zero when it could not sign.
"""
import argparse
import asyncio
import io
import json
import sys

import aiohttp
from asn1crypto import pem, x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationManager,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


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


class PinAuthorization(CSCAuthorizationManager):
    """Calls credentials/authorize with the signer's PIN; pins the hashes when
    the credential is SCAL 2, authorises a count when it is SCAL 1."""

    def __init__(self, session_info, credential_info, session, pin):
        super().__init__(session_info, credential_info)
        self.session = session
        self.pin = pin

    async def authorize_signature(self, hash_b64s):
        pinned = hash_b64s if self.credential_info.hash_pinning_required else None
        body = self.format_csc_auth_request(
            num_signatures=len(hash_b64s), pin=self.pin, hash_b64s=pinned,
            description="pyHanko end-to-end test",
        )
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        async with self.session.post(url, headers=self.auth_headers, json=body) as r:
            data = await r.json()
            if r.status != 200:
                raise RuntimeError(f"credentials/authorize: {r.status} {data}")
        return self.parse_csc_auth_response(data)


async def run(args):
    async with aiohttp.ClientSession() as session:
        login = f"{args.url}/csc/v1/auth/login"
        basic = aiohttp.encode_basic_auth(args.user, args.password)
        async with session.post(login, headers={"Authorization": basic}, json={}) as r:
            data = await r.json()
            if r.status != 200:
                raise RuntimeError(f"auth/login: {r.status} {data}")
            token = data["access_token"]
        info = CSCServiceSessionInfo(args.url, args.credential, oauth_token=token)
        credential = await fetch_certs_in_csc_credential(session, info)
        auth = PinAuthorization(info, credential, session, args.pin)
        signer = CSCSigner(session, auth)
        if args.pss:
            # Signet's PSS: MGF1 with the same hash, salt as long as the hash (RFC 8017 §9.1).
            from asn1crypto import algos
            signer._signature_mechanism = algos.SignedDigestAlgorithm({  # CSCSigner takes no such argument
                "algorithm": "rsassa_pss",
                "parameters": algos.RSASSAPSSParams({
                    "hash_algorithm": {"algorithm": args.md},
                    "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": args.md}},
                    "salt_length": {"sha256": 32, "sha384": 48, "sha512": 64}[args.md],
                }),
            })
        writer = IncrementalPdfFileWriter(io.BytesIO(minimal_pdf()))
        meta = signers.PdfSignatureMetadata(
            field_name="Sig1", md_algorithm=args.md,
            # --pades: a PAdES B-B signature (ETSI.CAdES.detached), as pyHanko makes them.
            subfilter=fields.SigSeedSubFilter.PADES if args.pades else None,
        )
        out = await signers.async_sign_pdf(writer, meta, signer=signer)
        signed = out.getvalue()
    with open(args.output, "wb") as f:
        f.write(signed)

    with open(args.root, "rb") as f:
        _, _, der = pem.unarmor(f.read())
    context = ValidationContext(trust_roots=[x509.Certificate.load(der)])
    reader = PdfFileReader(io.BytesIO(signed))
    status = await async_validate_pdf_signature(reader.embedded_signatures[0], context)
    print(json.dumps({
        "valid": bool(status.bottom_line),
        "intact": bool(status.intact),
        "trusted": bool(status.trusted),
        "mechanism": status.md_algorithm,
        "summary": status.summary(),
    }))


def main():
    p = argparse.ArgumentParser()
    for name in ("url", "user", "password", "pin", "credential", "root", "output"):
        p.add_argument(f"--{name}", required=True)
    p.add_argument("--md", default="sha256")
    p.add_argument("--pss", action="store_true")
    p.add_argument("--pades", action="store_true")
    args = p.parse_args()
    try:
        asyncio.run(run(args))
    except Exception as e:  # report, non-zero exit
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        sys.exit(2)


if __name__ == "__main__":
    main()
