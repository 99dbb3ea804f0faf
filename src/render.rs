//! Words for events: a one-line headline and a detailed view. Pure functions from data
//! to text; printing is the CLI's job.
//!
//! A headline is raw text (JSON reports carry it exactly); whoever shows it to a person
//! puts it through [`text::shown`], as [`detail`] does for every field.

use std::fmt::Write as _;

use crate::event::payload::{Actor, Participant, Payload, Role};
use crate::event::{Event, Record, format_recorded_at};
use crate::text;

/// One line saying what happened, without the date or the kind.
pub fn headline(event: &Event) -> String {
    match &event.facts.payload {
        Payload::TrackOpened(p) => {
            let parties: Vec<&str> = p.parties.iter().map(|x| x.name.as_str()).collect();
            format!("{} opened ({})", p.title, parties.join(", "))
        }
        Payload::EnvoyAppointed(p) => match &p.office {
            Some(office) => format!("{} appoints {} as {office}", p.party, p.envoy),
            None => format!("{} appoints {} as envoy", p.party, p.envoy),
        },
        Payload::MeetingHeld(p) => {
            let who: Vec<String> = p.participants.iter().map(participant).collect();
            let mut line = format!("{} {} meeting: {}", p.format.words(), p.mode.words(), who.join(", "));
            if let Some(place) = &p.place {
                let _ = write!(line, " in {place}");
            }
            if let Some(occasion) = &p.occasion {
                let _ = write!(line, " at the {occasion}");
            }
            line
        }
        Payload::StatementMade(p) => format!("{}: {}", actor(&p.actor), p.summary),
        Payload::ProposalTabled(p) => {
            format!("{} tables {} `{}` ({} principles)", p.by, p.title, p.proposal, p.principles.len())
        }
        Payload::ProposalAnswered(p) => {
            let which = match p.principles.as_slice() {
                [] => String::new(),
                numbers => {
                    let numbers: Vec<String> = numbers.iter().map(|n| format!("#{n}")).collect();
                    format!(" ({})", numbers.join(", "))
                }
            };
            format!("{} answers `{}`{which}: {}", p.by, p.proposal, p.response.words())
        }
        Payload::CommitmentMade(p) => {
            let parties: Vec<&str> = p.parties.iter().map(|x| x.as_str()).collect();
            let due: Vec<String> = p.all_deadlines().map(|d| d.to_string()).collect();
            let due = if due.is_empty() { String::new() } else { format!(" (due {})", due.join("; ")) };
            let verb = if parties.len() == 1 { "commits" } else { "commit" };
            format!("{} {verb} `{}`: {}{due}", parties.join(" and "), p.commitment, p.text)
        }
        Payload::CommitmentProgressed(p) => {
            format!("progress on `{}`{}: {}", p.commitment, by(&p.by), p.summary)
        }
        Payload::CommitmentFulfilled(p) => format!("`{}` fulfilled{}: {}", p.commitment, by(&p.by), p.summary),
        Payload::CommitmentPartiallyFulfilled(p) => {
            let outstanding = p.outstanding.as_ref().map(|o| format!(" (outstanding: {o})")).unwrap_or_default();
            format!("`{}` partly fulfilled{}: {}{outstanding}", p.commitment, by(&p.by), p.summary)
        }
        Payload::CommitmentReaffirmed(p) => {
            let who = if p.by.is_empty() {
                " jointly".to_owned()
            } else {
                format!(" by {}", p.by.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" and "))
            };
            let what = p.summary.as_ref().map(|s| format!(": {s}")).unwrap_or_default();
            format!("`{}` reaffirmed{who}{what}", p.commitment)
        }
        Payload::CommitmentReportedUnmet(p) => {
            let who = match (&p.by, &p.monitor) {
                (Some(party), _) => party.to_string(),
                (None, Some(monitor)) => monitor.clone(),
                (None, None) => p.reporter.words().to_owned(),
            };
            let against = p.against.as_ref().map(|a| format!(" against {a}")).unwrap_or_default();
            format!("{who} reports `{}` {}{against}: {}", p.commitment, p.finding.words(), p.summary)
        }
        Payload::CommitmentSuspended(p) => {
            let who = match (&p.by, &p.authority) {
                (Some(party), Some(body)) => format!(" by {party} ({body})"),
                (Some(party), None) => format!(" by {party}"),
                (None, Some(body)) => format!(" by {body}"),
                (None, None) => String::new(),
            };
            format!("`{}` suspended{who}: {}", p.commitment, p.reason)
        }
        Payload::CommitmentResumed(p) => {
            let what = p.summary.as_ref().map(|s| format!(": {s}")).unwrap_or_default();
            let body = p.authority.as_ref().map(|a| format!(" by {a}")).unwrap_or_default();
            format!("`{}` resumed{}{body}{what}", p.commitment, by(&p.by))
        }
        Payload::CommitmentSuperseded(p) => {
            let why = p.reason.as_ref().map(|s| format!(": {s}")).unwrap_or_default();
            format!("`{}` superseded by `{}`{why}", p.commitment, p.replacement)
        }
        Payload::DeadlineAmended(p) => format!("deadline of `{}` now {}", p.commitment, p.deadline),
        Payload::CommitmentWithdrawn(p) => format!("`{}` withdrawn: {}", p.commitment, p.reason),
        Payload::CommissionEstablished(p) => format!("{} established (`{}`)", p.name, p.commission),
        Payload::CommissionConvened(p) => {
            let place = p.place.as_ref().map(|x| format!(" in {x}")).unwrap_or_default();
            format!("commission `{}` convened{place}", p.commission)
        }
        Payload::InstrumentStageReached(p) => {
            let title = p.title.clone().unwrap_or_else(|| format!("`{}`", p.instrument));
            let by = p.party.as_ref().map(|x| format!(" by {x}")).unwrap_or_default();
            let mut line = format!("{title}: {}{by}", p.stage.words());
            if let Some(procedure) = p.procedure {
                line.push_str(&format!(" ({})", procedure.words()));
            }
            if p.failed() {
                line.push_str(", rejected");
            }
            if p.scope.is_some() {
                line.push_str(", in part");
            }
            if let Some(next) = &p.replacement {
                line.push_str(&format!(" by `{next}`"));
            }
            line
        }
        Payload::ImplementationStep(p) => format!("implementation: {}", p.summary),
        Payload::ContextNoted(p) => p.summary.clone(),
        Payload::EventCorrected(p) => {
            let fields: Vec<&str> = p.changes.iter().map(|c| c.field.as_str()).collect();
            format!("corrects {} ({}): {}", short(p.target), fields.join(", "), p.reason)
        }
        Payload::EventRetracted(p) => format!("retracts {}: {}", short(p.target), p.reason),
        Payload::EventDisputed(p) => format!("disputes {}: {}", short(p.target), p.note),
        Payload::ConditionSet(p) => {
            let by = p.by.as_ref().map(|x| format!("{x} sets ")).unwrap_or_default();
            format!("{by}condition `{}`: {} waits on {}: {}", p.condition, p.subject, p.on, p.text)
        }
        Payload::ConditionResolved(p) => {
            let what = p.summary.as_ref().map(|s| format!(": {s}")).unwrap_or_default();
            format!("condition `{}` {}{what}", p.condition, p.outcome.words())
        }
        Payload::EventCorroborated(p) => match &p.note {
            Some(note) => format!("corroborates {}: {note}", short(p.target)),
            None => format!("corroborates {}", short(p.target)),
        },
        Payload::PartyJoined(p) => {
            let how = p.summary.as_ref().map(|s| format!(": {s}")).unwrap_or_default();
            format!("{} ({}) joins as {}{how}", p.party.name, p.party.code, p.role.words())
        }
        Payload::RulingIssued(p) => {
            let what = p.summary.as_ref().map(|s| format!(": {s}")).unwrap_or_default();
            format!("{} rules on {}: {}{what}", p.court, p.on, p.effect.words())
        }
        Payload::DecisionAdopted(p) => {
            let reference = p.reference.as_ref().map(|r| format!(" {r}")).unwrap_or_default();
            let on = p.on.as_ref().map(|r| format!(" on {r}")).unwrap_or_default();
            let what = p.summary.as_ref().map(|s| format!(": {s}")).unwrap_or_default();
            format!("{}{reference} {}{on}{what}", p.body, p.effect.words())
        }
    }
}

/// ` by PARTY`, or nothing.
fn by(party: &Option<crate::event::Party>) -> String {
    party.as_ref().map(|p| format!(" by {p}")).unwrap_or_default()
}

/// The first 8 hex digits of an id: enough to find it with `entente show`.
pub fn short(id: crate::event::EventId) -> String {
    id.to_string()[..8].to_owned()
}

fn participant(p: &Participant) -> String {
    let mut s = p.name.clone();
    let role = match p.role {
        Role::Party => None,
        other => Some(other.words()),
    };
    match (&p.party, role) {
        (Some(party), Some(role)) => {
            let _ = write!(s, " ({party}, {role})");
        }
        (Some(party), None) => {
            let _ = write!(s, " ({party})");
        }
        (None, Some(role)) => {
            let _ = write!(s, " ({role})");
        }
        (None, None) => {}
    }
    s
}

fn actor(a: &Actor) -> String {
    match &a.party {
        Some(party) => format!("{} ({party})", a.name),
        None => a.name.clone(),
    }
}

/// Does any person or party named in the event match `who` (part of a name, compared
/// as [`text::folded`]: any case, composed or decomposed accents; or a party code)?
pub fn mentions_actor(event: &Event, who: &str) -> bool {
    let who = text::folded(who);
    let hit = |s: &str| text::folded(s).contains(&who);
    let party = |p: &Option<crate::event::Party>| p.as_ref().is_some_and(|p| p.as_str() == who);
    match &event.facts.payload {
        Payload::EnvoyAppointed(p) => hit(&p.envoy) || p.party.as_str() == who,
        Payload::MeetingHeld(p) => p.participants.iter().any(|x| hit(&x.name) || party(&x.party)),
        Payload::StatementMade(p) => hit(&p.actor.name) || party(&p.actor.party),
        Payload::ProposalTabled(p) => p.by.as_str() == who,
        Payload::ProposalAnswered(p) => p.by.as_str() == who,
        Payload::CommitmentMade(p) => p.parties.iter().any(|x| x.as_str() == who),
        Payload::CommitmentWithdrawn(p) => party(&p.by),
        Payload::CommitmentProgressed(p) => party(&p.by),
        Payload::CommitmentFulfilled(p) => party(&p.by),
        Payload::CommitmentPartiallyFulfilled(p) => party(&p.by),
        Payload::CommitmentReaffirmed(p) => p.by.iter().any(|x| x.as_str() == who),
        Payload::CommitmentReportedUnmet(p) => {
            party(&p.by) || party(&p.against) || p.monitor.as_deref().is_some_and(hit)
        }
        Payload::CommitmentSuspended(p) => party(&p.by) || p.authority.as_deref().is_some_and(hit),
        Payload::CommitmentResumed(p) => party(&p.by) || p.authority.as_deref().is_some_and(hit),
        Payload::CommissionEstablished(p) => p.parties.iter().any(|x| x.as_str() == who),
        Payload::InstrumentStageReached(p) => party(&p.party),
        Payload::ConditionSet(p) => party(&p.by),
        Payload::TrackOpened(p) => p.parties.iter().any(|x| x.code.as_str() == who || hit(&x.name)),
        _ => false,
    }
}

/// Every field of a record, for `entente show`: one line per field, every value
/// through [`text::shown`] (a line break in a summary cannot start a line of its own).
pub fn detail(record: &Record) -> String {
    let e = &record.event;
    let f = &e.facts;
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(out, "{label:<12} {}", text::shown(value));
    };
    let tracks: Vec<&str> = f.tracks.iter().map(|t| t.as_str()).collect();
    line("seq", &record.seq.to_string());
    line("id", &e.id.to_string());
    line("kind", &format!("{} (v{})", f.kind(), f.version));
    line("tracks", &tracks.join(", "));
    line("occurred", &f.occurred.to_string());
    line("recorded", &format!("{} by {}", format_recorded_at(&e.recorded_at), e.recorded_by));
    line("what", &headline(e));
    if let Payload::StatementMade(s) = &f.payload
        && let Some(q) = &s.quote
    {
        line("quote", &format!("\u{201c}{q}\u{201d}"));
    }
    if let Payload::ProposalTabled(p) = &f.payload {
        for pr in &p.principles {
            line("principle", &format!("{}#{}  {}", p.proposal, pr.number, pr.text));
        }
    }
    if let Payload::MeetingHeld(m) = &f.payload {
        if let Some(s) = &m.summary {
            line("summary", s);
        }
        for (i, (name, office)) in m.participants.iter().filter_map(|p| Some((&p.name, p.office.as_ref()?))).enumerate()
        {
            line(if i == 0 { "offices" } else { "" }, &format!("{name}: {office}"));
        }
    }
    let links = &f.links;
    let list = |xs: Vec<String>| xs.join(", ");
    if !links.addresses.is_empty() {
        line("addresses", &list(links.addresses.iter().map(|x| x.to_string()).collect()));
    }
    if !links.advances.is_empty() {
        line("advances", &list(links.advances.iter().map(|x| x.to_string()).collect()));
    }
    if !links.fulfils.is_empty() {
        line("fulfils", &list(links.fulfils.iter().map(|x| x.to_string()).collect()));
    }
    if !links.partially_fulfils.is_empty() {
        line("partly fulfils", &list(links.partially_fulfils.iter().map(|x| x.to_string()).collect()));
    }
    if !links.reaffirms.is_empty() {
        line("reaffirms", &list(links.reaffirms.iter().map(|x| x.to_string()).collect()));
    }
    if !links.follows.is_empty() {
        line("follows", &list(links.follows.iter().map(|x| x.to_string()).collect()));
    }
    if let Some(codes) = &f.codes {
        let code =
            [codes.cameo.as_ref().map(|c| format!("CAMEO {c}")), codes.plover.as_ref().map(|p| format!("PLOVER {p}"))];
        line("codes", &list(code.into_iter().flatten().collect()));
    }
    if let Some(c) = f.account.confidence {
        line("confidence", c.words());
    }
    if let Some(a) = &f.account.attribution {
        line("account of", a.as_str());
    }
    if f.before_opening {
        line("dated", "before its track was opened (on purpose)");
    }
    if let Some(o) = &f.occasion {
        line("occasion", o.as_str());
    }
    if f.unsourced {
        line("sources", "none: recorded as unsourced");
    }
    for (i, s) in f.sources.iter().enumerate() {
        let label = if i == 0 { "sources" } else { "" };
        let mut text = format!("\u{201c}{}\u{201d}", s.title);
        if let Some(author) = &s.author {
            let _ = write!(text, " by {author}");
        }
        for part in [&s.publisher, &s.locator].into_iter().flatten() {
            let _ = write!(text, ", {part}");
        }
        if let Some(p) = &s.published {
            let _ = write!(text, ", {p}");
        }
        if let Some(u) = &s.url {
            let _ = write!(text, " <{u}>");
        }
        line(label, &text);
    }
    line("prev_hash", &record.prev_hash.to_string());
    line("hash", &record.hash.to_string());
    out
}
