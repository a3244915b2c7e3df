//! Cloud-TGT ingestion against real parts: PRT responses generated from real AS-REPs of the MIT
//! KDC run by `scripts/entra-emulation.sh` (see tests/cloud_fixture/mod.rs), imported with
//! `kerberos_client::cloud`, stored, and read back by MIT `klist` and `kvno`.

mod cloud_fixture;

use std::path::Path;
use std::process::Command;

use cloud_fixture::{CLOUD_TGT_FLAGS, ClientKeyForm, Fixture, Options, Shape};
use kerberos_client::asn1::{self, RawTicket};
use kerberos_client::ccache::CredentialCache;
use kerberos_client::cloud::{
    self, CLOUD_REALM, CloudError, PrtResponse, PrtSessionKey, TgtKind, TransportKey,
};
use kerberos_client::exchange::Credential;

fn tmpdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Check a cloud credential against its fixture (every §1.5 property that survives the import).
fn check_cloud(cred: &Credential, fx: &Fixture, faithful: bool) {
    assert_eq!(cred.ticket, fx.cloud.ticket, "ticket bytes kept exactly");
    assert_eq!(cred.session_key.as_bytes(), &fx.cloud.session_key[..]);
    assert_eq!(cred.session_key.etype().id(), 18);
    assert_eq!(cred.client, fx.cloud.client);
    assert_eq!(cred.client.components.len(), 1);
    assert_eq!(cred.client.components[0], b"AdeleV@contoso.onmicrosoft.com");
    assert_eq!(cred.client.realm, CLOUD_REALM.as_bytes());
    assert_eq!(
        cred.server.to_string(),
        format!("krbtgt/{CLOUD_REALM}@{CLOUD_REALM}")
    );
    assert!(cred.end_time > cred.start_time);
    let ticket = RawTicket::from_der(cred.ticket.clone())
        .unwrap()
        .parse()
        .unwrap();
    if faithful {
        assert_eq!(cred.flags, CLOUD_TGT_FLAGS);
        assert_eq!(cred.enc_padata(165), Some(&[0x10, 0, 0, 0][..]));
        assert_eq!(cred.start_time, cred.auth_time);
        assert_eq!(ticket.enc_part.etype, -1, "opaque ticket etype");
        assert_eq!(ticket.enc_part.kvno, None, "opaque ticket has no kvno");
        // The AS-REP itself has no padata and the EncASRepPart had nonce 0 (the import took it).
        let rep = asn1::decode::<asn1::AsRep>(&fx.cloud.as_rep).unwrap().0;
        assert!(rep.padata.is_none());
    } else {
        assert_eq!(ticket.enc_part.etype, 18);
    }
}

/// What `cloud_tgt` does: parse, import, store; the cache is written only on success.
fn import_store(
    json: &str,
    which: TgtKind,
    session_key: Option<&PrtSessionKey>,
    path: &Path,
) -> Result<Credential, CloudError> {
    let response = PrtResponse::parse(json)?;
    let blob = match which {
        TgtKind::Cloud => response.cloud_tgt()?,
        TgtKind::Ad => response.ad_tgt()?,
    };
    let cred = blob.import(session_key)?;
    cloud::store(&cred, path)?;
    Ok(cred)
}

fn expect_err(json: &str, which: TgtKind, sk: Option<&PrtSessionKey>) -> CloudError {
    let dir = tmpdir();
    let path = dir.path().join("cc");
    let err = import_store(json, which, sk, &path).expect_err("the import must fail");
    assert!(!path.exists(), "nothing may be written on error ({err})");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "no temporary file left"
    );
    err
}

#[test]
fn tgt_cloud_with_given_session_key_listed_by_mit_klist() {
    let lab = cloud_fixture::lab();
    let fx = cloud_fixture::generate(&lab, Options::default());
    let sk = PrtSessionKey::from_hex(&fx.session_key_hex()).unwrap();
    let dir = tmpdir();
    let path = dir.path().join("cloud.cc");
    let cred = import_store(&fx.json, TgtKind::Cloud, Some(&sk), &path).unwrap();
    check_cloud(&cred, &fx, true);

    // Read back with our parser.
    let cache = CredentialCache::read(&path).unwrap();
    assert_eq!(cache.default_principal, fx.cloud.client);
    let entry = cache.tickets().next().unwrap();
    assert_eq!(entry.ticket, fx.cloud.ticket);

    // And with MIT klist: the '@' inside the single component is escaped.
    let out = cloud_fixture::klist(&lab, &path, &["-f", "-e"]);
    assert!(
        out.contains(
            "Default principal: AdeleV\\@contoso.onmicrosoft.com@KERBEROS.MICROSOFTONLINE.COM"
        ),
        "{out}"
    );
    assert!(
        out.contains("krbtgt/KERBEROS.MICROSOFTONLINE.COM@KERBEROS.MICROSOFTONLINE.COM"),
        "{out}"
    );
    assert!(out.contains("Flags: FR"), "{out}");
    assert!(out.contains("aes256-cts-hmac-sha1-96"), "{out}");
    // `klist -s`: the cache holds an unexpired ticket.
    let status = Command::new("klist")
        .arg("-s")
        .arg("-c")
        .arg(&path)
        .env("KRB5_CONFIG", &lab.krb5_config)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn tgt_cloud_with_transport_key_pkcs1_and_pkcs8() {
    let lab = cloud_fixture::lab();
    let fx = cloud_fixture::generate(
        &lab,
        Options {
            client_key: ClientKeyForm::JweGcm,
            with_ad: false,
            ..Options::default()
        },
    );
    let response = PrtResponse::parse(&fx.json).unwrap();
    for pem in [&fx.transport_key_pkcs1_pem, &fx.transport_key_pkcs8_pem] {
        let tk = TransportKey::from_pem(pem).unwrap();
        let sk = response.session_key(&tk).unwrap();
        assert_eq!(sk.as_bytes(), &fx.session_key[..]);
        let dir = tmpdir();
        let path = dir.path().join("cc");
        let cred = import_store(&fx.json, TgtKind::Cloud, Some(&sk), &path).unwrap();
        check_cloud(&cred, &fx, true);
        let out = cloud_fixture::klist(&lab, &path, &[]);
        assert!(
            out.contains("krbtgt/KERBEROS.MICROSOFTONLINE.COM@"),
            "{out}"
        );
    }
    // No tgt_ad in this response.
    assert!(matches!(
        response.ad_tgt(),
        Err(CloudError::MissingTgt(TgtKind::Ad))
    ));
}

#[test]
fn plain_base64_client_key_needs_no_session_key() {
    let lab = cloud_fixture::lab();
    let fx = cloud_fixture::generate(
        &lab,
        Options {
            client_key: ClientKeyForm::PlainBase64,
            tgt_as_string: false,
            ..Options::default()
        },
    );
    let dir = tmpdir();
    let path = dir.path().join("cc");
    let cred = import_store(&fx.json, TgtKind::Cloud, None, &path).unwrap();
    check_cloud(&cred, &fx, true);
    cloud_fixture::klist(&lab, &path, &[]);
}

#[test]
fn tgt_ad_into_a_second_cache_usable_by_mit_kvno() {
    let lab = cloud_fixture::lab();
    let fx = cloud_fixture::generate(&lab, Options::default());
    let sk = PrtSessionKey::from_bytes(&fx.session_key).unwrap();
    let dir = tmpdir();
    let cloud_cc = dir.path().join("cloud.cc");
    let ad_cc = dir.path().join("ad.cc");
    import_store(&fx.json, TgtKind::Cloud, Some(&sk), &cloud_cc).unwrap();
    let ad = import_store(&fx.json, TgtKind::Ad, Some(&sk), &ad_cc).unwrap();
    let ad_fx = fx.ad.as_ref().unwrap();
    assert_eq!(ad.ticket, ad_fx.ticket);
    assert_eq!(ad.client.to_string(), "adelev@CONTOSO.TEST");
    assert_eq!(ad.server.to_string(), "krbtgt/CONTOSO.TEST@CONTOSO.TEST");
    let out = cloud_fixture::klist(&lab, &ad_cc, &[]);
    assert!(
        out.contains("Default principal: adelev@CONTOSO.TEST"),
        "{out}"
    );
    assert!(out.contains("krbtgt/CONTOSO.TEST@CONTOSO.TEST"), "{out}");
    let out = cloud_fixture::klist(&lab, &cloud_cc, &[]);
    assert!(!out.contains("CONTOSO.TEST@CONTOSO.TEST"), "{out}");

    // The AD ticket is the KDC's own: MIT kvno spends it from our cache in a real TGS exchange.
    let out = Command::new("kvno")
        .arg("-c")
        .arg(&ad_cc)
        .arg("cifs/fs.contoso.test@CONTOSO.TEST")
        .env("KRB5_CONFIG", &lab.krb5_config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kvno with the imported tgt_ad: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn usable_fixture_keeps_the_kdc_ticket_and_mit_kvno_spends_it() {
    let lab = cloud_fixture::lab();
    let fx = cloud_fixture::generate(
        &lab,
        Options {
            shape: Shape::Usable,
            with_ad: false,
            ..Options::default()
        },
    );
    let sk = PrtSessionKey::from_bytes(&fx.session_key).unwrap();
    let dir = tmpdir();
    let path = dir.path().join("cc");
    let cred = import_store(&fx.json, TgtKind::Cloud, Some(&sk), &path).unwrap();
    check_cloud(&cred, &fx, false);
    let out = Command::new("kvno")
        .arg("-c")
        .arg(&path)
        .arg(&lab.service)
        .env("KRB5_CONFIG", &lab.krb5_config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kvno {} with the imported cloud TGT: {}{}",
        lab.service,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cloud_fixture::klist(&lab, &path, &[]);
    assert!(out.contains("cifs/acct.file.core.windows.net@"), "{out}");
}

#[test]
fn legacy_top_level_fields() {
    let lab = cloud_fixture::lab();
    let fx = cloud_fixture::generate(
        &lab,
        Options {
            client_key: ClientKeyForm::PlainBase64,
            with_ad: false,
            ..Options::default()
        },
    );
    let t = &fx.cloud.tgt_json;
    let json = serde_json::json!({
        "tgt_client_key": t["clientKey"],
        "tgt_key_type": 18,
        "tgt_message_buffer": t["messageBuffer"],
        "refresh_token": "x",
    })
    .to_string();
    let response = PrtResponse::parse(&json).unwrap();
    assert!(response.legacy_fields);
    let dir = tmpdir();
    let path = dir.path().join("cc");
    let cred = import_store(&json, TgtKind::Cloud, None, &path).unwrap();
    check_cloud(&cred, &fx, true);
    cloud_fixture::klist(&lab, &path, &[]);
}

#[test]
fn top_level_names_and_extras() {
    let lab = cloud_fixture::lab();
    let fx = cloud_fixture::generate(
        &lab,
        Options {
            with_ad: false,
            ..Options::default()
        },
    );
    let r = PrtResponse::parse(&fx.json).unwrap();
    assert_eq!(
        r.top_level_names(),
        ["windows.net", "file.core.windows.net"]
    );
    assert_eq!(
        r.realm_for_host("acct.file.core.windows.net"),
        Some(CLOUD_REALM)
    );
    assert_eq!(r.realm_for_host("example.com"), None);
    assert!(r.extra.contains_key("refresh_token"));
    let t = r.cloud_tgt().unwrap();
    assert_eq!(t.account_type, Some(2));
    assert_eq!(t.session_key_type, Some(0));
    assert_eq!(t.cn.as_deref(), Some("AdeleV@contoso.onmicrosoft.com"));
    assert!(t.client_key_is_encrypted());
    let dbg = format!("{r:?}");
    let ck = fx.cloud.tgt_json["clientKey"].as_str().unwrap();
    assert!(!dbg.contains(&ck[ck.len() - 20..]), "Debug leaks clientKey");
    assert!(
        !dbg.contains("not-a-real-refresh-token"),
        "Debug leaks extras"
    );
}

#[test]
fn bad_inputs_are_typed_errors_and_write_nothing() {
    let lab = cloud_fixture::lab();
    let fx = cloud_fixture::generate(&lab, Options::default());
    let sk = PrtSessionKey::from_bytes(&fx.session_key).unwrap();
    let mutate = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value = serde_json::from_str(&fx.json).unwrap();
        f(&mut v);
        v.to_string()
    };
    let cloud_obj = fx.cloud.tgt_json.clone();
    let with_cloud = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut t = cloud_obj.clone();
        f(&mut t);
        mutate(&|v| v["tgt_cloud"] = serde_json::json!(t.to_string()))
    };

    // Malformed JSON.
    let cut = &fx.json[..fx.json.len() / 2];
    assert!(matches!(
        expect_err(cut, TgtKind::Cloud, Some(&sk)),
        CloudError::Json(_)
    ));
    assert!(matches!(
        expect_err(
            &mutate(&|v| v["tgt_cloud"] = serde_json::json!("{\"clientKey\":")),
            TgtKind::Cloud,
            Some(&sk)
        ),
        CloudError::Json(_)
    ));

    // Wrong session key.
    let wrong = PrtSessionKey::from_bytes(&[0x5a; 32]).unwrap();
    let e = expect_err(&fx.json, TgtKind::Cloud, Some(&wrong));
    assert!(
        matches!(
            e,
            CloudError::JweDecryptFailed(_) | CloudError::KeyType { .. }
        ),
        "{e:?}"
    );
    // JWE clientKey and no session key at all.
    assert!(matches!(
        expect_err(&fx.json, TgtKind::Cloud, None),
        CloudError::SessionKeyRequired(TgtKind::Cloud)
    ));

    // Truncated JWE (a part lost, then cut inside the ciphertext).
    let ck = cloud_obj["clientKey"].as_str().unwrap().to_owned();
    let e = expect_err(
        &with_cloud(&|t| t["clientKey"] = serde_json::json!(ck[..ck.len() - 1].to_owned())),
        TgtKind::Cloud,
        Some(&sk),
    );
    assert!(matches!(e, CloudError::MalformedJwe(_)), "{e:?}");
    let dots: Vec<usize> = ck.match_indices('.').map(|(i, _)| i).collect();
    let cut_ct = format!("{}{}", &ck[..dots[3] - 5], &ck[dots[3]..]);
    let e = expect_err(
        &with_cloud(&|t| t["clientKey"] = serde_json::json!(cut_ct)),
        TgtKind::Cloud,
        Some(&sk),
    );
    assert!(
        matches!(
            e,
            CloudError::MalformedJwe(_) | CloudError::JweDecryptFailed(_)
        ),
        "{e:?}"
    );
    let e = expect_err(
        &with_cloud(&|t| t["clientKey"] = serde_json::json!(ck[..dots[0]].to_owned())),
        TgtKind::Cloud,
        Some(&sk),
    );
    // Only the header left: no dot, so it reads as a plain base64 key of the wrong length.
    assert!(
        matches!(
            e,
            CloudError::KeyType { key_type: 18, .. } | CloudError::Base64(_)
        ),
        "{e:?}"
    );

    // Wrong keyType.
    for key_type in [17, 23, 3, 99] {
        let e = expect_err(
            &with_cloud(&|t| t["keyType"] = serde_json::json!(key_type)),
            TgtKind::Cloud,
            Some(&sk),
        );
        assert!(
            matches!(e, CloudError::KeyType { key_type: k, key_len: 32 } if k == key_type),
            "{e:?}"
        );
        assert!(e.to_string().contains("keyType"), "{e}");
    }

    // An AS-REP that does not decrypt with the client key (the AD ticket's AS-REP).
    let ad_buffer = fx.ad.as_ref().unwrap().tgt_json["messageBuffer"].clone();
    let e = expect_err(
        &with_cloud(&|t| t["messageBuffer"] = ad_buffer.clone()),
        TgtKind::Cloud,
        Some(&sk),
    );
    assert!(
        matches!(e, CloudError::AsRepDecryptFailed { etype: 18 }),
        "{e:?}"
    );
    // A truncated AS-REP, and one that is not base64.
    let mb = cloud_obj["messageBuffer"].as_str().unwrap().to_owned();
    let e = expect_err(
        &with_cloud(&|t| {
            t["messageBuffer"] = serde_json::json!(mb[..(mb.len() / 2) & !3].to_owned())
        }),
        TgtKind::Cloud,
        Some(&sk),
    );
    assert!(matches!(e, CloudError::AsRepDecode(_)), "{e:?}");
    let e = expect_err(
        &with_cloud(&|t| t["messageBuffer"] = serde_json::json!("!!not base64!!")),
        TgtKind::Cloud,
        Some(&sk),
    );
    assert!(matches!(e, CloudError::Base64("messageBuffer")), "{e:?}");

    // The ticket was not issued, or the whole request failed.
    let e = expect_err(
        &mutate(&|v| v["tgt_ad"] = serde_json::json!("{\"error\":\"No Kerberos server object\"}")),
        TgtKind::Ad,
        Some(&sk),
    );
    assert!(
        matches!(&e, CloudError::TgtNotIssued { which: TgtKind::Ad, error } if error == "No Kerberos server object"),
        "{e:?}"
    );
    let e = expect_err(
        r#"{"error":"invalid_grant","error_description":"AADSTS50126: Error validating credentials","error_codes":[50126]}"#,
        TgtKind::Cloud,
        Some(&sk),
    );
    assert!(matches!(e, CloudError::Server { .. }), "{e:?}");
    assert!(e.to_string().contains("AADSTS50126"));
    // No secret in any message.
    assert!(!e.to_string().contains(&fx.session_key_hex()));
}

#[test]
fn mutated_responses_never_panic() {
    let lab = cloud_fixture::lab();
    let fx = cloud_fixture::generate(
        &lab,
        Options {
            client_key: ClientKeyForm::PlainBase64,
            ..Options::default()
        },
    );
    let sk = PrtSessionKey::from_bytes(&fx.session_key).unwrap();
    let mut seed = 0x1234_5678_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let bytes = fx.json.as_bytes();
    let mut parsed = 0;
    for _ in 0..300 {
        let mut m = bytes.to_vec();
        for _ in 0..(1 + next() % 4) {
            let i = (next() % m.len() as u64) as usize;
            m[i] = (next() & 0x7f) as u8;
        }
        let Ok(text) = std::str::from_utf8(&m) else {
            continue;
        };
        if let Ok(r) = PrtResponse::parse(text) {
            parsed += 1;
            for blob in [r.tgt_cloud.as_ref(), r.tgt_ad.as_ref()]
                .into_iter()
                .flatten()
            {
                let _ = blob.import(Some(&sk));
                let _ = blob.import(None);
            }
        }
    }
    assert!(parsed > 0);
}

/// The usable fixture's cloud TGT, imported by us, is spent by MIT `kvno` through the KDC proxy
/// (`scripts/kdcproxy.sh`, which forwards KERBEROS.MICROSOFTONLINE.COM to 127.0.0.1:60090) at an
/// Entra-style URL: the path the later TGS-through-proxy tests take. Needs KC_KDCPROXY_HTTPS_URL
/// and KC_KDCPROXY_CA from the kdcproxy lab, and the emulated Entra KDC on its default port.
#[test]
fn usable_cloud_tgt_spent_through_kdcproxy_by_mit_kvno() {
    let lab = cloud_fixture::lab();
    let need = |v: &str| {
        std::env::var(v).unwrap_or_else(|_| {
            panic!(
                "{v} is not set: this test needs the KDC proxy too:\n    \
                 scripts/kdcproxy.sh start /tmp/kc-kp && . /tmp/kc-kp/env.sh"
            )
        })
    };
    let https = need("KC_KDCPROXY_HTTPS_URL");
    let ca = need("KC_KDCPROXY_CA");
    assert_eq!(
        lab.kdc, "127.0.0.1:60090",
        "kdcproxy forwards KERBEROS.MICROSOFTONLINE.COM to 127.0.0.1:60090 by default"
    );
    let authority = https
        .strip_prefix("https://")
        .and_then(|r| r.split('/').next())
        .unwrap();
    let url = format!("https://{authority}/00000000-0000-0000-0000-000000000000/kerberos");

    let fx = cloud_fixture::generate(
        &lab,
        Options {
            shape: Shape::Usable,
            with_ad: false,
            ..Options::default()
        },
    );
    let sk = PrtSessionKey::from_bytes(&fx.session_key).unwrap();
    let dir = tmpdir();
    let cc = dir.path().join("cc");
    import_store(&fx.json, TgtKind::Cloud, Some(&sk), &cc).unwrap();
    let conf = dir.path().join("krb5.conf");
    std::fs::write(
        &conf,
        format!(
            "[libdefaults]\n    default_realm = {CLOUD_REALM}\n    dns_lookup_kdc = false\n    \
             dns_lookup_realm = false\n    dns_canonicalize_hostname = false\n    rdns = false\n\n\
             [realms]\n    {CLOUD_REALM} = {{\n        kdc = {url}\n        http_anchors = FILE:{ca}\n    }}\n"
        ),
    )
    .unwrap();
    let out = Command::new("kvno")
        .arg("-c")
        .arg(&cc)
        .arg(&lab.service)
        .env("KRB5_CONFIG", &conf)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kvno through {url}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
