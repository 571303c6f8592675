"""Validates a detached CAdES signature with pyHanko's CMS validation (the peer).

usage: cades_validate.py DATA SIGNATURE ROOT_DER TSA_ROOT_DER UNIX_TIME
Prints one JSON object: intact, valid, trusted, timestamp (null or its validity).
"""
import asyncio
import datetime
import json
import sys

from asn1crypto import cms, x509
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext


def main() -> None:
    data = open(sys.argv[1], "rb").read()
    signed = cms.ContentInfo.load(open(sys.argv[2], "rb").read())["content"]
    root = x509.Certificate.load(open(sys.argv[3], "rb").read())
    tsa_root = x509.Certificate.load(open(sys.argv[4], "rb").read())
    moment = datetime.datetime.fromtimestamp(int(sys.argv[5]), tz=datetime.timezone.utc)

    def context(anchor):
        return ValidationContext(
            trust_roots=[anchor], moment=moment, allow_fetching=False, revocation_mode="soft-fail"
        )

    status = asyncio.run(
        async_validate_detached_cms(
            data,
            signed,
            signer_validation_context=context(root),
            ts_validation_context=context(tsa_root),
        )
    )
    ts = status.timestamp_validity
    print(
        json.dumps(
            {
                "intact": status.intact,
                "valid": status.valid,
                "trusted": status.trusted,
                "timestamp": None
                if ts is None
                else {"intact": ts.intact, "valid": ts.valid, "trusted": ts.trusted, "time": ts.timestamp.isoformat()},
            }
        )
    )


main()
