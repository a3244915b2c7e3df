//! Password changes through the façade: the kpasswd protocol (RFC 3244) to the realm's kpasswd
//! servers, over UDP/TCP or through the realm's KDC proxy.

use super::{Client, ClientError, IntoPrincipal, Secret, TgtOptions};
use crate::exchange::{KpasswdRequest, KpasswdResult};
use crate::principal::{NT_SRV_INST, Principal};
use crate::transport::kkdcp::ProxyUrl;
use crate::transport::{self, KdcEndpoint};

/// The kpasswd port.
const KPASSWD_PORT: u16 = 464;

impl Client {
    /// Change `client`'s password from `old_password` to `new_password`: an initial ticket for
    /// `kadmin/changepw` with the old password, then the kpasswd exchange with the realm's
    /// `kpasswd_server` (else `admin_server`, else its KDCs, on port 464) — through the KDC proxy
    /// when those entries are `https://` URLs. A server's refusal (weak password, policy) is
    /// [`ClientError::PasswordChangeRejected`] with its code and message.
    pub fn change_password(
        &self,
        client: impl IntoPrincipal,
        old_password: &str,
        new_password: &str,
    ) -> Result<KpasswdResult, ClientError> {
        let client = client.into_principal(self.config.default_realm(), false)?;
        let realm = client.realm_str();
        let changepw = Principal::new(NT_SRV_INST, realm.as_bytes(), ["kadmin", "changepw"]);
        let options = TgtOptions::default()
            .server(changepw)
            .lifetime(std::time::Duration::from_secs(300));
        let ticket = self.get_tgt_with(client, Secret::password(old_password), &options)?;
        let now = self.clock.now();
        let request = KpasswdRequest::change_password(&ticket, new_password, now)?;
        let reply = self.send_kpasswd(&realm, &request.message)?;
        let skew = self.config.libdefaults_for_realm(&realm)?.clockskew;
        let result = request.read_reply(&reply, self.clock.now(), skew)?;
        tracing::info!(client = %ticket.client, code = result.code, "kpasswd result");
        if result.is_success() {
            Ok(result)
        } else {
            Err(ClientError::PasswordChangeRejected {
                code: result.code,
                name: result.code_name(),
                text: result.text,
            })
        }
    }

    /// Send a kpasswd message to the realm's kpasswd servers (or its proxies).
    fn send_kpasswd(&self, realm: &str, message: &[u8]) -> Result<Vec<u8>, ClientError> {
        let mut locations = self.config.realm(realm).kpasswd_server;
        if locations.is_empty() {
            locations = self
                .config
                .kdcs(realm)
                .iter()
                .map(|l| {
                    if l.is_proxy() {
                        l.clone()
                    } else {
                        l.with_port(KPASSWD_PORT)
                    }
                })
                .collect();
        }
        let proxies: Vec<ProxyUrl> = locations
            .iter()
            .filter_map(ProxyUrl::from_location)
            .collect();
        if !proxies.is_empty() {
            return Ok(self.send_via_proxies(realm, &proxies, message)?.0);
        }
        let endpoints: Vec<KdcEndpoint> = locations
            .iter()
            .filter_map(KdcEndpoint::from_location)
            .collect();
        if endpoints.is_empty() {
            return Err(ClientError::NoKdc {
                realm: realm.to_owned(),
                hint: "krb5.conf names no kpasswd_server, admin_server or kdc for this realm"
                    .to_owned(),
            });
        }
        let opts = self.send_options(realm)?;
        Ok(transport::blocking::send(
            realm, &endpoints, message, &opts,
        )?)
    }
}
