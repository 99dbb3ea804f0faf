//! Where a team log is and how to reach it: a libpq-style URL (`postgres://` or
//! `postgresql://`), completed by the standard `PG*` variables as libpq completes it,
//! and TLS through rustls as libpq's `sslmode` says (`disable`, `prefer` — the default
//! —, `require`, `verify-ca`, `verify-full`; `sslrootcert` names the CA file, else the
//! system's roots are used).
//!
//! rustls (with the ring provider) rather than OpenSSL: nothing to install beside a C
//! compiler, which SQLite already needs.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::log::LogError;

/// Whether `db` names a PostgreSQL log rather than an SQLite file.
pub fn is_url(db: &str) -> bool {
    let lower = db.get(..13).unwrap_or(db).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// How the connection is secured, as libpq's `sslmode` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// TLS when the server offers it, the certificate not checked (libpq's default).
    Prefer,
    /// TLS or nothing, the certificate not checked.
    Require,
    /// TLS, the certificate signed by a trusted CA.
    VerifyCa,
    /// TLS, the certificate signed by a trusted CA and issued for the host.
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Option<SslMode> {
        Some(match value {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }
}

/// A log's server, as resolved from the URL and the environment.
#[derive(Clone, Debug)]
pub struct Target {
    /// The connection settings.
    pub config: postgres::Config,
    /// How TLS is used.
    pub ssl: SslMode,
    /// The CA file of `sslrootcert`/`PGSSLROOTCERT`, if given.
    pub root_cert: Option<PathBuf>,
    /// The URL as messages show it: user, host, port and database, never the password.
    pub shown: String,
    /// The database.
    pub database: String,
}

/// A URL that does not parse: what was wrong with it.
fn bad_url(shown: &str, message: impl Into<String>) -> LogError {
    LogError::BadTarget { target: shown.to_owned(), message: message.into() }
}

/// Resolves `url` with the `PG*` variables of `env` (name, value), which fill in what
/// the URL leaves out: host, port, user, password, database, sslmode, sslrootcert,
/// application name, connect timeout. `os_user` is the user name libpq falls back to.
pub fn target(url: &str, env: &[(String, String)], os_user: &str) -> Result<Target, LogError> {
    let var = |name: &str| env.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty());
    // A URL with its password would be shown in messages: show the scheme and host only
    // until it has parsed.
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit('@').next().unwrap_or(rest);
    let rough = format!("postgres://{}", rest.split('?').next().unwrap_or(rest));
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut ssl = None;
    let mut root_cert = None;
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslmode" => {
                ssl = Some(SslMode::parse(value).ok_or_else(|| {
                    bad_url(
                        &rough,
                        format!(
                            "sslmode `{value}` is not one of disable, allow, prefer, require, verify-ca, verify-full"
                        ),
                    )
                })?);
            }
            "sslrootcert" => root_cert = Some(PathBuf::from(percent_decoded(value))),
            _ => kept.push(pair),
        }
    }
    let rebuilt = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
    // The parser fills in 5432 for a host given without a port; libpq's PGPORT fills it
    // instead, so it goes into the URL first.
    if let Some(ports) = var("PGPORT")
        && ports.split(',').any(|p| p.trim().parse::<u16>().is_err())
    {
        return Err(bad_url(&rough, format!("PGPORT `{ports}` is not a port (or ports, comma-separated)")));
    }
    let rebuilt = match var("PGPORT") {
        Some(port) if !names_a_port(&rebuilt) => with_port(&rebuilt, port),
        _ => rebuilt,
    };
    let mut config: postgres::Config = rebuilt.parse().map_err(|e: postgres::Error| {
        bad_url(&rough, format!("{e}; write it as postgres://USER@HOST:PORT/DATABASE (libpq's URL form)"))
    })?;
    if config.get_hosts().is_empty() {
        for host in var("PGHOST").unwrap_or("localhost").split(',') {
            config.host(host);
        }
    }
    if config.get_ports().is_empty()
        && let Some(ports) = var("PGPORT")
    {
        for port in ports.split(',') {
            let port = port.trim().parse().map_err(|_| bad_url(&rough, format!("PGPORT `{port}` is not a port")))?;
            config.port(port);
        }
    }
    if config.get_user().is_none() {
        config.user(var("PGUSER").unwrap_or(os_user));
    }
    if config.get_password().is_none()
        && let Some(password) = var("PGPASSWORD")
    {
        config.password(password);
    }
    let user = config.get_user().unwrap_or_default().to_owned();
    if config.get_dbname().is_none() {
        config.dbname(var("PGDATABASE").unwrap_or(&user));
    }
    if config.get_application_name().is_none() {
        config.application_name(var("PGAPPNAME").unwrap_or("entente"));
    }
    if config.get_connect_timeout().is_none() {
        let seconds = match var("PGCONNECT_TIMEOUT") {
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map_err(|_| bad_url(&rough, format!("PGCONNECT_TIMEOUT `{v}` is not a number of seconds")))?,
            None => 10,
        };
        config.connect_timeout(Duration::from_secs(seconds.max(2)));
    }
    let ssl = match ssl {
        Some(mode) => mode,
        None => match var("PGSSLMODE") {
            Some(v) => SslMode::parse(v).ok_or_else(|| {
                bad_url(
                    &rough,
                    format!("PGSSLMODE `{v}` is not one of disable, allow, prefer, require, verify-ca, verify-full"),
                )
            })?,
            None => SslMode::Prefer,
        },
    };
    let root_cert = root_cert.or_else(|| var("PGSSLROOTCERT").map(PathBuf::from));
    config.ssl_mode(match ssl {
        SslMode::Disable => postgres::config::SslMode::Disable,
        SslMode::Prefer => postgres::config::SslMode::Prefer,
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => postgres::config::SslMode::Require,
    });
    let has_nul = [config.get_user(), config.get_dbname(), config.get_application_name()]
        .into_iter()
        .flatten()
        .any(|v| v.contains('\0'))
        || config.get_password().is_some_and(|p| p.contains(&0));
    if has_nul {
        return Err(bad_url(&rough, "a user, database or password holds a NUL character (%00)"));
    }
    let database = config.get_dbname().unwrap_or_default().to_owned();
    let host = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect::<Vec<_>>()
        .join(",");
    let port = match config.get_ports() {
        [] => String::new(),
        ports => format!(":{}", ports.iter().map(u16::to_string).collect::<Vec<_>>().join(",")),
    };
    let shown = format!("postgres://{user}@{host}{port}/{database}");
    Ok(Target { config, ssl, root_cert, shown, database })
}

/// Whether the URL's authority gives a port for some host (`host:port`, `[::1]:port`).
fn names_a_port(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let hosts = authority.rsplit('@').next().unwrap_or_default();
    hosts.split(',').any(|host| host.rsplit(']').next().unwrap_or(host).contains(':'))
}

/// `url` with its database replaced by `database`, the rest as it was: how a test or
/// a benchmark names the databases it makes on one server.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

/// `url` with `port` after each host of its authority (none when it names no host).
fn with_port(url: &str, port: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (user, hosts) = match authority.rsplit_once('@') {
        Some((user, hosts)) => (format!("{user}@"), hosts),
        None => (String::new(), authority),
    };
    if hosts.is_empty() || port.contains(['/', '?', '@', ',']) {
        return url.to_owned();
    }
    let hosts: Vec<String> = hosts.split(',').map(|h| format!("{h}:{}", port.trim())).collect();
    format!("{scheme}://{user}{}{tail}", hosts.join(","))
}

/// `%XX` sequences decoded (as a URL's query writes a path).
fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = value.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Connects to `target`'s server, TLS as its mode says.
pub fn connect(target: &Target) -> Result<postgres::Client, ConnectFailure> {
    if target.ssl == SslMode::Disable {
        return target.config.connect(postgres::NoTls).map_err(ConnectFailure::Server);
    }
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(target)?);
    target.config.connect(tls).map_err(ConnectFailure::Server)
}

/// Why a connection was not made.
#[derive(Debug)]
pub enum ConnectFailure {
    /// The TLS settings could not be set up (a CA file unreadable or empty).
    Tls(String),
    /// The server (or the way to it) refused.
    Server(postgres::Error),
}

fn tls_config(target: &Target) -> Result<rustls::ClientConfig, ConnectFailure> {
    // ring rather than aws-lc-rs: a small C build beside SQLite's; its lack of
    // post-quantum key exchange is what the deprecation notes.
    #[expect(
        deprecated,
        reason = "ring offers no post-quantum key exchange; the classical suites are what libpq offers"
    )]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ConnectFailure::Tls(e.to_string()))?;
    let config = match target.ssl {
        // As libpq: encrypted, the server not authenticated.
        SslMode::Disable | SslMode::Prefer | SslMode::Require => {
            builder.dangerous().with_custom_certificate_verifier(Arc::new(Unchecked(provider))).with_no_client_auth()
        }
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let roots = Arc::new(roots(target)?);
            let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(roots, provider)
                .build()
                .map_err(|e| ConnectFailure::Tls(e.to_string()))?;
            let verifier: Arc<dyn ServerCertVerifier> =
                if target.ssl == SslMode::VerifyCa { Arc::new(AnyName(webpki)) } else { webpki };
            builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth()
        }
    };
    Ok(config)
}

/// The CAs trusted: the `sslrootcert` file's, else the system's.
fn roots(target: &Target) -> Result<rustls::RootCertStore, ConnectFailure> {
    use rustls::pki_types::pem::PemObject;
    let mut store = rustls::RootCertStore::empty();
    match &target.root_cert {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| ConnectFailure::Tls(format!("the CA file {} cannot be read: {e}", path.display())))?;
            for cert in certs {
                let cert =
                    cert.map_err(|e| ConnectFailure::Tls(format!("the CA file {} is not PEM: {e}", path.display())))?;
                store.add(cert).map_err(|e| {
                    ConnectFailure::Tls(format!(
                        "the CA file {} holds a certificate rustls refuses: {e}",
                        path.display()
                    ))
                })?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
        }
    }
    if store.is_empty() {
        return Err(ConnectFailure::Tls(
            "no trusted CA certificate was found (give sslrootcert=FILE in the URL, or PGSSLROOTCERT)".to_owned(),
        ));
    }
    Ok(store)
}

/// libpq's `require`: any certificate, the handshake's signatures still checked.
#[derive(Debug)]
struct Unchecked(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// libpq's `verify-ca`: the chain checked, the host name not.
#[derive(Debug)]
struct AnyName(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        use rustls::{CertificateError, Error};
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn a_url_is_told_from_a_path() {
        assert!(is_url("postgres://h/db") && is_url("postgresql://h/db") && is_url("POSTGRES://h/db"));
        assert!(!is_url("entente.db") && !is_url("./postgres:/x") && !is_url("é"));
    }

    #[test]
    fn the_url_wins_and_pg_variables_fill_what_it_leaves_out() {
        let t = target(
            "postgres://alice:secret@db.example:6543/team?sslmode=verify-full",
            &env(&[("PGHOST", "other"), ("PGUSER", "bob"), ("PGSSLMODE", "disable")]),
            "os",
        )
        .expect("parses");
        assert_eq!(t.shown, "postgres://alice@db.example:6543/team");
        assert_eq!(t.ssl, SslMode::VerifyFull);
        assert_eq!(t.config.get_password(), Some(&b"secret"[..]));
        let t = target(
            "postgres:///",
            &env(&[("PGHOST", "h1"), ("PGPORT", "5433"), ("PGUSER", "bob"), ("PGPASSWORD", "pw")]),
            "os",
        )
        .expect("parses");
        assert_eq!(t.shown, "postgres://bob@h1:5433/bob");
        assert_eq!(t.config.get_password(), Some(&b"pw"[..]));
        assert_eq!(t.ssl, SslMode::Prefer);
        let t = target("postgresql://h/d", &[], "carol").expect("parses");
        assert_eq!(t.shown, "postgres://carol@h:5432/d");
        let t = target("postgresql://h/d", &env(&[("PGPORT", "6000")]), "carol").expect("parses");
        assert_eq!(t.shown, "postgres://carol@h:6000/d", "PGPORT fills a port the URL leaves out");
        let t = target("postgresql://h:7000/d", &env(&[("PGPORT", "6000")]), "carol").expect("parses");
        assert_eq!(t.shown, "postgres://carol@h:7000/d", "the URL's port wins");
        let t = target("postgresql://[::1]/d", &env(&[("PGPORT", "6000")]), "carol").expect("parses");
        assert_eq!(t.config.get_ports(), &[6000]);
    }

    #[test]
    fn a_bad_url_says_what_and_never_shows_the_password() {
        let e = target("postgres://u:hunter2@h/d?sslmode=sometimes", &[], "o").expect_err("refused").to_string();
        assert!(e.contains("sslmode `sometimes`") && !e.contains("hunter2"), "{e}");
        let e = target("postgres://u:hunter2@h:notaport/d", &[], "o").expect_err("refused").to_string();
        assert!(!e.contains("hunter2"), "{e}");
        let e = target("postgres://h/d", &env(&[("PGPORT", "1/x")]), "o").expect_err("refused").to_string();
        assert!(e.contains("PGPORT"), "{e}");
        let e = target("postgres://h/d%00x", &[], "o").expect_err("refused").to_string();
        assert!(e.contains("NUL"), "{e}");
    }

    #[test]
    fn a_url_names_another_database_keeping_the_rest() {
        assert_eq!(with_database("postgres://u@h:1/a?sslmode=require", "b"), "postgres://u@h:1/b?sslmode=require");
        assert_eq!(with_database("postgres://u@h", "b"), "postgres://u@h/b");
    }

    #[test]
    fn sslrootcert_is_read_from_the_url() {
        let t = target("postgres://h/d?sslmode=verify-ca&sslrootcert=%2Ftmp%2Fca.pem", &[], "o").expect("parses");
        assert_eq!(t.root_cert, Some(PathBuf::from("/tmp/ca.pem")));
        assert_eq!(t.ssl, SslMode::VerifyCa);
    }
}
