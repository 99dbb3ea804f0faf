//! `entente init`: create an empty log — a file, or a team log on a PostgreSQL server.

use super::{CommandError, Ctx};
use crate::store::postgres::{Postgres, Roles, schema};
use crate::store::{SCHEMA_VERSION, Sqlite};
use std::io::Write;

/// Create a new, empty log (never overwrites an existing one).
///
/// With `--db postgres://USER@HOST/DATABASE`, a team log: the database (created when
/// the server has none of that name), the schema `entente` and three roles to grant —
/// DATABASE_reader (every report, export, verify), DATABASE_recorder (also append,
/// correct, retract, dispute, cite) and DATABASE_owner (schema, migrations, moving a log in
/// with its recorders). Run it as a role that may create roles, or print the SQL for a
/// database administrator with --print-sql.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// On PostgreSQL: name the roles PREFIX_reader, PREFIX_recorder and PREFIX_owner
    /// (default: the database's name).
    #[arg(long, value_name = "PREFIX")]
    roles: Option<String>,
    /// On PostgreSQL: print the SQL that creates the log instead of running it, for a
    /// database administrator to review and run in the log's database, which must exist
    /// (`psql -d DATABASE -f FILE`: one transaction, stopping at the first error).
    #[arg(long)]
    print_sql: bool,
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let Some(url) = ctx.server() else {
        if args.roles.is_some() || args.print_sql {
            return Err(CommandError::Usage(
                "--roles and --print-sql set up a team log on PostgreSQL: give --db postgres://USER@HOST/DATABASE"
                    .to_owned(),
            ));
        }
        Sqlite::init(&ctx.db, ctx.env.busy_timeout_ms)?;
        writeln!(ctx.stdout(), "created an empty log at {} (schema {SCHEMA_VERSION})", super::shown_path(&ctx.db))?;
        return Ok(());
    };
    let address = ctx.address(url);
    let target = crate::store::postgres::connect::target(url, address.env, address.os_user)?;
    let prefix = match &args.roles {
        Some(prefix) => prefix.clone(),
        None => default_prefix(&target.database),
    };
    if prefix.is_empty() || prefix.len() > 50 || !prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(CommandError::Usage(format!(
            "--roles `{prefix}` cannot prefix role names: give 1 to 50 letters, digits or _ (the roles are \
             PREFIX_reader, PREFIX_recorder and PREFIX_owner)"
        )));
    }
    let roles = Roles::with_prefix(&prefix);
    if args.print_sql {
        let mut out = ctx.stdout();
        writeln!(out, "\\set ON_ERROR_STOP on")?;
        writeln!(out, "BEGIN;")?;
        write!(out, "{}", schema::create(&target.database, &roles))?;
        writeln!(out, "COMMIT;")?;
        return Ok(());
    }
    Postgres::init(&address, &roles)?;
    let mut out = ctx.stdout();
    writeln!(
        out,
        "created an empty team log at {} (schema {})",
        super::shown_path(std::path::Path::new(&target.shown)),
        schema::LATEST
    )?;
    writeln!(
        out,
        "roles to grant: {} (read), {} (read and record), {} (own)",
        roles.reader, roles.recorder, roles.owner
    )?;
    writeln!(out, "e.g. GRANT {} TO alice;", schema::ident(&roles.recorder))?;
    Ok(())
}

/// The role prefix of a database: its name, lower-cased, each character a role name
/// would need quoting for made `_`.
fn default_prefix(database: &str) -> String {
    database.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}
