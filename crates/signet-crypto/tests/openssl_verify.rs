//! Every signature algorithm of both modules (soft, and PKCS#11 on SoftHSM2) — keys
//! generated through Signet, hashes signed — verified by OpenSSL (a real peer).
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;

use signet_crypto::{digest::digest, CryptoModule, KeyBinding};
use signet_types::{KeyAlgorithm, SignatureAlgorithm};
use std::path::Path;
use std::process::Command;

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl").args(args).output().expect("openssl runs");
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// `openssl dgst -verify` over the *data*: proves the module signed its digest correctly.
fn verify(dir: &Path, alg: SignatureAlgorithm, data: &Path, sig: &Path) -> (bool, String) {
    let md = format!("-{}", alg.hash().as_str());
    let mut args = vec!["dgst", md.as_str(), "-verify"];
    let pubkey = dir.join("pub.pem");
    let pubkey = pubkey.to_str().expect("utf-8 path");
    args.push(pubkey);
    if matches!(alg, SignatureAlgorithm::RsaPss(_)) {
        // RFC 8017 §9.1 with MGF1(same hash) and salt = hash length (`digest`).
        // MGF1 defaults to the message digest in OpenSSL.
        args.extend(["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]);
    }
    args.extend(["-signature", sig.to_str().expect("utf-8"), data.to_str().expect("utf-8")]);
    openssl(&args)
}

#[test]
fn every_algorithm_verifies_with_openssl_and_tampering_fails() {
    let _serial = common::serial();
    let dir = tempfile::tempdir().expect("tempdir");
    for module in common::modules() {
        check_module(module.as_ref(), dir.path());
    }
}

fn check_module(module: &dyn CryptoModule, dir: &Path) {
    let name = module.name();
    let data = dir.join("data");
    std::fs::write(&data, b"the document a signer approved\n").expect("write");
    let tampered = dir.join("tampered");
    std::fs::write(&tampered, b"the document a signer approved!\n").expect("write");

    let mut checked = 0;
    for key_alg in KeyAlgorithm::ALL {
        let binding = KeyBinding { owner: "user-1", credential: "cred-1", algorithm: key_alg };
        let key = module.generate_key(&binding).expect("generate");
        let spki = dir.join("pub.der");
        std::fs::write(&spki, &key.public_key).expect("write");
        let (ok, out) = openssl(&[
            "pkey",
            "-pubin",
            "-inform",
            "DER",
            "-in",
            spki.to_str().expect("utf-8"),
            "-out",
            dir.join("pub.pem").to_str().expect("utf-8"),
        ]);
        assert!(ok, "{name}: openssl parses the SPKI of {key_alg}: {out}");

        for alg in key_alg.signature_algorithms() {
            let d = digest(alg.hash(), &std::fs::read(&data).expect("read"));
            let sig = module.sign_digest(&key.wrapped, &binding, alg, &d).expect("sign");
            let sig_path = dir.join("sig");
            std::fs::write(&sig_path, &sig).expect("write");
            let (ok, out) = verify(dir, alg, &data, &sig_path);
            assert!(ok && out.contains("Verified OK"), "{name} {key_alg} {alg}: {out}");
            let (ok, out) = verify(dir, alg, &tampered, &sig_path);
            assert!(
                !ok && out.contains("Verification failure"),
                "{name} {key_alg} {alg} tampered: {out}"
            );
            checked += 1;
        }
    }
    // 3 RSA sizes x 7 schemes + 2 EC curves x 1.
    assert_eq!(checked, 23, "{name}");
}
