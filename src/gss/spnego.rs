//! SPNEGO (RFC 4178) for the krb5 mechanism: the NegTokenInit carrying the krb5
//! InitialContextToken, and the acceptor's NegTokenResp (negState, supportedMech,
//! responseToken, mechListMIC).

use rasn::prelude::*;
use rasn::types::{BitString, ObjectIdentifier, OctetString};

use super::framing;
use super::{GssError, InitiatorContext, KRB5_OID_DER, MS_KRB5_OID_DER, SPNEGO_OID_DER, Step};

/// The krb5 mechanism OID 1.2.840.113554.1.2.2.
pub const KRB5_OID: &Oid = Oid::const_new(&[1, 2, 840, 113_554, 1, 2, 2]);
/// Microsoft's legacy krb5 OID 1.2.840.48018.1.2.2.
pub const MS_KRB5_OID: &Oid = Oid::const_new(&[1, 2, 840, 48_018, 1, 2, 2]);
/// The SPNEGO OID 1.3.6.1.5.5.2.
pub const SPNEGO_OID: &Oid = Oid::const_new(&[1, 3, 6, 1, 5, 5, 2]);

/// `NegotiationToken ::= CHOICE { negTokenInit [0] NegTokenInit, negTokenResp [1] NegTokenResp }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq)]
#[rasn(choice)]
pub enum NegotiationToken {
    /// The initiator's first token.
    #[rasn(tag(explicit(0)))]
    NegTokenInit(NegTokenInit),
    /// Every later token.
    #[rasn(tag(explicit(1)))]
    NegTokenResp(NegTokenResp),
}

/// `NegTokenInit ::= SEQUENCE { mechTypes [0] MechTypeList, reqFlags [1] ContextFlags OPTIONAL,
/// mechToken [2] OCTET STRING OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq)]
pub struct NegTokenInit {
    /// `MechTypeList ::= SEQUENCE OF MechType`, most preferred first.
    #[rasn(tag(explicit(0)))]
    pub mech_types: Vec<ObjectIdentifier>,
    /// Deprecated flags.
    #[rasn(tag(explicit(1)))]
    pub req_flags: Option<BitString>,
    /// The optimistic token of the first mechanism.
    #[rasn(tag(explicit(2)))]
    pub mech_token: Option<OctetString>,
    /// MIC over the DER MechTypeList.
    #[rasn(tag(explicit(3)))]
    pub mech_list_mic: Option<OctetString>,
}

/// `negState ::= ENUMERATED { accept-completed(0), accept-incomplete(1), reject(2), request-mic(3) }`
#[derive(AsnType, Decode, Encode, Copy, Clone, Debug, PartialEq, Eq)]
#[rasn(enumerated)]
pub enum NegState {
    /// accept-completed.
    AcceptCompleted = 0,
    /// accept-incomplete.
    AcceptIncomplete = 1,
    /// reject.
    Reject = 2,
    /// request-mic.
    RequestMic = 3,
}

/// `NegTokenResp ::= SEQUENCE { negState [0] OPTIONAL, supportedMech [1] MechType OPTIONAL,
/// responseToken [2] OCTET STRING OPTIONAL, mechListMIC [3] OCTET STRING OPTIONAL }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq)]
pub struct NegTokenResp {
    /// The negotiation state.
    #[rasn(tag(explicit(0)))]
    pub neg_state: Option<NegState>,
    /// The mechanism the acceptor chose (first reply only).
    #[rasn(tag(explicit(1)))]
    pub supported_mech: Option<ObjectIdentifier>,
    /// The mechanism's token.
    #[rasn(tag(explicit(2)))]
    pub response_token: Option<OctetString>,
    /// MIC over the DER MechTypeList the initiator sent.
    #[rasn(tag(explicit(3)))]
    pub mech_list_mic: Option<OctetString>,
}

/// Parse a NegTokenResp (a `[1]`-tagged NegotiationToken, without 0x60 framing).
pub fn parse_neg_token_resp(token: &[u8]) -> Result<NegTokenResp, GssError> {
    match crate::asn1::decode::<NegotiationToken>(token)? {
        NegotiationToken::NegTokenResp(r) => Ok(r),
        NegotiationToken::NegTokenInit(_) => Err(GssError::Spnego("expected a NegTokenResp")),
    }
}

/// Parse the initiator's first SPNEGO token (0x60 framing with the SPNEGO OID).
pub fn parse_initial(token: &[u8]) -> Result<NegTokenInit, GssError> {
    let (oid, inner) = framing::parse_initial_token(token)?;
    if oid != SPNEGO_OID_DER {
        return Err(GssError::WrongMechanism);
    }
    match crate::asn1::decode::<NegotiationToken>(inner)? {
        NegotiationToken::NegTokenInit(i) => Ok(i),
        NegotiationToken::NegTokenResp(_) => Err(GssError::Spnego("expected a NegTokenInit")),
    }
}

/// A SPNEGO initiator proposing krb5 only, around an [`InitiatorContext`].
#[derive(Debug)]
pub struct SpnegoInitiator {
    ctx: InitiatorContext,
    mech_types_der: Vec<u8>,
    started: bool,
    complete: bool,
}

impl SpnegoInitiator {
    /// Wrap a fresh krb5 context.
    pub fn new(ctx: InitiatorContext) -> Result<Self, GssError> {
        let mech_types = vec![ObjectIdentifier::from(KRB5_OID)];
        Ok(SpnegoInitiator {
            ctx,
            mech_types_der: crate::asn1::encode(&mech_types)?,
            started: false,
            complete: false,
        })
    }

    /// The krb5 context (for MIC/Wrap once established).
    pub fn context(&mut self) -> &mut InitiatorContext {
        &mut self.ctx
    }

    /// The krb5 context.
    pub fn into_context(self) -> InitiatorContext {
        self.ctx
    }

    /// Whether negotiation finished and the krb5 context is established.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// First call with `None`: the framed NegTokenInit. Later calls: the acceptor's
    /// NegTokenResp.
    pub fn step(&mut self, input: Option<&[u8]>) -> Result<Step, GssError> {
        if !self.started {
            if input.is_some() {
                return Err(GssError::State("the first step takes no input token"));
            }
            self.started = true;
            let first = self.ctx.step(None)?;
            let init = NegTokenInit {
                mech_types: vec![ObjectIdentifier::from(KRB5_OID)],
                req_flags: None,
                mech_token: first.output.map(OctetString::from),
                mech_list_mic: None,
            };
            let inner = crate::asn1::encode(&NegotiationToken::NegTokenInit(init))?;
            self.complete = first.complete;
            return Ok(Step {
                output: Some(framing::frame_initial_token(SPNEGO_OID_DER, &inner)),
                complete: false,
            });
        }
        let input = input.ok_or(GssError::State("the acceptor's token is needed"))?;
        let resp = parse_neg_token_resp(input)?;
        if resp.neg_state == Some(NegState::Reject) {
            return Err(GssError::Spnego("the acceptor rejected the negotiation"));
        }
        if let Some(mech) = &resp.supported_mech {
            let der = crate::asn1::encode(mech)?;
            if der != KRB5_OID_DER && der != MS_KRB5_OID_DER {
                return Err(GssError::Spnego(
                    "the acceptor chose a mechanism we did not offer",
                ));
            }
        }
        if let Some(tok) = &resp.response_token {
            if self.ctx.is_established() {
                return Err(GssError::Spnego(
                    "a mechanism token after the context was established",
                ));
            }
            self.ctx.step(Some(tok))?;
        }
        if !self.ctx.is_established() {
            return Err(GssError::Spnego(
                "the acceptor's reply did not establish the context",
            ));
        }
        if let Some(mic) = &resp.mech_list_mic {
            self.ctx.verify_mic(&self.mech_types_der, mic)?;
        }
        let output = if resp.neg_state == Some(NegState::RequestMic) {
            let mic = self.ctx.get_mic(&self.mech_types_der)?;
            let r = NegTokenResp {
                neg_state: None,
                supported_mech: None,
                response_token: None,
                mech_list_mic: Some(OctetString::from(mic)),
            };
            Some(crate::asn1::encode(&NegotiationToken::NegTokenResp(r))?)
        } else {
            None
        };
        self.complete = matches!(
            resp.neg_state,
            None | Some(NegState::AcceptCompleted) | Some(NegState::RequestMic)
        );
        Ok(Step {
            output,
            complete: self.complete,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::crypto::{EncryptionType, Key};
    use crate::gss::ContextOptions;
    use crate::gss::context::tests::{accept, ticket};
    use crate::gss::tokens::TokenKeys;
    use crate::principal::Principal;

    type R = Result<(), Box<dyn std::error::Error>>;

    struct Acceptor {
        keys: TokenKeys,
        ap_rep: Vec<u8>,
        mech_types_der: Vec<u8>,
    }

    /// Start an initiator and play the acceptor up to the AP-REP.
    fn start() -> Result<(SpnegoInitiator, Acceptor), Box<dyn std::error::Error>> {
        let key = Key::random(EncryptionType::Aes128CtsHmacSha256128);
        let acc_sub = Key::random(EncryptionType::Aes128CtsHmacSha256128);
        let client = Principal::new(1, "EXAMPLE.TEST", ["alice"]);
        let ctx = InitiatorContext::from_parts(
            &ticket(),
            &key,
            &client,
            ContextOptions::default(),
            SystemTime::now(),
        )?;
        let mut sp = SpnegoInitiator::new(ctx)?;
        let first = sp.step(None)?.output.ok_or("no token")?;
        let init = parse_initial(&first)?;
        assert_eq!(init.mech_types, vec![ObjectIdentifier::from(KRB5_OID)]);
        let mech_token = init.mech_token.ok_or("no mechToken")?;
        let (auth, ap_rep) = accept(&mech_token, &key, Some(&acc_sub))?;
        let sub = auth.subkey.ok_or("no subkey")?;
        let init_key = Key::from_bytes(EncryptionType::Aes128CtsHmacSha256128, &sub.keyvalue)?;
        Ok((
            sp,
            Acceptor {
                keys: TokenKeys::acceptor(&init_key, Some(&acc_sub))?,
                ap_rep,
                mech_types_der: crate::asn1::encode(&init.mech_types)?,
            },
        ))
    }

    fn resp(
        state: Option<NegState>,
        mech: Option<&Oid>,
        token: Option<Vec<u8>>,
        mic: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, GssError> {
        Ok(crate::asn1::encode(&NegotiationToken::NegTokenResp(
            NegTokenResp {
                neg_state: state,
                supported_mech: mech.map(ObjectIdentifier::from),
                response_token: token.map(OctetString::from),
                mech_list_mic: mic.map(OctetString::from),
            },
        ))?)
    }

    #[test]
    fn accept_completed_with_mech_list_mic_ms_oid() -> R {
        let (mut sp, acc) = start()?;
        let mic = acc.keys.get_mic(1000, &acc.mech_types_der);
        let r = resp(
            Some(NegState::AcceptCompleted),
            Some(MS_KRB5_OID),
            Some(acc.ap_rep),
            Some(mic),
        )?;
        let s = sp.step(Some(&r))?;
        assert!(s.complete && s.output.is_none() && sp.is_complete());
        Ok(())
    }

    #[test]
    fn bad_mech_list_mic_fails() -> R {
        let (mut sp, acc) = start()?;
        let mic = acc.keys.get_mic(1000, b"another list");
        let r = resp(
            Some(NegState::AcceptCompleted),
            Some(KRB5_OID),
            Some(acc.ap_rep),
            Some(mic),
        )?;
        assert!(matches!(sp.step(Some(&r)), Err(GssError::BadSignature)));
        Ok(())
    }

    #[test]
    fn request_mic_produces_ours() -> R {
        let (mut sp, acc) = start()?;
        let r = resp(
            Some(NegState::RequestMic),
            Some(KRB5_OID),
            Some(acc.ap_rep),
            None,
        )?;
        let s = sp.step(Some(&r))?;
        let out = parse_neg_token_resp(&s.output.ok_or("no MIC token")?)?;
        let mic = out.mech_list_mic.ok_or("no mechListMIC")?;
        acc.keys.verify_mic(&mic, &acc.mech_types_der)?;
        Ok(())
    }

    #[test]
    fn reject_and_foreign_mech() -> R {
        let (mut sp, _) = start()?;
        let r = resp(Some(NegState::Reject), None, None, None)?;
        assert!(matches!(sp.step(Some(&r)), Err(GssError::Spnego(_))));
        let (mut sp, acc) = start()?;
        let ntlm = Oid::const_new(&[1, 3, 6, 1, 4, 1, 311, 2, 2, 10]);
        let r = resp(
            Some(NegState::AcceptIncomplete),
            Some(ntlm),
            Some(acc.ap_rep),
            None,
        )?;
        assert!(matches!(sp.step(Some(&r)), Err(GssError::Spnego(_))));
        let (mut sp, _) = start()?;
        assert!(sp.step(Some(&[0xa1, 0x03, 0x30, 0x01])).is_err());
        Ok(())
    }

    #[test]
    fn init_token_encoding() -> R {
        let (mut sp, _) = start()?;
        assert!(sp.step(None).is_err(), "no input after the first step");
        assert_eq!(
            crate::asn1::encode(&ObjectIdentifier::from(SPNEGO_OID))?,
            SPNEGO_OID_DER
        );
        assert_eq!(
            crate::asn1::encode(&ObjectIdentifier::from(MS_KRB5_OID))?,
            MS_KRB5_OID_DER
        );
        Ok(())
    }
}
