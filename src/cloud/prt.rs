//! The PRT token response JSON: `tgt_cloud`, `tgt_ad`, `kerberos_top_level_names`,
//! `session_key_jwe`, the legacy `tgt_client_key`/`tgt_key_type`/`tgt_message_buffer`, and the
//! OAuth `error` fields.

use std::fmt;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::jwe::{PrtSessionKey, TransportKey, b64_lenient, decrypt_dir};
use super::{CLOUD_REALM, CloudError, TgtKind};
use crate::crypto::Key;
use crate::exchange::Credential;

/// A parsed PRT token response. Only the Kerberos-related fields are interpreted; every other
/// top-level field (`refresh_token`, `id_token`, `client_info`, …) is kept in [`extra`](Self::extra).
/// `Debug` prints field names only, never values.
#[derive(Clone, Default)]
pub struct PrtResponse {
    /// `tgt_cloud`, or the legacy top-level `tgt_client_key`/`tgt_key_type`/`tgt_message_buffer`.
    pub tgt_cloud: Option<TgtBlob>,
    /// `tgt_ad`, the partial TGT for the on-premises realm.
    pub tgt_ad: Option<TgtBlob>,
    /// `kerberos_top_level_names` as received (see [`top_level_names`](Self::top_level_names)).
    pub kerberos_top_level_names: Option<String>,
    /// `session_key_jwe`: the PRT session key wrapped for the device transport key.
    pub session_key_jwe: Option<String>,
    /// Whether `tgt_cloud` (or some of its fields) came from the legacy top-level fields.
    pub legacy_fields: bool,
    /// Every other top-level field, unchanged.
    pub extra: Map<String, Value>,
}

impl fmt::Debug for PrtResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrtResponse")
            .field("tgt_cloud", &self.tgt_cloud)
            .field("tgt_ad", &self.tgt_ad)
            .field("kerberos_top_level_names", &self.kerberos_top_level_names)
            .field(
                "session_key_jwe",
                &self.session_key_jwe.as_ref().map(|_| "<redacted>"),
            )
            .field("legacy_fields", &self.legacy_fields)
            .field("extra_fields", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// One ticket object of the response (`tgt_cloud` or `tgt_ad`). `Debug` redacts `clientKey`.
#[derive(Clone)]
pub struct TgtBlob {
    /// Which ticket this is.
    pub kind: TgtKind,
    /// `clientKey`: the AS-REP reply key, as a compact JWE (`alg=dir`) or plain base64.
    pub client_key: Option<Zeroizing<String>>,
    /// `keyType`: the encryption type of `clientKey` (18 in practice).
    pub key_type: Option<i32>,
    /// `messageBuffer`: base64 of the DER KRB-AS-REP.
    pub message_buffer: Option<String>,
    /// `realm`.
    pub realm: Option<String>,
    /// `sn`: the server name, e.g. `krbtgt/KERBEROS.MICROSOFTONLINE.COM`.
    pub sn: Option<String>,
    /// `cn`: the client name (the UPN for the cloud ticket).
    pub cn: Option<String>,
    /// `sessionKeyType` (meaning unknown; 0 in observed responses).
    pub session_key_type: Option<i64>,
    /// `accountType` (meaning unknown; 2 for a cloud user in observed responses).
    pub account_type: Option<i64>,
    /// `error`: present instead of a ticket when Entra did not issue it.
    pub error: Option<String>,
    /// Every other field, unchanged.
    pub extra: Map<String, Value>,
}

impl fmt::Debug for TgtBlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let client_key = self.client_key.as_ref().map(|k| {
            if k.contains('.') {
                "<JWE redacted>"
            } else {
                "<base64 redacted>"
            }
        });
        f.debug_struct("TgtBlob")
            .field("kind", &self.kind)
            .field("client_key", &client_key)
            .field("key_type", &self.key_type)
            .field(
                "message_buffer_len",
                &self.message_buffer.as_ref().map(String::len),
            )
            .field("realm", &self.realm)
            .field("sn", &self.sn)
            .field("cn", &self.cn)
            .field("session_key_type", &self.session_key_type)
            .field("account_type", &self.account_type)
            .field("error", &self.error)
            .field("extra_fields", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn field_name(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

/// A string field; `null` counts as absent.
fn take_string(
    obj: &mut Map<String, Value>,
    prefix: &str,
    name: &str,
) -> Result<Option<String>, CloudError> {
    match obj.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(CloudError::FieldType {
            field: field_name(prefix, name),
            expected: "a string",
        }),
    }
}

/// An integer field given as a JSON number or a decimal string; `null` counts as absent.
fn take_int(
    obj: &mut Map<String, Value>,
    prefix: &str,
    name: &str,
) -> Result<Option<i64>, CloudError> {
    let bad = || CloudError::FieldType {
        field: field_name(prefix, name),
        expected: "an integer",
    };
    match obj.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(bad),
        Some(Value::String(s)) => s.trim().parse::<i64>().map(Some).map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

fn take_i32(
    obj: &mut Map<String, Value>,
    prefix: &str,
    name: &str,
) -> Result<Option<i32>, CloudError> {
    match take_int(obj, prefix, name)? {
        None => Ok(None),
        Some(v) => i32::try_from(v)
            .map(Some)
            .map_err(|_| CloudError::FieldType {
                field: field_name(prefix, name),
                expected: "a 32-bit integer",
            }),
    }
}

impl TgtBlob {
    fn empty(kind: TgtKind) -> Self {
        TgtBlob {
            kind,
            client_key: None,
            key_type: None,
            message_buffer: None,
            realm: None,
            sn: None,
            cn: None,
            session_key_type: None,
            account_type: None,
            error: None,
            extra: Map::new(),
        }
    }

    /// Parse a ticket object from its JSON value: a string holding a JSON document (what Entra
    /// sends), or an embedded object. `null` and an empty string mean "no ticket".
    pub fn from_json_value(kind: TgtKind, value: Value) -> Result<Option<Self>, CloudError> {
        let mut obj = match value {
            Value::Null => return Ok(None),
            Value::String(s) if s.trim().is_empty() => return Ok(None),
            Value::String(s) => {
                let inner: Value = serde_json::from_str(&s)
                    .map_err(|e| CloudError::Json(format!("{kind}: {e}")))?;
                match inner {
                    Value::Object(o) => o,
                    _ => return Err(CloudError::NotAnObject(kind.field())),
                }
            }
            Value::Object(o) => o,
            _ => {
                return Err(CloudError::FieldType {
                    field: kind.field().to_owned(),
                    expected: "a JSON string or object",
                });
            }
        };
        let p = kind.field();
        let error = match obj.remove("error") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s),
            Some(other) => Some(other.to_string()),
        };
        Ok(Some(TgtBlob {
            kind,
            client_key: take_string(&mut obj, p, "clientKey")?.map(Zeroizing::new),
            key_type: take_i32(&mut obj, p, "keyType")?,
            message_buffer: take_string(&mut obj, p, "messageBuffer")?,
            realm: take_string(&mut obj, p, "realm")?,
            sn: take_string(&mut obj, p, "sn")?,
            cn: take_string(&mut obj, p, "cn")?,
            session_key_type: take_int(&mut obj, p, "sessionKeyType")?,
            account_type: take_int(&mut obj, p, "accountType")?,
            error,
            extra: obj,
        }))
    }

    /// `Err(TgtNotIssued)` when the object carries `error`.
    pub fn check_issued(&self) -> Result<(), CloudError> {
        match &self.error {
            Some(error) => Err(CloudError::TgtNotIssued {
                which: self.kind,
                error: error.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Whether `clientKey` is a JWE (needs the PRT session key) rather than plain base64.
    pub fn client_key_is_encrypted(&self) -> bool {
        self.client_key.as_ref().is_some_and(|k| k.contains('.'))
    }

    /// The AS-REP reply key: `clientKey` decrypted with the PRT session key when it is a JWE, or
    /// base64-decoded when it is plain (then `session_key` is not needed), typed by `keyType`.
    pub fn reply_key(&self, session_key: Option<&PrtSessionKey>) -> Result<Key, CloudError> {
        self.check_issued()?;
        let client_key = self.client_key.as_ref().ok_or(CloudError::MissingField {
            which: self.kind,
            field: "clientKey",
        })?;
        let raw = if client_key.contains('.') {
            let sk = session_key.ok_or(CloudError::SessionKeyRequired(self.kind))?;
            decrypt_dir(client_key, sk)?
        } else {
            Zeroizing::new(b64_lenient(client_key).ok_or(CloudError::Base64("clientKey"))?)
        };
        super::import::reply_key(self.key_type, &raw)
    }

    /// The DER KRB-AS-REP from `messageBuffer`.
    pub fn as_rep_der(&self) -> Result<Vec<u8>, CloudError> {
        self.check_issued()?;
        let mb = self
            .message_buffer
            .as_ref()
            .ok_or(CloudError::MissingField {
                which: self.kind,
                field: "messageBuffer",
            })?;
        b64_lenient(mb).ok_or(CloudError::Base64("messageBuffer"))
    }

    /// Import the ticket: decrypt the reply key and the AS-REP, giving a [`Credential`] whose
    /// ticket bytes are exactly those received. `session_key` may be `None` when `clientKey` is
    /// plain base64.
    pub fn import(&self, session_key: Option<&PrtSessionKey>) -> Result<Credential, CloudError> {
        let der = self.as_rep_der()?;
        let key = self.reply_key(session_key)?;
        super::import::import_as_rep(&der, &key)
    }
}

const LEGACY_CLIENT_KEY: &str = "tgt_client_key";
const LEGACY_KEY_TYPE: &str = "tgt_key_type";
const LEGACY_MESSAGE_BUFFER: &str = "tgt_message_buffer";

impl PrtResponse {
    /// Parse a PRT token response (plain JSON). A response with a top-level `error` is returned as
    /// [`CloudError::Server`].
    pub fn parse(json: &str) -> Result<Self, CloudError> {
        let value: Value =
            serde_json::from_str(json).map_err(|e| CloudError::Json(e.to_string()))?;
        let Value::Object(mut obj) = value else {
            return Err(CloudError::NotAnObject("the PRT response"));
        };
        match obj.get("error") {
            None | Some(Value::Null) => {}
            Some(err) => {
                let error = match err {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let description = match obj.get("error_description") {
                    Some(Value::String(s)) => Some(s.clone()),
                    _ => None,
                };
                let error_codes = match obj.get("error_codes") {
                    Some(Value::Array(a)) => a.iter().filter_map(Value::as_i64).collect(),
                    _ => Vec::new(),
                };
                return Err(CloudError::Server {
                    error,
                    description,
                    error_codes,
                });
            }
        }
        let tgt_cloud = match obj.remove("tgt_cloud") {
            Some(v) => TgtBlob::from_json_value(TgtKind::Cloud, v)?,
            None => None,
        };
        let tgt_ad = match obj.remove("tgt_ad") {
            Some(v) => TgtBlob::from_json_value(TgtKind::Ad, v)?,
            None => None,
        };
        let kerberos_top_level_names = match obj.remove("kerberos_top_level_names") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s),
            Some(Value::Array(items)) => {
                let names: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
                Some(
                    names
                        .ok_or(CloudError::FieldType {
                            field: "kerberos_top_level_names".into(),
                            expected: "a string or an array of strings",
                        })?
                        .join(","),
                )
            }
            Some(_) => {
                return Err(CloudError::FieldType {
                    field: "kerberos_top_level_names".into(),
                    expected: "a string or an array of strings",
                });
            }
        };
        let session_key_jwe = take_string(&mut obj, "", "session_key_jwe")?;

        // The legacy shape: top-level tgt_client_key / tgt_key_type / tgt_message_buffer. They fill
        // whatever tgt_cloud lacks (or make up tgt_cloud when it is absent).
        let legacy_key = take_string(&mut obj, "", LEGACY_CLIENT_KEY)?;
        let legacy_type = take_i32(&mut obj, "", LEGACY_KEY_TYPE)?;
        let legacy_buffer = take_string(&mut obj, "", LEGACY_MESSAGE_BUFFER)?;
        let mut legacy_fields = false;
        let mut tgt_cloud = tgt_cloud;
        if legacy_key.is_some() || legacy_type.is_some() || legacy_buffer.is_some() {
            let blob = tgt_cloud.get_or_insert_with(|| {
                let mut b = TgtBlob::empty(TgtKind::Cloud);
                b.realm = Some(CLOUD_REALM.to_owned());
                b
            });
            if blob.client_key.is_none() && legacy_key.is_some() {
                blob.client_key = legacy_key.map(Zeroizing::new);
                legacy_fields = true;
            }
            if blob.key_type.is_none() && legacy_type.is_some() {
                blob.key_type = legacy_type;
                legacy_fields = true;
            }
            if blob.message_buffer.is_none() && legacy_buffer.is_some() {
                blob.message_buffer = legacy_buffer;
                legacy_fields = true;
            }
        }
        Ok(PrtResponse {
            tgt_cloud,
            tgt_ad,
            kerberos_top_level_names,
            session_key_jwe,
            legacy_fields,
            extra: obj,
        })
    }

    /// Parse the body of a token response to a session-key-signed request, which is an `alg=dir`
    /// JWE around the JSON (decrypted as [`decrypt_dir`]). A body that is already JSON is parsed
    /// as is.
    pub fn parse_encrypted(body: &str, session_key: &PrtSessionKey) -> Result<Self, CloudError> {
        if body.trim_start().starts_with('{') {
            return Self::parse(body);
        }
        let plain = decrypt_dir(body, session_key)?;
        let text = std::str::from_utf8(&plain)
            .map_err(|_| CloudError::Json("the decrypted response is not UTF-8".into()))?;
        Self::parse(text)
    }

    /// The cloud TGT object, if it was issued.
    pub fn cloud_tgt(&self) -> Result<&TgtBlob, CloudError> {
        Self::issued(self.tgt_cloud.as_ref(), TgtKind::Cloud)
    }

    /// The partial on-premises TGT object, if it was issued.
    pub fn ad_tgt(&self) -> Result<&TgtBlob, CloudError> {
        Self::issued(self.tgt_ad.as_ref(), TgtKind::Ad)
    }

    fn issued(blob: Option<&TgtBlob>, kind: TgtKind) -> Result<&TgtBlob, CloudError> {
        let blob = blob.ok_or(CloudError::MissingTgt(kind))?;
        blob.check_issued()?;
        Ok(blob)
    }

    /// Unwrap the PRT session key from `session_key_jwe` with the device transport key.
    pub fn session_key(&self, transport_key: &TransportKey) -> Result<PrtSessionKey, CloudError> {
        let jwe = self
            .session_key_jwe
            .as_deref()
            .ok_or(CloudError::MissingSessionKeyJwe)?;
        PrtSessionKey::unwrap_jwe(jwe, transport_key)
    }

    /// The host suffixes that belong to the cloud realm, from `kerberos_top_level_names`: split on
    /// `,`, trimmed, empty entries and entries containing `:` dropped (as himmelblau does),
    /// lower-cased, without a leading dot, deduplicated in order.
    pub fn top_level_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for entry in self
            .kerberos_top_level_names
            .as_deref()
            .unwrap_or("")
            .split(',')
        {
            let entry = entry.trim();
            if entry.is_empty() || entry.contains(':') {
                continue;
            }
            let name = entry.trim_start_matches('.').to_ascii_lowercase();
            if !name.is_empty() && !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    /// The `[domain_realm]` entries these names imply: each name and its `.`-prefixed form map to
    /// [`CLOUD_REALM`].
    pub fn domain_realm(&self) -> Vec<(String, &'static str)> {
        self.top_level_names()
            .into_iter()
            .flat_map(|n| [(format!(".{n}"), CLOUD_REALM), (n, CLOUD_REALM)])
            .collect()
    }

    /// The realm for a host by the top-level names: [`CLOUD_REALM`] when the host is one of the
    /// names or lies under one (case-insensitive), `None` otherwise.
    pub fn realm_for_host(&self, host: &str) -> Option<&'static str> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.top_level_names()
            .iter()
            .any(|n| host == *n || host.ends_with(&format!(".{n}")))
            .then_some(CLOUD_REALM)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_or_object_and_extras() {
        let inner = r#"{"clientKey":"AAAA","keyType":18,"messageBuffer":"a4I=","realm":"KERBEROS.MICROSOFTONLINE.COM","sn":"krbtgt/KERBEROS.MICROSOFTONLINE.COM","cn":"a@b.onmicrosoft.com","sessionKeyType":0,"accountType":2,"newField":[1]}"#;
        let as_string = serde_json::json!({ "tgt_cloud": inner, "refresh_token": "x" }).to_string();
        let r = PrtResponse::parse(&as_string).unwrap();
        let t = r.tgt_cloud.as_ref().unwrap();
        assert_eq!(t.key_type, Some(18));
        assert_eq!(t.account_type, Some(2));
        assert_eq!(t.session_key_type, Some(0));
        assert_eq!(t.cn.as_deref(), Some("a@b.onmicrosoft.com"));
        assert!(t.extra.contains_key("newField"));
        assert!(r.extra.contains_key("refresh_token"));
        let obj: Value = serde_json::from_str(inner).unwrap();
        let as_obj = serde_json::json!({ "tgt_ad": obj }).to_string();
        let r = PrtResponse::parse(&as_obj).unwrap();
        assert!(r.tgt_cloud.is_none());
        assert_eq!(r.ad_tgt().unwrap().kind, TgtKind::Ad);
        let dbg = format!("{r:?}");
        assert!(!dbg.contains("AAAA"), "{dbg}");
    }

    #[test]
    fn top_level_names() {
        let r = PrtResponse::parse(
            r#"{"kerberos_top_level_names":" windows.net , .File.Core.Windows.Net,https://x:1,,windows.net"}"#,
        )
        .unwrap();
        assert_eq!(
            r.top_level_names(),
            ["windows.net", "file.core.windows.net"]
        );
        assert_eq!(
            r.realm_for_host("acct.file.core.windows.net"),
            Some(CLOUD_REALM)
        );
        assert_eq!(r.realm_for_host("WINDOWS.NET."), Some(CLOUD_REALM));
        assert_eq!(r.realm_for_host("notwindows.net"), None);
        assert_eq!(r.domain_realm().len(), 4);
    }

    #[test]
    fn errors() {
        let e = PrtResponse::parse(r#"{"error":"invalid_grant","error_description":"AADSTS50126: bad","error_codes":[50126]}"#)
            .unwrap_err();
        assert!(
            matches!(&e, CloudError::Server { error, error_codes, .. } if error == "invalid_grant" && error_codes == &[50126])
        );
        assert!(e.to_string().contains("AADSTS50126"));
        assert!(matches!(
            PrtResponse::parse("[]"),
            Err(CloudError::NotAnObject(_))
        ));
        assert!(matches!(PrtResponse::parse("{"), Err(CloudError::Json(_))));
        assert!(matches!(
            PrtResponse::parse(r#"{"tgt_cloud":"{nope"}"#),
            Err(CloudError::Json(_))
        ));
        assert!(matches!(
            PrtResponse::parse(r#"{"tgt_cloud":"[1]"}"#),
            Err(CloudError::NotAnObject("tgt_cloud"))
        ));
        assert!(matches!(
            PrtResponse::parse(r#"{"tgt_cloud":{"keyType":"x"}}"#),
            Err(CloudError::FieldType { .. })
        ));
        let r = PrtResponse::parse(r#"{"tgt_ad":"{\"error\":\"no Kerberos server object\"}"}"#)
            .unwrap();
        assert!(matches!(
            r.ad_tgt(),
            Err(CloudError::TgtNotIssued {
                which: TgtKind::Ad,
                ..
            })
        ));
        assert!(matches!(
            r.cloud_tgt(),
            Err(CloudError::MissingTgt(TgtKind::Cloud))
        ));
    }

    #[test]
    fn legacy_shape() {
        let r = PrtResponse::parse(
            r#"{"tgt_client_key":"AAAA","tgt_key_type":"18","tgt_message_buffer":"a4I="}"#,
        )
        .unwrap();
        assert!(r.legacy_fields);
        let t = r.cloud_tgt().unwrap();
        assert_eq!(t.key_type, Some(18));
        assert_eq!(t.realm.as_deref(), Some(CLOUD_REALM));
        assert!(!t.client_key_is_encrypted());
    }
}
