"""Recomputes CAdES archive-time-stamp-v3 imprints (ETSI EN 319 122-1 V1.1.1+ §5.5.3)
with asn1crypto, written from the clause, independently of Signet's Rust.

usage: cades_archive.py SIGNATURE [CONTENT]
  SIGNATURE  DER ContentInfo (SignedData) with archive-time-stamp-v3 attributes
  CONTENT    the signed content of a detached signature

For each archive-time-stamp-v3 token (ordered by genTime) prints, as one JSON object:
  computed  hex of the imprint per §5.5.3, using the token's own ats-hash-index-v3
  token     hex of the token's TSTInfo.messageImprint.hashedMessage
  hash      the imprint's hash algorithm
  entries_present  every index entry names an element still in the signature (§5.5.2)
  complete  the index names every element present other than this token itself
  der       hex of the token (with its ats-hash-index-v3)
"""
import hashlib
import json
import sys

from asn1crypto import algos, cms, core, tsp

ARCHIVE_TIME_STAMP_V3 = "0.4.0.1733.2.4"
ATS_HASH_INDEX_V3 = "0.4.0.19122.1.5"


class Hashes(core.SequenceOf):
    _child_spec = core.OctetString


class ATSHashIndexV3(core.Sequence):
    # §5.5.2: no DEFAULT on hashIndAlgorithm in the v3 syntax.
    _fields = [
        ("hash_ind_algorithm", algos.DigestAlgorithm),
        ("certificates_hash_index", Hashes),
        ("crls_hash_index", Hashes),
        ("unsigned_attr_values_hash_index", Hashes),
    ]


def attr_values(signer_info):
    """(type, value) for every value of every unsigned attribute, as encoded."""
    attrs = signer_info["unsigned_attrs"]
    if isinstance(attrs, core.Void):
        return []
    return [(a["type"].dump(), v.dump()) for a in attrs for v in a["values"]]


def elements(field):
    """The encodings of the elements of an optional SET OF field."""
    return [] if isinstance(field, core.Void) else [e.dump() for e in field]


def main() -> None:
    signed = cms.ContentInfo.load(open(sys.argv[1], "rb").read())["content"]
    encap = signed["encap_content_info"]
    if isinstance(encap["content"], core.Void):
        content = open(sys.argv[2], "rb").read()
    else:
        content = encap["content"].contents
    signer = signed["signer_infos"][0]
    certs = elements(signed["certificates"])
    crls = elements(signed["crls"])
    values = attr_values(signer)

    out = []
    unsigned = signer["unsigned_attrs"]
    for attr in [] if isinstance(unsigned, core.Void) else unsigned:
        if attr["type"].dotted != ARCHIVE_TIME_STAMP_V3:
            continue
        for value in attr["values"]:
            token = cms.ContentInfo.load(value.dump())
            token_signer = token["content"]["signer_infos"][0]
            indexes = [
                v for (t, v) in attr_values(token_signer)
                if t == core.ObjectIdentifier(ATS_HASH_INDEX_V3).dump()
            ]
            assert len(indexes) == 1, "exactly one ats-hash-index-v3 in the token"
            index_der = indexes[0]
            index = ATSHashIndexV3.load(index_der)
            name = index["hash_ind_algorithm"]["algorithm"].native
            h = lambda b: hashlib.new(name, b).digest()

            # §5.5.3: eContentType ‖ H(content) ‖ SignerInfo fields ‖ ATSHashIndexV3.
            data = encap["content_type"].dump() + h(content)
            for field in ("version", "sid", "digest_algorithm", "signed_attrs",
                          "signature_algorithm", "signature"):
                data += signer[field].dump()
            data += index_der

            present = {
                "certificates_hash_index": {h(c) for c in certs},
                "crls_hash_index": {h(c) for c in crls},
                "unsigned_attr_values_hash_index": {
                    h(t + v) for (t, v) in values
                    if (t, v) != (attr["type"].dump(), value.dump())
                },
            }
            entries_present = all(
                set(e.native for e in index[k]) <= present[k] for k in present
            )
            complete = all(
                sorted(e.native for e in index[k]) == sorted(present[k]) for k in present
            )
            tst = tsp.TSTInfo.load(token["content"]["encap_content_info"]["content"].contents)
            imprint = tst["message_imprint"]
            assert imprint["hash_algorithm"]["algorithm"].native == name
            out.append({
                "computed": hashlib.new(name, data).hexdigest(),
                "token": imprint["hashed_message"].native.hex(),
                "hash": name,
                "entries_present": entries_present,
                "complete": complete,
                "gen_time": tst["gen_time"].native.isoformat(),
                "der": value.dump().hex(),
            })
    out.sort(key=lambda t: t["gen_time"])
    print(json.dumps(out))


main()
