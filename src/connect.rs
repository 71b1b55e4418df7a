//! Connecting safely, for every client: where a connection goes (curl-style `resolve` rules),
//! whether secrets may travel there over plain `http://`, the CA certificate file, and one
//! deadline for the whole connect with its retries made visible.

use crate::error::{Error, ErrorCategory, Result};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Largest CA certificate file read (a PEM bundle of a few hundred roots is well under this).
pub const MAX_CA_FILE_BYTES: u64 = 1024 * 1024;

/// Where the connection goes and what may travel over it, beside TLS settings.
#[derive(Clone, Debug, Default)]
pub struct NetworkOptions {
    /// Send secrets over plain `http://` to a host that is not loopback. Off unless asked for by name.
    pub allow_insecure_http: bool,
    /// curl's `--resolve`: connect to these addresses for this host and port, whatever DNS says.
    pub resolve: Vec<ResolveRule>,
    /// Told before each retry while connecting (connection refused, 503, ...).
    pub on_retry: Option<RetryObserver>,
}

/// One `HOST:PORT:ADDRESS[,ADDRESS...]` rule, as curl's `--resolve` takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveRule {
    /// Lower case, as URLs carry host names.
    pub host: String,
    pub port: u16,
    pub addresses: Vec<IpAddr>,
}

impl ResolveRule {
    /// Parses `HOST:PORT:ADDRESS[,ADDRESS...]`; an IPv6 address may be in brackets (`[::1]`).
    pub fn parse(field: &str, text: &str) -> Result<ResolveRule> {
        let bad = |why: &str| Error::invalid(field, format!("'{}' is not HOST:PORT:ADDRESS ({why})", crate::error::excerpt(text)));
        let mut parts = text.splitn(3, ':');
        let (host, port, addresses) = match (parts.next(), parts.next(), parts.next()) {
            (Some(h), Some(p), Some(a)) => (h.trim(), p.trim(), a.trim()),
            _ => return Err(bad("three parts separated by ':' are needed")),
        };
        if host.is_empty() || host == "*" || host.starts_with('[') {
            return Err(bad("the host must be a host name"));
        }
        if host.chars().any(|c| c.is_whitespace() || c == '/' || c == '@') {
            return Err(bad("the host must be a host name"));
        }
        let port: u16 = port.parse().ok().filter(|p| *p > 0).ok_or_else(|| bad("the port must be a number from 1 to 65535"))?;
        let addresses = addresses
            .split(',')
            .map(|a| {
                let a = a.trim();
                let a = a.strip_prefix('[').and_then(|x| x.strip_suffix(']')).unwrap_or(a);
                a.parse::<IpAddr>().map_err(|_| bad(&format!("'{}' is not an IP address", crate::error::excerpt(a))))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ResolveRule { host: host.to_ascii_lowercase(), port, addresses })
    }

    /// Several rules, each field named by its index (`resolve[0]`).
    pub fn parse_all(field: &str, texts: &[String]) -> Result<Vec<ResolveRule>> {
        texts.iter().enumerate().map(|(i, t)| ResolveRule::parse(&format!("{field}[{i}]"), t)).collect()
    }
}

/// What a retry while connecting looks like to an observer. Holds no secret.
#[derive(Clone, Debug)]
pub struct RetryNotice {
    /// The URL that failed.
    pub url: String,
    /// The attempt that just failed (1 for the first).
    pub attempt: u32,
    pub max_attempts: u32,
    /// How long until the next attempt.
    pub delay: Duration,
    pub error: Error,
}

/// Called before each retry; cheap to clone, shared between threads.
#[derive(Clone)]
pub struct RetryObserver(pub Arc<dyn Fn(&RetryNotice) + Send + Sync>);

impl RetryObserver {
    pub fn new(f: impl Fn(&RetryNotice) + Send + Sync + 'static) -> Self {
        RetryObserver(Arc::new(f))
    }
}

impl std::fmt::Debug for RetryObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RetryObserver")
    }
}

/// Where a connection goes: the normalized base URL and the addresses pinned for its host.
pub(crate) struct Route {
    pub base: url::Url,
    /// The server was given without a scheme, so https was assumed.
    pub scheme_assumed: bool,
    /// Host name and the addresses to use for it, when they are fixed (resolve rule, or loopback check).
    pub pinned: Option<(String, Vec<SocketAddr>)>,
}

/// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback.
pub fn is_loopback(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()),
    }
}

fn host_ip(url: &url::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(a) => Some(IpAddr::V4(a)),
        url::Host::Ipv6(a) => Some(IpAddr::V6(a)),
        url::Host::Domain(_) => None,
    }
}

/// `host:port` of a URL, the port always shown.
pub(crate) fn host_port(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    format!("{host}:{}", url.port_or_known_default().unwrap_or(0))
}

/// Decides where the connection goes and whether `secret` (what the credentials are, e.g. "the
/// API token") may be sent there. Plain `http://` without the opt-in needs a loopback name
/// (`localhost`, 127.0.0.0/8, `::1`) AND loopback addresses actually connected to: a resolve rule
/// or the system resolver is consulted, and the addresses found are pinned for the connection.
pub(crate) async fn route(server: &str, network: &NetworkOptions, secret: &str) -> Result<Route> {
    let base_text = normalize_server(server)?;
    let scheme_assumed = !server.contains("://");
    let base = url::Url::parse(&base_text).map_err(|e| Error::invalid("server", e))?;
    let host = base.host_str().unwrap_or_default().to_ascii_lowercase();
    let port = base.port_or_known_default().unwrap_or(443);
    let mut pinned: Option<(String, Vec<SocketAddr>)> = None;
    let mut seen = std::collections::HashSet::new();
    for (i, rule) in network.resolve.iter().enumerate() {
        let field = format!("resolve[{i}]");
        if !seen.insert((rule.host.clone(), rule.port)) {
            return Err(Error::invalid(field, format!("a second rule for {}:{}", rule.host, rule.port)));
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if rule.host != host && rule.host != bare {
            return Err(Error::invalid(
                field,
                format!(
                    "names {}:{}, but the server is {}; a rule applies only to the host and port connected to",
                    rule.host,
                    rule.port,
                    host_port(&base)
                ),
            ));
        }
        if rule.port != port {
            return Err(Error::invalid(field, format!("names port {}, but the server {} is on port {port}", rule.port, base_text)));
        }
        if host_ip(&base).is_some() {
            return Err(Error::invalid(field, format!("the server {} is an IP address: there is no name to resolve", base_text)));
        }
        pinned = Some((host.clone(), rule.addresses.iter().map(|a| SocketAddr::new(*a, port)).collect()));
    }
    if base.scheme() == "http" && !network.allow_insecure_http {
        let refuse = |why: String| {
            Error::invalid(
                "server",
                format!(
                    "refusing to send {secret} over plain http to {} ({why}); secrets go unencrypted only to a loopback address \
                     (localhost, 127.0.0.0/8, ::1): use https, or opt in by name with allowInsecureHttp (--allow-insecure-http)",
                    host_port(&base)
                ),
            )
        };
        let name_is_loopback = host == "localhost" || host_ip(&base).is_some_and(|ip| is_loopback(&ip));
        if !name_is_loopback {
            return Err(refuse("not a loopback address".into()));
        }
        let addresses: Vec<SocketAddr> = match (&pinned, host_ip(&base)) {
            (Some((_, addrs)), _) => addrs.clone(),
            (None, Some(ip)) => vec![SocketAddr::new(ip, port)],
            (None, None) => tokio::net::lookup_host((host.as_str(), port))
                .await
                .map_err(|e| Error::new(ErrorCategory::Network, format!("{base_text}: could not resolve {host}: {e}")))?
                .collect(),
        };
        if addresses.is_empty() {
            return Err(refuse(format!("{host} resolves to no address")));
        }
        if let Some(a) = addresses.iter().find(|a| !is_loopback(&a.ip())) {
            return Err(refuse(format!("{host} leads to {}, which is not loopback", a.ip())));
        }
        if host_ip(&base).is_none() {
            pinned = Some((host.clone(), addresses));
        }
    }
    Ok(Route { base, scheme_assumed, pinned })
}

/// Records the last failure seen while connecting and passes retries on to the caller's observer.
#[derive(Clone, Default)]
pub(crate) struct ConnectWatch {
    last: Arc<Mutex<Option<(u32, Error)>>>,
    user: Option<RetryObserver>,
}

impl ConnectWatch {
    pub fn new(user: Option<RetryObserver>) -> Self {
        ConnectWatch { last: Arc::default(), user }
    }

    pub fn observer(&self) -> RetryObserver {
        let me = self.clone();
        RetryObserver::new(move |n| {
            *me.last.lock().unwrap_or_else(|p| p.into_inner()) = Some((n.attempt, n.error.clone()));
            if let Some(f) = &me.user {
                (f.0)(n);
            }
        })
    }

    /// Runs the whole connect `work` within `limit`, retries included; past it, the error says
    /// which URL was tried, how often, and the last failure.
    pub async fn within<T>(&self, limit: Duration, url: &str, work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        match tokio::time::timeout(limit, work).await {
            Ok(r) => r.map_err(|mut e| {
                // Every connect error names the server tried.
                if !e.message.contains(url) {
                    e.message = format!("{url}: {}", e.message);
                }
                e
            }),
            Err(_) => {
                let last = self.last.lock().unwrap_or_else(|p| p.into_inner()).clone();
                let detail = match last {
                    Some((attempts, e)) => format!(" after {attempts} failed attempt(s); last: {}", e.message),
                    None => String::new(),
                };
                Err(Error::new(
                    ErrorCategory::Timeout,
                    format!("{url}: could not connect within the timeout of {} s{detail}", trim_secs(limit)),
                ))
            }
        }
    }
}

fn trim_secs(d: Duration) -> String {
    let s = format!("{:.1}", d.as_secs_f64());
    s.trim_end_matches(".0").to_string()
}

/// Reads a CA certificate (PEM) file: only a regular file of at most 1 MiB, never a device, a
/// named pipe or a directory, and never more than the cap even if the file grows meanwhile.
pub fn read_ca_certificate(field: &str, path: &std::path::Path) -> Result<String> {
    use std::io::Read;
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| Error::invalid(field, format!("{shown}: {e}")))?;
    if !meta.is_file() {
        return Err(Error::invalid(field, format!("{shown} is not a regular file")));
    }
    if meta.len() > MAX_CA_FILE_BYTES {
        return Err(Error::invalid(field, format!("{shown} is {} bytes; a CA certificate file may have at most 1 MiB", meta.len())));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // A file swapped for a FIFO between the check and the open must not block the open.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| Error::invalid(field, format!("{shown}: {e}")))?;
    let opened = file.metadata().map_err(|e| Error::invalid(field, format!("{shown}: {e}")))?;
    if !opened.is_file() {
        return Err(Error::invalid(field, format!("{shown} is not a regular file")));
    }
    let mut bytes = Vec::new();
    file.take(MAX_CA_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| Error::invalid(field, format!("{shown}: {e}")))?;
    if bytes.len() as u64 > MAX_CA_FILE_BYTES {
        return Err(Error::invalid(field, format!("{shown} grew past 1 MiB while being read")));
    }
    String::from_utf8(bytes).map_err(|_| Error::invalid(field, format!("{shown} is not PEM text (not UTF-8)")))
}

/// `server` may be a host name (`console.cloud.vmware.com`), `host:port` or a full URL.
pub fn normalize_server(server: &str) -> Result<String> {
    let s = server.trim().trim_end_matches('/');
    if s.is_empty() {
        return Err(Error::invalid("server", "must not be empty"));
    }
    let with_scheme = if s.contains("://") { s.to_string() } else { format!("https://{s}") };
    let url = url::Url::parse(&with_scheme)
        .map_err(|e| Error::invalid("server", format!("'{}' is not a host name or URL: {e}", crate::error::excerpt(s))))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(Error::invalid("server", format!("scheme '{}' is not supported; use https", url.scheme())));
    }
    if url.host_str().is_none() {
        return Err(Error::invalid("server", format!("'{}' has no host", crate::error::excerpt(s))));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid("server", "must not carry credentials; pass them as options"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_rules_parse_like_curl() {
        let r = ResolveRule::parse("resolve[0]", "VCS.test.invalid:8443:127.0.0.1,[::1]").unwrap();
        assert_eq!(r.host, "vcs.test.invalid");
        assert_eq!(r.port, 8443);
        assert_eq!(r.addresses, vec!["127.0.0.1".parse::<IpAddr>().unwrap(), "::1".parse().unwrap()]);
        let r = ResolveRule::parse("resolve[0]", "h:1:::1").unwrap();
        assert_eq!(r.addresses, vec!["::1".parse::<IpAddr>().unwrap()]);
        for (text, needle) in [
            ("h:443", "three parts"),
            (":443:127.0.0.1", "host name"),
            ("h:0:127.0.0.1", "port"),
            ("h:99999:127.0.0.1", "port"),
            ("h:443:not-an-ip", "not an IP"),
            ("h:443:", "not an IP"),
        ] {
            let e = ResolveRule::parse("resolve[2]", text).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("resolve[2]"), "{text}");
            assert!(e.message.contains(needle), "{text}: {}", e.message);
        }
    }

    #[test]
    fn loopback_is_127_8_and_v6_one() {
        for a in ["127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"] {
            assert!(is_loopback(&a.parse().unwrap()), "{a}");
        }
        for a in ["10.0.0.1", "192.168.1.1", "0.0.0.0", "::", "8.8.8.8"] {
            assert!(!is_loopback(&a.parse().unwrap()), "{a}");
        }
    }

    fn net(resolve: &[&str], allow: bool) -> NetworkOptions {
        NetworkOptions {
            allow_insecure_http: allow,
            resolve: resolve.iter().enumerate().map(|(i, r)| ResolveRule::parse(&format!("resolve[{i}]"), r).unwrap()).collect(),
            on_retry: None,
        }
    }

    #[tokio::test]
    async fn plain_http_needs_a_loopback_name_and_loopback_addresses() {
        let ok = route("http://127.0.0.1:9", &net(&[], false), "the API token").await.unwrap();
        assert!(ok.pinned.is_none());
        assert!(route("http://[::1]:9", &net(&[], false), "x").await.is_ok());
        // `localhost` is looked up once and its loopback addresses pinned for the connection.
        let (host, addrs) = route("http://localhost:9", &net(&[], false), "x").await.unwrap().pinned.unwrap();
        assert_eq!(host, "localhost");
        assert!(!addrs.is_empty() && addrs.iter().all(|a| is_loopback(&a.ip()) && a.port() == 9), "{addrs:?}");
        let ok = route("http://localhost:9", &net(&["localhost:9:127.0.0.2"], false), "x").await.unwrap();
        assert_eq!(ok.pinned.unwrap().1, vec!["127.0.0.2:9".parse::<SocketAddr>().unwrap()]);
        for (server, rules) in [
            ("http://vcs.test.invalid:9", vec!["vcs.test.invalid:9:127.0.0.1"]),
            ("http://10.1.2.3:9", vec![]),
            ("http://localhost:9", vec!["localhost:9:10.1.2.3"]),
        ] {
            let e = route(server, &net(&rules, false), "the API token").await.err().expect(server);
            assert_eq!(e.field.as_deref(), Some("server"), "{server}");
            assert!(e.message.contains("refusing to send the API token over plain http"), "{}", e.message);
            assert!(e.message.contains("allowInsecureHttp"), "{}", e.message);
        }
        // By name, the caller may: then nothing is checked but the rule's shape.
        assert!(route("http://vcs.test.invalid:9", &net(&["vcs.test.invalid:9:127.0.0.1"], true), "x").await.is_ok());
        // https needs no loopback at all.
        assert!(route("vcs.test.invalid:9", &net(&["vcs.test.invalid:9:127.0.0.1"], false), "x").await.unwrap().scheme_assumed);
    }

    #[tokio::test]
    async fn a_rule_must_match_the_server() {
        let e = route("https://a.example:443", &net(&["b.example:443:127.0.0.1"], false), "x").await.err().unwrap();
        assert_eq!(e.field.as_deref(), Some("resolve[0]"));
        let e = route("https://a.example", &net(&["a.example:8443:127.0.0.1"], false), "x").await.err().unwrap();
        assert!(e.message.contains("port 443"), "{}", e.message);
        let e = route("https://a.example", &net(&["a.example:443:127.0.0.1", "A.example:443:127.0.0.2"], false), "x").await.err().unwrap();
        assert_eq!(e.field.as_deref(), Some("resolve[1]"));
    }

    #[test]
    fn ca_files_are_regular_and_small() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.pem");
        std::fs::write(&big, vec![b'a'; (MAX_CA_FILE_BYTES + 1) as usize]).unwrap();
        assert!(read_ca_certificate("caCertificatePath", &big).unwrap_err().message.contains("1 MiB"));
        assert!(read_ca_certificate("caCertificatePath", dir.path()).unwrap_err().message.contains("not a regular file"));
        let ok = dir.path().join("ok.pem");
        std::fs::write(&ok, "-----BEGIN CERTIFICATE-----\n").unwrap();
        assert!(read_ca_certificate("caCertificatePath", &ok).is_ok());
        #[cfg(unix)]
        {
            let e = read_ca_certificate("caCertificatePath", std::path::Path::new("/dev/zero")).unwrap_err();
            assert!(e.message.contains("not a regular file"), "{}", e.message);
            let fifo = dir.path().join("fifo");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            let e = read_ca_certificate("caCertificatePath", &fifo).unwrap_err();
            assert!(e.message.contains("not a regular file"), "{}", e.message);
        }
    }
}
