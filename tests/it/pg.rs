//! What the PostgreSQL tests share: the server `ENTENTE_TEST_PG` names, a database of
//! their own for each log (created, and dropped when the test ends), login roles, and
//! the binary pointed at a database.
//!
//! Every PostgreSQL test carries `#[cfg_attr(not(entente_test_pg), ignore = …)]`
//! (see `build.rs`): without `ENTENTE_TEST_PG` it shows as ignored, with the reason.

#![allow(
    clippy::disallowed_methods,
    reason = "tests read the server to test against from the environment and stamp unique names with the clock"
)]

use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use entente::log::Log;
use entente::store::Postgres;
use entente::store::postgres::{Address, Roles};

/// The server the tests run against, as `ENTENTE_TEST_PG` names it (a superuser's URL).
pub fn server() -> String {
    std::env::var("ENTENTE_TEST_PG").expect(
        "ENTENTE_TEST_PG names the PostgreSQL server to test against, e.g. postgres://postgres@127.0.0.1/postgres",
    )
}

pub use entente::store::postgres::connect::with_database;

/// `url` with its user replaced by `user` (no password: the test server trusts).
pub fn as_user(url: &str, user: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[after_scheme..];
    let rest = rest.split_once('@').map_or(rest, |(_, host)| host);
    format!("{}{user}@{rest}", &url[..after_scheme])
}

/// A superuser's connection to the server's maintenance database.
pub fn admin() -> postgres::Client {
    postgres::Client::connect(&server(), postgres::NoTls).expect("connect to ENTENTE_TEST_PG")
}

/// A name no other test (or test run) uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{prefix}_{}_{}_{nanos}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// Opens the log in the database at `url` as entente's CLI would, waiting up to
/// `lock_timeout_ms` for the append lock.
pub fn open(url: &str, lock_timeout_ms: u32) -> Log<Postgres> {
    Postgres::open(&Address { url, env: &[], os_user: "postgres", lock_timeout_ms }).expect("open the team log")
}

/// A database of a test's own, dropped (with whatever is connected) when it goes.
pub struct Database {
    pub name: String,
    /// The superuser's URL of it.
    pub url: String,
    /// Login roles made for it, dropped with it.
    roles: std::cell::RefCell<Vec<String>>,
    /// The log's roles, when it holds a log.
    pub log_roles: Option<Roles>,
}

impl Database {
    /// An empty database: no log in it.
    pub fn empty() -> Database {
        let name = unique("entente_t");
        admin()
            .batch_execute(&format!("CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
            .expect("create");
        Database { url: with_database(&server(), &name), name, roles: Default::default(), log_roles: None }
    }

    /// A database holding an empty log, made by `entente init`'s code with roles of its
    /// own (`<name>_reader`, …).
    pub fn with_log() -> Database {
        let mut db = Database::empty();
        let roles = Roles::with_prefix(&db.name);
        Postgres::init(&Address { url: &db.url, env: &[], os_user: "postgres", lock_timeout_ms: 10_000 }, &roles)
            .expect("init the team log");
        db.roles.borrow_mut().extend([roles.reader.clone(), roles.recorder.clone(), roles.owner.clone()]);
        db.log_roles = Some(roles);
        db
    }

    /// A copy of the template that holds an empty log (roles `entente_conformance_*`,
    /// shared by every copy): what the conformance suite makes its many logs of.
    pub fn from_template() -> Database {
        let template = template();
        let name = unique("entente_c");
        admin()
            .batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" STRATEGY FILE_COPY"))
            .expect("copy the template");
        Database { url: with_database(&server(), &name), name, roles: Default::default(), log_roles: None }
    }

    /// A login role granted `grant` (a role name, or none), dropped with the database.
    pub fn login(&self, grant: Option<&str>) -> String {
        let user = unique("entente_u");
        let mut admin = admin();
        admin.batch_execute(&format!("CREATE ROLE \"{user}\" LOGIN")).expect("create login role");
        if let Some(role) = grant {
            admin.batch_execute(&format!("GRANT \"{role}\" TO \"{user}\"")).expect("grant");
        }
        self.roles.borrow_mut().insert(0, user.clone());
        user
    }

    /// This database's URL as `user`.
    pub fn url_as(&self, user: &str) -> String {
        as_user(&self.url, user)
    }

    /// A superuser's connection to this database.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("connect to the test database")
    }

    /// The log's count and head hash, read by the superuser straight from the table (as
    /// [`crate::common::Sandbox::fingerprint`] reads a file's).
    pub fn fingerprint(&self) -> (i64, Vec<u8>) {
        let row = self
            .client()
            .query_one(
                "SELECT count(*), coalesce((SELECT hash FROM entente.events ORDER BY seq DESC LIMIT 1), '')
                 FROM entente.events",
                &[],
            )
            .expect("fingerprint");
        (row.get(0), row.get(1))
    }

    /// The binary under a sealed environment, its log this database as `user`.
    pub fn cmd(&self, user: &str, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_entente"));
        cmd.args(args)
            .env_clear()
            .env("ENTENTE_DB", self.url_as(user))
            .env("ENTENTE_SEED", "7")
            .env("USER", user)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        cmd
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let Ok(mut admin) = postgres::Client::connect(&server(), postgres::NoTls) else { return };
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name));
        for role in self.roles.borrow().iter() {
            let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS \"{role}\""));
        }
    }
}

/// The template database of the conformance logs, made once per schema (its name
/// carries a digest of the SQL that creates it).
fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        use sha2::Digest;
        let roles = Roles::with_prefix("entente_conformance");
        let sql = entente::store::postgres::schema::create("x", &roles);
        let digest = hex::encode(&sha2::Sha256::digest(sql.as_bytes())[..6]);
        let name = format!("entente_template_{digest}");
        let mut admin = admin();
        // One test process at a time makes it; the others find it made.
        admin.batch_execute("SELECT pg_advisory_lock(4242424242)").expect("lock");
        let exists = admin.query_one("SELECT count(*) FROM pg_database WHERE datname = $1", &[&name]).expect("look");
        if exists.get::<_, i64>(0) == 0 {
            let building = format!("{name}_building");
            admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{building}\"")).expect("drop a half-made one");
            admin
                .batch_execute(&format!("CREATE DATABASE \"{building}\" ENCODING 'UTF8' TEMPLATE template0"))
                .expect("create");
            let url = with_database(&server(), &building);
            drop(
                Postgres::init(&Address { url: &url, env: &[], os_user: "postgres", lock_timeout_ms: 10_000 }, &roles)
                    .expect("init the template"),
            );
            admin
                .batch_execute(&format!(
                    "ALTER DATABASE \"{building}\" RENAME TO \"{name}\"; ALTER DATABASE \"{name}\" IS_TEMPLATE true"
                ))
                .expect("publish the template");
        }
        admin.batch_execute("SELECT pg_advisory_unlock(4242424242)").expect("unlock");
        name
    })
}
