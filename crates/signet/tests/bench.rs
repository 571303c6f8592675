//! The benchmarks run end to end (short, on EC keys): each prints one JSON object with a
//! baseline and every mode's rate and ratio, and a failed request fails the run.
//! The figures themselves are judged by people, from release builds (README).
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

mod common;
use common::*;

fn bench(args: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let out = signet(dir.path(), args, &[], "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.lines().last().unwrap_or(""))
        .unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[test]
fn bench_pki_measures_tsa_and_ocsp_against_the_raw_rate() {
    let v = bench(&[
        "bench",
        "pki",
        "--key",
        "ec-p256",
        "--seconds",
        "0.5",
        "--concurrency",
        "2",
        "--json",
    ]);
    assert_eq!(v["benchmark"], "pki");
    assert!(v["raw_per_second"].as_f64().unwrap() > 0.0, "{v}");
    let modes = v["modes"].as_array().unwrap();
    assert_eq!(modes.len(), 2, "{v}");
    for m in modes {
        assert!(m["per_second"].as_f64().unwrap() > 0.0, "{m}");
        assert!(m["ratio_to_raw"].as_f64().unwrap() > 0.0, "{m}");
    }
    assert_eq!(v["ocsp_cache"], false);
}

#[test]
fn bench_csc_measures_sign_hash_against_the_raw_rate() {
    let v = bench(&[
        "bench",
        "csc",
        "--key",
        "ec-p256",
        "--seconds",
        "0.5",
        "--batch",
        "2",
        "--concurrency",
        "1",
        "--json",
    ]);
    assert_eq!(v["benchmark"], "csc");
    assert!(
        v["modes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["signatures_per_second"].as_f64().unwrap() > 0.0),
        "{v}"
    );
}

#[test]
fn bench_documents_signs_beside_the_hash_floor_and_pyhanko() {
    let v = bench(&["bench", "documents", "--sizes", "1,2", "--rounds", "1", "--json"]);
    assert_eq!(v["benchmark"], "documents");
    let sizes = v["sizes"].as_array().unwrap();
    assert_eq!(sizes.iter().map(|s| s["size_mb"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 2]);
    for s in sizes {
        for k in ["sha256_ms", "b_b_ms", "b_b_with_authorize_ms", "b_lta_ms", "b_b_to_sha256"] {
            assert!(s[k].as_f64().unwrap() > 0.0, "{k}: {s}");
        }
        // The peer runs when the peers' venv is there (the test script installs it).
        if std::env::var("SIGNET_REQUIRE_PEERS").as_deref() == Ok("1") {
            assert!(s["pyhanko_b_b_ms"].as_f64().unwrap() > 0.0, "{s}");
        }
    }
    assert!(v["peak_rss_kib"].as_u64().unwrap() > 0, "{v}");
}

#[test]
fn bench_documents_xades_signs_beside_xmlsec1() {
    let v = bench(&[
        "bench",
        "documents",
        "--format",
        "xades",
        "--xml-sizes-kb",
        "10,200",
        "--rounds",
        "1",
        "--json",
    ]);
    assert_eq!((v["benchmark"].as_str(), v["format"].as_str()), (Some("documents"), Some("xades")));
    let sizes = v["sizes"].as_array().unwrap();
    assert_eq!(sizes.iter().map(|s| s["size_kb"].as_u64().unwrap()).collect::<Vec<_>>(), [10, 200]);
    for s in sizes {
        assert!(s["signet_b_b_ms"].as_f64().unwrap() > 0.0, "{s}");
        // xmlsec1 is the peer; the test script installs it.
        if std::env::var("SIGNET_REQUIRE_PEERS").as_deref() == Ok("1") {
            assert!(s["xmlsec1_ms"].as_f64().unwrap() > 0.0, "{s}");
            assert!(s["xmlsec1_to_signet"].as_f64().unwrap() > 0.0, "{s}");
        }
    }
    assert!(v["peak_rss_kib"].as_u64().unwrap() > 0, "{v}");
}

/// `--module pkcs11` on a throwaway SoftHSM2 token: per-operation unwrap, the resident
/// key and the soft module in one run, with the split of one signature's PKCS#11 calls.
#[test]
fn bench_sign_pkcs11_measures_unwrap_resident_and_soft_in_one_run() {
    if !std::path::Path::new(SOFTHSM).exists() {
        assert!(std::env::var("SIGNET_REQUIRE_PEERS").as_deref() != Ok("1"), "no SoftHSM2");
        return;
    }
    let v = bench(&[
        "bench",
        "sign",
        "--module",
        "pkcs11",
        "--key",
        "ec-p256",
        "--only",
        "--seconds",
        "0.6",
        "--threads",
        "2",
        "--json",
    ]);
    assert_eq!((v["benchmark"].as_str(), v["module"].as_str()), (Some("sign"), Some("pkcs11")));
    let r = &v["results"][0];
    for field in [
        "hsm_unwrap_per_second",
        "hsm_resident_per_second",
        "soft_per_second",
        "unwrap_us",
        "sign_us",
    ] {
        assert!(r[field].as_f64().unwrap() > 0.0, "{field}: {r}");
    }
    let ratio = r["ratio"].as_f64().unwrap();
    assert!(ratio > 0.0, "{r}");
}
