"""The peer of `signet bench documents`: pyHanko signing the same PDF with a local key
(PAdES B-B, ETSI.CAdES.detached, SHA-256), timed in-process.

usage: pyhanko_sign_bench.py KEY_PEM CERT_PEM INPUT_PDF ROUNDS
Prints one JSON line: {"seconds_per_document": float, "max_rss_kib": int}.
"""
import io
import json
import resource
import sys
import time

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

key, cert, pdf, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
signer = signers.SimpleSigner.load(key, cert, key_passphrase=None)
meta = signers.PdfSignatureMetadata(
    field_name="Sig1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
)
times = []
for _ in range(rounds):
    t0 = time.perf_counter()
    with open(pdf, "rb") as f:
        writer = IncrementalPdfFileWriter(f)
        out = io.BytesIO()
        signers.sign_pdf(writer, meta, signer=signer, output=out)
    times.append(time.perf_counter() - t0)
times.sort()
print(json.dumps({
    "seconds_per_document": times[len(times) // 2],
    "max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
