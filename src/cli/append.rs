//! `entente append`: record one event from typed flags, or events from JSON.
//!
//! Flags build the same [`Line`] a JSON line parses to, and both go through the one
//! append path, so a flag-built event is checked exactly like an imported one.

use std::io::Write;
use std::path::PathBuf;

use super::import::{Input, append_lines, append_one, open_input};
use super::{CommandError, Ctx};
use crate::date::{Anchor, AnchorPoint, Deadline, Milestone, PartialDate, Span};
use crate::event::payload::{self as p, Payload};
use crate::event::{
    Account, Codes, CommissionId, CommitmentId, ConditionId, Confidence, EventId, Facts, InstrumentId, Kind, Line,
    Links, Party, PrincipleRef, ProposalId, Source, TrackId,
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

/// Flags every event takes, listed after the kind's own.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Every event")]
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

    /// A commitment this event fulfils in part (repeatable).
    #[arg(long = "partially-fulfils", value_name = "COMMITMENT")]
    partially_fulfils: Vec<CommitmentId>,

    /// A commitment this event reaffirms: evidence of intent, not progress (repeatable).
    #[arg(long = "reaffirms", value_name = "COMMITMENT")]
    reaffirms: Vec<CommitmentId>,

    /// An earlier event this one follows up, by id (repeatable).
    #[arg(long = "follows", value_name = "ID")]
    follows: Vec<uuid::Uuid>,

    /// CAMEO event code (`036`).
    #[arg(long, value_name = "CODE")]
    cameo: Option<String>,

    /// PLOVER event type (`CONSULT`).
    #[arg(long, value_name = "TYPE")]
    plover: Option<String>,

    /// How far it is confirmed: confirmed (by the parties concerned), reported (by one
    /// side or one outlet) or unverified.
    #[arg(long, value_name = "LEVEL", value_parser = enum_parser::<Confidence>)]
    confidence: Option<Confidence>,

    /// The party whose account this is (its readout, its ministry's statement).
    #[arg(long, value_name = "PARTY")]
    attribution: Option<Party>,

    /// The event is dated before its track was opened, on purpose (audit lists it).
    #[arg(long)]
    before_opening: bool,

    /// The occasion it belongs to (a summit, a visit), by an id you choose and reuse
    /// for its other events (`alaska-summit-2025`).
    #[arg(long, value_name = "ID")]
    occasion: Option<crate::event::OccasionId>,

    /// The event's id; supplying one makes a retry idempotent.
    #[arg(long, value_name = "UUID")]
    id: Option<uuid::Uuid>,

    /// Who records it [default: $ENTENTE_USER, else $USER]. On a team log (PostgreSQL)
    /// the role you connect as records it: ENTENTE_USER is ignored, and another name is
    /// refused unless your role owns the log.
    #[arg(long, value_name = "NAME")]
    recorded_by: Option<String>,

    /// Append only if the log still ends at this seq (0 to 9223372036854775807); otherwise a
    /// conflict error.
    #[arg(long, value_name = "SEQ", value_parser = super::seq_parser(), allow_negative_numbers = true)]
    expect_head: Option<u64>,
}

/// What one --source says of itself beyond its title: the flags `append`, `dispute` and
/// `cite` share.
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

/// The kinds, each with its own flags first (numbered from 1, so that the global --db,
/// numbered 0, leads them) and then the flags every event takes.
#[derive(Debug, clap::Subcommand)]
enum KindCmd {
    /// A normalization track begins to be followed.
    #[command(next_display_order = 1)]
    TrackOpened {
        /// Its title (`Armenia–Azerbaijan normalization`).
        #[arg(long)]
        title: String,
        /// A party as CODE=NAME (`am=Armenia`); at least two.
        #[arg(long = "party", value_name = "CODE=NAME", required = true)]
        parties: Vec<String>,
        /// Context.
        #[arg(long)]
        summary: Option<String>,
        /// A third party as ROLE:CODE=NAME (`mediator:us=United States`), ROLE one of
        /// mediator, facilitator, host, guarantor, observer, witness,
        /// international_organisation, court (repeatable).
        #[arg(long = "third-party", value_name = "ROLE:CODE=NAME")]
        third_parties: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A third party (a mediator, a guarantor, a court, …) joins the tracks.
    #[command(next_display_order = 1)]
    PartyJoined {
        /// The party as CODE=NAME (`us=United States`).
        #[arg(long, value_name = "CODE=NAME")]
        party: String,
        /// mediator, facilitator, host, guarantor, observer, witness,
        /// international_organisation or court.
        #[arg(long, value_parser = enum_parser::<p::ThirdPartyRole>)]
        role: p::ThirdPartyRole,
        /// How it joined.
        #[arg(long)]
        summary: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A court rules on a commitment, an instrument or an event.
    #[command(next_display_order = 1)]
    RulingIssued {
        /// The court's name.
        #[arg(long)]
        court: String,
        /// The court's code, registered as a third party with role court.
        #[arg(long)]
        party: Option<Party>,
        /// What it rules on: commitment:ID, instrument:ID, instrument:ID:STAGE,
        /// instrument:ID:STAGE:PARTY or event:ID|SEQ|PREFIX.
        #[arg(long, value_name = "REF")]
        on: String,
        /// upholds, suspends, annuls or requires_changes.
        #[arg(long, value_parser = enum_parser::<p::RulingEffect>)]
        effect: p::RulingEffect,
        /// What it said.
        #[arg(long)]
        summary: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A body (a council, an assembly) adopts a decision or resolution.
    #[command(next_display_order = 1)]
    DecisionAdopted {
        /// The body's name.
        #[arg(long)]
        body: String,
        /// The body's code, registered as a third party.
        #[arg(long)]
        party: Option<Party>,
        /// Its reference (`S/RES/2231 (2015)`).
        #[arg(long)]
        reference: Option<String>,
        /// What it is on: commitment:ID, instrument:ID, instrument:ID:STAGE,
        /// instrument:ID:STAGE:PARTY or event:ID|SEQ|PREFIX.
        #[arg(long, value_name = "REF")]
        on: Option<String>,
        /// endorses, mandates, extends or winds_up.
        #[arg(long, value_parser = enum_parser::<p::DecisionEffect>)]
        effect: p::DecisionEffect,
        /// What it said.
        #[arg(long)]
        summary: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A party appoints an envoy or representative.
    #[command(next_display_order = 1)]
    EnvoyAppointed {
        /// The appointing party (`tr`).
        #[arg(long)]
        party: Party,
        /// The envoy's name.
        #[arg(long)]
        envoy: String,
        /// The office (`Special Envoy`).
        #[arg(long)]
        office: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A meeting, phone call or video call.
    #[command(next_display_order = 1)]
    MeetingHeld {
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
        /// The gathering it was part of, in words (`Antalya Diplomacy Forum`); to group
        /// events, give every event of it the same --occasion ID.
        #[arg(long = "gathering", value_name = "NAME")]
        gathering: Option<String>,
        /// What was discussed or decided.
        #[arg(long)]
        summary: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A public statement.
    #[command(next_display_order = 1)]
    StatementMade {
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
        #[command(flatten)]
        common: Common,
    },
    /// A proposal with numbered principles.
    #[command(next_display_order = 1)]
    ProposalTabled {
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
        #[command(flatten)]
        common: Common,
    },
    /// A response to a proposal.
    #[command(next_display_order = 1)]
    ProposalAnswered {
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
        /// The number of a principle answered, when the answer is to some only
        /// (repeatable; none: the whole proposal).
        #[arg(long = "principle", value_name = "N")]
        principles: Vec<u32>,
        #[command(flatten)]
        common: Common,
    },
    /// Parties undertake something, perhaps by a deadline.
    ///
    /// A deadline is written as the source writes it: by a date (--by 2022-04: a month
    /// means its last day), within a span of this event (--within-days, --within-months),
    /// or of another event (add --of-commitment or --of-instrument; it reads `awaiting`
    /// until that event is recorded); in the source's --words, alone (a vague deadline)
    /// or beside a date you read into them (--interpreted). These set when it must be
    /// complete; the --begin-… flags set when it must begin (both: a window, "start within
    /// a month, complete within two").
    #[command(next_display_order = 1)]
    CommitmentMade {
        /// The new commitment's id.
        #[arg(long)]
        commitment: CommitmentId,
        /// A party that owes it (repeatable).
        #[arg(long = "party", required = true)]
        parties: Vec<Party>,
        /// What was undertaken.
        #[arg(long)]
        text: String,
        /// The principle it implements, as PROPOSAL#N.
        #[arg(long)]
        principle: Option<PrincipleRef>,
        /// An ongoing obligation (a ceasefire, a cap, not objecting): in effect from now,
        /// kept while no breach is reported, never stalled.
        #[arg(long)]
        standing: bool,
        #[command(flatten)]
        deadline: DeadlineArgs,
        #[command(flatten)]
        begin: BeginArgs,
        #[command(flatten)]
        anchor: AnchorArgs,
        #[command(flatten)]
        common: Common,
    },
    /// A step towards a commitment.
    #[command(next_display_order = 1)]
    CommitmentProgressed {
        /// The commitment.
        #[arg(long)]
        commitment: CommitmentId,
        /// What was done.
        #[arg(long)]
        summary: String,
        /// The party that took the step, when one of several owing it did.
        #[arg(long, value_name = "PARTY")]
        by: Option<Party>,
        #[command(flatten)]
        common: Common,
    },
    /// A commitment was met (by all, or by one party owing it).
    ///
    /// Without --by the commitment is met for every party owing it. With --by, that
    /// party met its part: the commitment reads partially fulfilled until every party
    /// owing it has met theirs.
    #[command(next_display_order = 1)]
    CommitmentFulfilled {
        /// The commitment.
        #[arg(long)]
        commitment: CommitmentId,
        /// How it was met.
        #[arg(long)]
        summary: String,
        /// The party that met its part, when one of several owing it did.
        #[arg(long, value_name = "PARTY")]
        by: Option<Party>,
        #[command(flatten)]
        common: Common,
    },
    /// A commitment's deadline moves.
    ///
    /// The latest deadline of each milestone rules; earlier ones stay as history. Give
    /// the new date or span (--by, --within-days, --within-months, counted from this
    /// event unless --of-… says otherwise), the source's --words, or both.
    #[command(next_display_order = 1)]
    DeadlineAmended {
        /// The commitment.
        #[arg(long)]
        commitment: CommitmentId,
        /// Why it moved.
        #[arg(long)]
        reason: Option<String>,
        /// The milestone that moves: begin or complete [default: complete].
        #[arg(long, value_parser = enum_parser::<Milestone>)]
        milestone: Option<Milestone>,
        #[command(flatten)]
        deadline: DeadlineArgs,
        #[command(flatten)]
        anchor: AnchorArgs,
        #[command(flatten)]
        common: Common,
    },
    /// A party backs out of a commitment.
    ///
    /// With --by only that party withdraws: a commitment owed by several stays in effect
    /// for the others until every one has withdrawn. Without --by it is withdrawn as a
    /// whole.
    #[command(next_display_order = 1)]
    CommitmentWithdrawn {
        /// The commitment.
        #[arg(long)]
        commitment: CommitmentId,
        /// The withdrawing party (left out: withdrawn as a whole).
        #[arg(long)]
        by: Option<Party>,
        /// Why.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        common: Common,
    },
    /// Part of a commitment was met (one of three checkpoints opened).
    ///
    /// The Peace Accords Matrix score of a partly met commitment is the latest --score
    /// given, else 2.
    #[command(next_display_order = 1)]
    CommitmentPartiallyFulfilled {
        /// The commitment.
        #[arg(long)]
        commitment: CommitmentId,
        /// What was met.
        #[arg(long)]
        summary: String,
        /// What is still outstanding.
        #[arg(long, value_name = "TEXT")]
        outstanding: Option<String>,
        /// Your Peace Accords Matrix score for it: 1 minimal, 2 intermediate [default
        /// when left out: 2].
        #[arg(long, value_name = "1|2", value_parser = partial_score, allow_negative_numbers = true)]
        score: Option<u8>,
        /// The party that met its part, when one of several owing it did.
        #[arg(long, value_name = "PARTY")]
        by: Option<Party>,
        #[command(flatten)]
        common: Common,
    },
    /// Parties say again they will keep a commitment: evidence of intent, not progress.
    ///
    /// A reaffirmation neither raises the Peace Accords Matrix score nor restarts the
    /// stall clock. Without --by it is joint, by every party owing it.
    #[command(next_display_order = 1)]
    CommitmentReaffirmed {
        /// The commitment.
        #[arg(long)]
        commitment: CommitmentId,
        /// A party reaffirming it (repeat for several; none: every party owing it, jointly).
        #[arg(long = "by", value_name = "PARTY")]
        by: Vec<Party>,
        /// What was said.
        #[arg(long)]
        summary: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A party, a monitor or you report a commitment not kept, or breached.
    ///
    /// A claim with its source, distinct from overdue (which the dates decide). Name the
    /// reporter: --reporter party with --by PARTY, --reporter monitor with --monitor NAME,
    /// or --reporter analyst (you, on the evidence cited).
    #[command(next_display_order = 1)]
    CommitmentReportedUnmet {
        /// The commitment.
        #[arg(long)]
        commitment: CommitmentId,
        /// Who reports it: party, monitor or analyst.
        #[arg(long, value_parser = enum_parser::<p::Reporter>)]
        reporter: p::Reporter,
        /// The reporting party (with --reporter party).
        #[arg(long, value_name = "PARTY")]
        by: Option<Party>,
        /// The monitor's name (with --reporter monitor): `IAEA`, `OSCE SMM`.
        #[arg(long, value_name = "NAME")]
        monitor: Option<String>,
        /// What it finds: unmet (not implemented) or breach (acted against).
        #[arg(long, value_parser = enum_parser::<p::Finding>)]
        finding: p::Finding,
        /// The party said not to keep it, when the report names one.
        #[arg(long, value_name = "PARTY")]
        against: Option<Party>,
        /// What the report says.
        #[arg(long)]
        summary: String,
        #[command(flatten)]
        common: Common,
    },
    /// A party, a court or a body suspends a commitment, until it is resumed.
    ///
    /// While suspended no step or fulfilment counts towards it (its deadline may still
    /// be moved), and its deadlines keep running.
    #[command(next_display_order = 1)]
    CommitmentSuspended {
        /// The commitment.
        #[arg(long)]
        commitment: CommitmentId,
        /// The suspending party, when a party suspended it.
        #[arg(long, value_name = "PARTY")]
        by: Option<Party>,
        /// The suspending court or body, when not a party (`Constitutional Court`).
        #[arg(long, value_name = "NAME")]
        authority: Option<String>,
        /// Why.
        #[arg(long)]
        reason: String,
        /// On what it would be resumed, when the suspension says (`reversible once …`).
        #[arg(long, value_name = "TEXT")]
        conditions: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A suspended commitment is in effect again.
    #[command(next_display_order = 1)]
    CommitmentResumed {
        /// The commitment.
        #[arg(long)]
        commitment: CommitmentId,
        /// The resuming party, when a party resumed it.
        #[arg(long, value_name = "PARTY")]
        by: Option<Party>,
        /// The court or body that resumed it, when not a party.
        #[arg(long, value_name = "NAME")]
        authority: Option<String>,
        /// How it was resumed.
        #[arg(long)]
        summary: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A commitment is replaced by another, made before.
    ///
    /// The original stays, linked to its replacement both ways; work on it after this
    /// is refused (record it against the replacement).
    #[command(next_display_order = 1)]
    CommitmentSuperseded {
        /// The commitment replaced.
        #[arg(long)]
        commitment: CommitmentId,
        /// The commitment that replaces it (made first).
        #[arg(long, value_name = "COMMITMENT")]
        replacement: CommitmentId,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A joint commission is set up.
    #[command(next_display_order = 1)]
    CommissionEstablished {
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
        #[command(flatten)]
        common: Common,
    },
    /// A session of a commission.
    #[command(next_display_order = 1)]
    CommissionConvened {
        /// The commission.
        #[arg(long)]
        commission: CommissionId,
        /// A participant as ROLE:PARTY:NAME, as for meeting-held (repeatable).
        #[arg(long = "participant", value_name = "ROLE:PARTY:NAME")]
        participants: Vec<String>,
        /// A participant's office as NAME=OFFICE (repeatable).
        #[arg(long = "office", value_name = "NAME=OFFICE")]
        offices: Vec<String>,
        /// in_person (when not given), phone or video.
        #[arg(long, value_parser = enum_parser::<p::Mode>)]
        mode: Option<p::Mode>,
        /// Where it met.
        #[arg(long)]
        place: Option<String>,
        /// What it did.
        #[arg(long)]
        summary: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A text is agreed, initialled, signed, ratified, in force, suspended, ….
    #[command(next_display_order = 1)]
    InstrumentStageReached {
        /// The instrument's id.
        #[arg(long)]
        instrument: InstrumentId,
        /// Its title (required the first time).
        #[arg(long)]
        title: Option<String>,
        /// treaty, agreement, protocol, framework, declaration, joint_statement,
        /// memorandum, regulation, roadmap, annex, package_of_measures, ceasefire or
        /// other (required the first time).
        #[arg(long = "type", value_parser = enum_parser::<p::InstrumentType>)]
        instrument_type: Option<p::InstrumentType>,
        /// negotiating, text_agreed, initialled, signed, ratification_step, ratified,
        /// in_force, suspended, resumed, withdrawn, terminated, annulled or superseded.
        #[arg(long, value_parser = enum_parser::<p::Stage>)]
        stage: p::Stage,
        /// The party whose step it is (required for ratification_step and withdrawn;
        /// none: every party's).
        #[arg(long)]
        party: Option<Party>,
        /// The ratification step (`parliament approved`).
        #[arg(long)]
        step: Option<String>,
        /// Context.
        #[arg(long)]
        summary: Option<String>,
        /// One of the instrument's parties (repeatable; default: its tracks' parties).
        #[arg(long = "parties")]
        parties: Vec<Party>,
        /// The instrument this one is an annex or protocol of.
        #[arg(long)]
        parent: Option<InstrumentId>,
        /// true: a principal text; false: a side text (default: principal for a treaty,
        /// agreement or framework with no parent).
        #[arg(long)]
        principal: Option<bool>,
        /// How a ratification step was taken: parliament, referendum, court_review,
        /// promulgation, executive, deposit or other.
        #[arg(long, value_parser = enum_parser::<p::Procedure>)]
        procedure: Option<p::Procedure>,
        /// How a ratification step ended: approved (default) or rejected.
        #[arg(long, value_parser = enum_parser::<p::Outcome>)]
        outcome: Option<p::Outcome>,
        /// text: a suspension or resumption of part of the text only.
        #[arg(long, value_parser = enum_parser::<p::Scope>)]
        scope: Option<p::Scope>,
        /// The instrument that replaces this one (with superseded).
        #[arg(long)]
        replacement: Option<InstrumentId>,
        /// An article's text, numbered 1, 2, … in the order given.
        #[arg(long = "article")]
        articles: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Something done to implement an instrument or commitment.
    #[command(next_display_order = 1)]
    ImplementationStep {
        /// What was done.
        #[arg(long)]
        summary: String,
        /// The instrument implemented.
        #[arg(long)]
        instrument: Option<InstrumentId>,
        #[command(flatten)]
        common: Common,
    },
    /// A step or commitment is made conditional on another.
    ///
    /// The subject (an instrument step or a commitment) waits on `--on` (a commitment
    /// fulfilled, an instrument's stage reached — by the party, if named — or an event),
    /// which may be on another track. A reference is written commitment:ID,
    /// instrument:ID, instrument:ID:STAGE, instrument:ID:STAGE:PARTY or event:E (an
    /// event id, seq or id prefix). The condition is met when `--on` is reached, unless
    /// a condition_resolved says otherwise.
    #[command(next_display_order = 1)]
    ConditionSet {
        /// The new condition's id.
        #[arg(long)]
        condition: ConditionId,
        /// What waits: commitment:ID or instrument:ID[:STAGE[:PARTY]] (a bare instrument waits
        /// for its entry into force).
        #[arg(long, value_name = "REF")]
        subject: String,
        /// What it waits on: commitment:ID, instrument:ID[:STAGE[:PARTY]] or event:E.
        #[arg(long, value_name = "REF")]
        on: String,
        /// The party that set the condition.
        #[arg(long)]
        by: Option<Party>,
        /// The condition in words.
        #[arg(long)]
        text: String,
        #[command(flatten)]
        common: Common,
    },
    /// A condition is declared met, unmet or dropped (the latest in world order rules).
    #[command(next_display_order = 1)]
    ConditionResolved {
        /// The condition.
        #[arg(long)]
        condition: ConditionId,
        /// met, unmet or dropped.
        #[arg(long, value_parser = enum_parser::<p::ConditionOutcome>)]
        outcome: p::ConditionOutcome,
        /// What was said.
        #[arg(long)]
        summary: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A development that bears on a track (an election, a change of government).
    #[command(next_display_order = 1)]
    ContextNoted {
        /// What happened.
        #[arg(long)]
        summary: String,
        #[command(flatten)]
        common: Common,
    },
}

/// A deadline: a date or a span (at most one of them), the source's words, or both.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Deadline")]
struct DeadlineArgs {
    #[command(flatten)]
    span: SpanArgs,
    /// The source's words (`as soon as possible`, `before the winter`); alone, the
    /// deadline is vague: no date to miss.
    #[arg(long, value_name = "TEXT")]
    words: Option<String>,
    /// The date or span is your reading of --words, not the source's; reports say so.
    #[arg(long, requires_all = ["words", "span"])]
    interpreted: bool,
}

/// When a deadline falls: exactly one of --by, --within-days, --within-months.
#[derive(Debug, clap::Args)]
#[group(id = "span", multiple = false)]
struct SpanArgs {
    /// Due by this date (a month means its last day).
    #[arg(long, value_name = "DATE")]
    by: Option<PartialDate>,
    /// Due this many days after the event, or after --of-… (0 to 36525, one hundred
    /// years).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=i64::from(crate::date::MAX_WITHIN_DAYS)), allow_negative_numbers = true)]
    within_days: Option<u32>,
    /// Due this many months after the event, or after --of-… (0 to 1200, one hundred
    /// years).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=i64::from(crate::date::MAX_WITHIN_MONTHS)), allow_negative_numbers = true)]
    within_months: Option<u32>,
}

impl SpanArgs {
    fn get(&self) -> Option<Span> {
        self.by.map(Span::By).or(self.within_days.map(Span::Days)).or(self.within_months.map(Span::Months))
    }
}

impl DeadlineArgs {
    /// The deadline for `milestone` these flags give, with `anchor` for a span; `None`
    /// when none was given.
    fn get(&self, milestone: Option<Milestone>, anchor: Option<&Anchor>) -> Option<Deadline> {
        deadline(milestone, self.span.get(), anchor, self.words.clone(), self.interpreted)
    }
}

/// When the work must begin: a second deadline, the `begin` milestone.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Deadline to begin")]
struct BeginArgs {
    #[command(flatten)]
    span: BeginSpanArgs,
    /// The source's words for when it must begin; alone, a vague begin deadline.
    #[arg(long, value_name = "TEXT")]
    begin_words: Option<String>,
    /// The begin date or span is your reading of --begin-words, not the source's.
    #[arg(long, requires_all = ["begin_words", "begin_span"])]
    begin_interpreted: bool,
}

/// When the work must begin: exactly one of --begin-by, --begin-within-days,
/// --begin-within-months.
#[derive(Debug, clap::Args)]
#[group(id = "begin_span", multiple = false)]
struct BeginSpanArgs {
    /// Must begin by this date (a month means its last day).
    #[arg(long, value_name = "DATE")]
    begin_by: Option<PartialDate>,
    /// Must begin within this many days of the event, or of --of-… (0 to 36525).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=i64::from(crate::date::MAX_WITHIN_DAYS)), allow_negative_numbers = true)]
    begin_within_days: Option<u32>,
    /// Must begin within this many months of the event, or of --of-… (0 to 1200).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=i64::from(crate::date::MAX_WITHIN_MONTHS)), allow_negative_numbers = true)]
    begin_within_months: Option<u32>,
}

impl BeginArgs {
    /// The `begin` deadline these flags give, with `anchor` for a span.
    fn get(&self, anchor: Option<&Anchor>) -> Option<Deadline> {
        let BeginSpanArgs { begin_by, begin_within_days, begin_within_months } = &self.span;
        let span =
            begin_by.map(Span::By).or(begin_within_days.map(Span::Days)).or(begin_within_months.map(Span::Months));
        deadline(Some(Milestone::Begin), span, anchor, self.begin_words.clone(), self.begin_interpreted)
    }
}

/// What the --within-… spans count from, when not from the event itself.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Deadline counted from another event")]
struct AnchorArgs {
    /// Count the --within-… spans from this commitment's fulfilment (its start, with
    /// --of-start), not from this event; until then the deadline reads `awaiting`.
    #[arg(long, value_name = "COMMITMENT", conflicts_with = "of_instrument")]
    of_commitment: Option<CommitmentId>,
    /// With --of-commitment: count from its start (its first step), not its fulfilment.
    #[arg(long, requires = "of_commitment")]
    of_start: bool,
    /// Count the --within-… spans from this instrument reaching --of-stage, not from
    /// this event; until then the deadline reads `awaiting`.
    #[arg(long, value_name = "INSTRUMENT", requires = "of_stage")]
    of_instrument: Option<InstrumentId>,
    /// The stage of --of-instrument counted from: text_agreed, initialled, signed,
    /// ratification_step, in_force, suspended, withdrawn or annulled.
    #[arg(long, value_name = "STAGE", value_parser = enum_parser::<p::Stage>, requires = "of_instrument")]
    of_stage: Option<p::Stage>,
}

impl AnchorArgs {
    /// The anchor named, if any.
    fn get(&self) -> Option<Anchor> {
        let on = if self.of_start { AnchorPoint::Start } else { AnchorPoint::Fulfilment };
        match (&self.of_commitment, &self.of_instrument, self.of_stage) {
            (Some(c), _, _) => Some(Anchor::Commitment(c.clone(), on)),
            (None, Some(i), Some(stage)) => Some(Anchor::Instrument(i.clone(), stage)),
            _ => None,
        }
    }
}

/// Refuses an anchor (--of-commitment, --of-instrument) that no deadline counts from:
/// only a --within-… span does.
fn anchor_used<'a>(
    anchor: Option<&Anchor>,
    deadlines: impl IntoIterator<Item = &'a Deadline>,
) -> Result<(), CommandError> {
    match anchor {
        Some(anchor) if !deadlines.into_iter().any(|d| d.of.is_some()) => Err(CommandError::Usage(format!(
            "nothing counts from {anchor}: --of-commitment and --of-instrument say what a --within-days or \
             --within-months span (or --begin-within-…) counts from; give one"
        ))),
        _ => Ok(()),
    }
}

/// A deadline from its parts as flags give them, `None` when neither a span nor words
/// were given. The anchor applies to a relative span only: a date is a date. Clap has
/// already refused `interpreted` without both words and a date; [`anchor_used`] refuses
/// an anchor no span counts from.
fn deadline(
    milestone: Option<Milestone>,
    span: Option<Span>,
    anchor: Option<&Anchor>,
    words: Option<String>,
    interpreted: bool,
) -> Option<Deadline> {
    if span.is_none() && words.is_none() {
        return None;
    }
    let of = anchor.filter(|_| matches!(span, Some(Span::Days(_) | Span::Months(_)))).cloned();
    // `complete` is the default, left unwritten: a plain deadline keeps its version 1 form.
    let milestone = milestone.filter(|m| *m != Milestone::Complete);
    Some(Deadline { milestone, span, of, words, interpreted })
}

/// A partial fulfilment's Peace Accords Matrix score, in words when it is not one.
fn partial_score(text: &str) -> Result<u8, String> {
    match text.trim() {
        "1" => Ok(1),
        "2" => Ok(2),
        _ => Err("a partial fulfilment scores 1 (minimal) or 2 (intermediate); a full one (3) is recorded with \
                  commitment-fulfilled"
            .to_owned()),
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
            let found =
                |reference: &str| super::resolve(&store, reference).map(|r| r.event.id).map_err(|e| e.to_string());
            let (line, expect_head) = kind.into_line(&found)?;
            append_one(ctx, &mut store, line, expect_head, "the event was not recorded", &flag_for)?
        }
        (None, None) => {
            return Err(CommandError::Usage("name a kind (`entente append --help`) or give --json FILE".to_owned()));
        }
    };
    let mut out = ctx.stdout();
    match (tally.appended + tally.existing, tally.last) {
        (1, Some(Outcome::Appended { seq, id })) => writeln!(out, "appended seq {seq} id {id}")?,
        (1, Some(Outcome::Existing { seq, id })) => {
            writeln!(out, "already recorded: seq {seq} id {id} (same content; nothing appended)")?
        }
        _ => writeln!(out, "appended {} events; {} already present", tally.appended, tally.existing)?,
    }
    Ok(())
}

/// The flag that sets a JSON field, for error messages about flag-built events:
/// `payload.deadlines[0].words` is `--begin-words`, `sources[0].author` is `--author`.
fn flag_for(field: &str) -> String {
    // Indices name an element; the flag is the same for every element.
    let path: Vec<&str> = field.split('.').map(|part| part.split('[').next().unwrap_or(part)).collect();
    let flag = match path.as_slice() {
        // Stamped by the log, never set by a flag.
        ["recorded_at"] => return "the recording time".to_owned(),
        ["payload", "deadline" | "deadlines", "of", rest @ ..] => match rest {
            ["on"] => "of-start".to_owned(),
            ["instrument"] => "of-instrument".to_owned(),
            ["stage"] => "of-stage".to_owned(),
            _ => "of-commitment".to_owned(),
        },
        ["payload", "deadline"] => return "--by, --within-days, --within-months or --words".to_owned(),
        ["payload", "deadlines", ..] if path.len() == 2 || path[2] == "milestone" => {
            return "--begin-by, --begin-within-days, --begin-within-months or --begin-words".to_owned();
        }
        ["payload", "deadline", part, ..] => (*part).to_owned(),
        ["payload", "deadlines", part, ..] => format!("begin_{part}"),
        ["payload", "actor", "name"] => "actor".to_owned(),
        ["payload", "actor", part] => format!("actor_{part}"),
        ["payload", "participants", "office"] => "office".to_owned(),
        ["payload", "participants", ..] => "participant".to_owned(),
        ["payload", "principles", ..] => "principle".to_owned(),
        ["payload", "articles", ..] => "article".to_owned(),
        ["payload", "parties", ..] => "party".to_owned(),
        ["payload", rest, ..] => (*rest).to_owned(),
        ["sources", "title"] | ["sources"] => "source".to_owned(),
        ["sources", detail, ..] => (*detail).to_owned(),
        ["tracks", ..] => "track".to_owned(),
        ["code", code, ..] => (*code).to_owned(),
        [first, ..] => (*first).to_owned(),
        [] => field.to_owned(),
    };
    format!("--{}", flag.replace('_', "-"))
}

impl KindCmd {
    /// The line these flags describe; `event` finds the event a reference's `event:E`
    /// names (an id, a seq or an id prefix).
    fn into_line(self, event: &dyn Fn(&str) -> Result<EventId, String>) -> Result<(Line, Option<u64>), CommandError> {
        use KindCmd as K;
        let parse_ref = |flag: &str, text: &str| {
            p::Ref::parse_with(text, event).map_err(|e| CommandError::Usage(format!("{flag}: {e}")))
        };
        let (common, payload) = match self {
            K::TrackOpened { common, title, parties, summary, third_parties } => {
                let parties = parties.iter().map(|s| parse_party(s)).collect::<Result<_, _>>()?;
                let third_parties = third_parties.iter().map(|s| parse_third_party(s)).collect::<Result<_, _>>()?;
                (common, Payload::TrackOpened(p::TrackOpened { title, parties, summary, third_parties }))
            }
            K::PartyJoined { common, party, role, summary } => {
                let party = parse_party(&party)?;
                (common, Payload::PartyJoined(p::PartyJoined { party, role, summary }))
            }
            K::RulingIssued { common, court, party, on, effect, summary } => {
                let on = parse_ref("--on", &on)?;
                (common, Payload::RulingIssued(p::RulingIssued { court, party, on, effect, summary }))
            }
            K::DecisionAdopted { common, body, party, reference, on, effect, summary } => {
                let on = on.map(|on| parse_ref("--on", &on)).transpose()?;
                let decision = p::DecisionAdopted { body, party, reference, on, effect, summary };
                (common, Payload::DecisionAdopted(decision))
            }
            K::EnvoyAppointed { common, party, envoy, office } => {
                (common, Payload::EnvoyAppointed(p::EnvoyAppointed { party, envoy, office }))
            }
            K::MeetingHeld { common, participants, offices, format, mode, place, gathering: occasion, summary } => {
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
            K::ProposalAnswered { common, proposal, by, response, counter, summary, principles } => (
                common,
                Payload::ProposalAnswered(p::ProposalAnswered { proposal, by, response, counter, summary, principles }),
            ),
            K::ConditionSet { common, condition, subject, on, by, text } => {
                let subject = parse_ref("--subject", &subject)?;
                let on = parse_ref("--on", &on)?;
                (common, Payload::ConditionSet(p::ConditionSet { condition, subject, on, by, text }))
            }
            K::ConditionResolved { common, condition, outcome, summary } => {
                (common, Payload::ConditionResolved(p::ConditionResolved { condition, outcome, summary }))
            }
            K::CommitmentMade { common, commitment, parties, text, principle, standing, deadline, begin, anchor } => {
                let anchor = anchor.get();
                let deadlines: Vec<Deadline> = begin.get(anchor.as_ref()).into_iter().collect();
                let deadline = deadline.get(None, anchor.as_ref());
                anchor_used(anchor.as_ref(), deadline.iter().chain(&deadlines))?;
                (
                    common,
                    Payload::CommitmentMade(p::CommitmentMade {
                        commitment,
                        parties,
                        text,
                        deadline: deadline.map(Box::new),
                        deadlines,
                        principle,
                        standing,
                    }),
                )
            }
            K::CommitmentProgressed { common, commitment, summary, by } => {
                (common, Payload::CommitmentProgressed(p::CommitmentProgressed { commitment, summary, by }))
            }
            K::CommitmentFulfilled { common, commitment, summary, by } => {
                (common, Payload::CommitmentFulfilled(p::CommitmentFulfilled { commitment, summary, by }))
            }
            K::DeadlineAmended { common, commitment, reason, milestone, deadline, anchor } => {
                let anchor = anchor.get();
                let deadline = deadline.get(milestone, anchor.as_ref()).ok_or_else(|| {
                    CommandError::Usage(
                        "give the new deadline with --by, --within-days or --within-months, or the source's --words"
                            .to_owned(),
                    )
                })?;
                anchor_used(anchor.as_ref(), [&deadline])?;
                (
                    common,
                    Payload::DeadlineAmended(p::DeadlineAmended { commitment, deadline: Box::new(deadline), reason }),
                )
            }
            K::CommitmentWithdrawn { common, commitment, by, reason } => {
                (common, Payload::CommitmentWithdrawn(p::CommitmentWithdrawn { commitment, by, reason }))
            }
            K::CommitmentPartiallyFulfilled { common, commitment, summary, outstanding, score, by } => (
                common,
                Payload::CommitmentPartiallyFulfilled(p::CommitmentPartiallyFulfilled {
                    commitment,
                    summary,
                    outstanding,
                    score,
                    by,
                }),
            ),
            K::CommitmentReaffirmed { common, commitment, by, summary } => {
                (common, Payload::CommitmentReaffirmed(p::CommitmentReaffirmed { commitment, by, summary }))
            }
            K::CommitmentReportedUnmet { common, commitment, reporter, by, monitor, finding, against, summary } => (
                common,
                Payload::CommitmentReportedUnmet(p::CommitmentReportedUnmet {
                    commitment,
                    reporter,
                    by,
                    monitor,
                    finding,
                    against,
                    summary,
                }),
            ),
            K::CommitmentSuspended { common, commitment, by, authority, reason, conditions } => (
                common,
                Payload::CommitmentSuspended(p::CommitmentSuspended { commitment, by, authority, reason, conditions }),
            ),
            K::CommitmentResumed { common, commitment, by, authority, summary } => {
                (common, Payload::CommitmentResumed(p::CommitmentResumed { commitment, by, authority, summary }))
            }
            K::CommitmentSuperseded { common, commitment, replacement, reason } => {
                (common, Payload::CommitmentSuperseded(p::CommitmentSuperseded { commitment, replacement, reason }))
            }
            K::CommissionEstablished { common, commission, name, parties, mandate } => (
                common,
                Payload::CommissionEstablished(p::CommissionEstablished { commission, name, parties, mandate }),
            ),
            K::CommissionConvened { common, commission, participants, offices, mode, place, summary } => {
                let mut participants: Vec<p::Participant> =
                    participants.iter().map(|s| parse_participant(s)).collect::<Result<_, _>>()?;
                for office in &offices {
                    set_office(&mut participants, office)?;
                }
                let convened = p::CommissionConvened { commission, participants, mode, place, summary };
                (common, Payload::CommissionConvened(convened))
            }
            K::InstrumentStageReached {
                common,
                instrument,
                title,
                instrument_type,
                stage,
                party,
                step,
                summary,
                parties,
                parent,
                principal,
                procedure,
                outcome,
                scope,
                replacement,
                articles,
            } => {
                let articles =
                    articles.into_iter().zip(1..).map(|(text, number)| p::Article { number, text }).collect();
                (
                    common,
                    Payload::InstrumentStageReached(p::InstrumentStageReached {
                        instrument,
                        title,
                        instrument_type,
                        stage,
                        party,
                        step,
                        summary,
                        parties,
                        parent,
                        principal,
                        procedure,
                        outcome,
                        scope,
                        replacement,
                        articles,
                    }),
                )
            }
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
                partially_fulfils: self.partially_fulfils,
                reaffirms: self.reaffirms,
                follows: self.follows.into_iter().map(EventId).collect(),
            },
            codes,
            account: Account { confidence: self.confidence, attribution: self.attribution },
            before_opening: self.before_opening,
            occasion: self.occasion,
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

fn parse_third_party(text: &str) -> Result<p::ThirdParty, CommandError> {
    let bad = |why: String| {
        CommandError::Usage(format!(
            "--third-party `{text}`: {why}; write ROLE:CODE=NAME, like `mediator:us=United States`"
        ))
    };
    let (role, party) = text.split_once(':').ok_or_else(|| bad("no ROLE: before the party".to_owned()))?;
    let role = enum_parser::<p::ThirdPartyRole>(role.trim()).map_err(bad)?;
    let p::PartyName { code, name } = parse_party(party)?;
    Ok(p::ThirdParty { code, name, role })
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

#[cfg(test)]
mod tests {
    use super::flag_for;

    #[test]
    fn every_field_a_flag_sets_names_that_flag() {
        for (field, flag) in [
            ("tracks", "--track"),
            ("tracks[1]", "--track"),
            ("sources", "--source"),
            ("sources[0].title", "--source"),
            ("sources[0].author", "--author"),
            ("code.cameo", "--cameo"),
            ("recorded_by", "--recorded-by"),
            ("partially_fulfils[0]", "--partially-fulfils"),
            ("reaffirms[1]", "--reaffirms"),
            ("attribution", "--attribution"),
            ("confidence", "--confidence"),
            ("before_opening", "--before-opening"),
            ("payload.parties[2].code", "--party"),
            ("payload.participants[0].office", "--office"),
            ("payload.participants[1].name", "--participant"),
            ("payload.actor.name", "--actor"),
            ("payload.actor.party", "--actor-party"),
            ("payload.principles[0].text", "--principle"),
            ("payload.by", "--by"),
            ("payload.by[1]", "--by"),
            ("payload.score", "--score"),
            ("payload.reporter", "--reporter"),
            ("payload.monitor", "--monitor"),
            ("payload.against", "--against"),
            ("payload.authority", "--authority"),
            ("payload.conditions", "--conditions"),
            ("payload.replacement", "--replacement"),
            ("payload.outstanding", "--outstanding"),
            ("payload.deadline", "--by, --within-days, --within-months or --words"),
            ("payload.deadline.by", "--by"),
            ("payload.deadline.within_days", "--within-days"),
            ("payload.deadline.words", "--words"),
            ("payload.deadline.interpreted", "--interpreted"),
            ("payload.deadline.milestone", "--milestone"),
            ("payload.deadline.of", "--of-commitment"),
            ("payload.deadline.of.commitment", "--of-commitment"),
            ("payload.deadline.of.on", "--of-start"),
            ("payload.deadline.of.instrument", "--of-instrument"),
            ("payload.deadline.of.stage", "--of-stage"),
            ("payload.deadlines[0]", "--begin-by, --begin-within-days, --begin-within-months or --begin-words"),
            (
                "payload.deadlines[0].milestone",
                "--begin-by, --begin-within-days, --begin-within-months or --begin-words",
            ),
            ("payload.deadlines[0].by", "--begin-by"),
            ("payload.deadlines[0].within_months", "--begin-within-months"),
            ("payload.deadlines[0].words", "--begin-words"),
            ("payload.deadlines[0].interpreted", "--begin-interpreted"),
            ("payload.deadlines[0].of.commitment", "--of-commitment"),
            ("payload.deadlines[0].of.on", "--of-start"),
            ("recorded_at", "the recording time"),
        ] {
            assert_eq!(flag_for(field), flag, "{field}");
        }
    }
}
