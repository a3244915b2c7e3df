//! The ticket a [`Client`](super::Client) got, and storing it in a credential cache as `kinit` does.

use std::ops::Deref;
use std::path::Path;

use crate::ccache::{
    CONF_FAST_AVAIL, CONF_PA_TYPE, CONF_START_REALM, CcacheError, CcacheName, CredentialCache,
};
use crate::exchange;
use crate::principal::Principal;

use super::ClientError;

/// One message the driver sent for an exchange, in order (no secrets: sizes and the transport
/// choice only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentMessage {
    /// The realm whose KDCs were asked.
    pub realm: String,
    /// Request size in bytes.
    pub request_len: usize,
    /// Reply size in bytes.
    pub reply_len: usize,
    /// Whether the exchange asked for TCP only (after `KRB_ERR_RESPONSE_TOO_BIG`).
    pub tcp_only: bool,
}

/// A ticket from the AS exchange (usually a TGT), with what is needed to store it like `kinit`.
///
/// Dereferences to the exchange's [`exchange::Credential`] (client, server, ticket, session key,
/// flags, times, KDC time offset).
#[derive(Clone, Debug)]
pub struct Credential {
    inner: exchange::Credential,
    pa_type: Option<i32>,
    messages: Vec<SentMessage>,
    fast: bool,
}

impl Deref for Credential {
    type Target = exchange::Credential;
    fn deref(&self) -> &exchange::Credential {
        &self.inner
    }
}

impl From<exchange::Credential> for Credential {
    fn from(inner: exchange::Credential) -> Self {
        Credential {
            inner,
            pa_type: None,
            messages: Vec::new(),
            fast: false,
        }
    }
}

impl Credential {
    pub(crate) fn new(
        inner: exchange::Credential,
        pa_type: Option<i32>,
        messages: Vec<SentMessage>,
    ) -> Self {
        Credential {
            inner,
            pa_type,
            messages,
            fast: false,
        }
    }

    /// Records that the exchange was armored with FAST (and its pre-authentication type).
    pub(crate) fn with_fast(mut self, fast: bool, pa_type: Option<i32>) -> Self {
        if fast {
            self.fast = true;
            if pa_type.is_some() {
                self.pa_type = pa_type;
            }
        }
        self
    }

    /// Whether the ticket came from a FAST-armored exchange (recorded as `fast_avail` in
    /// the cache, as MIT does).
    pub fn fast_used(&self) -> bool {
        self.fast
    }

    /// The exchange's credential.
    pub fn into_inner(self) -> exchange::Credential {
        self.inner
    }

    /// The pre-authentication type that was used (2 = encrypted timestamp, 138 = encrypted
    /// challenge), if any.
    pub fn pa_type(&self) -> Option<i32> {
        self.pa_type
    }

    /// The messages sent to KDCs for this credential, in order. A message with
    /// [`tcp_only`](SentMessage::tcp_only) after one without it is a UDP→TCP fallback.
    pub fn messages(&self) -> &[SentMessage] {
        &self.messages
    }

    /// Whether the exchange had to retry over TCP after the KDC answered
    /// `KRB_ERR_RESPONSE_TOO_BIG` over UDP.
    pub fn fell_back_to_tcp(&self) -> bool {
        self.messages
            .windows(2)
            .any(|w| matches!(w, [a, b] if !a.tcp_only && b.tcp_only))
    }

    /// A fresh cache as `kinit` writes it: default principal = the client, the KDC time offset in
    /// the header, the ticket, and the configuration entries MIT records (`pa_type`, and
    /// `start_realm` when the ticket's realm is not the client's).
    pub fn to_credential_cache(&self) -> CredentialCache {
        let cred = &self.inner;
        let mut cache = CredentialCache::new(cred.client.clone());
        let offset = i32::try_from(cred.kdc_offset).unwrap_or(if cred.kdc_offset < 0 {
            i32::MIN
        } else {
            i32::MAX
        });
        cache.kdc_offset = Some((offset, 0));
        cache.store(cred.to_ccache());
        if self.fast {
            cache.set_config(CONF_FAST_AVAIL, Some(&cred.server), "yes");
        }
        if let Some(pa) = self.pa_type {
            cache.set_config(CONF_PA_TYPE, Some(&cred.server), pa.to_string());
        }
        if let Some(realm) = tgt_realm(&cred.server)
            && realm != cred.client.realm
        {
            cache.set_config(CONF_START_REALM, None, realm);
        }
        cache
    }

    /// Initializes the cache at `path` with this credential (replacing what was there, as
    /// `kinit` does), under the cache lock, written atomically (mode 0600).
    pub fn store_in(&self, path: impl AsRef<Path>) -> Result<(), ClientError> {
        let path = path.as_ref();
        let fresh = self.to_credential_cache();
        let result =
            CredentialCache::update(path, || fresh.clone(), |cache| *cache = fresh.clone());
        match result {
            Ok(()) => {}
            // An unreadable old cache is replaced, as kinit does.
            Err(
                CcacheError::BadMagic(_)
                | CcacheError::UnsupportedVersion(_)
                | CcacheError::Truncated { .. }
                | CcacheError::Malformed { .. },
            ) => fresh.write_atomic(path)?,
            Err(e) => return Err(e.into()),
        }
        tracing::info!(cache = %path.display(), client = %self.inner.client, server = %self.inner.server, "credential stored");
        Ok(())
    }

    /// Add this ticket (e.g. a service ticket) to the cache at `path`, replacing an older ticket
    /// for the same client and server, as `kvno` does; a missing cache is created with this
    /// ticket's client as its default principal.
    pub fn add_to(&self, path: impl AsRef<Path>) -> Result<(), ClientError> {
        Self::add_all_to(std::slice::from_ref(&self.inner), path)
    }

    /// Add several tickets (e.g. a service ticket and the cross-realm TGTs it needed) to the cache
    /// at `path` in one locked update.
    pub fn add_all_to(
        tickets: &[exchange::Credential],
        path: impl AsRef<Path>,
    ) -> Result<(), ClientError> {
        let path = path.as_ref();
        let Some(first) = tickets.first() else {
            return Ok(());
        };
        CredentialCache::update(
            path,
            || CredentialCache::new(first.client.clone()),
            |cache| {
                for t in tickets {
                    cache.store(t.to_ccache());
                }
            },
        )?;
        tracing::info!(cache = %path.display(), tickets = tickets.len(), "tickets added");
        Ok(())
    }

    /// Like [`store_in`](Self::store_in) for a resolved cache name (a `DIR:` collection's
    /// directory and `primary` file are created if needed).
    pub fn store(&self, name: &CcacheName) -> Result<(), ClientError> {
        name.prepare()?;
        self.store_in(name.path())
    }
}

/// The realm a TGT is for (`krbtgt/REALM@...`).
fn tgt_realm(server: &Principal) -> Option<Vec<u8>> {
    match server.components.as_slice() {
        [first, realm] if first == b"krbtgt" => Some(realm.clone()),
        _ => None,
    }
}
