//! Known-answer tests of the PRT JWE layer (`cloud::jwe`).
//!
//! Vector 1 is public data: the MS-OAPXBC exchange vector of kanidm/compact-jwt
//! (`src/crypto/ms_oapxbc.rs`, test `ms_oapxbc_3_2_5_1_3_3_exchange_request_response`): an RSA
//! transport key (PKCS#1 DER, here in hex), a captured `session_key_jwe`, and a token response
//! JWE (`alg=dir`, ctx `UQoqkoRWX5Qh6zSnEvWOZYX2MwuAPxvD`, 16-byte IV, empty tag) whose plaintext
//! begins `{"token_type":"Bearer","expires_in":"1209599"`. The session key, derived key,
//! plaintext length and SHA-256 below were computed independently with Python `cryptography`
//! (RSA-OAEP/SHA-1, HMAC-SHA256 KDF, AES-256-CBC); only the inputs and outputs are typed in.
//!
//! Vectors 2–4 (GCM with the protected header as AAD, CBC, and a ctx-less GCM JWE around a
//! 32-byte client key) were produced by the same independent Python computation, under the
//! session key of vector 1 and ctx = bytes 100..=123.

use kerberos_client::cloud::{
    CloudError, CompactJwe, PrtResponse, PrtSessionKey, TransportKey, decrypt_dir, derive_key,
};

/// The transport key, PKCS#1 `RSAPrivateKey` DER (2048-bit), hex.
const TRANSPORT_KEY_PKCS1_HEX: &str = "308204a20201000282010100b484d644f2020fc1f18540d02de7fb31fd7913cb693e0d5904691d3b7175c6436ad3dd3d\
    f97ad3ec54bd6a4b1c6b73bcb62acef7d4b814c2ffc68c86b62d67cb0fc19ce61306580ebd4763db09d6e876bbdb3fea\
    cf45a8ada357db2893dbfb9c9872c8abca6f19a15c4a623e9cb8bbef13ecb141d6128c1e6cb3973b3f13e96236f47003\
    ea441d2f2eaaa83763145ee24a3b207a24bf7857962488c7fde49eaa8334e4e0965e879d9785873110d031c09c071aef\
    8892aa5f4d24ecfe4ccaa72c3ca53cce0cf0d35dadbe2f17ca958cfb47db2dc3923db249ae4f3f06ccfcb739806f7af9\
    53d9c4e2809987a0f7a9d3566142ace75f2ca6e62762da27b50ad07302030100010282010026c42827a239231d293ace\
    9266695d1e7d2a953fa79835d19a0ae0c635356fa066be9cd284530653c856ed0eb849b30f21a7cbce9915f70f715238\
    376dc40e7823281703a9ae4116d93b0d8caa6e4679c919ea7e0889131246f3c512cfbdfc28c2ec537fe0f73eefd21bff\
    4126f2dd19189449f4b37e442cfc770cd12258aa539ad16be450e727f9cd67d58a85f55354525fddf37b7b9008044461\
    2cfc643d4479b7722a3ad17e83eb7307c6799f3c11d82cf53020e48243f233d9b34db3e71eb2e6ce036616a86fe1e803\
    b1d1b1f8564753222f68c9e567117f18939bf48949d05baaa644ab6b8f1973b14b741509be42ac187cf30676c8316fca\
    63587b304102818100dc6a3ac279544800f5a46dbde00005ca40c7d292d277822872bff09eff0632807e58e172e34cd7\
    98b547d2f7757ec15eaf8bf388c207fdc383be10431c135ff21d9c23190db351de5e9af933c24fc6eec125cff978df8e\
    c3e7027e5773e99c43ef499ab406e76dcf9a45acccfa5212d0e91d4eced5000e314d3a31b380b0d88302818100d1a9b3\
    0f3936aeedbbd9aee1a3630c8f0088b9c7929de5e4d8bc59daadddd8be2c5e5cac250379b73706058a98fec13bd490bd\
    0254cf1514c67573b853c373456f4c0579fcfbd4fa43ae13b2880a386ba09f008a3319b4c455935cfe47effa10ee3719\
    f81dce10e396a49107c4ba57b9cfb43e63ffb9d2e6b0083605576945510281801c3e88950f131bbef3bb444cc67d7a40\
    7698a48527ef2480a663ae23d1ae2b9e8792402186bafc0d977d42ad6f22f5087b1a45f4ca5857ce4bfd78fc0087030e\
    7578e28e7d50f336b98cc64e39a21b6dd0d65596344501785d0bd6c0c21bb768852b3b65c254b99f96b742f36948471c\
    fa22454cffc2680f2d443dc630c1789d02818075889f53826c5045ff4fb9c4cdf621bd2cbc79011305273251f9cc9955\
    6c8f2b94edd51fbfa422207e5d06d03a925dbaef9fb005558bbd32a74a8273aba95ebe66f50400edbc331994c54a4f84\
    09ceb52f16d393a5afdc714fd3cb86d4c707b5640549ae98eec2f302a900908d4d350e7a0c7e094afb5dea6a763fea60\
    a527f102818065003d7159100c0e7f39d3adeb9d4e766e29464fd091202090fac86d5a42c93219aa30e176afe4006656\
    5f7b6f78794e31253b6afe136988bb3dd569b5a264ef342968af6283fec2a8fbb699dd49ed5a87b52d1c68c545d80960\
    7355a5676d86b187ad0756244bb4a153c3558718e07914e4032f11d13736d6e3db49eafb3291";

const SESSION_KEY_JWE: &str = "eyJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.U95cslQ5YAV7FuQsTF45pcHpgpKCI8arJlz6IXbsXr2flZ4tp\
    uO39dYHKZUXXrufObnvSe04Yetuk5osnL5E9EX7b3cWKDkLwo-KK7iT6B5i_XVbtUUBE87x3UfL8N-rUxIeW-Pyky5DzbZ7h\
    sEkrbjgM16DTCIFucItvjwfJctL3ZTfUMIUrVDq1FjOhXrwu3Wrodi7sLm84lpLX_VQ7cqfmzPWfr-7FFtmJzj99rWDJPOM6\
    ynucDbTxxjKeoW6Ft4EMna3_qdqw1A9_7PFDXSsprjJSGbbCvYhiSgib3k8JKKXr-uEGqyIERV0ajw-oJLHWUyuuu3EWlQul\
    -urOg.KSGiTmZY4a8E4dRF.Gg.FYVcZT1WdLkRKABMOL5wyA";

const RESPONSE_JWE: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiY3R4IjoiVVFvcWtvUldYNVFoNnpTbkV2V09aWVgyTXd1QVB4dkQifQ..\
    uAgdAx7E8-rH7xdQDiJVzg.WRDzuK4NGxFjxdKfnzhcWB_Prx5OxkN5b5XLiPoQtkuZIxCaCAqFAe03QmGz60Io6T3e-LKa3\
    mZ2yD62ZY98957_f7yr8ohFeZfCokwl0M5UpsmeVALEB2d-gLUld3hChFJPXcBwexrNkOnIy2gkqrvvvd_L1HooKQbtD7CXu\
    AdKA1Vhpm4zfqSXOjLqoWcAiybdjd8fUwvgY_W0P_giIJh9qkkOGoF_WXXH8zmQ2ZSk9YmjQXH2LH_VzV9UUmpnRzicx6Wp4\
    2IpLEf16YNyO62186Z1GVbchxGV7xY4gT-0bVmjvRrXO91XpM-Jf6hmXXnnp-AfQuqISo3D937TjSiBrCE3MVpb5lJFI3M2S\
    ib3ELez71JEVlqKV4vMY9_xRBnRx9qGFKLpI5rZPk660rgD7Uj6UwyMCodJAJWBycjhc2QekDgVFuyMpuG57u8FdV9wyVaE2\
    STTk0in5f5EoYGzXBIo5QzhMJqvXlm_MjyiG4M3YikfcGIIPODpx7dLL15I-CrHGg2ynOPP0_AEUdkfzM0IXN8KxHoyqGh89\
    1LqBMvOyfIKg2gj1FA3S919bLBCvFmh4YLdC1xjHoYayxL44dmL-2vrhJS45nG3LhcTShXHZfeP3IM_qbZ-FFqXnBmj-c9ti\
    EqrTfS1ihHyPAgmpBNWjNBgX2BxCWrwxinMLNeXsosrylUvPuCNTcoEJBIzVmrlw03CZldno3Js7Y_MLuLmYXTU6Kblp0dtz\
    -U7HpCZ3H9L2M5UwbLcBXkxng-86vB3wBA77QkRC5lYuBTS0LSvze_bNzDtB8cZ6eFM57iIwa0NnZp2ocGxEXYs6EBxuqlRj\
    IKyrjndowkbkkXAh4pExFdkQPGPbeN6SKaaGeZkFgegEzZIiCNzXvkT33TlYWXYtUzNwdUlqvI56zlQ2-ZtC2D898mekW3er\
    gJoB0vKNxBqux-d0kJLLH6YidZuA4xl7E3aYXgcDUbgLBlS8PXnsxNLU4lqFg-tx8_MYYCVVFrlsp2_uY6GyS0ooEEWI_Fve\
    byqAGhtJRPiCJkrwcHcTEX9byTuOjI7Axt6eSo6Cg6t3pVOfyY5uBM-Z-s1pxeDiEjl-D9GbxoxnTB-oGYq6P6u4uG6OEByT\
    79sHo1flReOoOLh4MQ4dkaR0OHS6bzZyUjeEIuT6vyuzBWGV8uGlzYYXfX4QujsMTQM-20A8X_84OWq6KwsBJC790VaTdSK0\
    AWWPHMRIDfAgNksr9W9Bnn2mGhDcUrquy8sBaFw6S8qlckG2uM7Rm_QvUxHV-4z_tvhdLObRs_3_dSo15qZTO2pPdCYu89tS\
    kuLg6v-NHb9nPgVztcJdePDYw1ZHwIr0ha_HSjO3zIM36aJ16JN0qh9vcaZVe8KrKka2y9JMi0EZPvMnL9t78IIJB3sDU1ZT\
    luq1KdA-4UnCo_BCo82W74oTcF_peKnaEI9VawsLelZuqH6qNAz510wRc72hIiPb6od4h7m8r5OLNAzmzMSKj3tK6OnHbht5\
    2ci5jXcNO9Z_0QW6R72HFPvEUlXjzBsNhM6pg8Zap3U8-dTkMfmblFkHSGu4cwvB-uTUsfGJ9q4QZLaTA_fekAVqHYedhsf2\
    0jbtbvA3b3ugLqza3Kb0QIAmO7EfeFmg-qSBZP4prLCyMNZ4IQdyOscJ1LGtFm2rkxNwQyOSqFNmvET81C9lud2TnikD4_6k\
    3_vhpl4hvgMrm0uj9U170RgTi9ZCewwxochnf8qmmi8mFc9b6uFHLtdtAbIC4u8vsVwDG_gyBiVVi68saMgpwwT_ZYDLBA4h\
    JvqM3M9sUB2RJYoBATlT_0WjIRXNBzhp8hdkdqrwERvjBC1cKH2XalPqYHI7aQoTZfKXvJnMTsKVraXiQ6TcWBhbfTyscUAc\
    88O3z-0CRUv0Cn0APcgSUyaKtPQuG3bVKmfh0W8RittX3iPyIKMLsQmugQMqHg5SihIMoshvlrMXnmANwQ0L0qJYtHb2nFR4\
    OoPaL7zE8Jo9vwxS4CaxE13VZt3Xj5_FtAgXaPoq0pVm1I0xJ-B3KkMa65mN_PmuORJGfRqODlr_x0JrDPGvByYVvy11prUP\
    BRM9pOQBa9y3Xintx_xiR-0uVDhmPPdhgkarm074Fkfj7sNxicx2NIOT6QMlh6m_VXAwE0fxEUb_PRBQl-El02PgQcOlZZ1_\
    JGrlxERFcX8cchBZQwmbMCGABHrnChuhoR-l_-aU_oeGVHWjXD_dq57MUmsuXoe2s48X073Y4hhXjedvloOGyod7WFc4VSB0\
    uo3ipKnwkwuarw9b_4q0epU3mhybyQpqDys-qSAPucdyOVf9knttKG4s4zNDffdxPxZLKQfSgNKg11oI0zcrQYIfBDerzRW9\
    VECihy64GWEGZvZ88pgHuDhbva8DtZf8MVLEG9kB3ZpuYXu3vvfgoZ209YdOF-9RoQaQuu1pFGGyVcGHWuELIreUw9uRlKKh\
    wcih_jTqLT6e7S4KtS5Dck3t56npdx9iIauxocbos3sWke88faO5ZhUmc7E5Wy-f-jtFTjm9UaZdGsru1izJEuv.";

const SESSION_KEY_HEX: &str = "3987bc6d45c8d46e9969bf679b9f2a17922ed0d40055c313232f290ae9d87bf0";
const DERIVED_KEY_HEX: &str = "b0fcfcd863df6f583fa8321d4971926b2bfa8e4d12e9a7dd71e88b2df379d0a3";
const PLAINTEXT_LEN: usize = 1905;
const PLAINTEXT_SHA256_HEX: &str =
    "08a38509efc2de2677b81e36179b4d92bdcf04963d4caa8ecabbf22bc422cbec";
const PLAINTEXT_PREFIX: &str = r#"{"token_type":"Bearer","expires_in":"1209599","ext_expires_in":"0","expires_on":"1708017084","refresh_token":"#;
const PLAINTEXT_SUFFIX: &str = r#"dmVyIjoiMS4wIn0."}"#;

/// Vector 2: GCM (12-byte IV, AAD = protected header), ctx = 100..=123.
const GCM_JWE: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiY3R4IjoiWkdWbVoyaHBhbXRzYlc1dmNIRnljM1IxZG5kNGVYcDcifQ..AQIDBAUGBwgJCgsM.-UEGLBlBeGmfKpltatBj_0wQmkeJh-xP79Uqp0u4Xng.AWy56GbOAyGW99-i5a1Bbw";
/// Vector 3: CBC (16-byte IV, empty tag), same ctx.
const CBC_JWE: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiY3R4IjoiWkdWbVoyaHBhbXRzYlc1dmNIRnljM1IxZG5kNGVYcDcifQ..EBESExQVFhcYGRobHB0eHw.gEunJkG7UerIwugSiLmND3S8t8ZNkOtPPmrvvbmwBfnTJ0TLkjQc4QcWm-lyi7yg.";
/// Vector 4: GCM without ctx: the session key itself is the content key.
const NOCTX_JWE: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AQIDBAUGBwgJCgsM.24soY9gGP95sZD0I0bk0a8NJQFd3Sy33VfsHouCX3RM.4d453cOdNvkDq9IztcSLbQ";
const DERIVED_KEY_CTX_100_HEX: &str =
    "37121eed5f93f70c9fcf083a05bcf041f0fab91aa04e013de9d41a5d2733c684";
const CLIENT_KEY_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

fn transport_key_der() -> Vec<u8> {
    hex::decode(TRANSPORT_KEY_PKCS1_HEX).unwrap()
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn der_len(len: usize) -> Vec<u8> {
    if len < 0x80 {
        vec![len as u8]
    } else if len < 0x100 {
        vec![0x81, len as u8]
    } else {
        vec![0x82, (len >> 8) as u8, len as u8]
    }
}

/// PKCS#8 PrivateKeyInfo around a PKCS#1 key (version 0, rsaEncryption with NULL parameters).
fn pkcs8_from_pkcs1(pkcs1: &[u8]) -> Vec<u8> {
    let alg = hex::decode("300d06092a864886f70d0101010500").unwrap();
    let mut body = vec![0x02, 0x01, 0x00];
    body.extend_from_slice(&alg);
    body.push(0x04);
    body.extend(der_len(pkcs1.len()));
    body.extend_from_slice(pkcs1);
    let mut out = vec![0x30];
    out.extend(der_len(body.len()));
    out.extend(body);
    out
}

fn session_key() -> PrtSessionKey {
    PrtSessionKey::from_hex(SESSION_KEY_HEX).unwrap()
}

#[test]
fn unwrap_session_key_with_transport_key_pkcs1_der_pem_and_pkcs8() {
    let der = transport_key_der();
    let keys = [
        TransportKey::from_der(&der).unwrap(),
        TransportKey::from_pem(&pem("RSA PRIVATE KEY", &der)).unwrap(),
        TransportKey::from_pem(&pem("PRIVATE KEY", &pkcs8_from_pkcs1(&der))).unwrap(),
        TransportKey::from_der(&pkcs8_from_pkcs1(&der)).unwrap(),
        TransportKey::from_file_contents(pem("RSA PRIVATE KEY", &der).as_bytes()).unwrap(),
    ];
    for tk in &keys {
        let sk = PrtSessionKey::unwrap_jwe(SESSION_KEY_JWE, tk).unwrap();
        assert_eq!(hex::encode(sk.as_bytes()), SESSION_KEY_HEX);
    }
    // Through the response object too.
    let response =
        PrtResponse::parse(&format!(r#"{{"session_key_jwe":"{SESSION_KEY_JWE}"}}"#)).unwrap();
    let sk = response.session_key(&keys[0]).unwrap();
    assert_eq!(hex::encode(sk.as_bytes()), SESSION_KEY_HEX);
    assert!(!format!("{response:?}").contains(&SESSION_KEY_JWE[60..90]));
}

#[test]
fn kdf_matches_independent_computation() {
    let jwe = CompactJwe::parse(RESPONSE_JWE).unwrap();
    assert_eq!(jwe.alg, "dir");
    assert_eq!(jwe.enc.as_deref(), Some("A256GCM"));
    assert_eq!(jwe.iv.len(), 16);
    assert!(jwe.tag.is_empty());
    let ctx = jwe.ctx.clone().unwrap();
    assert_eq!(ctx.len(), 24);
    assert_eq!(
        hex::encode(*derive_key(&session_key(), &ctx)),
        DERIVED_KEY_HEX
    );
    let ctx100: Vec<u8> = (100u8..124).collect();
    assert_eq!(
        hex::encode(*derive_key(&session_key(), &ctx100)),
        DERIVED_KEY_CTX_100_HEX
    );
}

#[test]
fn decrypt_ms_oapxbc_exchange_response() {
    use sha2::Digest;
    let plain = decrypt_dir(RESPONSE_JWE, &session_key()).unwrap();
    assert_eq!(plain.len(), PLAINTEXT_LEN);
    assert!(plain.starts_with(PLAINTEXT_PREFIX.as_bytes()));
    assert!(plain.ends_with(PLAINTEXT_SUFFIX.as_bytes()));
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&*plain)),
        PLAINTEXT_SHA256_HEX
    );
    // The same body parsed as an (encrypted) token response: no tickets, the OAuth fields kept.
    let response = PrtResponse::parse_encrypted(RESPONSE_JWE, &session_key()).unwrap();
    assert!(response.tgt_cloud.is_none() && response.tgt_ad.is_none());
    assert_eq!(response.extra["token_type"], "Bearer");
    assert!(response.extra.contains_key("refresh_token"));
    assert!(matches!(
        response.cloud_tgt(),
        Err(CloudError::MissingTgt(
            kerberos_client::cloud::TgtKind::Cloud
        ))
    ));
}

#[test]
fn decrypt_gcm_cbc_and_ctx_less_client_keys() {
    for jwe in [GCM_JWE, CBC_JWE, NOCTX_JWE] {
        let plain = decrypt_dir(jwe, &session_key()).unwrap();
        assert_eq!(hex::encode(&*plain), CLIENT_KEY_HEX, "{jwe}");
    }
}

#[test]
fn wrong_keys_and_tampering_are_typed_errors() {
    let wrong = PrtSessionKey::from_bytes(&[0x42; 32]).unwrap();
    assert!(matches!(
        decrypt_dir(GCM_JWE, &wrong),
        Err(CloudError::JweDecryptFailed(_))
    ));
    // CBC under a wrong key: a padding failure, or (rarely) garbage of the wrong length; never
    // the right plaintext.
    match decrypt_dir(CBC_JWE, &wrong) {
        Err(CloudError::JweDecryptFailed(_)) => {}
        Ok(p) => assert_ne!(hex::encode(&*p), CLIENT_KEY_HEX),
        Err(e) => panic!("unexpected {e:?}"),
    }
    // GCM authenticates the protected header.
    let mut parts: Vec<String> = GCM_JWE.split('.').map(str::to_owned).collect();
    parts[0] = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiY3R4IjoiWkdWbVoyaHBhbXRzYlc1dmNIRnljM1IxZG5kNGVYcDcifQ=".into();
    assert!(matches!(
        decrypt_dir(&parts.join("."), &session_key()),
        Err(CloudError::JweDecryptFailed(_))
    ));
    // Truncated JWEs.
    for cut in [10, 95, 100, GCM_JWE.len() - 3] {
        assert!(
            decrypt_dir(&GCM_JWE[..cut], &session_key()).is_err(),
            "cut {cut}"
        );
    }
    // Another transport key cannot unwrap the session key.
    {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let other = rsa::PrivateKey::new(&mut rand::rng(), 2048).unwrap();
        let der = other.to_pkcs1_der().unwrap();
        let tk = TransportKey::from_der(der.as_bytes()).unwrap();
        assert!(matches!(
            PrtSessionKey::unwrap_jwe(SESSION_KEY_JWE, &tk),
            Err(CloudError::SessionKeyUnwrapFailed)
        ));
    }
    assert!(matches!(
        TransportKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        Err(CloudError::TransportKey(_))
    ));
    assert!(matches!(
        TransportKey::from_pem(&pem("RSA PRIVATE KEY", b"\x30\x03\x02\x01\x00")),
        Err(CloudError::TransportKey(_))
    ));
    // The session key JWE is not an alg=dir JWE and vice versa.
    let tk = TransportKey::from_der(&transport_key_der()).unwrap();
    assert!(matches!(
        PrtSessionKey::unwrap_jwe(GCM_JWE, &tk),
        Err(CloudError::UnsupportedJwe { .. })
    ));
    assert!(matches!(
        decrypt_dir(SESSION_KEY_JWE, &session_key()),
        Err(CloudError::UnsupportedJwe { .. })
    ));
}
