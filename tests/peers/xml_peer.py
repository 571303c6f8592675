#!/usr/bin/env python3
"""Independent XML-signature peer for Signet's XAdES tests (lxml, signxml, asn1crypto).
Written from the specifications, never from Signet's Rust. Each subcommand prints ONE JSON
object on stdout and exits 0 when it ran (the verdict is in the JSON); usage errors exit 2.

  signxml-verify --xml F --ca ROOT_PEM [--xades] [--expect-references N] [--time UNIX] [--webpki]
      -> {"valid", "error", "references"}
  sign --tool signxml|xmlsec1 --xml F --key KEY_PEM --cert CERT_PEM --out OUT [--xades] [--alg URI]
      -> {"ok", "error"}: a *foreign* enveloped signature (Reference URI="", enveloped-signature
         + exc-c14n, SHA-256; RSA -> rsa-sha256, EC -> ecdsa-sha256 unless --alg)
  xades-inspect --xml F [--detached URI=FILE ...] [--nodeset-c14n timestamp|c14n10]
      -> time-stamps with the imprint they SHOULD carry, validation data, level;
         "reference_digests": per ds:Reference, whether this script's dereferencing+transforms
         reproduce its DigestValue (node-sets as C14N 1.0) -- a check on step 3) below

What signxml 4.5 (signxml/verifier.py, signxml/xades/xades.py) needs and checks:
  * the first ds:Signature in document order (location ".//"); the ds:Signature element is
    schema-validated (XMLVerifier: xmldsig1-schema.xsd; XAdESVerifier: the bundled XAdES 1.3.2
    + 1.4.1 schemas, so element order inside SignedSignatureProperties etc. must follow the XSD;
    xadesv141:* children of UnsignedSignatureProperties are accepted through xsd:any ##other).
  * X.509 only: ds:KeyInfo/ds:X509Data/ds:X509Certificate (signer first, chain after, any
    order tried both ways), chain built by `cryptography.x509.verification` to the --ca file
    (the only trust anchor) at the current time (or --time). signxml's defaults are the Web PKI
    policies of a TLS *client* verifier (EE needs subjectAltName, clientAuth if EKU present);
    document-signing certificates are not TLS certificates, so this script relaxes the EE
    extension policy to permit_all() and keeps webpki_defaults_ca() for CAs (--webpki restores
    signxml's defaults). A ds:KeyValue next to X509Data must match the certificate's key.
  * SignatureMethod: no SHA-1; RSA PKCS#1 v1.5, RSA-PSS (xmldsig-more#sha256-rsa-MGF1: MGF1
    with the same hash, salt length = hash length), ECDSA (SignatureValue = raw r||s, exactly
    2*ceil(bits/8) octets). Digest methods: no SHA-1. With RSA-PSS, a ds:KeyValue next to the
    X509Data makes signxml raise NotImplementedError (its key-match check knows no PSS names).
  * References: URI="" (whole document), "#id" resolved over attributes whose local name is
    Id, ID, id (or xml:id) -- no DTD/ID registration needed, but an id matching >1 element is an
    error; external URIs refused. Transforms: enveloped-signature, base64, the C14N family
    (incl. exclusive InclusiveNamespaces PrefixList); XPath/XPath-Filter/XSLT are silently
    IGNORED (digest mismatch). A node-set reference without a c14n transform is canonicalized
    with C14N 1.1 (signxml's default_reference_c14n_method; lxml does 1.0 either way).
    Two departures from the clauses (InvalidDigest / InvalidSignature where xmlsec1 verifies):
    URI="" with a #WithComments transform keeps the document's comments (XMLDSig 4.4.3.3
    removes them), and an inclusive C14N of a subtree (ds:SignedInfo, a "#id" reference) drops
    the xml:* attributes it inherits (C14N 1.0 2.4) -- judge such signatures with xmlsec1.
  * The number of ds:Reference must equal expect_references (XAdES default 3: data, KeyInfo,
    SignedProperties -- the SignedProperties reference COUNTS; without --expect-references any
    number is accepted here and reported).
  * XAdES: one reference must dereference to xades:SignedProperties (1.3.2 namespace; its Type
    attribute is not checked); it must contain exactly one of SigningCertificate /
    SigningCertificateV2, and EVERY xades:Cert/CertDigest in it must equal the digest of the
    FIRST ds:X509Certificate of ds:KeyInfo (so only the signer's certificate may be listed).
    IssuerSerialV2, SigningTime, DataObjectFormat and all unsigned properties are not checked.

xades-inspect reads the first ds:Signature having ds:Object/xades:QualifyingProperties.
  SignatureTimeStamp (EN 319 132-1 V1.1.1 5.3): input = the ds:SignatureValue element,
    canonicalized (clause 4.5) with the time-stamp's own ds:CanonicalizationMethod.
  xadesv141:ArchiveTimeStamp, not distributed case (EN 319 132-1 V1.2.1+ 5.5.2.3, = V1.1.1
    5.5.2.2; validation variant of step 5), concatenation in this order:
    3) each ds:Reference of ds:SignedInfo in order: dereference (XMLDSig 4.4.3.2: "" = the
       document, "#id" = that element's subtree, both without comments; other URIs from
       --detached), apply its transforms; a node-set result (no transforms, or last transform
       not a c14n) is canonicalized "as specified in clause 4.5", i.e. with the time-stamp's
       ds:CanonicalizationMethod (as DSS and xades4j do; --nodeset-c14n c14n10 uses XMLDSig's
       default C14N 1.0 instead);
    4) ds:SignedInfo, ds:SignatureValue, ds:KeyInfo (if present), each canonicalized;
    5) EVERY element child of xades:UnsignedSignatureProperties that precedes this
       ArchiveTimeStamp, in order (whatever its kind: SignatureTimeStamp, CertificateValues,
       RevocationValues, TimeStampValidationData, earlier ArchiveTimeStamps, ...);
    6) every ds:Object child of ds:Signature except the one whose child is
       xades:QualifyingProperties, in order.
    Then hashed with the algorithm of the token's own messageImprint.
  Where implementations differ: EU DSS (XAdESTimestampDataBuilder.getArchiveTimestampData)
    follows these steps; for the legacy 1.3.2 xades:ArchiveTimeStamp it skips ds:Objects that a
    ds:Reference points at. xades4j (ArchiveTimeStampVerifier) includes all preceding properties
    too, but skips every ds:Object with ANY XAdES 1.3.2 descendant and refuses the time-stamp
    unless CertificateValues and RevocationValues precede it (TS 101 903 X-L-A heritage).
  Absent ds:CanonicalizationMethod (4.5 requires it in new signatures): C14N 1.0 is used and the
    entry reports "c14n": null. C14N 1.1 is computed as 1.0 (they differ only on inherited xml:*
    attributes); a subtree whose ancestors carry xml:* attributes is reported unsupported for
    inclusive c14n, because lxml's subtree C14N drops inherited xml:* attributes.
  level: B-LTA if an ArchiveTimeStamp is present, else B-LT if CertificateValues,
    RevocationValues or TimeStampValidationData is, else B-T if a SignatureTimeStamp is, else B-B.
"""
import argparse
import base64
import copy
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import warnings

from lxml import etree

warnings.filterwarnings("ignore", message="DSA is deprecated")  # cryptography, via signxml

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
XADES141 = "http://uri.etsi.org/01903/v1.4.1#"
EC_NS = "http://www.w3.org/2001/10/xml-exc-c14n#"
NS = {"ds": DS, "xades": XADES, "xades141": XADES141, "ec": EC_NS}
ENVELOPED = DS + "enveloped-signature"
BASE64 = DS + "base64"
C14N10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
# URI -> (exclusive, with_comments)
C14N = {
    C14N10: (False, False),
    C14N10 + "#WithComments": (False, True),
    "http://www.w3.org/2006/12/xml-c14n11": (False, False),
    "http://www.w3.org/2006/12/xml-c14n11#WithComments": (False, True),
    EC_NS: (True, False),
    EC_NS + "WithComments": (True, True),
}


class Unsupported(Exception):
    pass


def emit(obj):
    print(json.dumps(obj))
    sys.exit(0)


# --- canonicalization (clause 4.5) ---------------------------------------------------------
def prefixes(method_el):
    """InclusiveNamespaces PrefixList of an exclusive c14n method/transform element."""
    if method_el is None:
        return None
    inc = method_el.find("ec:InclusiveNamespaces", NS)
    return inc.get("PrefixList").split() if inc is not None else None


def c14n(node, alg, prefix_list=None, comments=True):
    """Canonical form of an element (its subtree) or a whole ElementTree (a document).
    comments=False drops comments even for a #WithComments algorithm."""
    if alg not in C14N:
        raise Unsupported(f"canonicalization {alg}")
    exclusive, with_comments = C14N[alg]
    if comments is False:
        with_comments = False
    if not exclusive and isinstance(node, etree._Element):
        for anc in node.iterancestors():
            if any(k.startswith("{http://www.w3.org/XML/1998/namespace}") for k in anc.attrib):
                raise Unsupported("inclusive c14n of a subtree under inherited xml:* attributes")
    return etree.tostring(node, method="c14n", exclusive=exclusive, with_comments=with_comments,
                          inclusive_ns_prefixes=prefix_list if exclusive else None)


def remove_keep_tail(el):
    """Delete an element from its tree without deleting the text that follows it."""
    parent, tail = el.getparent(), el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


# --- XMLDSig reference processing (XMLDSig 4.4.3.2/4.3.3) ----------------------------------
def find_id(root, ident):
    hits = [e for e in root.iter(etree.Element)
            if any(etree.QName(k).localname in ("Id", "ID", "id") and v == ident
                   for k, v in e.attrib.items())]
    if len(hits) != 1:
        raise Unsupported(f"#{ident} matches {len(hits)} elements")
    return hits[0]


def reference_octets(ref, signature, detached, ts_alg, ts_prefixes):
    """The octets one ds:Reference contributes (5.5.2.3 step 3 a-d)."""
    uri = ref.get("URI")
    tree = signature.getroottree()
    data, nodeset = None, None  # octets, or (copied tree, node)
    same_doc = False  # a same-document node-set has no comment nodes (XMLDSig 4.4.3.3)
    if uri is None:
        raise Unsupported("Reference without URI")
    if uri == "" or uri.startswith("#") and not uri.startswith("#xpointer("):
        doc = copy.deepcopy(tree)
        node = doc if uri == "" else find_id(doc.getroot(), uri[1:])
        nodeset, same_doc = (doc, node), True
    elif uri.startswith("#"):
        raise Unsupported(f"XPointer URI {uri}")
    elif uri in detached:
        with open(detached[uri], "rb") as f:
            data = f.read()
    else:
        raise Unsupported(f"no --detached for URI {uri!r}")
    for t in ref.findall("ds:Transforms/ds:Transform", NS):
        alg = t.get("Algorithm")
        if alg == ENVELOPED:
            if nodeset is None:
                raise Unsupported("enveloped-signature on octets")
            doc, node = nodeset
            sig = list(doc.iter())[list(tree.iter()).index(signature)]  # same node, in the copy
            if sig is node:
                raise Unsupported("enveloped-signature removes the whole node-set")
            remove_keep_tail(sig)
        elif alg in C14N:
            if nodeset is None:  # octets are parsed into a node-set first (XMLDSig 4.3.3.2)
                nodeset = (etree.ElementTree(etree.fromstring(data)),) * 2
            data, nodeset = c14n(nodeset[1], alg, prefixes(t), comments=not same_doc), None
        elif alg == BASE64:
            if nodeset is None:
                text = data.decode()
            else:
                node = nodeset[1]
                text = "".join((node.getroot() if node is nodeset[0] else node).itertext())
            data, nodeset = base64.b64decode(re.sub(r"\s", "", text)), None
        else:
            raise Unsupported(f"transform {alg}")
    if nodeset is not None:  # a node-set result: canonicalize "as specified in clause 4.5"
        data = c14n(nodeset[1], ts_alg, ts_prefixes, comments=not same_doc)
    return data


# --- time-stamp tokens ----------------------------------------------------------------------
def token_info(der):
    """(hash name for hashlib, hashedMessage hex) from the token's TSTInfo.messageImprint."""
    from asn1crypto import cms, tsp
    econtent = cms.ContentInfo.load(der)["content"]["encap_content_info"]["content"]
    tst = tsp.TSTInfo.load(econtent.contents)
    mi = tst["message_imprint"]
    return mi["hash_algorithm"]["algorithm"].native, mi["hashed_message"].native.hex()


def b64(el):
    return base64.b64decode(re.sub(r"\s", "", el.text or ""))


def container_entries(container, input_fn):
    """One entry per EncapsulatedTimeStamp of a XAdES time-stamp container."""
    method = container.find("ds:CanonicalizationMethod", NS)
    alg = method.get("Algorithm") if method is not None else None
    out = []
    for enc in container.findall("xades:EncapsulatedTimeStamp", NS):
        der = b64(enc)
        entry = {"token": base64.b64encode(der).decode(), "imprint": None, "hash": None,
                 "token_imprint": None, "c14n": alg, "error": None}
        try:
            entry["hash"], entry["token_imprint"] = token_info(der)
            octets = input_fn(alg or C14N10, prefixes(method))
            entry["imprint"] = hashlib.new(entry["hash"], octets).hexdigest()
        except Exception as e:  # noqa: BLE001 -- reported, not raised
            entry["error"] = f"{type(e).__name__}: {e}"
        out.append(entry)
    return out


def values(parent):
    """Base64 DER of CertificateValues/RevocationValues children of `parent`."""
    certs = [base64.b64encode(b64(e)).decode() for e in
             parent.findall("xades:CertificateValues/xades:EncapsulatedX509Certificate", NS)]
    crls = [base64.b64encode(b64(e)).decode() for e in
            parent.findall("xades:RevocationValues/xades:CRLValues/xades:EncapsulatedCRLValue", NS)]
    ocsps = [base64.b64encode(b64(e)).decode() for e in
             parent.findall("xades:RevocationValues/xades:OCSPValues/xades:EncapsulatedOCSPValue", NS)]
    return certs, crls, ocsps


def xades_inspect(a):
    detached = dict(d.split("=", 1) for d in a.detached or [])
    tree = etree.parse(a.xml)
    sigs = tree.xpath("//ds:Signature[ds:Object/xades:QualifyingProperties]", namespaces=NS)
    if not sigs:
        emit({"error": "no ds:Signature with xades:QualifyingProperties"})
    sig = sigs[0]
    signed_info = sig.find("ds:SignedInfo", NS)
    refs = signed_info.findall("ds:Reference", NS)
    usp = sig.find("ds:Object/xades:QualifyingProperties/xades:UnsignedProperties/"
                   "xades:UnsignedSignatureProperties", NS)
    children = list(usp.iterchildren(etree.Element)) if usp is not None else []

    def sig_ts_input(alg, pl):  # 5.3
        return c14n(sig.find("ds:SignatureValue", NS), alg, pl)

    def ats_input(ats):  # 5.5.2.3, validation variant of step 5
        def f(alg, pl):
            ns_alg = C14N10 if a.nodeset_c14n == "c14n10" else alg
            ns_pl = None if a.nodeset_c14n == "c14n10" else pl
            out = b"".join(reference_octets(r, sig, detached, ns_alg, ns_pl) for r in refs)  # 3)
            for name in ("SignedInfo", "SignatureValue", "KeyInfo"):  # 4)
                el = sig.find("ds:" + name, NS)
                if el is not None:
                    out += c14n(el, alg, pl)
            for el in children[:children.index(ats)]:  # 5)
                out += c14n(el, alg, pl)
            for obj in sig.findall("ds:Object", NS):  # 6)
                if obj.find("xades:QualifyingProperties", NS) is None:
                    out += c14n(obj, alg, pl)
            return out
        return f

    def digest_ok(r):  # our step-3 reference processing reproduces the signed DigestValue
        try:
            h = r.find("ds:DigestMethod", NS).get("Algorithm").rsplit("#", 1)[1].replace("-", "_")
            octets = reference_octets(r, sig, detached, C14N10, None)
            return hashlib.new(h, octets).digest() == b64(r.find("ds:DigestValue", NS))
        except Exception:  # noqa: BLE001 -- unsupported here: no verdict
            return None

    report = {"signature_timestamps": [], "archive_timestamps": [], "certificate_values": [],
              "revocation_values": {"crls": [], "ocsps": []}, "timestamp_validation_data": [],
              "references": len(refs), "reference_digests": [digest_ok(r) for r in refs],
              "level": "B-B"}
    lt = False
    for el in children:
        q = etree.QName(el)
        if (q.namespace, q.localname) == (XADES, "SignatureTimeStamp"):
            report["signature_timestamps"] += container_entries(el, sig_ts_input)
        elif (q.namespace, q.localname) == (XADES141, "ArchiveTimeStamp"):
            report["archive_timestamps"] += container_entries(el, ats_input(el))
        elif (q.namespace, q.localname) == (XADES141, "TimeStampValidationData"):
            certs, crls, ocsps = values(el)
            report["timestamp_validation_data"].append(
                {"certificates": certs, "crls": crls, "ocsps": ocsps, "uri": el.get("URI")})
            lt = True
        elif q.namespace == XADES and q.localname in ("CertificateValues", "RevocationValues"):
            lt = True
    if usp is not None:
        certs, crls, ocsps = values(usp)
        report["certificate_values"] = certs
        report["revocation_values"] = {"crls": crls, "ocsps": ocsps}
    if report["archive_timestamps"]:
        report["level"] = "B-LTA"
    elif lt:
        report["level"] = "B-LT"
    elif report["signature_timestamps"]:
        report["level"] = "B-T"
    emit(report)


# --- signxml verification -------------------------------------------------------------------
def signxml_verify(a):
    import datetime

    from cryptography.x509.verification import ExtensionPolicy
    from signxml import SignatureConfiguration, XMLVerifier
    from signxml.util import X509CertChainVerifier
    from signxml.xades import XAdESSignatureConfiguration, XAdESVerifier

    n = a.expect_references if a.expect_references is not None else True
    base = XAdESVerifier if a.xades else XMLVerifier
    when = (datetime.datetime.fromtimestamp(a.time, datetime.timezone.utc)
            if a.time is not None else None)

    class Verifier(base):
        def get_cert_chain_verifier(self, ca_pem_file, ee_policy, ca_policy):
            return X509CertChainVerifier(ca_pem_file=ca_pem_file, verification_time=when,
                                         ee_policy=ee_policy, ca_policy=ca_policy)

    cfg = (XAdESSignatureConfiguration if a.xades else SignatureConfiguration)(expect_references=n)
    policies = {} if a.webpki else {"ee_policy": ExtensionPolicy.permit_all(),
                                     "ca_policy": ExtensionPolicy.webpki_defaults_ca()}
    try:
        with open(a.xml, "rb") as f:
            data = f.read()
        res = Verifier().verify(data, ca_pem_file=a.ca, expect_config=cfg, **policies)
        emit({"valid": True, "error": None, "references": len(res) if isinstance(res, list) else 1})
    except Exception as e:  # noqa: BLE001 -- the verdict
        emit({"valid": False, "error": f"{type(e).__name__}: {e}", "references": None})


# --- foreign signatures ---------------------------------------------------------------------
def key_kind(key_pem):
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    key = load_pem_private_key(key_pem, None)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return "ec"
    if isinstance(key, rsa.RSAPrivateKey):
        return "rsa"
    raise Unsupported(f"key type {type(key).__name__}")


def sign(a):
    try:
        with open(a.key, "rb") as f:
            key = f.read()
        with open(a.cert, "rb") as f:
            certs = [c + "-----END CERTIFICATE-----\n" for c in
                     f.read().decode().split("-----END CERTIFICATE-----") if "BEGIN" in c]
        alg = a.alg or (DS_MORE + ("ecdsa-sha256" if key_kind(key) == "ec" else "rsa-sha256"))
        if a.tool == "signxml":
            from signxml import methods
            from signxml.xades import XAdESSigner
            from signxml import XMLSigner
            cls = XAdESSigner if a.xades else XMLSigner
            # XAdESSigner digests its SignedProperties and KeyInfo references with the SignedInfo
            # c14n but writes no Transforms; verifiers then use inclusive C14N, so only an
            # inclusive c14n_algorithm gives a self-consistent XAdES signature.
            signer = cls(method=methods.enveloped, signature_algorithm=alg, digest_algorithm="sha256",
                         c14n_algorithm="http://www.w3.org/2006/12/xml-c14n11" if a.xades else EC_NS)
            root = etree.parse(a.xml).getroot()
            signed = signer.sign(root, key=key, cert=certs)
            etree.ElementTree(signed).write(a.out, xml_declaration=True, encoding="UTF-8")
        else:
            if a.xades:
                raise Unsupported("xmlsec1 makes plain XMLDSig only")
            xmlsec1_sign(a, alg)
        emit({"ok": True, "error": None})
    except Exception as e:  # noqa: BLE001 -- the verdict
        emit({"ok": False, "error": f"{type(e).__name__}: {e}"})


DS_MORE = "http://www.w3.org/2001/04/xmldsig-more#"


def xmlsec1_sign(a, alg):
    """An enveloped template (XMLDSig 2.1 shape), filled in by `xmlsec1 --sign`."""
    tree = etree.parse(a.xml)
    E = lambda tag, parent, **attrs: etree.SubElement(parent, f"{{{DS}}}{tag}", attrs)  # noqa: E731
    sig = etree.SubElement(tree.getroot(), f"{{{DS}}}Signature", nsmap={"ds": DS})
    si = E("SignedInfo", sig)
    E("CanonicalizationMethod", si, Algorithm=EC_NS)
    E("SignatureMethod", si, Algorithm=alg)
    ref = E("Reference", si, URI="")
    tr = E("Transforms", ref)
    E("Transform", tr, Algorithm=ENVELOPED)
    E("Transform", tr, Algorithm=EC_NS)
    E("DigestMethod", ref, Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    E("DigestValue", ref)
    E("SignatureValue", sig)
    E("X509Certificate", E("X509Data", E("KeyInfo", sig)))
    with tempfile.TemporaryDirectory() as d:
        tpl = os.path.join(d, "template.xml")
        tree.write(tpl, xml_declaration=True, encoding="UTF-8")
        p = subprocess.run(["xmlsec1", "--sign", "--privkey-pem", f"{a.key},{a.cert}",
                            "--output", a.out, tpl], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"xmlsec1 exit {p.returncode}: {p.stderr.strip()[-500:]}")


def main():
    p = argparse.ArgumentParser(description="XML signature peer (see the module docstring)")
    sub = p.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("signxml-verify")
    v.add_argument("--xml", required=True)
    v.add_argument("--ca", required=True)
    v.add_argument("--xades", action="store_true")
    v.add_argument("--expect-references", type=int)
    v.add_argument("--time", type=int, help="verification time, Unix seconds")
    v.add_argument("--webpki", action="store_true", help="signxml's default Web PKI EE policy")
    s = sub.add_parser("sign")
    s.add_argument("--tool", choices=["signxml", "xmlsec1"], required=True)
    for opt in ("--xml", "--key", "--cert", "--out"):
        s.add_argument(opt, required=True)
    s.add_argument("--xades", action="store_true")
    s.add_argument("--alg", help="SignatureMethod URI (default by key type)")
    i = sub.add_parser("xades-inspect")
    i.add_argument("--xml", required=True)
    i.add_argument("--detached", action="append", metavar="URI=FILE")
    i.add_argument("--nodeset-c14n", choices=["timestamp", "c14n10"], default="timestamp")
    a = p.parse_args()
    if a.cmd == "xades-inspect" and any("=" not in d for d in a.detached or []):
        p.error("--detached takes URI=FILE")
    {"signxml-verify": signxml_verify, "sign": sign, "xades-inspect": xades_inspect}[a.cmd](a)


if __name__ == "__main__":
    main()
