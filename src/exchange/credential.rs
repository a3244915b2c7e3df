//! [`Credential`]: what a finished exchange yields.

use std::fmt;
use std::time::SystemTime;

use crate::ccache;
use crate::crypto::Key;
use crate::principal::Principal;

/// A ticket with its session key and the facts from the KDC's encrypted reply part.
#[derive(Clone)]
pub struct Credential {
    /// The client, as the KDC named it (canonical name after canonicalization/referral).
    pub client: Principal,
    /// The server (for an AS exchange: `krbtgt/REALM@REALM`, or the requested server).
    pub server: Principal,
    /// The Ticket's exact DER bytes as received, never re-encoded.
    pub ticket: Vec<u8>,
    /// The session key.
    pub session_key: Key,
    /// TicketFlags as a u32 (RFC bit 0 = most significant bit), as MIT stores them.
    pub flags: u32,
    /// authtime, unix seconds (KDC clock).
    pub auth_time: i64,
    /// starttime, unix seconds (authtime when the KDC omitted it, as Heimdal/Samba do).
    pub start_time: i64,
    /// endtime, unix seconds.
    pub end_time: i64,
    /// renew-till, unix seconds, for renewable tickets.
    pub renew_till: Option<i64>,
    /// The KDC's clock minus the client's clock, in seconds (0 if unknown).
    pub kdc_offset: i64,
    /// `encrypted-pa-data` (RFC 6806) of the reply, raw `(padata-type, padata-value)`.
    pub enc_padata: Vec<(i32, Vec<u8>)>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("client", &self.client)
            .field("server", &self.server)
            .field("ticket_len", &self.ticket.len())
            .field("session_key", &self.session_key)
            .field("flags", &format_args!("{:#010x}", self.flags))
            .field("auth_time", &self.auth_time)
            .field("start_time", &self.start_time)
            .field("end_time", &self.end_time)
            .field("renew_till", &self.renew_till)
            .field("kdc_offset", &self.kdc_offset)
            .field(
                "enc_padata_types",
                &self.enc_padata.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
            )
            .finish()
    }
}

fn to_u32(t: i64) -> u32 {
    u32::try_from(t.max(0)).unwrap_or(u32::MAX)
}

fn unix_secs(now: SystemTime) -> i64 {
    crate::asn1::KerberosTime::from_system_time(now).unix()
}

impl Credential {
    /// The entry for a credential cache (times clamped to MIT's unsigned 32 bits).
    pub fn to_ccache(&self) -> ccache::Credential {
        ccache::Credential::new(
            self.client.clone(),
            self.server.clone(),
            ccache::KeyBlock::new(self.session_key.etype().id(), self.session_key.as_bytes()),
            ccache::Times {
                authtime: to_u32(self.auth_time),
                starttime: to_u32(self.start_time),
                endtime: to_u32(self.end_time),
                renew_till: self.renew_till.map(to_u32).unwrap_or(0),
            },
            ccache::TicketFlags(self.flags),
            self.ticket.clone(),
        )
    }

    /// A credential from a credential-cache entry (e.g. a TGT that `kinit` stored), with the
    /// cache's KDC time offset (`0` when unknown).
    pub fn from_ccache(
        entry: &ccache::Credential,
        kdc_offset: i64,
    ) -> Result<Credential, crate::crypto::CryptoError> {
        let etype = crate::crypto::EncryptionType::try_from(entry.key.etype)?;
        let t = &entry.times;
        Ok(Credential {
            client: entry.client.clone(),
            server: entry.server.clone(),
            ticket: entry.ticket.clone(),
            session_key: Key::from_bytes(etype, &entry.key.value)?.remember_derived_keys(),
            flags: entry.flags.0,
            auth_time: i64::from(t.authtime),
            start_time: if t.starttime == 0 {
                i64::from(t.authtime)
            } else {
                i64::from(t.starttime)
            },
            end_time: i64::from(t.endtime),
            renew_till: (t.renew_till != 0).then_some(i64::from(t.renew_till)),
            kdc_offset,
            enc_padata: Vec::new(),
        })
    }

    /// The KDC's clock for a local time: `now + kdc_offset`, unix seconds.
    pub fn kdc_time(&self, now: SystemTime) -> i64 {
        unix_secs(now).saturating_add(self.kdc_offset)
    }

    /// Whether the ticket has expired at local time `now` (corrected by `kdc_offset`).
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.kdc_time(now) >= self.end_time
    }

    /// Whether the ticket is valid at local time `now`: started and not expired.
    pub fn is_valid_at(&self, now: SystemTime) -> bool {
        let t = self.kdc_time(now);
        t >= self.start_time && t < self.end_time
    }

    /// Seconds of validity left at local time `now` (0 when expired).
    pub fn remaining_secs(&self, now: SystemTime) -> i64 {
        (self.end_time - self.kdc_time(now)).max(0)
    }

    /// Whether the ticket is renewable (flag and renew-till present).
    pub fn is_renewable(&self) -> bool {
        self.flags & ccache::TicketFlags::RENEWABLE != 0 && self.renew_till.is_some()
    }

    /// The raw value of the first `encrypted-pa-data` entry of the given type.
    pub fn enc_padata(&self, padata_type: i32) -> Option<&[u8]> {
        self.enc_padata
            .iter()
            .find(|(t, _)| *t == padata_type)
            .map(|(_, v)| v.as_slice())
    }
}
