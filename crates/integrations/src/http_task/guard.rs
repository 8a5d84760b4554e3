//! Where an HTTP Task may connect: the guard against server-side request forgery (SSRF).
//!
//! A definition chooses an HTTP Task's `ApiEndpoint`, and definitions come from whoever may
//! call `CreateStateMachine`, or from the execution's input. Switchback runs next to the
//! user's own services, so without a guard a definition could make the server call its own
//! admin endpoints (`127.0.0.1`), the private network (`10.0.0.0/8`, `192.168.0.0/16`, ...),
//! or a cloud metadata service (`169.254.169.254`, `fd00:ec2::254`) that hands out the
//! machine's credentials. On AWS an HTTP Task runs on the public internet and cannot reach any
//! of these. So, by default, Switchback refuses them too:
//!
//! - unspecified (`0.0.0.0/8`, `::`), loopback (`127.0.0.0/8`, `::1`), private (RFC 1918
//!   `10/8`, `172.16/12`, `192.168/16`, IPv6 ULA `fc00::/7`, site-local `fec0::/10`),
//!   link-local (`169.254/16`, `fe80::/10`), shared/CGNAT (`100.64/10`), multicast, broadcast
//!   and the reserved `240/4`;
//! - cloud metadata addresses (`169.254.169.254`, `169.254.170.2`, `169.254.170.23`,
//!   `100.100.100.200`, `fd00:ec2::254`, `fd00:ec2::23`);
//! - the same IPv4 addresses written inside IPv6 (`::ffff:127.0.0.1`, NAT64 `64:ff9b::/96`,
//!   6to4 `2002::/16`).
//!
//! The check is made on the *resolved* address, in the connector itself ([`GuardedConnector`]):
//! it resolves the host, checks every address, and opens the TCP connection to a checked
//! address, never to the name again. So a name that resolves to a private address is refused
//! like the address, and DNS rebinding (a public answer for the check, a private one for the
//! connection) has no second lookup to exploit. Because every connection the HTTP Task client
//! opens goes through the connector, every redirect hop would be checked too; today redirects
//! are not followed at all (a 3xx fails the task with `States.Http.StatusCode.3xx`, as any
//! status outside 2xx does).
//!
//! A refused address fails the task with `States.Http.Socket`, what AWS reports when an HTTP
//! Task cannot reach its endpoint, so a definition's `Catch` for unreachable endpoints catches
//! it; the cause names the address, why it is refused, and the setting that allows it.
//!
//! Two settings of the `[http]` table allow what is refused:
//!
//! - `allow_private_addresses = true`: every private, loopback, link-local, ... address, for a
//!   development machine whose services are local. Cloud metadata addresses stay refused even
//!   then, because a configuration written for a laptop must not hand out instance credentials
//!   when the same file is deployed on a cloud VM.
//! - an exact entry of `allowed_hosts` (`"localhost:8080"`, `"127.0.0.1:9000"`, `"[::1]"`,
//!   `"api.internal"`): the user named that host (and port, when the entry has one), so it is
//!   reachable whatever it resolves to, metadata addresses included. List a name only if you
//!   trust its DNS. A wildcard entry (`"*.example.com"`) does not lift the guard: it covers
//!   names nobody vetted one by one.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Uri;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::http_client::CONNECT_TIMEOUT;

type BoxError = Box<dyn StdError + Send + Sync>;

/// One checked entry of `[http] allowed_hosts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostEntry {
    /// Lower-case, without brackets or a trailing dot; an IP address in its canonical form.
    /// For a wildcard, the domain after `*.`.
    host: String,
    /// `*.domain`: the subdomains of `host`, not `host` itself.
    wildcard: bool,
    /// The port the entry is limited to, if it names one.
    port: Option<u16>,
}

impl HostEntry {
    /// Reads an entry: `host`, `host:port`, `*.domain[:port]`, an IPv4 address with an optional
    /// port, or an IPv6 address bare (`::1`) or in brackets (`[::1]`, `[::1]:8080`). `Err` is
    /// what is wrong, for the config error.
    pub fn parse(text: &str) -> Result<HostEntry, String> {
        let entry = text.trim().to_ascii_lowercase();
        let example = "write a host such as \"api.example.com\", \"*.example.com\", \"localhost:8080\", \"127.0.0.1:9000\" or \"[::1]:8080\", without scheme or path";
        let bad = || format!("{entry:?} is not a host with an optional port: {example}");
        let (host, port) = if let Some(rest) = entry.strip_prefix('[') {
            let (inside, after) = rest.split_once(']').ok_or_else(bad)?;
            inside.parse::<Ipv6Addr>().map_err(|_| bad())?;
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':').ok_or_else(bad)?),
            };
            (inside.to_string(), port)
        } else if entry.parse::<Ipv6Addr>().is_ok() {
            (entry.clone(), None)
        } else {
            match entry.split_once(':') {
                Some((host, port)) => (host.to_string(), Some(port)),
                None => (entry.clone(), None),
            }
        };
        let port = match port {
            None => None,
            Some(port) => match port.parse::<u16>() {
                Ok(p) if p > 0 => Some(p),
                _ => {
                    return Err(format!(
                        "{entry:?} has the port {port:?}; a port is a number from 1 to 65535"
                    ))
                }
            },
        };
        let (wildcard, bare) = match host.strip_prefix("*.") {
            Some(domain) => (true, domain),
            None => (false, host.as_str()),
        };
        let bare = bare.strip_suffix('.').unwrap_or(bare);
        if bare.is_empty()
            || (bare.parse::<IpAddr>().is_err()
                && bare.contains(['/', ':', ' ', '*', '@', '?', '#', '[', ']']))
        {
            return Err(bad());
        }
        if wildcard && bare.parse::<IpAddr>().is_ok() {
            return Err(format!(
                "{entry:?}: a wildcard covers the subdomains of a name, not of an IP address"
            ));
        }
        Ok(HostEntry {
            host: canonical_host(bare),
            wildcard,
            port,
        })
    }

    /// Whether the entry covers `host` (canonical, see [`canonical_host`]) on `port`.
    fn matches(&self, host: &str, port: u16) -> bool {
        if self.port.is_some_and(|p| p != port) {
            return false;
        }
        if self.wildcard {
            host.strip_suffix(self.host.as_str())
                .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1)
        } else {
            self.host == host
        }
    }
}

/// A host as the allow-list compares it: lower-case, without brackets or a trailing dot, and an
/// IP address in its canonical form (`::1` for `0:0::1`).
pub(crate) fn canonical_host(host: &str) -> String {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let host = host.strip_suffix('.').unwrap_or(&host);
    match host.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => host.to_string(),
    }
}

/// The `[http]` settings that decide where an HTTP Task may go.
#[derive(Debug, Clone, Default)]
pub(crate) struct AddressPolicy {
    /// `allowed_hosts`; empty means any host (subject to the address check).
    pub allowed_hosts: Vec<HostEntry>,
    /// `allow_private_addresses`.
    pub allow_private: bool,
    /// The config file's name, for messages.
    pub file: String,
}

impl AddressPolicy {
    /// Whether `allowed_hosts` lets a task call `host` on `port` (an empty list allows all).
    pub fn host_allowed(&self, host: &str, port: u16) -> bool {
        let host = canonical_host(host);
        self.allowed_hosts.is_empty() || self.allowed_hosts.iter().any(|e| e.matches(&host, port))
    }

    /// Whether an exact (non-wildcard) entry names `host` on `port`, which lifts the guard.
    fn named(&self, host: &str, port: u16) -> bool {
        let host = canonical_host(host);
        self.allowed_hosts
            .iter()
            .any(|e| !e.wildcard && e.matches(&host, port))
    }

    /// Checks one resolved address of `host`. `Err` says why it is refused.
    pub fn check(&self, host: &str, port: u16, address: IpAddr) -> Result<(), Refused> {
        let Some(kind) = classify(address) else {
            return Ok(());
        };
        if self.named(host, port) || (self.allow_private && kind != Restricted::Metadata) {
            return Ok(());
        }
        Err(Refused {
            host: canonical_host(host),
            port,
            address,
            kind,
            file: self.file.clone(),
        })
    }
}

/// Why an address is refused by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Restricted {
    Unspecified,
    Loopback,
    Private,
    LinkLocal,
    SharedCgnat,
    Metadata,
    Reserved,
}

impl Restricted {
    fn describe(self) -> &'static str {
        match self {
            Restricted::Unspecified => "an unspecified address",
            Restricted::Loopback => "a loopback address (this machine)",
            Restricted::Private => "a private-network address",
            Restricted::LinkLocal => "a link-local address",
            Restricted::SharedCgnat => "a shared (carrier-grade NAT) address",
            Restricted::Metadata => "a cloud metadata service address",
            Restricted::Reserved => "a multicast, broadcast or reserved address",
        }
    }
}

/// The category of an address that is refused by default; `None` for a public address.
pub(crate) fn classify(address: IpAddr) -> Option<Restricted> {
    match address {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<Restricted> {
    let [a, b, c, d] = ip.octets();
    if [
        [169, 254, 169, 254], // EC2, GCP, Azure, OpenStack, ...
        [169, 254, 170, 2],   // ECS task metadata and credentials
        [169, 254, 170, 23],  // EKS Pod Identity
        [100, 100, 100, 200], // Alibaba Cloud
    ]
    .contains(&[a, b, c, d])
    {
        return Some(Restricted::Metadata);
    }
    match (a, b) {
        (0, _) => Some(Restricted::Unspecified),
        (127, _) => Some(Restricted::Loopback),
        (10, _) | (192, 168) => Some(Restricted::Private),
        (172, 16..=31) => Some(Restricted::Private),
        (169, 254) => Some(Restricted::LinkLocal),
        (100, 64..=127) => Some(Restricted::SharedCgnat),
        (192, 0) if c == 0 => Some(Restricted::Reserved),
        (224..=255, _) => Some(Restricted::Reserved),
        _ => None,
    }
}

fn classify_v6(ip: Ipv6Addr) -> Option<Restricted> {
    let s = ip.segments();
    if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
        || ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23)
    {
        return Some(Restricted::Metadata);
    }
    if ip.is_unspecified() {
        return Some(Restricted::Unspecified);
    }
    if ip.is_loopback() {
        return Some(Restricted::Loopback);
    }
    let embedded = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible (::a.b.c.d).
    if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) {
        return classify_v4(embedded(s[6], s[7]));
    }
    // NAT64: the well-known prefix 64:ff9b::/96 and the local-use 64:ff9b:1::/48.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || s[..3] == [0x64, 0xff9b, 1] {
        return classify_v4(embedded(s[6], s[7]));
    }
    // 6to4: 2002:AABB:CCDD::/48 carries a.b.c.d.
    if s[0] == 0x2002 {
        return classify_v4(embedded(s[1], s[2]));
    }
    match s[0] {
        0xfc00..=0xfdff => Some(Restricted::Private),
        0xfe80..=0xfebf => Some(Restricted::LinkLocal),
        0xfec0..=0xfeff => Some(Restricted::Private),
        0xff00..=0xffff => Some(Restricted::Reserved),
        _ => None,
    }
}

/// A connection the guard refused: the error the connector returns, found again by
/// [`refusal`] to write the task's cause.
#[derive(Debug, Clone)]
pub(crate) struct Refused {
    host: String,
    port: u16,
    address: IpAddr,
    kind: Restricted,
    file: String,
}

impl Refused {
    /// The task's cause: what was refused, why, and which setting allows it.
    pub fn cause(&self, url: &str) -> String {
        let entry = match self.host.parse::<IpAddr>() {
            Ok(IpAddr::V6(_)) => format!("[{}]:{}", self.host, self.port),
            _ => format!("{}:{}", self.host, self.port),
        };
        let resolved = if self.host == self.address.to_string() {
            String::new()
        } else {
            format!("{} resolves to ", self.host)
        };
        let allow = if self.kind == Restricted::Metadata {
            format!(
                "Cloud metadata addresses are refused even with `allow_private_addresses`; to call it anyway, add \"{entry}\" to `allowed_hosts` in the [http] table of {}.",
                self.file
            )
        } else {
            format!(
                "To allow it, add \"{entry}\" to `allowed_hosts` in the [http] table of {}, or set `allow_private_addresses = true` there.",
                self.file
            )
        };
        format!(
            "Switchback refused to connect to {url}: {resolved}{}, {}, which HTTP Tasks may not call by default (a definition must not reach the server's own network or credentials). {allow}",
            self.address,
            self.kind.describe()
        )
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the address {} of {} is refused: {}",
            self.address,
            self.host,
            self.kind.describe()
        )
    }
}

impl StdError for Refused {}

/// The refusal somewhere in an error's chain of sources, if the guard refused the connection.
pub(crate) fn refusal<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a Refused> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(refused) = e.downcast_ref::<Refused>() {
            return Some(refused);
        }
        current = e.source();
    }
    None
}

/// The TCP connector of the HTTP Task client: resolves, checks every address against the
/// policy, and connects to a checked address (see the module docs).
#[derive(Debug, Clone)]
pub(crate) struct GuardedConnector {
    policy: Arc<AddressPolicy>,
}

impl GuardedConnector {
    pub fn new(policy: Arc<AddressPolicy>) -> GuardedConnector {
        GuardedConnector { policy }
    }
}

impl tower_service::Service<Uri> for GuardedConnector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let policy = self.policy.clone();
        Box::pin(async move { connect(&policy, &uri).await.map(TokioIo::new) })
    }
}

/// Resolves `uri`'s host, keeps the addresses the policy allows, and connects to the first that
/// answers, within [`CONNECT_TIMEOUT`] in all.
async fn connect(policy: &AddressPolicy, uri: &Uri) -> Result<TcpStream, BoxError> {
    let host = uri
        .host()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
        .filter(|h| !h.is_empty())
        .ok_or("the URL has no host")?;
    let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    });
    let deadline = tokio::time::Instant::now() + CONNECT_TIMEOUT;
    let attempt = async {
        let resolved: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| format!("could not resolve {host}: {e}"))?
                .collect(),
        };
        let mut refused = None;
        let mut allowed = Vec::new();
        for address in resolved {
            match policy.check(host, port, address.ip()) {
                Ok(()) => allowed.push(address),
                Err(r) => {
                    refused.get_or_insert(r);
                }
            }
        }
        if allowed.is_empty() {
            return Err(match refused {
                Some(refused) => Box::new(refused) as BoxError,
                None => format!("{host} has no address").into(),
            });
        }
        // Each address gets an equal share of the time left, so one that drops packets (a
        // broken IPv6 route) leaves time for the next.
        let mut last_error = None;
        let count = allowed.len();
        for (i, address) in allowed.into_iter().enumerate() {
            let left = u32::try_from(count - i).unwrap_or(u32::MAX).max(1);
            let share = deadline.saturating_duration_since(tokio::time::Instant::now()) / left;
            match tokio::time::timeout(share, TcpStream::connect(address)).await {
                Ok(Ok(stream)) => {
                    // Small requests: do not wait to fill a segment.
                    let _ = stream.set_nodelay(true);
                    return Ok(stream);
                }
                Ok(Err(e)) => last_error = Some(e),
                Err(_) => {
                    last_error = Some(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("no answer from {address}"),
                    ))
                }
            }
        }
        Err(match last_error {
            Some(e) => Box::new(e) as BoxError,
            None => format!("{host} has no address").into(),
        })
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, attempt).await {
        Ok(result) => result,
        Err(_) => Err(Box::new(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!(
                "no connection to {host}:{port} within {} seconds",
                CONNECT_TIMEOUT.as_secs()
            ),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an IP address")
    }

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_classified() {
        for (address, kind) in [
            ("0.0.0.0", Restricted::Unspecified),
            ("127.0.0.1", Restricted::Loopback),
            ("127.200.0.9", Restricted::Loopback),
            ("10.1.2.3", Restricted::Private),
            ("172.16.0.1", Restricted::Private),
            ("172.31.255.255", Restricted::Private),
            ("192.168.1.1", Restricted::Private),
            ("169.254.1.1", Restricted::LinkLocal),
            ("169.254.169.254", Restricted::Metadata),
            ("169.254.170.2", Restricted::Metadata),
            ("100.64.0.1", Restricted::SharedCgnat),
            ("100.100.100.200", Restricted::Metadata),
            ("224.0.0.1", Restricted::Reserved),
            ("255.255.255.255", Restricted::Reserved),
            ("::", Restricted::Unspecified),
            ("::1", Restricted::Loopback),
            ("fd00:ec2::254", Restricted::Metadata),
            ("fd12:3456::1", Restricted::Private),
            ("fc00::1", Restricted::Private),
            ("fe80::1", Restricted::LinkLocal),
            ("ff02::1", Restricted::Reserved),
            ("::ffff:127.0.0.1", Restricted::Loopback),
            ("::ffff:169.254.169.254", Restricted::Metadata),
            ("64:ff9b::a00:1", Restricted::Private),
            ("2002:7f00:1::", Restricted::Loopback),
        ] {
            assert_eq!(classify(ip(address)), Some(kind), "{address}");
        }
        for public in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "93.184.216.34",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert_eq!(classify(ip(public)), None, "{public}");
        }
    }

    fn policy(entries: &[&str], allow_private: bool) -> AddressPolicy {
        AddressPolicy {
            allowed_hosts: entries
                .iter()
                .map(|e| HostEntry::parse(e).expect("a valid entry"))
                .collect(),
            allow_private,
            file: "switchback.toml".into(),
        }
    }

    #[test]
    fn the_allow_list_matches_hosts_ports_and_subdomains() {
        let list = policy(
            &[
                "localhost:8080",
                "*.example.com",
                "127.0.0.1:9000",
                "[::1]",
                "API.Internal.",
            ],
            false,
        );
        assert!(policy(&[], false).host_allowed("anything.org", 443));
        assert!(list.host_allowed("localhost", 8080));
        assert!(!list.host_allowed("localhost", 8081));
        assert!(list.host_allowed("api.example.com", 443));
        assert!(!list.host_allowed("example.com", 443));
        assert!(!list.host_allowed("badexample.com", 443));
        assert!(list.host_allowed("127.0.0.1", 9000));
        assert!(!list.host_allowed("127.0.0.1", 80));
        assert!(list.host_allowed("[0:0::1]", 1234));
        assert!(list.host_allowed("api.internal", 80));
    }

    #[test]
    fn entries_are_checked() {
        for good in [
            "api.example.com",
            "*.example.com:8443",
            "localhost:8080",
            "::1",
            "[fd00:ec2::254]:80",
        ] {
            assert!(HostEntry::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "https://api.example.com",
            "api.example.com/v1",
            "host:0",
            "host:http",
            "[::1",
            "*.10.0.0.1",
            "",
            "a b",
        ] {
            assert!(HostEntry::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_guard_refuses_by_default_and_each_setting_allows() {
        let strict = policy(&[], false);
        let refused = strict
            .check("localhost", 8080, ip("127.0.0.1"))
            .expect_err("loopback refused");
        let cause = refused.cause("http://localhost:8080/x");
        assert!(cause.contains("localhost resolves to 127.0.0.1"), "{cause}");
        assert!(cause.contains("\"localhost:8080\""), "{cause}");
        assert!(cause.contains("allow_private_addresses"), "{cause}");
        assert!(strict
            .check("example.org", 443, ip("93.184.216.34"))
            .is_ok());

        let private = policy(&[], true);
        assert!(private.check("localhost", 8080, ip("127.0.0.1")).is_ok());
        assert!(private.check("10.0.0.5", 80, ip("10.0.0.5")).is_ok());
        let metadata = private
            .check("169.254.169.254", 80, ip("169.254.169.254"))
            .expect_err("metadata stays refused");
        assert!(metadata.cause("u").contains("even with"), "{metadata}");

        let named = policy(&["localhost:8080", "[fd00:ec2::254]", "*.internal"], false);
        assert!(named.check("localhost", 8080, ip("127.0.0.1")).is_ok());
        assert!(named.check("localhost", 8081, ip("127.0.0.1")).is_err());
        assert!(named
            .check("fd00:ec2::254", 80, ip("fd00:ec2::254"))
            .is_ok());
        // A wildcard does not lift the guard.
        assert!(named.check("db.internal", 80, ip("10.0.0.7")).is_err());
    }
}
