//! `entente append`: record one event from typed flags, or events from JSON.
//!
//! Flags build the same [`Line`] a JSON line parses to, and both go through the one
//! append path, so a flag-built event is checked exactly like an imported one.

use std::io::Write;
use std::path::PathBuf;

use super::import::{Input, append_lines, append_one, open_input};
use super::{CommandError, Ctx, stdout};
use crate::date::{Deadline, PartialDate, Span};
use crate::event::payload::{self as p, Payload};
use crate::event::{
    Codes, CommissionId, CommitmentId, EventId, Facts, InstrumentId, Kind, Line, Links, Party, PrincipleRef,
    ProposalId, Source, TrackId,
};
use crate::log::Outcome;

/// Record an event: `append <kind> [flags]`, or `append --json FILE`.
///
/// Every event needs --track (one or more), --occurred (a date at its own precision:
/// 2022, 2022-04, 2022-04-06, or FROM/TO) and a --source, unless you say --unsourced.
/// Run `entente append <kind> --help` for the flags of each kind; events/README.md
/// describes every field.
///
/// Example:
///
///   entente append meeting-held --track am-az --occurred 2022-04-11 \
///       --format bilateral --mode phone \
///       --participant "party:az:Jeyhun Bayramov" \
///       --participant "party:am:Ararat Mirzoyan" \
///       --source "Azerbaijan, Armenia eye preparations for future peace treaty"
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
#[command(args_conflicts_with_subcommands = true, subcommand_required = false, arg_required_else_help = true)]
pub struct Args {
    /// Read one event, or a JSON Lines batch (appended atomically), from FILE or `-`.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,

    /// With --json: append only if the log still ends at this seq.
    #[arg(long, value_name = "SEQ", requires = "json", value_parser = super::seq_parser(), allow_negative_numbers = true)]
    expect_head: Option<u64>,

    #[command(subcommand)]
    kind: Option<KindCmd>,
}

/// Flags every event takes.
#[derive(Debug, clap::Args)]
struct Common {
    /// A track the event belongs to (repeat for several).
    #[arg(long = "track", value_name = "TRACK", required = true)]
    tracks: Vec<TrackId>,

    /// When it happened: 2022, 2022-04, 2022-04-06, or FROM/TO. Never invent a day.
    #[arg(long, value_name = "DATE")]
    occurred: PartialDate,

    /// Title of a source (repeat for several; --publisher etc. need exactly one).
    #[arg(long = "source", value_name = "TITLE")]
    sources: Vec<String>,

    #[command(flatten)]
    detail: SourceDetail,

    /// Record without a source; every report will say so.
    #[arg(long, conflicts_with = "sources")]
    unsourced: bool,

    /// A principle this event addresses, as PROPOSAL#N (repeatable).
    #[arg(long = "addresses", value_name = "PROPOSAL#N")]
    addresses: Vec<PrincipleRef>,

    /// A commitment this event advances (repeatable).
    #[arg(long = "advances", value_name = "COMMITMENT")]
    advances: Vec<CommitmentId>,

    /// A commitment this event fulfils (repeatable).
    #[arg(long = "fulfils", value_name = "COMMITMENT")]
    fulfils: Vec<CommitmentId>,

    /// An earlier event this one follows up, by id (repeatable).
    #[arg(long = "follows", value_name = "ID")]
    follows: Vec<uuid::Uuid>,

    /// CAMEO event code (`036`).
    #[arg(long, value_name = "CODE")]
    cameo: Option<String>,

    /// PLOVER event type (`CONSULT`).
    #[arg(long, value_name = "TYPE")]
    plover: Option<String>,

    /// The event's id; supplying one makes a retry idempotent.
    #[arg(long, value_name = "UUID")]
    id: Option<uuid::Uuid>,

    /// Who records it [default: $ENTENTE_USER, else $USER].
    #[arg(long, value_name = "NAME")]
    recorded_by: Option<String>,

    /// Append only if the log still ends at this seq (0 to 9223372036854775807); otherwise a
    /// conflict error.
    #[arg(long, value_name = "SEQ", value_parser = super::seq_parser(), allow_negative_numbers = true)]
    expect_head: Option<u64>,
}

/// What one --source says of itself beyond its title: the flags `append` and `dispute`
/// share.
#[derive(Debug, clap::Args)]
pub(super) struct SourceDetail {
    /// Author of the source.
    #[arg(long, value_name = "NAME")]
    author: Option<String>,

    /// Publisher of the source.
    #[arg(long, value_name = "NAME")]
    publisher: Option<String>,

    /// URL of the source.
    #[arg(long, value_name = "URL")]
    url: Option<String>,

    /// Publication date of the source.
    #[arg(long, value_name = "DATE")]
    published: Option<PartialDate>,

    /// Where in the source (`footnote 10`).
    #[arg(long, value_name = "TEXT")]
    locator: Option<String>,
}

impl SourceDetail {
    /// True when any detail was given.
    fn given(&self) -> bool {
        let SourceDetail { author, publisher, url, published, locator } = self;
        author.is_some() || publisher.is_some() || url.is_some() || published.is_some() || locator.is_some()
    }

    /// The source titled `title`, with these details.
    pub(super) fn source(&self, title: String) -> Source {
        Source {
            title,
            author: self.author.clone(),
            publisher: self.publisher.clone(),
            url: self.url.clone(),
            published: self.published,
            locator: self.locator.clone(),
        }
    }
}

#[derive(Debug, clap::Subcommand)]
enum KindCmd {
    /// A normalization track begins to be followed.
    TrackOpened {
        #[command(flatten)]
        common: Common,
        /// Its title (`Armenia–Azerbaijan normalization`).
        #[arg(long)]
        title: String,
        /// A party as CODE=NAME (`am=Armenia`); at least two.
        #[arg(long = "party", value_name = "CODE=NAME", required = true)]
        parties: Vec<String>,
        /// Context.
        #[arg(long)]
        summary: Option<String>,
    },
    /// A party appoints an envoy or representative.
    EnvoyAppointed {
        #[command(flatten)]
        common: Common,
        /// The appointing party (`tr`).
        #[arg(long)]
        party: Party,
        /// The envoy's name.
        #[arg(long)]
        envoy: String,
        /// The office (`Special Envoy`).
        #[arg(long)]
        office: Option<String>,
    },
    /// A meeting, phone call or video call.
    MeetingHeld {
        #[command(flatten)]
        common: Common,
        /// A participant as ROLE:PARTY:NAME, ROLE one of party, mediator, host,
        /// observer; PARTY may be empty (`mediator::Toivo Klaar`). At least two.
        #[arg(long = "participant", value_name = "ROLE:PARTY:NAME", required = true)]
        participants: Vec<String>,
        /// A participant's office as NAME=OFFICE, NAME as in its --participant
        /// (`Ararat Mirzoyan=Foreign Minister`; repeatable).
        #[arg(long = "office", value_name = "NAME=OFFICE")]
        offices: Vec<String>,
        /// bilateral, trilateral, multilateral or sidelines.
        #[arg(long, value_parser = enum_parser::<p::Format>)]
        format: p::Format,
        /// in_person, phone or video.
        #[arg(long, value_parser = enum_parser::<p::Mode>, default_value = "in_person")]
        mode: p::Mode,
        /// Where.
        #[arg(long)]
        place: Option<String>,
        /// The gathering it was part of.
        #[arg(long)]
        occasion: Option<String>,
        /// What was discussed or decided.
        #[arg(long)]
        summary: Option<String>,
    },
    /// A public statement.
    StatementMade {
        #[command(flatten)]
        common: Common,
        /// Who spoke.
        #[arg(long)]
        actor: String,
        /// Whom the speaker speaks for.
        #[arg(long = "actor-party", value_name = "PARTY")]
        actor_party: Option<Party>,
        /// The speaker's office.
        #[arg(long = "actor-office", value_name = "OFFICE")]
        actor_office: Option<String>,
        /// What was said, in your words.
        #[arg(long)]
        summary: String,
        /// The exact words.
        #[arg(long)]
        quote: Option<String>,
        /// Where it was said.
        #[arg(long)]
        venue: Option<String>,
    },
    /// A proposal with numbered principles.
    ProposalTabled {
        #[command(flatten)]
        common: Common,
        /// The new proposal's id.
        #[arg(long)]
        proposal: ProposalId,
        /// The proposing party.
        #[arg(long)]
        by: Party,
        /// A party it is addressed to (repeatable).
        #[arg(long = "to")]
        to: Vec<Party>,
        /// Its title.
        #[arg(long)]
        title: String,
        /// A principle's text, numbered 1, 2, … in the order given.
        #[arg(long = "principle", required = true)]
        principles: Vec<String>,
    },
    /// A response to a proposal.
    ProposalAnswered {
        #[command(flatten)]
        common: Common,
        /// The proposal answered.
        #[arg(long)]
        proposal: ProposalId,
        /// The answering party.
        #[arg(long)]
        by: Party,
        /// accepted, accepted_in_principle, rejected or counter_proposal.
        #[arg(long, value_parser = enum_parser::<p::Response>)]
        response: p::Response,
        /// The counter-proposal (tabled first).
        #[arg(long)]
        counter: Option<ProposalId>,
        /// What the answer said.
        #[arg(long)]
        summary: Option<String>,
    },
    /// Parties undertake something, perhaps by a deadline.
    CommitmentMade {
        #[command(flatten)]
        common: Common,
        /// The new commitment's id.
        #[arg(long)]
        commitment: CommitmentId,
        /// A party that owes it (repeatable).
        #[arg(long = "party", required = true)]
        parties: Vec<Party>,
        /// What was undertaken.
        #[arg(long)]
        text: String,
        #[command(flatten)]
        deadline: DeadlineArgs,
        /// The principle it implements, as PROPOSAL#N.
        #[arg(long)]
        principle: Option<PrincipleRef>,
    },
    /// A step towards a commitment.
    CommitmentProgressed {
        #[command(flatten)]
        common: Common,
        /// The commitment.
        #[arg(long)]
        commitment: CommitmentId,
        /// What was done.
        #[arg(long)]
        summary: String,
    },
    /// A commitment was met.
    CommitmentFulfilled {
        #[command(flatten)]
        common: Common,
        /// The commitment.
        #[arg(long)]
        commitment: CommitmentId,
        /// How it was met.
        #[arg(long)]
        summary: String,
    },
    /// A commitment's deadline moves.
    DeadlineAmended {
        #[command(flatten)]
        common: Common,
        /// The commitment.
        #[arg(long)]
        commitment: CommitmentId,
        #[command(flatten)]
        deadline: DeadlineArgs,
        /// Why it moved.
        #[arg(long)]
        reason: Option<String>,
    },
    /// A party backs out of a commitment.
    CommitmentWithdrawn {
        #[command(flatten)]
        common: Common,
        /// The commitment.
        #[arg(long)]
        commitment: CommitmentId,
        /// The withdrawing party.
        #[arg(long)]
        by: Option<Party>,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// A joint commission is set up.
    CommissionEstablished {
        #[command(flatten)]
        common: Common,
        /// The new commission's id.
        #[arg(long)]
        commission: CommissionId,
        /// Its name.
        #[arg(long)]
        name: String,
        /// A party sitting on it (repeatable).
        #[arg(long = "party", required = true)]
        parties: Vec<Party>,
        /// Its mandate.
        #[arg(long)]
        mandate: Option<String>,
    },
    /// A session of a commission.
    CommissionConvened {
        #[command(flatten)]
        common: Common,
        /// The commission.
        #[arg(long)]
        commission: CommissionId,
        /// Where it met.
        #[arg(long)]
        place: Option<String>,
        /// What it did.
        #[arg(long)]
        summary: Option<String>,
    },
    /// A text is agreed, initialled, signed, ratified, in force, suspended, ….
    InstrumentStageReached {
        #[command(flatten)]
        common: Common,
        /// The instrument's id.
        #[arg(long)]
        instrument: InstrumentId,
        /// Its title (required the first time).
        #[arg(long)]
        title: Option<String>,
        /// ceasefire, joint_statement, framework, treaty, protocol or other
        /// (required the first time).
        #[arg(long = "type", value_parser = enum_parser::<p::InstrumentType>)]
        instrument_type: Option<p::InstrumentType>,
        /// text_agreed, initialled, signed, ratification_step, in_force, suspended,
        /// withdrawn or annulled.
        #[arg(long, value_parser = enum_parser::<p::Stage>)]
        stage: p::Stage,
        /// The party concerned (required for ratification_step and withdrawn).
        #[arg(long)]
        party: Option<Party>,
        /// The ratification step (`parliament approved`).
        #[arg(long)]
        step: Option<String>,
        /// Context.
        #[arg(long)]
        summary: Option<String>,
    },
    /// Something done to implement an instrument or commitment.
    ImplementationStep {
        #[command(flatten)]
        common: Common,
        /// What was done.
        #[arg(long)]
        summary: String,
        /// The instrument implemented.
        #[arg(long)]
        instrument: Option<InstrumentId>,
    },
    /// A development that bears on a track (an election, a change of government).
    ContextNoted {
        #[command(flatten)]
        common: Common,
        /// What happened.
        #[arg(long)]
        summary: String,
    },
}

/// A deadline: exactly one of --by, --within-days, --within-months, or none.
#[derive(Debug, clap::Args)]
#[group(multiple = false)]
struct DeadlineArgs {
    /// Due by this date (a month means its last day).
    #[arg(long, value_name = "DATE")]
    by: Option<PartialDate>,
    /// Due this many days after the event (0 to 36525, one hundred years).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=i64::from(crate::date::MAX_WITHIN_DAYS)), allow_negative_numbers = true)]
    within_days: Option<u32>,
    /// Due this many months after the event (0 to 1200, one hundred years).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=i64::from(crate::date::MAX_WITHIN_MONTHS)), allow_negative_numbers = true)]
    within_months: Option<u32>,
}

impl DeadlineArgs {
    fn get(&self) -> Option<Deadline> {
        self.by
            .map(Span::By)
            .or(self.within_days.map(Span::Days))
            .or(self.within_months.map(Span::Months))
            .map(Deadline::plain)
    }
}

/// Parses a snake_case word into one of the payload's closed enums, through serde so
/// the spelling is the one JSON uses.
fn enum_parser<T: crate::names::Named>(text: &str) -> Result<T, String> {
    crate::names::parse(text)
}

pub fn run(ctx: &Ctx<'_>, args: Args) -> Result<(), CommandError> {
    let mut store = ctx.open()?;
    let tally = match (args.json, args.kind) {
        (Some(path), _) => {
            let Input { name, reader, .. } = open_input(&path)?;
            append_lines(ctx, &mut store, &name, reader, args.expect_head)?
        }
        (None, Some(kind)) => {
            let (line, expect_head) = kind.into_line()?;
            append_one(ctx, &mut store, line, expect_head, "the event was not recorded", &flag_for)?
        }
        (None, None) => {
            return Err(CommandError::Usage("name a kind (`entente append --help`) or give --json FILE".to_owned()));
        }
    };
    let mut out = stdout();
    match (tally.appended + tally.existing, tally.last) {
        (1, Some(Outcome::Appended { seq, id })) => writeln!(out, "appended seq {seq} id {id}")?,
        (1, Some(Outcome::Existing { seq, id })) => {
            writeln!(out, "already recorded: seq {seq} id {id} (same content; nothing appended)")?
        }
        _ => writeln!(out, "appended {} events; {} already present", tally.appended, tally.existing)?,
    }
    Ok(())
}

/// The flag that sets a JSON field, for error messages about flag-built events.
fn flag_for(field: &str) -> String {
    let top = field.split(['.', '[']).collect::<Vec<_>>();
    let name = match top.as_slice() {
        ["payload", "deadline", part, ..] => part.to_string(),
        ["payload", "participants", _, "office"] => "office".to_owned(),
        ["payload", rest, ..] => rest.to_string(),
        [first, ..] => first.to_string(),
        [] => field.to_owned(),
    };
    let flag = match name.as_str() {
        // Stamped by the log, never set by a flag.
        "recorded_at" => return "the recording time".to_owned(),
        "tracks" => "track",
        "sources" => "source",
        "participants" => "participant",
        "principles" => "principle",
        "parties" => "party",
        "type" => "type",
        other => other,
    };
    format!("--{}", flag.replace('_', "-"))
}

impl KindCmd {
    fn into_line(self) -> Result<(Line, Option<u64>), CommandError> {
        use KindCmd as K;
        let (common, payload) = match self {
            K::TrackOpened { common, title, parties, summary } => {
                let parties = parties.iter().map(|s| parse_party(s)).collect::<Result<_, _>>()?;
                (common, Payload::TrackOpened(p::TrackOpened { title, parties, summary }))
            }
            K::EnvoyAppointed { common, party, envoy, office } => {
                (common, Payload::EnvoyAppointed(p::EnvoyAppointed { party, envoy, office }))
            }
            K::MeetingHeld { common, participants, offices, format, mode, place, occasion, summary } => {
                let mut participants: Vec<p::Participant> =
                    participants.iter().map(|s| parse_participant(s)).collect::<Result<_, _>>()?;
                for office in &offices {
                    set_office(&mut participants, office)?;
                }
                (common, Payload::MeetingHeld(p::MeetingHeld { participants, format, mode, place, occasion, summary }))
            }
            K::StatementMade { common, actor, actor_party, actor_office, summary, quote, venue } => {
                let actor = p::Actor { name: actor, party: actor_party, office: actor_office };
                (common, Payload::StatementMade(p::StatementMade { actor, summary, quote, venue }))
            }
            K::ProposalTabled { common, proposal, by, to, title, principles } => {
                let principles =
                    principles.into_iter().zip(1..).map(|(text, number)| p::Principle { number, text }).collect();
                (common, Payload::ProposalTabled(p::ProposalTabled { proposal, by, to, title, principles }))
            }
            K::ProposalAnswered { common, proposal, by, response, counter, summary } => {
                (common, Payload::ProposalAnswered(p::ProposalAnswered { proposal, by, response, counter, summary }))
            }
            K::CommitmentMade { common, commitment, parties, text, deadline, principle } => {
                let deadline = deadline.get();
                (
                    common,
                    Payload::CommitmentMade(p::CommitmentMade {
                        commitment,
                        parties,
                        text,
                        deadline,
                        deadlines: Vec::new(),
                        principle,
                    }),
                )
            }
            K::CommitmentProgressed { common, commitment, summary } => {
                (common, Payload::CommitmentProgressed(p::CommitmentProgressed { commitment, summary, by: None }))
            }
            K::CommitmentFulfilled { common, commitment, summary } => {
                (common, Payload::CommitmentFulfilled(p::CommitmentFulfilled { commitment, summary, by: None }))
            }
            K::DeadlineAmended { common, commitment, deadline, reason } => {
                let deadline = deadline.get().ok_or_else(|| {
                    CommandError::Usage("give the new deadline with --by, --within-days or --within-months".to_owned())
                })?;
                (common, Payload::DeadlineAmended(p::DeadlineAmended { commitment, deadline, reason }))
            }
            K::CommitmentWithdrawn { common, commitment, by, reason } => {
                (common, Payload::CommitmentWithdrawn(p::CommitmentWithdrawn { commitment, by, reason }))
            }
            K::CommissionEstablished { common, commission, name, parties, mandate } => (
                common,
                Payload::CommissionEstablished(p::CommissionEstablished { commission, name, parties, mandate }),
            ),
            K::CommissionConvened { common, commission, place, summary } => {
                (common, Payload::CommissionConvened(p::CommissionConvened { commission, place, summary }))
            }
            K::InstrumentStageReached { common, instrument, title, instrument_type, stage, party, step, summary } => (
                common,
                Payload::InstrumentStageReached(p::InstrumentStageReached {
                    instrument,
                    title,
                    instrument_type,
                    stage,
                    party,
                    step,
                    summary,
                }),
            ),
            K::ImplementationStep { common, summary, instrument } => {
                (common, Payload::ImplementationStep(p::ImplementationStep { summary, instrument }))
            }
            K::ContextNoted { common, summary } => (common, Payload::ContextNoted(p::ContextNoted { summary })),
        };
        common.into_line(payload)
    }
}

impl Common {
    fn into_line(self, payload: Payload) -> Result<(Line, Option<u64>), CommandError> {
        if self.detail.given() && self.sources.len() != 1 {
            return Err(CommandError::Usage(
                "--author, --publisher, --url, --published and --locator describe one --source; for several detailed \
                 sources use --json"
                    .to_owned(),
            ));
        }
        // Details were given only with exactly one title: every other source is bare.
        let sources: Vec<Source> = self.sources.into_iter().map(|title| self.detail.source(title)).collect();
        let codes =
            (self.cameo.is_some() || self.plover.is_some()).then_some(Codes { cameo: self.cameo, plover: self.plover });
        let kind: Kind = payload.kind();
        let facts = Facts {
            version: kind.current_version(),
            tracks: self.tracks,
            occurred: self.occurred,
            sources,
            unsourced: self.unsourced,
            payload,
            links: Links {
                addresses: self.addresses,
                advances: self.advances,
                fulfils: self.fulfils,
                follows: self.follows.into_iter().map(EventId).collect(),
                ..Links::default()
            },
            codes,
            account: Default::default(),
            before_opening: false,
        };
        let line = Line {
            seq: None,
            id: self.id.map(EventId),
            recorded_at: None,
            recorded_by: self.recorded_by,
            facts,
            prev_hash: None,
            hash: None,
        };
        Ok((line, self.expect_head))
    }
}

fn parse_party(text: &str) -> Result<p::PartyName, CommandError> {
    let bad = || CommandError::Usage(format!("--party `{text}`: write CODE=NAME, like `am=Armenia`"));
    let (code, name) = text.split_once('=').ok_or_else(bad)?;
    let code = Party::new(code.trim()).map_err(|e| CommandError::Usage(format!("--party: {e}")))?;
    Ok(p::PartyName { code, name: name.trim().to_owned() })
}

fn parse_participant(text: &str) -> Result<p::Participant, CommandError> {
    let bad = |why: String| {
        CommandError::Usage(format!(
            "--participant `{text}`: {why}; write ROLE:PARTY:NAME, like `party:az:Ilham Aliyev`"
        ))
    };
    let mut parts = text.splitn(3, ':');
    let (Some(role), Some(party), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("three parts expected".to_owned()));
    };
    let role = enum_parser::<p::Role>(role).map_err(bad)?;
    let party = match party.trim() {
        "" => None,
        code => Some(Party::new(code).map_err(bad)?),
    };
    Ok(p::Participant { name: name.trim().to_owned(), party, role, office: None })
}

/// Gives the participant that `text` (NAME=OFFICE) names its office.
fn set_office(participants: &mut [p::Participant], text: &str) -> Result<(), CommandError> {
    let bad = |why: &str| CommandError::Usage(format!("--office `{text}`: {why}"));
    let (name, office) =
        text.split_once('=').ok_or_else(|| bad("write NAME=OFFICE, like `Ararat Mirzoyan=Foreign Minister`"))?;
    let name = name.trim();
    let mut named = participants.iter_mut().filter(|who| who.name == name);
    match (named.next(), named.next()) {
        (Some(who), None) if who.office.is_none() => {
            who.office = Some(office.trim().to_owned());
            Ok(())
        }
        (Some(_), None) => Err(bad("that participant's office is given twice")),
        (Some(_), Some(_)) => Err(bad("several participants have that name; give their offices with --json")),
        (None, _) => Err(bad(&format!("no --participant is named `{name}`"))),
    }
}
