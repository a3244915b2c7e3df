//! The project's cloud-TGT fixture generator: real AS-REPs from the MIT KDC that
//! `scripts/entra-emulation.sh` runs for `KERBEROS.MICROSOFTONLINE.COM` (and the on-premises
//! stand-in `CONTOSO.TEST`), wrapped into PRT token responses exactly as Entra ID delivers them.
//!
//! The tests need the environment written by the script:
//!
//! ```sh
//! scripts/entra-emulation.sh start /tmp/kc-entra && . /tmp/kc-entra/env.sh
//! ```
//!
//! which exports `KC_CLOUD_DIR`, `KC_CLOUD_KRB5_CONFIG`, `KC_CLOUD_KDC`, `KC_CLOUD_AD_KDC`,
//! `KC_CLOUD_USER`, `KC_CLOUD_USER_KEYTAB`, `KC_CLOUD_AD_USER`, `KC_CLOUD_AD_USER_KEYTAB`, ….
//! Without it the tests fail (never skip).
//!
//! Two shapes:
//! * [`Shape::Faithful`]: every property of a real cloud TGT (cloud-tgt.md §1.5): the Ticket
//!   re-shaped to opaque (enc-part etype −1, no kvno; the KDC's cipher bytes kept), no padata,
//!   an EncASRepPart (`[APPLICATION 25]`) with nonce 0, last-req `{0, authtime}`, flags
//!   0x40810000, starttime = authtime, an empty `caddr`, `encrypted-pa-data` =
//!   `[PA-SUPPORTED-ENCTYPES 10 00 00 00]`, re-encrypted under a fresh random client key (as
//!   Entra generates one per request). The cloud ticket is then no longer usable with the KDC;
//!   the AD ticket is kept as issued (only its enc-part is re-shaped), so it stays usable.
//! * [`Shape::Usable`]: the KDC's AS-REPs untouched (tickets usable with the real KDC, e.g. for
//!   a TGS exchange through kdcproxy); the client key is the user's long-term key.
//!
//! The JWE side (session key wrapped for a generated RSA transport key with RSA-OAEP/SHA-1,
//! clientKey as an `alg=dir` JWE under the SP 800-108 derived key) is written here
//! independently of the library's decryption code.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cbc::cipher::{BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use hmac::{Hmac, Mac};
use kerberos_client::asn1::{
    self, AsRep, EncAsRepPart, EncKdcRepPart, EncryptedData, Extensions, KdcRep, KerberosTime,
    LastReqEntry, PaData, RawTicket, TicketFlags, UInt32,
};
use kerberos_client::crypto::{EncryptionType, Key, KeyUsage};
use kerberos_client::exchange::{AsExchange, AsOptions, AsRequest, AsSecret, Step};
use kerberos_client::keytab::Keytab;
use kerberos_client::principal::Principal;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use serde_json::json;

/// The emulated Entra realm lab, from the `KC_CLOUD_*` environment.
#[derive(Debug, Clone)]
pub struct CloudLab {
    pub dir: PathBuf,
    pub krb5_config: PathBuf,
    pub realm: String,
    pub kdc: String,
    pub ad_realm: String,
    pub ad_kdc: String,
    pub user: Principal,
    pub user_keytab: PathBuf,
    pub ad_user: Principal,
    pub ad_user_keytab: PathBuf,
    pub service: String,
    pub service_keytab: PathBuf,
}

fn need(var: &str) -> String {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "\n\n{var} is not set: the cloud-TGT tests need the emulated Entra KDC. Run\n\n    \
             scripts/entra-emulation.sh start /tmp/kc-entra && . /tmp/kc-entra/env.sh\n\n\
             in the shell that runs `cargo test` (see tests/cloud_fixture/mod.rs).\n"
        ),
    }
}

/// The lab from the environment; panics with instructions when it is not set up.
pub fn lab() -> CloudLab {
    let parse = |var: &str| {
        let s = need(var);
        Principal::parse(&s, None).unwrap_or_else(|e| panic!("{var}={s}: {e}"))
    };
    let lab = CloudLab {
        dir: PathBuf::from(need("KC_CLOUD_DIR")),
        krb5_config: PathBuf::from(need("KC_CLOUD_KRB5_CONFIG")),
        realm: need("KC_CLOUD_REALM"),
        kdc: need("KC_CLOUD_KDC"),
        ad_realm: need("KC_CLOUD_AD_REALM"),
        ad_kdc: need("KC_CLOUD_AD_KDC"),
        user: parse("KC_CLOUD_USER"),
        user_keytab: PathBuf::from(need("KC_CLOUD_USER_KEYTAB")),
        ad_user: parse("KC_CLOUD_AD_USER"),
        ad_user_keytab: PathBuf::from(need("KC_CLOUD_AD_USER_KEYTAB")),
        service: need("KC_CLOUD_SERVICE"),
        service_keytab: PathBuf::from(need("KC_CLOUD_SERVICE_KEYTAB")),
    };
    assert_eq!(
        lab.user.components.len(),
        1,
        "KC_CLOUD_USER must be one component containing '@' (like Entra's cloud users)"
    );
    lab
}

/// One request/reply over TCP (RFC 4120 §7.2.2 framing).
fn tcp_exchange(kdc: &str, message: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(kdc).unwrap_or_else(|e| panic!("connect {kdc}: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let len = u32::try_from(message.len()).unwrap();
    s.write_all(&len.to_be_bytes()).unwrap();
    s.write_all(message).unwrap();
    let mut hdr = [0u8; 4];
    s.read_exact(&mut hdr).unwrap();
    let n = u32::from_be_bytes(hdr) as usize;
    assert!(n < 1 << 20, "reply length {n}");
    let mut reply = vec![0u8; n];
    s.read_exact(&mut reply).unwrap();
    reply
}

/// A real AS-REP from the KDC, and the key it is encrypted with (usage 3).
pub struct RealAsRep {
    pub der: Vec<u8>,
    pub reply_key: Key,
}

/// The client's aes256-cts-hmac-sha1-96 key from its keytab.
pub fn keytab_key(keytab: &Path, client: &Principal) -> Key {
    let kt = Keytab::read(keytab).unwrap_or_else(|e| panic!("{}: {e}", keytab.display()));
    let entry = kt
        .keys(client, None)
        .into_iter()
        .find(|e| e.key.etype == 18)
        .unwrap_or_else(|| panic!("no aes256 key for {client} in {}", keytab.display()));
    Key::from_bytes(EncryptionType::Aes256CtsHmacSha196, &entry.key.value).unwrap()
}

/// Run our AS exchange against `kdc` with the keytab key and keep the final reply bytes.
pub fn fetch_as_rep(kdc: &str, client: &Principal, keytab: &Path) -> RealAsRep {
    let key = keytab_key(keytab, client);
    let mut ex = AsExchange::new(
        AsRequest {
            client: client.clone(),
            secret: AsSecret::Keys(vec![key.clone()]),
            options: AsOptions {
                forwardable: true,
                renew_lifetime: Some(Duration::from_secs(7 * 86400)),
                ..AsOptions::default()
            },
        },
        SystemTime::now(),
    )
    .unwrap();
    let mut last = Vec::new();
    loop {
        match ex.poll() {
            Some(Step::Send(out)) => {
                last = tcp_exchange(kdc, &out.message);
                ex.receive(&last, SystemTime::now())
                    .unwrap_or_else(|e| panic!("AS exchange for {client} at {kdc}: {e}"));
            }
            Some(Step::Done(_cred)) => break,
            None => panic!("AS exchange ended without a credential"),
        }
    }
    RealAsRep {
        der: last,
        reply_key: key,
    }
}

/// PA-SUPPORTED-ENCTYPES (165) with AES256 only, as Entra sends it.
pub const PA_SUPPORTED_ENCTYPES: i32 = 165;
/// The flags of a real cloud TGT: forwardable | renewable | enc-pa-rep (bit 15).
pub const CLOUD_TGT_FLAGS: u32 = 0x4081_0000;

/// Re-shape a real AS-REP into the faithful Entra shape (see the module doc), re-encrypted under
/// `client_key`. `opaque_ticket`: also make the Ticket opaque (etype −1, no kvno).
pub fn reshape(real: &RealAsRep, client_key: &Key, opaque_ticket: bool) -> Vec<u8> {
    let AsRep(rep) = asn1::decode::<AsRep>(&real.der).unwrap();
    let plain = real
        .reply_key
        .decrypt(KeyUsage::AS_REP_ENC_PART, &rep.enc_part.cipher)
        .unwrap();
    let (enc, _) = asn1::decode_enc_kdc_rep_part(&plain).unwrap();
    let ticket = if opaque_ticket {
        let mut t = rep.ticket.parse().unwrap();
        t.enc_part = EncryptedData::new(-1, None, t.enc_part.cipher.to_vec());
        RawTicket::from_ticket(&t).unwrap()
    } else {
        rep.ticket.clone()
    };
    let new_enc = EncKdcRepPart {
        key: enc.key.clone(),
        last_req: vec![LastReqEntry {
            lr_type: 0,
            lr_value: enc.authtime,
        }],
        nonce: UInt32(0),
        key_expiration: None,
        flags: TicketFlags::from_u32(CLOUD_TGT_FLAGS),
        authtime: enc.authtime,
        starttime: Some(enc.starttime.unwrap_or(enc.authtime)),
        endtime: enc.endtime,
        renew_till: enc.renew_till,
        srealm: enc.srealm.clone(),
        sname: enc.sname.clone(),
        caddr: Some(Vec::new()),
        encrypted_pa_data: Some(vec![PaData::new(
            PA_SUPPORTED_ENCTYPES,
            vec![0x10, 0, 0, 0],
        )]),
        ext: Extensions::default(),
    };
    let enc_der = asn1::encode(&EncAsRepPart(new_enc)).unwrap();
    assert_eq!(enc_der[0], 0x79, "[APPLICATION 25]");
    let cipher = client_key.encrypt(KeyUsage::AS_REP_ENC_PART, &enc_der);
    let out = AsRep(KdcRep {
        pvno: 5,
        msg_type: 11,
        padata: None,
        crealm: rep.crealm.clone(),
        cname: rep.cname.clone(),
        ticket,
        enc_part: EncryptedData::new(client_key.etype().id(), None, cipher),
    });
    asn1::encode(&out).unwrap()
}

/// The ticket bytes inside an AS-REP.
pub fn ticket_of(as_rep: &[u8]) -> Vec<u8> {
    asn1::decode::<AsRep>(as_rep).unwrap().0.ticket.into_bytes()
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).unwrap();
    b
}

fn b64u(b: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(b)
}

/// K = HMAC-SHA256(session_key, 00000001 ‖ "AzureAD-SecureConversation" ‖ 00 ‖ ctx ‖ 00000100).
fn kdf(session_key: &[u8], ctx: &[u8]) -> [u8; 32] {
    let mut input = Vec::new();
    input.extend_from_slice(&[0, 0, 0, 1]);
    input.extend_from_slice(b"AzureAD-SecureConversation");
    input.push(0);
    input.extend_from_slice(ctx);
    input.extend_from_slice(&[0, 0, 1, 0]);
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(session_key).unwrap();
    mac.update(&input);
    mac.finalize().into_bytes().into()
}

/// How the fixture delivers `clientKey`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientKeyForm {
    /// A JWE with a 16-byte IV: AES-256-CBC + PKCS#7, empty tag (what Entra sends).
    JweCbc,
    /// A JWE with a 12-byte IV: AES-256-GCM, AAD = the protected header.
    JweGcm,
    /// Plain base64 of the raw key.
    PlainBase64,
}

/// `clientKey` for `raw` under `session_key`.
pub fn wrap_client_key(raw: &[u8], session_key: &[u8], form: ClientKeyForm) -> String {
    let ctx: [u8; 24] = random();
    // Entra's member order (serde_json would sort the keys).
    let header = b64u(
        format!(
            r#"{{"alg":"dir","enc":"A256GCM","ctx":"{}"}}"#,
            STANDARD.encode(ctx)
        )
        .as_bytes(),
    );
    let key = kdf(session_key, &ctx);
    match form {
        ClientKeyForm::PlainBase64 => STANDARD.encode(raw),
        ClientKeyForm::JweCbc => {
            let iv: [u8; 16] = random();
            let enc = cbc::Encryptor::<aes::Aes256>::new_from_slices(&key, &iv).unwrap();
            let mut buf = raw.to_vec();
            buf.resize(raw.len() + 16, 0);
            let ct = enc
                .encrypt_padded::<Pkcs7>(&mut buf, raw.len())
                .unwrap()
                .to_vec();
            format!("{header}..{}.{}.", b64u(&iv), b64u(&ct))
        }
        ClientKeyForm::JweGcm => {
            let iv: [u8; 12] = random();
            let cipher = aes_gcm::Aes256Gcm::new_from_slice(&key).unwrap();
            let nonce = aes_gcm::Nonce::try_from(&iv[..]).unwrap();
            let out = cipher
                .encrypt(
                    &nonce,
                    Payload {
                        msg: raw,
                        aad: header.as_bytes(),
                    },
                )
                .unwrap();
            let (ct, tag) = out.split_at(out.len() - 16);
            format!("{header}..{}.{}.{}", b64u(&iv), b64u(ct), b64u(tag))
        }
    }
}

/// The device transport key (generated once per test binary; 2048-bit RSA).
pub fn transport_key() -> &'static rsa::PrivateKey {
    static KEY: OnceLock<rsa::PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::PrivateKey::new(&mut rand::rng(), 2048).unwrap())
}

/// `session_key_jwe`: `{"enc":"A256GCM","alg":"RSA-OAEP"}`, the session key as the CEK wrapped by
/// RSA-OAEP/SHA-1 for the transport key, and a GCM payload under it (ignored by clients).
pub fn session_key_jwe(session_key: &[u8; 32], key: &rsa::PrivateKey) -> String {
    let header = b64u(br#"{"enc":"A256GCM","alg":"RSA-OAEP"}"#);
    let wrapped = key
        .to_public_key()
        .oaep_encrypt::<sha1::Sha1>(session_key)
        .unwrap();
    let iv: [u8; 12] = random();
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(session_key).unwrap();
    let nonce = aes_gcm::Nonce::try_from(&iv[..]).unwrap();
    let out = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: b"{}",
                aad: header.as_bytes(),
            },
        )
        .unwrap();
    let (ct, tag) = out.split_at(out.len() - 16);
    format!(
        "{header}.{}.{}.{}.{}",
        b64u(&wrapped),
        b64u(&iv),
        b64u(ct),
        b64u(tag)
    )
}

/// Which fixture shape (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Faithful,
    Usable,
}

/// Options of [`generate`].
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub shape: Shape,
    pub client_key: ClientKeyForm,
    /// `tgt_*` as JSON strings (Entra) rather than embedded objects.
    pub tgt_as_string: bool,
    pub with_ad: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            shape: Shape::Faithful,
            client_key: ClientKeyForm::JweCbc,
            tgt_as_string: true,
            with_ad: true,
        }
    }
}

/// One ticket of a generated response, with what the import must produce.
pub struct TicketFixture {
    pub as_rep: Vec<u8>,
    pub ticket: Vec<u8>,
    pub client_key: Vec<u8>,
    pub session_key: Vec<u8>,
    pub client: Principal,
    pub tgt_json: serde_json::Value,
}

/// A generated PRT token response.
pub struct Fixture {
    pub json: String,
    pub session_key: [u8; 32],
    pub transport_key_pkcs1_pem: String,
    pub transport_key_pkcs8_pem: String,
    pub cloud: TicketFixture,
    pub ad: Option<TicketFixture>,
}

impl Fixture {
    pub fn session_key_hex(&self) -> String {
        hex::encode(self.session_key)
    }
}

fn session_key_of(as_rep: &[u8], key: &Key) -> Vec<u8> {
    let rep = asn1::decode::<AsRep>(as_rep).unwrap().0;
    let plain = key
        .decrypt(KeyUsage::AS_REP_ENC_PART, &rep.enc_part.cipher)
        .unwrap();
    asn1::decode_enc_kdc_rep_part(&plain)
        .unwrap()
        .0
        .key
        .keyvalue
        .as_ref()
        .to_vec()
}

fn ticket_fixture(
    real: RealAsRep,
    opts: &Options,
    session_key: &[u8; 32],
    opaque_ticket: bool,
    tgt_fields: serde_json::Value,
) -> TicketFixture {
    let (as_rep, key) = match opts.shape {
        Shape::Faithful => {
            let key = Key::random(EncryptionType::Aes256CtsHmacSha196);
            (reshape(&real, &key, opaque_ticket), key)
        }
        Shape::Usable => (real.der.clone(), real.reply_key.clone()),
    };
    let rep = asn1::decode::<AsRep>(&as_rep).unwrap().0;
    let client = Principal::new(
        rep.cname.name_type,
        rep.crealm.as_bytes().to_vec(),
        rep.cname.name_string.iter().map(|s| s.as_bytes().to_vec()),
    );
    let mut tgt_json = tgt_fields;
    tgt_json["clientKey"] = json!(wrap_client_key(
        key.as_bytes(),
        session_key,
        opts.client_key
    ));
    tgt_json["keyType"] = json!(18);
    tgt_json["messageBuffer"] = json!(STANDARD.encode(&as_rep));
    TicketFixture {
        ticket: ticket_of(&as_rep),
        session_key: session_key_of(&as_rep, &key),
        client_key: key.as_bytes().to_vec(),
        client,
        as_rep,
        tgt_json,
    }
}

/// Generate a PRT token response from fresh AS-REPs of the lab's KDC.
pub fn generate(lab: &CloudLab, opts: Options) -> Fixture {
    let session_key: [u8; 32] = random();
    let tk = transport_key();
    let user_upn = String::from_utf8(lab.user.components[0].clone()).unwrap();
    let cloud = ticket_fixture(
        fetch_as_rep(&lab.kdc, &lab.user, &lab.user_keytab),
        &opts,
        &session_key,
        true,
        json!({
            "realm": lab.realm,
            "sn": format!("krbtgt/{}", lab.realm),
            "cn": user_upn,
            "sessionKeyType": 0,
            "accountType": 2,
        }),
    );
    let ad = opts.with_ad.then(|| {
        ticket_fixture(
            fetch_as_rep(&lab.ad_kdc, &lab.ad_user, &lab.ad_user_keytab),
            &opts,
            &session_key,
            false,
            json!({
                "realm": lab.ad_realm,
                "sn": format!("krbtgt/{}", lab.ad_realm),
                "cn": String::from_utf8(lab.ad_user.components[0].clone()).unwrap(),
                "sessionKeyType": 0,
                "accountType": 2,
            }),
        )
    });
    let tgt_value = |t: &TicketFixture| {
        if opts.tgt_as_string {
            json!(t.tgt_json.to_string())
        } else {
            t.tgt_json.clone()
        }
    };
    let mut body = json!({
        "token_type": "Bearer",
        "expires_in": "1209599",
        "ext_expires_in": "0",
        "expires_on": "1708017084",
        "refresh_token": "0.AbcA-not-a-real-refresh-token",
        "refresh_token_expires_in": 1209599,
        "id_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.e30.",
        "client_info": "eyJ1aWQiOiIxIiwidXRpZCI6IjIifQ",
        "session_key_jwe": session_key_jwe(&session_key, tk),
        "tgt_cloud": tgt_value(&cloud),
        "kerberos_top_level_names": ".windows.net,.file.core.windows.net,https://login.microsoftonline.com:443",
    });
    if let Some(ad) = &ad {
        body["tgt_ad"] = tgt_value(ad);
    }
    Fixture {
        json: body.to_string(),
        session_key,
        transport_key_pkcs1_pem: tk.to_pkcs1_pem(LineEnding::LF).unwrap().to_string(),
        transport_key_pkcs8_pem: tk.to_pkcs8_pem(LineEnding::LF).unwrap().to_string(),
        cloud,
        ad,
    }
}

/// `klist` output for a cache (MIT, with the lab's client configuration).
pub fn klist(lab: &CloudLab, cache: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("klist")
        .args(args)
        .arg("-c")
        .arg(cache)
        .env("KRB5_CONFIG", &lab.krb5_config)
        .output()
        .expect("run klist (MIT krb5-user)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "klist {args:?} failed:\n{text}");
    text
}

/// A KerberosTime for `unix` seconds (helper for assertions).
pub fn ktime(unix: i64) -> KerberosTime {
    KerberosTime::from_unix(unix)
}
