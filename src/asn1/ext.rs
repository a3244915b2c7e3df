//! Lenient decoding helpers: [`Extensions`] (unknown trailing fields of extensible
//! SEQUENCEs) and [`RawTicket`] (a Ticket kept as its exact received DER).

use rasn::prelude::*;
use rasn::types::TagTree;

use super::Asn1Error;
use super::messages::Ticket;

/// Unknown trailing components of an extensible SEQUENCE (`...` in the ASN.1), kept as
/// their complete raw TLVs.
///
/// rasn's BER/DER decoder rejects any content left after the last known component, even
/// for extensible types. Types with an `ext: Extensions` last field swallow such
/// components instead, and re-emit them unchanged on encode (so a decoded value
/// re-encodes byte-identically). Values built locally leave it empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Extensions(pub Vec<Any>);

impl Extensions {
    /// True if no unknown components were seen.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl AsnType for Extensions {
    const TAG: Tag = Tag::EOC;
    const TAG_TREE: TagTree = TagTree::Choice(&[]);
}

impl Decode for Extensions {
    fn decode<D: Decoder>(decoder: &mut D) -> Result<Self, D::Error> {
        let mut items = Vec::new();
        // `Option<Any>` decodes one TLV of any tag, or `None` at the end of the contents.
        while let Some(any) = decoder.decode_optional::<Any>()? {
            if any.as_bytes().is_empty() {
                break;
            }
            items.push(any);
        }
        Ok(Self(items))
    }

    fn decode_with_tag_and_constraints<D: Decoder>(
        decoder: &mut D,
        _tag: Tag,
        _constraints: &Constraints,
    ) -> Result<Self, D::Error> {
        Self::decode(decoder)
    }
}

impl Encode for Extensions {
    fn encode<'b, E: Encoder<'b>>(&self, encoder: &mut E) -> Result<(), E::Error> {
        for any in &self.0 {
            encoder
                .encode_any(Tag::EOC, any, Identifier::EMPTY)
                .map(drop)?;
        }
        Ok(())
    }

    fn encode_with_tag_and_constraints<'b, E: Encoder<'b>>(
        &self,
        encoder: &mut E,
        _tag: Tag,
        _constraints: &Constraints,
        _identifier: Identifier,
    ) -> Result<(), E::Error> {
        self.encode(encoder)
    }
}

/// A `Ticket` (`[APPLICATION 1]`) kept as the exact DER/BER bytes received.
///
/// Clients never need to look inside a ticket they forward; re-encoding could change the
/// bytes (e.g. an RODC kvno, BER input) and break the KDC's checksum. Use
/// [`RawTicket::parse`] to look inside.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RawTicket(Any);

impl RawTicket {
    /// Wrap the complete `[APPLICATION 1]` TLV, checking that it parses as a Ticket.
    pub fn from_der(bytes: impl Into<Vec<u8>>) -> Result<Self, Asn1Error> {
        let bytes = bytes.into();
        super::decode::<Ticket>(&bytes)?;
        Ok(Self(Any::new(bytes)))
    }

    /// Encode a locally built Ticket.
    pub fn from_ticket(ticket: &Ticket) -> Result<Self, Asn1Error> {
        Ok(Self(Any::new(super::encode(ticket)?)))
    }

    /// The complete TLV as received.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Consume into the raw bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0.into_bytes()
    }

    /// Parse the ticket.
    pub fn parse(&self) -> Result<Ticket, Asn1Error> {
        super::decode(self.as_bytes())
    }
}

impl core::fmt::Debug for RawTicket {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.parse() {
            Ok(t) => write!(
                f,
                "RawTicket({} bytes, realm {:?}, sname {:?}, etype {}, kvno {:?})",
                self.as_bytes().len(),
                t.realm,
                t.sname,
                t.enc_part.etype,
                t.enc_part.kvno
            ),
            Err(_) => write!(f, "RawTicket({} bytes, unparsable)", self.as_bytes().len()),
        }
    }
}

/// The first identifier octet of `[APPLICATION 1]` constructed.
const TICKET_IDENTIFIER: u8 = 0x61;

impl AsnType for RawTicket {
    const TAG: Tag = Tag::new(Class::Application, 1);
}

impl Decode for RawTicket {
    fn decode_with_tag_and_constraints<D: Decoder>(
        decoder: &mut D,
        _tag: Tag,
        _constraints: &Constraints,
    ) -> Result<Self, D::Error> {
        let any = decoder.decode_any(Tag::EOC)?;
        if any.as_bytes().first() != Some(&TICKET_IDENTIFIER) {
            return Err(rasn::error::DecodeError::from_kind(
                rasn::error::DecodeErrorKind::Custom {
                    msg: "expected a Ticket ([APPLICATION 1])".into(),
                },
                decoder.codec(),
            )
            .into());
        }
        Ok(Self(any))
    }
}

impl Encode for RawTicket {
    fn encode_with_tag_and_constraints<'b, E: Encoder<'b>>(
        &self,
        encoder: &mut E,
        _tag: Tag,
        _constraints: &Constraints,
        identifier: Identifier,
    ) -> Result<(), E::Error> {
        if self.0.as_bytes().first() != Some(&TICKET_IDENTIFIER) {
            return Err(rasn::error::EncodeError::from_kind(
                rasn::error::EncodeErrorKind::Custom {
                    msg: "RawTicket does not hold an [APPLICATION 1] TLV".into(),
                },
                encoder.codec(),
            )
            .into());
        }
        encoder.encode_any(Tag::EOC, &self.0, identifier).map(drop)
    }
}
