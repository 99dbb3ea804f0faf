//! `entente init`: create an empty log.

use super::{CommandError, Ctx, stdout};
use crate::store::{SCHEMA_VERSION, Sqlite};
use std::io::Write;

/// Create a new, empty log (never overwrites an existing file).
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(ctx: &Ctx<'_>, _args: Args) -> Result<(), CommandError> {
    Sqlite::init(&ctx.db, ctx.env.busy_timeout_ms)?;
    writeln!(stdout(), "created an empty log at {} (schema {SCHEMA_VERSION})", super::shown_path(&ctx.db))?;
    Ok(())
}
