//! Which `Host` headers the server answers: the defence against DNS rebinding.
//!
//! A web page on `http://evil.example:8083` can make its name resolve to `127.0.0.1` a moment
//! after the browser loaded it (DNS rebinding); its scripts then reach a server on the user's
//! loopback as if it were their own origin, and could create state machines and run them. The
//! one thing such a request cannot hide is its `Host` header, which still names the attacker's
//! domain. So every request (but `GET /healthz`, which tells nothing) must name this server:
//!
//! - `localhost`, `127.0.0.1` or `[::1]`, with the listener's port;
//! - the listener's own IP address with its port; when the listener is on every address
//!   (`0.0.0.0` or `[::]`), any IP address with its port: an IP literal cannot be rebound,
//!   because no DNS is involved;
//! - a name of the `allowed_hosts` setting (`sfn.example.com`, any port; or
//!   `sfn.example.com:443`, that port only). `*` turns the check off (behind a proxy that
//!   checks the name itself).
//!
//! The port is checked for loopback names because the browser's origin includes it: a page of
//! another local server (another port) is another origin. A request with no port in its
//! `Host` is for port 80.
//!
//! **Host prefixes.** AWS's SDKs send StartSyncExecution and TestState to a `sync-` host
//! (`sync-127.0.0.1:8083` for the endpoint `http://127.0.0.1:8083`), the one host prefix of
//! the Step Functions model ([`HOST_PREFIXES`]). The prefixed form of an allowed host is
//! allowed when nobody else can own it: in front of `localhost` or an IP address (neither is a
//! registrable domain), of a single-label name (`sync-myserver`), or of a configured name of
//! three labels or more (`sync-sfn.example.com` is inside `example.com`, as is
//! `sfn.example.com`). In front of a two-label name it is not (`sync-example.com` is another
//! domain, which anyone may register): list that form in `allowed_hosts` if you want it.
//! (Names under a multi-label public suffix, such as `example.co.uk`, deserve the same care:
//! list them with the prefix rather than rely on the rule.)
//!
//! A refused request gets HTTP 403 with an AWS-shaped body
//! `{"__type": "com.amazon.coral.service#AccessDeniedException", "message": "..."}`; the
//! message names the host and the setting to change.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::ApiError;

/// The host prefixes of the Step Functions API model (`sync-` for StartSyncExecution and
/// TestState).
pub const HOST_PREFIXES: &[&str] = &["sync-"];

/// The `Host` headers a server answers. See the module's documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostPolicy {
    /// The address the server listens on. `None` (a router embedded before its listener is
    /// bound) accepts the loopback names on any port, and no IP address but loopback ones.
    pub listen: Option<SocketAddr>,
    /// The `allowed_hosts` setting, each entry checked by [`AllowedHost::parse`].
    pub allowed: Vec<AllowedHost>,
}

/// One entry of `allowed_hosts`: a name or IP address, with or without a port; or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowedHost {
    /// `*`: every host (the check is off).
    Any,
    /// A host, lowercase, without brackets for IPv6; `port: None` for any port.
    Host { name: String, port: Option<u16> },
}

impl AllowedHost {
    /// Reads an entry: `name`, `name:port`, an IP address (IPv6 in brackets when a port
    /// follows), or `*`. Errors say what is wrong with the entry.
    pub fn parse(entry: &str) -> Result<AllowedHost, String> {
        let entry = entry.trim();
        if entry == "*" {
            return Ok(AllowedHost::Any);
        }
        let Some((name, port)) = split_host(entry) else {
            return Err(format!(
                "{entry:?} is not a host name: expected NAME or NAME:PORT, e.g. sfn.example.com"
            ));
        };
        if name.contains('*') {
            return Err(format!(
                "{entry:?}: wildcards are not supported; list each name, or use \"*\" alone to \
                 allow every host"
            ));
        }
        Ok(AllowedHost::Host { name, port })
    }
}

impl std::fmt::Display for AllowedHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AllowedHost::Any => f.write_str("*"),
            AllowedHost::Host { name, port } => {
                if name.contains(':') {
                    write!(f, "[{name}]")?;
                } else {
                    f.write_str(name)?;
                }
                match port {
                    Some(p) => write!(f, ":{p}"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// Splits `host[:port]` (`[v6]:port` for IPv6) into a lowercase host without brackets and
/// without a trailing dot, and its port. `None` when it is not a plausible host.
fn split_host(value: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        v6.parse::<Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (v6, port)
    } else {
        match value.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (value, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            Some(p.parse::<u16>().ok()?)
        }
        Some(_) => return None,
    };
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let plausible = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':' | b'*'));
    plausible.then_some((host, port))
}

impl HostPolicy {
    /// A policy for a server listening on `listen` that also answers `allowed`.
    pub fn new(listen: Option<SocketAddr>, allowed: Vec<AllowedHost>) -> HostPolicy {
        HostPolicy { listen, allowed }
    }

    /// True when `host` (a `Host` header's value) names this server.
    pub fn allows(&self, host: &str) -> bool {
        if self.allowed.contains(&AllowedHost::Any) {
            return true;
        }
        let Some((name, port)) = split_host(host) else {
            return false;
        };
        let port = port.unwrap_or(80);
        if self.names_this_server(&name, port, false) {
            return true;
        }
        HOST_PREFIXES.iter().any(|prefix| {
            name.strip_prefix(prefix)
                .is_some_and(|bare| self.names_this_server(bare, port, true))
        })
    }

    /// `name` (lowercase, unbracketed) on `port` is this server. `prefixed`: the request's
    /// name was `name` behind a host prefix.
    fn names_this_server(&self, name: &str, port: u16, prefixed: bool) -> bool {
        let listen_port_ok = self.listen.is_none_or(|l| l.port() == port);
        if name == "localhost" {
            return listen_port_ok;
        }
        if let Ok(ip) = name.parse::<IpAddr>() {
            let by_listener = match self.listen {
                None => ip.is_loopback(),
                Some(l) => {
                    l.port() == port
                        && (ip == Ipv4Addr::LOCALHOST
                            || ip == Ipv6Addr::LOCALHOST
                            || ip == l.ip()
                            || l.ip().is_unspecified())
                }
            };
            if by_listener {
                return true;
            }
        }
        self.allowed.iter().any(|entry| match entry {
            AllowedHost::Any => true,
            AllowedHost::Host {
                name: allowed,
                port: allowed_port,
            } => {
                allowed == name
                    && allowed_port.is_none_or(|p| p == port)
                    && (!prefixed || prefix_stays_inside(allowed))
            }
        })
    }

    /// The error answered for a refused `host` (`None`: no `Host` header).
    pub fn refusal(&self, host: Option<&str>) -> ApiError {
        let Some(host) = host else {
            return ApiError::access_denied(
                "The request has no Host header: this server answers only requests that name \
                 it (see the allowed_hosts setting)",
            );
        };
        let shown: String = host.chars().take(200).collect();
        let name = split_host(host).map_or(shown.clone(), |(n, _)| n);
        let listen = match self.listen {
            Some(l) => format!(" and its listening address {l}"),
            None => String::new(),
        };
        ApiError::access_denied(format!(
            "Host '{shown}' is not allowed: this server answers localhost, 127.0.0.1 and [::1] \
             on its own port{listen}, and the hosts of its allowed_hosts setting, to protect it \
             from DNS rebinding. To serve '{name}', add it to allowed_hosts (--allowed-hosts, \
             SWITCHBACK_ALLOWED_HOSTS, or allowed_hosts in switchback.toml)"
        ))
    }
}

/// A host prefix in front of `name` keeps it in `name`'s own domain: `name` is an IP address,
/// a single label, or has three labels or more. See the module's documentation.
fn prefix_stays_inside(name: &str) -> bool {
    name.parse::<IpAddr>().is_ok() || name.split('.').count() != 2
}

/// The `Host` of a request: the header, or the URI's authority (absolute-form requests).
fn request_host(request: &Request) -> Option<String> {
    match request.headers().get(HOST) {
        Some(value) => Some(String::from_utf8_lossy(value.as_bytes()).into_owned()),
        None => request.uri().authority().map(|a| a.as_str().to_string()),
    }
}

/// Axum middleware: refuses a request whose `Host` does not name this server (see the
/// module's documentation). `GET /healthz` is exempt: load balancers and probes send all sorts
/// of hosts, and it reveals nothing.
pub async fn guard(
    State(policy): State<std::sync::Arc<HostPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == "/healthz" {
        return next.run(request).await;
    }
    let host = request_host(&request);
    if host.as_deref().is_some_and(|h| policy.allows(h)) {
        return next.run(request).await;
    }
    let error = policy.refusal(host.as_deref());
    // Not a warning: any web page can cause these, and the log must not be theirs to flood.
    tracing::info!(
        host = host.as_deref().unwrap_or("-"),
        path = request.uri().path(),
        "request refused: its Host is not this server's (see allowed_hosts)"
    );
    // The body is not read: the connection is closed after the answer.
    let mut response = crate::protocol::error_response(&error);
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

/// `router` behind the `Host` check of `config`.
pub fn guard_hosts(router: axum::Router, config: &crate::state::ApiConfig) -> axum::Router {
    router.layer(axum::middleware::from_fn_with_state(
        std::sync::Arc::new(config.hosts.clone()),
        guard,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(listen: &str, allowed: &[&str]) -> HostPolicy {
        HostPolicy::new(
            Some(listen.parse().unwrap()),
            allowed
                .iter()
                .map(|a| AllowedHost::parse(a).unwrap())
                .collect(),
        )
    }

    #[test]
    fn loopback_names_on_the_listeners_port() {
        let p = policy("127.0.0.1:8083", &[]);
        for ok in [
            "127.0.0.1:8083",
            "localhost:8083",
            "LOCALHOST:8083",
            "localhost.:8083",
            "[::1]:8083",
            "sync-127.0.0.1:8083",
            "sync-localhost:8083",
        ] {
            assert!(p.allows(ok), "{ok} refused");
        }
        for bad in [
            "evil.example",
            "evil.example:8083",
            "localhost:8084",
            "localhost",
            "127.0.0.1",
            "10.0.0.1:8083",
            "sync-evil.example:8083",
            "evil-localhost:8083",
            "localhost.evil.example:8083",
            "",
            ":8083",
            "localhost:80a",
            "[::1",
            "local host:8083",
        ] {
            assert!(!p.allows(bad), "{bad} allowed");
        }
    }

    #[test]
    fn the_listening_address_and_any_ip_when_listening_everywhere() {
        let p = policy("192.168.1.5:8083", &[]);
        assert!(p.allows("192.168.1.5:8083"));
        assert!(p.allows("sync-192.168.1.5:8083"));
        assert!(!p.allows("192.168.1.6:8083"));
        let p = policy("0.0.0.0:8083", &[]);
        assert!(p.allows("10.1.2.3:8083"));
        assert!(p.allows("[fe80::1]:8083"));
        assert!(!p.allows("10.1.2.3:9000"));
        assert!(!p.allows("myhost:8083"));
        let p = policy("0.0.0.0:80", &[]);
        assert!(p.allows("10.1.2.3"));
    }

    #[test]
    fn configured_names() {
        let p = policy(
            "0.0.0.0:8083",
            &[
                "sfn.example.com",
                "example.org",
                "box",
                "pinned.example.com:443",
            ],
        );
        assert!(p.allows("sfn.example.com"));
        assert!(p.allows("SFN.example.com:9999"));
        assert!(p.allows("sync-sfn.example.com"));
        assert!(p.allows("example.org:8083"));
        // Another registrable domain: not implied.
        assert!(!p.allows("sync-example.org:8083"));
        assert!(p.allows("box:8083"));
        assert!(p.allows("sync-box:8083"));
        assert!(p.allows("pinned.example.com:443"));
        assert!(!p.allows("pinned.example.com:8083"));
        assert!(!p.allows("pinned.example.com"));
        assert!(!p.allows("other.example.com"));
        assert!(!p.allows("xsfn.example.com"));
        let p = policy("127.0.0.1:8083", &["*"]);
        assert!(p.allows("anything.example:1"));
    }

    #[test]
    fn entries_are_checked() {
        assert_eq!(AllowedHost::parse("*").unwrap(), AllowedHost::Any);
        assert_eq!(
            AllowedHost::parse("[::1]:80").unwrap(),
            AllowedHost::Host {
                name: "::1".into(),
                port: Some(80)
            }
        );
        assert_eq!(
            AllowedHost::parse("[::1]:80").unwrap().to_string(),
            "[::1]:80"
        );
        for bad in [
            "",
            "a b",
            "*.example.com",
            "host:port",
            "host:99999",
            "http://x",
        ] {
            assert!(AllowedHost::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn without_a_listener_any_port_of_loopback() {
        let p = HostPolicy::default();
        assert!(p.allows("localhost"));
        assert!(p.allows("127.0.0.1:1"));
        assert!(!p.allows("10.0.0.1:1"));
        assert!(!p.allows("evil.example"));
    }
}
