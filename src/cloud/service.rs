//! Using the Entra tickets: service tickets with the cloud TGT through Entra's KDC proxy, and the
//! on-premises partial TGT exchanged for a full TGT (optionally with KERB-KEY-LIST).
//!
//! Both go through [`Client`] like any caller would: the realm's `kdc` is the proxy URL, the
//! SPN is sent exactly as written (Entra matches SPNs case-sensitively), only AES-256 is asked for,
//! and the cloud TGT is never renewed (Entra does not renew TGTs).

use zeroize::Zeroizing;

use super::{CLOUD_REALM, CloudError};
use crate::asn1::{self, KerbKeyListRep, constants::padata_type};
use crate::client::{Client, Credential};
use crate::config::Config;
use crate::crypto::EncryptionType;
use crate::exchange::TgsOptions;
use crate::exchange::service_name::parse_service_name;
use crate::principal::{NT_SRV_INST, Principal};

/// A cloud TGT with less than this left is not used.
const MIN_REMAINING_SECS: i64 = 120;

/// The forwardable ticket flag (RFC 4120 bit 1) as MIT stores flags.
const FORWARDABLE: u32 = 0x4000_0000;

/// KDC_ERR_CLIENT_REVOKED and KDC_ERR_TGT_REVOKED.
const CLIENT_REVOKED: i32 = 18;
const TGT_REVOKED: i32 = 20;

impl From<crate::client::ClientError> for CloudError {
    fn from(e: crate::client::ClientError) -> Self {
        CloudError::Client(Box::new(e))
    }
}

/// How to reach Entra's KDC.
#[derive(Clone, Debug, Default)]
pub struct CloudClientOptions {
    /// The KDC proxy URL, e.g. `https://login.microsoftonline.com/<tenant-id>/kerberos`.
    pub kdc_proxy: String,
    /// Trust only these CA certificates (PEM) for the proxy; default: the system's roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Allow an `http://` proxy URL (tests).
    pub allow_plain_http: bool,
    /// Host suffixes served by Entra (`kerberos_top_level_names` of the PRT response, or your
    /// own, e.g. `file.core.windows.net`): SPNs on these hosts go to KERBEROS.MICROSOFTONLINE.COM.
    pub top_level_names: Vec<String>,
}

/// A [`Client`] for the realm KERBEROS.MICROSOFTONLINE.COM: its KDC is the proxy, its host
/// suffixes map to it, AES-256 only, no DNS.
pub fn cloud_client(options: &CloudClientOptions) -> Result<Client, CloudError> {
    let aes256 = [EncryptionType::Aes256CtsHmacSha196.id()];
    let mut config = Config::builder()
        .default_realm(CLOUD_REALM)
        .kdc(CLOUD_REALM, &options.kdc_proxy)
        .dns_lookup_kdc(false)
        .dns_lookup_realm(false)
        .default_tgs_enctypes(&aes256)
        .default_tkt_enctypes(&aes256);
    for name in &options.top_level_names {
        let name = name.trim_start_matches('.');
        config = config
            .domain_realm(&format!(".{name}"), CLOUD_REALM)
            .domain_realm(name, CLOUD_REALM);
    }
    let config = config
        .build()
        .map_err(|e| CloudError::Client(Box::new(e.into())))?;
    let mut builder = Client::builder()
        .config(config)
        .allow_plain_http_proxy(options.allow_plain_http);
    if let Some(pem) = &options.ca_pem {
        builder = builder.kdc_proxy_ca_pem(pem.clone());
    }
    Ok(builder.build()?)
}

/// A service ticket for `spn` (sent exactly as written) with the cloud TGT, through the client's
/// KDC proxy. Fails early, with advice to fetch a new PRT, when the TGT is about to end.
pub fn cloud_service_ticket(
    client: &Client,
    tgt: &Credential,
    spn: &str,
    now: std::time::SystemTime,
) -> Result<Credential, CloudError> {
    let remaining = tgt.end_time - tgt.kdc_time(now);
    if remaining < MIN_REMAINING_SECS {
        return Err(CloudError::TgtExpiring {
            client: tgt.client.to_string(),
            end_time: tgt.end_time,
            remaining,
        });
    }
    let server = parse_service_name(spn, &tgt.client.realm_str(), Some(client.config()))
        .map_err(|e| CloudError::Client(Box::new(e.into())))?;
    let mut options = client.tgs_options(&server.realm_str())?;
    options.etypes = vec![EncryptionType::Aes256CtsHmacSha196.id()];
    options.renew = false;
    Ok(client
        .get_service_ticket_with(tgt, server, options)?
        .credential)
}

/// A full on-premises TGT from the partial one, and the user's NT hash when it was asked for and
/// the DC sent it.
#[derive(Debug)]
pub struct FullTgt {
    /// The full TGT (`krbtgt/REALM@REALM`, encrypted with the domain's krbtgt key).
    pub tgt: Credential,
    /// The NT hash (RC4 key) from KERB-KEY-LIST-REP, when requested and returned.
    pub nt_hash: Option<Zeroizing<[u8; 16]>>,
}

/// Exchange the partial TGT (`tgt_ad`) with a writable on-premises DC — reached through `client`
/// (directly, or through a KDC proxy configured for the realm) — for a full TGT: a TGS-REQ for
/// `krbtgt/REALM` with canonicalize, forwardable and renewable (as far as the partial TGT is), and
/// KERB-KEY-LIST-REQ for RC4 when `want_nt_hash` (MS-KILE 3.3.5.7.8).
pub fn upgrade_partial_tgt(
    client: &Client,
    partial: &Credential,
    want_nt_hash: bool,
) -> Result<FullTgt, CloudError> {
    let realm = partial.client.realm_str();
    let server = Principal::new(NT_SRV_INST, realm.as_bytes(), ["krbtgt", realm.as_str()]);
    let mut options: TgsOptions = client.tgs_options(&realm)?;
    options.canonicalize = true;
    // Entra's partial TGTs are forwardable and renewable, and the full TGT should be too; a KDC
    // refuses (KDC_ERR_BADOPTION) to grant either from a ticket that lacks it.
    options.forwardable = partial.flags & FORWARDABLE != 0;
    options.renewable = partial.is_renewable();
    if want_nt_hash {
        options.key_list_req = Some(vec![EncryptionType::Rc4Hmac.id()]);
    }
    let full = match client.get_service_ticket_with(partial, server, options) {
        Ok(t) => t.credential,
        Err(e) => {
            return Err(match e.kdc_error() {
                Some(k) if k.code == TGT_REVOKED || k.code == CLIENT_REVOKED => {
                    CloudError::PartialTgtRefused {
                        client: partial.client.to_string(),
                        code: k.code,
                        name: k.name,
                    }
                }
                _ => e.into(),
            });
        }
    };
    let nt_hash = if want_nt_hash {
        nt_hash_from_key_list(&full.enc_padata)?
    } else {
        None
    };
    Ok(FullTgt { tgt: full, nt_hash })
}

/// The RC4 key (NT hash) in a reply's encrypted-pa-data: the KERB-KEY-LIST-REP (162) is found by
/// its type, wherever it stands (DCs put PA-SUPPORTED-ENCTYPES (165) there too).
pub fn nt_hash_from_key_list(
    enc_padata: &[(i32, Vec<u8>)],
) -> Result<Option<Zeroizing<[u8; 16]>>, CloudError> {
    let Some((_, value)) = enc_padata
        .iter()
        .find(|(t, _)| *t == padata_type::KERB_KEY_LIST_REP)
    else {
        return Ok(None);
    };
    let keys: KerbKeyListRep =
        asn1::decode(value).map_err(|e| CloudError::KeyList(e.to_string()))?;
    let Some(rc4) = keys
        .iter()
        .find(|k| k.keytype == EncryptionType::Rc4Hmac.id())
    else {
        return Ok(None);
    };
    let bytes: &[u8] = rc4.keyvalue.as_ref();
    let hash: [u8; 16] = bytes.try_into().map_err(|_| {
        CloudError::KeyList(format!("RC4 key of {} bytes, expected 16", bytes.len()))
    })?;
    Ok(Some(Zeroizing::new(hash)))
}
