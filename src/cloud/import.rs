//! Importing the KRB-AS-REP of a PRT response into a [`Credential`].

use zeroize::Zeroizing;

use super::CloudError;
use crate::asn1::{self, KdcReply, constants::msg_type};
use crate::crypto::{CryptoError, EncryptionType, Key, KeyUsage};
use crate::exchange::Credential;
use crate::principal::Principal;

/// The reply key for the AS-REP from the decrypted `clientKey` bytes and `keyType`.
///
/// `keyType` 18 (aes256-cts-hmac-sha1-96, what Entra uses; also assumed when absent) needs a
/// 32-byte key. Another `keyType` is accepted only if it is a non-weak encryption type this crate
/// implements *and* the key length fits it; anything else is [`CloudError::KeyType`].
pub fn reply_key(key_type: Option<i32>, raw: &[u8]) -> Result<Key, CloudError> {
    let key_type = key_type.unwrap_or(EncryptionType::Aes256CtsHmacSha196.id());
    let wrong = || CloudError::KeyType {
        key_type,
        key_len: raw.len(),
    };
    let etype = EncryptionType::try_from(key_type).map_err(|_| wrong())?;
    if etype.is_weak() || etype.key_size() != raw.len() {
        return Err(wrong());
    }
    Key::from_bytes(etype, raw).map_err(|_| wrong())
}

/// Import a DER KRB-AS-REP with its reply key (key usage 3).
///
/// Accepts everything a real Entra cloud TGT has: no padata; a Ticket with etype −1 and no kvno;
/// nonce 0 (there is no request to compare it with, so the nonce is not checked); an empty
/// `caddr`; `encrypted-pa-data`; a client name component containing `@`; the enc-part as
/// `[APPLICATION 25]` or `[APPLICATION 26]`. The Ticket's bytes are kept exactly as received. The
/// KDC offset is unknown (0): the reply was not obtained by this client at a known time.
pub fn import_as_rep(as_rep: &[u8], reply_key: &Key) -> Result<Credential, CloudError> {
    let rep = match asn1::decode_kdc_reply(as_rep).map_err(CloudError::AsRepDecode)? {
        KdcReply::AsRep(rep) => rep.0,
        KdcReply::TgsRep(_) => {
            return Err(CloudError::AsRepInvalid(
                "messageBuffer holds a TGS-REP, not an AS-REP".into(),
            ));
        }
        KdcReply::Error(err) => {
            return Err(CloudError::AsRepInvalid(format!(
                "messageBuffer holds a KRB-ERROR ({} {})",
                err.error_code,
                err.error_name()
            )));
        }
    };
    if rep.pvno != 5 || rep.msg_type != msg_type::AS_REP {
        return Err(CloudError::AsRepInvalid(format!(
            "pvno {} msg-type {} (expected 5 and {})",
            rep.pvno,
            rep.msg_type,
            msg_type::AS_REP
        )));
    }
    let etype = rep.enc_part.etype;
    if etype != reply_key.etype().id() {
        return Err(CloudError::AsRepInvalid(format!(
            "the enc-part has etype {etype} but the client key is of type {}",
            reply_key.etype().id()
        )));
    }
    let plain = Zeroizing::new(
        reply_key
            .decrypt(KeyUsage::AS_REP_ENC_PART, &rep.enc_part.cipher)
            .map_err(|e| match e {
                CryptoError::IntegrityCheckFailed | CryptoError::CiphertextTooShort => {
                    CloudError::AsRepDecryptFailed { etype }
                }
                other => CloudError::Crypto(other),
            })?,
    );
    let (enc, _kind) = asn1::decode_enc_kdc_rep_part(&plain).map_err(|e| match e {
        asn1::Asn1Error::UnexpectedTag { found, .. } => CloudError::AsRepInvalid(format!(
            "the decrypted enc-part starts with tag 0x{found:02x}, not EncASRepPart or EncTGSRepPart"
        )),
        other => CloudError::AsRepDecode(other),
    })?;

    let session_etype = EncryptionType::try_from(enc.key.keytype).map_err(|_| {
        CloudError::AsRepInvalid(format!(
            "the session key has unsupported encryption type {}",
            enc.key.keytype
        ))
    })?;
    let session_key = Key::from_bytes(session_etype, enc.key.keyvalue.as_ref())?;

    let ticket = rep.ticket.parse().map_err(CloudError::AsRepDecode)?;
    if ticket.realm != enc.srealm || ticket.sname.name_string != enc.sname.name_string {
        return Err(CloudError::AsRepInvalid(format!(
            "the ticket is for {}@{} but the encrypted part names {}@{}",
            ticket.sname.to_string_lossy(),
            ticket.realm.to_string_lossy(),
            enc.sname.to_string_lossy(),
            enc.srealm.to_string_lossy()
        )));
    }

    let auth_time = enc.authtime.unix();
    let start_time = enc.starttime.map_or(auth_time, |t| t.unix());
    let end_time = enc.endtime.unix();
    let renew_till = enc.renew_till.map(|t| t.unix());
    if end_time <= start_time {
        return Err(CloudError::AsRepInvalid(format!(
            "endtime {end_time} is not after starttime {start_time}"
        )));
    }
    let enc_padata = enc
        .encrypted_pa_data
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .map(|p| (p.padata_type, p.padata_value.to_vec()))
        .collect();

    Ok(Credential {
        client: Principal::from_wire(&rep.crealm, &rep.cname),
        server: Principal::from_wire(&enc.srealm, &enc.sname),
        ticket: rep.ticket.into_bytes(),
        session_key,
        flags: enc.flags.to_u32(),
        auth_time,
        start_time,
        end_time,
        renew_till,
        kdc_offset: 0,
        enc_padata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_type_rules() {
        assert!(reply_key(Some(18), &[1; 32]).is_ok());
        assert!(reply_key(None, &[1; 32]).is_ok());
        assert_eq!(
            reply_key(Some(17), &[1; 16]).unwrap().etype(),
            EncryptionType::Aes128CtsHmacSha196
        );
        assert!(matches!(
            reply_key(Some(18), &[1; 16]),
            Err(CloudError::KeyType {
                key_type: 18,
                key_len: 16
            })
        ));
        assert!(matches!(
            reply_key(Some(17), &[1; 32]),
            Err(CloudError::KeyType {
                key_type: 17,
                key_len: 32
            })
        ));
        assert!(matches!(
            reply_key(Some(23), &[1; 16]),
            Err(CloudError::KeyType { .. })
        ));
        assert!(matches!(
            reply_key(Some(-1), &[1; 32]),
            Err(CloudError::KeyType { .. })
        ));
    }

    #[test]
    fn garbage_as_rep() {
        let key = reply_key(Some(18), &[1; 32]).unwrap();
        for bad in [
            &[][..],
            &[0x6b][..],
            &[0x30, 0][..],
            &[0x7e, 0x03, 0x30, 0x01, 0x00][..],
        ] {
            assert!(import_as_rep(bad, &key).is_err());
        }
    }
}
