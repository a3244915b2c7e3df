//! FAST armoring (RFC 6113 §5.4) for the AS and TGS exchanges.
//!
//! * AS: explicit armor. An AP-REQ with the armor TGT (e.g. a host's TGT from its keytab,
//!   like `kinit -T ARMOR_CCACHE`) and a fresh random subkey; the armor key is
//!   `KRB-FX-CF2(subkey, armor ticket session key, "subkeyarmor", "ticketarmor")`.
//! * TGS: implicit armor (§5.4.1.1): no armor field; the armor key is
//!   `KRB-FX-CF2(authenticator subkey, TGT session key, "subkeyarmor", "ticketarmor")`.
//!
//! The real padata and request body travel encrypted in the PA-FX-FAST request
//! (KrbFastReq, key usage 51) with a checksum over the outer KDC-REQ-BODY (usage 50).
//! Replies carry PA-FX-FAST with a KrbFastResponse (usage 52); errors come as a KRB-ERROR
//! whose e-data (METHOD-DATA) holds PA-FX-FAST, whose padata holds PA-FX-ERROR with the
//! real KRB-ERROR and the pre-authentication hints.

use std::fmt;
use std::time::SystemTime;

use super::ap::ApReqBuilder;
use super::error::ExchangeError;
use crate::asn1::constants::padata_type as pt;
use crate::asn1::{
    self, Checksum, EncryptedData, Extensions, FastOptions, KdcReqBody, KrbError, KrbFastArmor,
    KrbFastArmoredReq, KrbFastReq, KrbFastResponse, PaData, PaEncTsEnc, PaFxFastReply,
    PaFxFastRequest,
};
use crate::crypto::{Key, KeyUsage, cf2};
use crate::principal::Principal;

/// Armor type 1: FX_FAST_ARMOR_AP_REQUEST.
const FX_FAST_ARMOR_AP_REQUEST: i32 = 1;

/// The armor for an armored AS exchange: a TGT (usually the host's, from its keytab) that
/// the client may use to build the armor AP-REQ.
#[derive(Clone)]
pub struct FastArmor {
    /// The armor ticket (DER Ticket).
    pub ticket: Vec<u8>,
    /// The armor ticket's session key.
    pub session_key: Key,
    /// The armor ticket's client.
    pub client: Principal,
    /// True (the default): the exchange fails with [`ExchangeError::FastNotOffered`] when
    /// the KDC does not answer armored. False: a KDC that does not offer PA-FX-FAST in its
    /// PREAUTH_REQUIRED is asked again without armor (an attacker who strips FAST then
    /// gets the unarmored exchange; only allow it when that is acceptable).
    pub required: bool,
}

impl FastArmor {
    /// Armor from a TGT: ticket, session key and client; FAST required.
    pub fn new(ticket: Vec<u8>, session_key: Key, client: Principal) -> Self {
        FastArmor {
            ticket,
            session_key,
            client,
            required: true,
        }
    }

    /// Armor from a credential of an earlier exchange.
    pub fn from_credential(cred: &super::Credential) -> Self {
        Self::new(
            cred.ticket.clone(),
            cred.session_key.clone(),
            cred.client.clone(),
        )
    }

    /// Whether FAST is required (see [`FastArmor::required`]).
    pub fn required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }
}

impl fmt::Debug for FastArmor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FastArmor")
            .field("client", &self.client)
            .field("ticket_len", &self.ticket.len())
            .field("required", &self.required)
            .finish_non_exhaustive()
    }
}

/// The armor AP-REQ (explicit armor) and the armor key.
pub(crate) fn explicit_armor(
    armor: &FastArmor,
    now: SystemTime,
) -> Result<(KrbFastArmor, Key), ExchangeError> {
    let out = ApReqBuilder::new(&armor.ticket, &armor.session_key, &armor.client, now)
        .random_subkey()
        .build()
        .map_err(|e| ExchangeError::FastArmor(e.to_string()))?;
    let subkey = out
        .subkey
        .ok_or_else(|| ExchangeError::FastArmor("the armor AP-REQ has no subkey".into()))?;
    let armor_key = armor_key(&subkey, &armor.session_key);
    Ok((
        KrbFastArmor {
            armor_type: FX_FAST_ARMOR_AP_REQUEST,
            armor_value: out.message.into(),
            ext: Extensions::default(),
        },
        armor_key,
    ))
}

/// `KRB-FX-CF2(subkey, ticket session key, "subkeyarmor", "ticketarmor")`.
pub(crate) fn armor_key(subkey: &Key, ticket_key: &Key) -> Key {
    cf2(subkey, ticket_key, b"subkeyarmor", b"ticketarmor")
}

/// The PA-FX-FAST request: `inner_padata` and `body` encrypted in a KrbFastReq, with a
/// checksum over `checksummed` (RFC 6113 §5.4.2: the outer KDC-REQ-BODY for an AS-REQ, the
/// AP-REQ of the PA-TGS-REQ for a TGS-REQ).
pub(crate) fn armored_padata(
    armor: Option<KrbFastArmor>,
    armor_key: &Key,
    body: &KdcReqBody,
    inner_padata: Vec<PaData>,
    checksummed: &[u8],
) -> Result<PaData, ExchangeError> {
    let etype = armor_key.etype();
    let req_checksum = Checksum::new(
        etype.checksum_type().id(),
        armor_key.checksum(KeyUsage::KEY_USAGE_FAST_REQ_CHKSUM, checksummed),
    );
    let fast_req = KrbFastReq {
        fast_options: FastOptions::empty(),
        padata: inner_padata,
        req_body: body.clone(),
        ext: Extensions::default(),
    };
    let plain = zeroize::Zeroizing::new(asn1::encode(&fast_req)?);
    let enc_fast_req = EncryptedData::new(
        etype.id(),
        None,
        armor_key.encrypt(KeyUsage::KEY_USAGE_FAST_ENC, &plain),
    );
    let req = PaFxFastRequest::ArmoredData(KrbFastArmoredReq {
        armor,
        req_checksum,
        enc_fast_req,
        ext: Extensions::default(),
    });
    Ok(PaData::from_value(pt::PA_FX_FAST, &req)?)
}

/// The KrbFastResponse in `padata`'s PA-FX-FAST, if there is one.
pub(crate) fn fast_response(
    padata: &[PaData],
    armor_key: &Key,
) -> Result<Option<KrbFastResponse>, ExchangeError> {
    // An empty PA-FX-FAST is the KDC advertising FAST (in an unarmored METHOD-DATA).
    let Some(pa) = padata
        .iter()
        .find(|p| p.padata_type == pt::PA_FX_FAST && !p.padata_value.is_empty())
    else {
        return Ok(None);
    };
    let PaFxFastReply::ArmoredData(rep) = pa
        .decode_value::<PaFxFastReply>()
        .map_err(|_| ExchangeError::FastReplyInvalid("malformed PA-FX-FAST reply"))?;
    if rep.enc_fast_rep.etype != armor_key.etype().id() {
        return Err(ExchangeError::FastReplyInvalid(
            "the armored reply is not encrypted in the armor key's enctype",
        ));
    }
    let plain = armor_key
        .decrypt(KeyUsage::KEY_USAGE_FAST_REP, &rep.enc_fast_rep.cipher)
        .map_err(|_| ExchangeError::FastReplyInvalid("the armored reply does not decrypt"))?;
    let plain = zeroize::Zeroizing::new(plain);
    let resp: KrbFastResponse = asn1::decode(&plain)
        .map_err(|_| ExchangeError::FastReplyInvalid("malformed KrbFastResponse"))?;
    Ok(Some(resp))
}

/// An armored KRB-ERROR unwrapped: the real error (from PA-FX-ERROR) with its e-data
/// replaced by the KrbFastResponse's other padata (the pre-authentication hints).
/// `Ok(None)`: the error is not armored. The KrbFastResponse must carry the request's
/// `nonce` (RFC 6113 §5.4.3), as in an armored reply.
pub(crate) fn unwrap_error(
    err: &KrbError,
    armor_key: &Key,
    nonce: u32,
) -> Result<Option<KrbError>, ExchangeError> {
    let Some(Ok(md)) = err.method_data() else {
        return Ok(None);
    };
    let Some(resp) = fast_response(&md, armor_key)? else {
        return Ok(None);
    };
    if resp.nonce.get() != nonce {
        return Err(ExchangeError::FastReplyInvalid(
            "the KrbFastResponse nonce is not the request's",
        ));
    }
    let mut inner = match resp
        .padata
        .iter()
        .find(|p| p.padata_type == pt::PA_FX_ERROR)
    {
        Some(pa) => asn1::decode::<KrbError>(&pa.padata_value)
            .map_err(|_| ExchangeError::FastReplyInvalid("malformed PA-FX-ERROR"))?,
        None => err.clone(),
    };
    let hints: Vec<PaData> = resp
        .padata
        .into_iter()
        .filter(|p| p.padata_type != pt::PA_FX_ERROR)
        .collect();
    inner.e_data = Some(asn1::encode(&hints)?.into());
    Ok(Some(inner))
}

/// The client's or the KDC's challenge key (RFC 6113 §5.4.6):
/// `KRB-FX-CF2(armor key, long-term key, "clientchallengearmor"|"kdcchallengearmor", "challengelongterm")`.
pub(crate) fn challenge_key(armor_key: &Key, long_term: &Key, kdc: bool) -> Key {
    let pepper1: &[u8] = if kdc {
        b"kdcchallengearmor"
    } else {
        b"clientchallengearmor"
    };
    cf2(armor_key, long_term, pepper1, b"challengelongterm")
}

/// The client's PA-ENCRYPTED-CHALLENGE.
pub(crate) fn client_challenge(
    armor_key: &Key,
    long_term: &Key,
    ts: &PaEncTsEnc,
) -> Result<PaData, ExchangeError> {
    let key = challenge_key(armor_key, long_term, false);
    let plain = asn1::encode(ts)?;
    let enc = EncryptedData::new(
        key.etype().id(),
        None,
        key.encrypt(KeyUsage::KEY_USAGE_ENC_CHALLENGE_CLIENT, &plain),
    );
    Ok(PaData::from_value(pt::PA_ENCRYPTED_CHALLENGE, &enc)?)
}

/// Checks the KDC's PA-ENCRYPTED-CHALLENGE in an armored AS-REP's padata, if present:
/// it must decrypt with the KDC challenge key and hold a time within `skew_s` of `now_s`.
/// Returns whether one was checked.
pub(crate) fn check_kdc_challenge(
    padata: &[PaData],
    armor_key: &Key,
    long_term: &Key,
    now_s: i64,
    skew_s: i64,
) -> Result<bool, ExchangeError> {
    let Some(pa) = padata
        .iter()
        .find(|p| p.padata_type == pt::PA_ENCRYPTED_CHALLENGE)
    else {
        return Ok(false);
    };
    let enc: EncryptedData = pa
        .decode_value()
        .map_err(|_| ExchangeError::KdcChallengeInvalid("malformed"))?;
    // RFC 6113: "kdcchallengearmor". Heimdal 7 (and Samba's Heimdal KDC) derive the KDC's
    // challenge key with the client's pepper "clientchallengearmor" (still usage 55); that
    // key also needs the client's long-term key and the armor key, so it proves as much.
    let plain = [true, false]
        .into_iter()
        .find_map(|kdc| {
            challenge_key(armor_key, long_term, kdc)
                .decrypt(KeyUsage::KEY_USAGE_ENC_CHALLENGE_KDC, &enc.cipher)
                .ok()
        })
        .ok_or(ExchangeError::KdcChallengeInvalid("it does not decrypt"))?;
    let ts: PaEncTsEnc = asn1::decode(&plain)
        .map_err(|_| ExchangeError::KdcChallengeInvalid("malformed timestamp"))?;
    if ts.patimestamp.unix().saturating_sub(now_s).saturating_abs() > skew_s {
        return Err(ExchangeError::KdcChallengeInvalid(
            "its timestamp is outside the clock skew",
        ));
    }
    Ok(true)
}

/// Checks KrbFastFinished: the ticket checksum with the armor key (usage 53). Its crealm
/// and cname are authoritative (the KDC may hide the client in the outer reply, as
/// Heimdal does); the caller takes them.
pub(crate) fn check_finished(
    resp: &KrbFastResponse,
    armor_key: &Key,
    ticket_der: &[u8],
) -> Result<(), ExchangeError> {
    let Some(fin) = resp.finished.as_ref() else {
        return Err(ExchangeError::FastReplyInvalid(
            "the armored reply has no KrbFastFinished",
        ));
    };
    let ctype = crate::crypto::ChecksumType::try_from(fin.ticket_checksum.cksumtype)
        .map_err(|_| ExchangeError::FastReplyInvalid("unsupported ticket checksum type"))?;
    armor_key
        .verify_checksum_with_type(
            ctype,
            KeyUsage::KEY_USAGE_FAST_FINISHED,
            ticket_der,
            &fin.ticket_checksum.checksum,
        )
        .map_err(|_| ExchangeError::FastReplyInvalid("wrong ticket checksum in KrbFastFinished"))?;
    Ok(())
}

/// The strengthened reply key: `KRB-FX-CF2(strengthen-key, reply key, "strengthenkey", "replykey")`.
pub(crate) fn strengthen(
    resp: &KrbFastResponse,
    reply_key: &Key,
) -> Result<Option<Key>, ExchangeError> {
    let Some(sk) = resp.strengthen_key.as_ref() else {
        return Ok(None);
    };
    let etype = crate::crypto::EncryptionType::try_from(sk.keytype)
        .map_err(|_| ExchangeError::FastReplyInvalid("strengthen-key of an unknown enctype"))?;
    let sk = Key::from_bytes(etype, sk.keyvalue.as_ref())
        .map_err(|_| ExchangeError::FastReplyInvalid("malformed strengthen-key"))?;
    Ok(Some(cf2(&sk, reply_key, b"strengthenkey", b"replykey")))
}
