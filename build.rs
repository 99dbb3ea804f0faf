//! Compiles the PostgreSQL tests in when `ENTENTE_TEST_PG` names a server to run them
//! against, and the browser tests when `ENTENTE_TEST_BROWSER` names a Chromium; without
//! them they are compiled as ignored, with the reason, so `cargo test` says plainly they
//! were skipped instead of passing without running.

#[expect(clippy::disallowed_methods, reason = "a build script reads its environment; env.rs is the crate's one reader")]
fn main() {
    println!("cargo::rustc-check-cfg=cfg(entente_test_pg)");
    println!("cargo::rerun-if-env-changed=ENTENTE_TEST_PG");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("ENTENTE_TEST_PG").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=entente_test_pg");
    }
    println!("cargo::rustc-check-cfg=cfg(entente_test_browser)");
    println!("cargo::rerun-if-env-changed=ENTENTE_TEST_BROWSER");
    if std::env::var_os("ENTENTE_TEST_BROWSER").is_some_and(|v| !v.is_empty()) {
        println!("cargo::rustc-cfg=entente_test_browser");
    }
}
