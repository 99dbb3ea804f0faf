//! An instrument's status: its derived stage (non-monotonic, with its history and
//! evidence), each party's own steps, suspensions in part, its successor and its
//! articles, derived from the stages the [`super::Fold`] accumulated for it, taken in
//! world order. What is accumulated, and when, is the fold's, not this file's.
//!
//! The rules (events/README.md, "Instruments: derived stage"):
//! - `negotiating`, `text_agreed`, `initialled`, `terminated`, `annulled`, `superseded`
//!   set the stage; `signed` does once every party has signed (an event without a party
//!   signs for all).
//! - A ratification step records the party's step (procedure, outcome); the stage is
//!   `rejected` while some party's latest step failed and that party has not ratified
//!   since, `ratified` once every party ratified, else `ratification`.
//! - `in_force` sets the stage (for its party, or for all).
//! - `suspended` (of the whole text) sets `suspended` and remembers the stage before it;
//!   `resumed` returns to that stage. With `scope: text` both leave the stage alone and
//!   the suspension in part is listed.
//! - `withdrawn` (always by one party) sets `withdrawn` once every party but at most one
//!   has withdrawn: for a bilateral text, one withdrawal.

use serde::Serialize;

use super::At;
use super::principle::PrincipleState;
use crate::event::payload::{Article, InstrumentType, Outcome, Procedure, Scope, Stage as Recorded};
use crate::event::{InstrumentId, Party, PrincipleRef};

crate::names::closed_set! {
    /// An instrument's stage as derived from every event on it.
    pub enum InstrumentStage {
        /// Under negotiation.
        Negotiating => "negotiating",
        /// Text agreed.
        TextAgreed => "text_agreed" / "text agreed",
        /// Initialled.
        Initialled => "initialled",
        /// Signed by every party.
        Signed => "signed",
        /// Some party took an approved ratification step.
        Ratification => "ratification",
        /// Some party's latest ratification step failed.
        Rejected => "rejected",
        /// Ratified by every party.
        Ratified => "ratified",
        /// In force.
        InForce => "in_force" / "in force",
        /// Suspended as a whole.
        Suspended => "suspended",
        /// Every party but at most one withdrew.
        Withdrawn => "withdrawn",
        /// Terminated.
        Terminated => "terminated",
        /// Annulled.
        Annulled => "annulled",
        /// Replaced by another text.
        Superseded => "superseded",
    }
}

/// One event on an instrument, as the fold keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct StepAcc {
    /// When, and which event.
    pub at: At,
    /// The stage as recorded.
    pub stage: Recorded,
    /// Whose step it is; none: every party's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party: Option<Party>,
    /// The ratification procedure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procedure: Option<Procedure>,
    /// The ratification step's outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// A suspension or resumption in part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// The successor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<InstrumentId>,
    /// The step's words, else the summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What the fold accumulated for one instrument.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct InstrumentAcc {
    /// The declaring event (the earliest giving a title), its title and type.
    pub declared: Option<(At, String, InstrumentType)>,
    /// Its parties as declared (empty: its tracks' parties).
    #[serde(default)]
    pub parties: Vec<Party>,
    /// The tracks of its events.
    #[serde(default)]
    pub tracks: Vec<crate::event::TrackId>,
    /// Its parent, if declared.
    #[serde(default)]
    pub parent: Option<InstrumentId>,
    /// Principal or side, if declared.
    #[serde(default)]
    pub principal: Option<bool>,
    /// Its articles.
    #[serde(default)]
    pub articles: Vec<Article>,
    /// Every event on it.
    #[serde(default)]
    pub steps: Vec<StepAcc>,
}

/// One party's ratification step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartyStep {
    /// How.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub procedure: Option<Procedure>,
    /// Approved or rejected.
    pub outcome: Outcome,
    /// When, and which event.
    pub at: At,
    /// The step's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One party's status under an instrument.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartyStatus {
    /// The party.
    pub party: Party,
    /// When it signed.
    pub signed: Option<At>,
    /// Its ratification steps, in world order.
    pub steps: Vec<PartyStep>,
    /// When it ratified.
    pub ratified: Option<At>,
    /// When the text entered into force for it.
    pub in_force: Option<At>,
    /// Since when it has suspended the text (none once resumed).
    pub suspended: Option<At>,
    /// When it withdrew.
    pub withdrawn: Option<At>,
}

/// A suspension of part of the text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartSuspension {
    /// When, and which event.
    pub at: At,
    /// By whom; none: every party.
    pub party: Option<Party>,
    /// What was suspended.
    pub note: Option<String>,
    /// When it was resumed, if it was.
    pub resumed: Option<At>,
}

/// One stage the instrument reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct InstrumentMove {
    /// The stage.
    pub stage: InstrumentStage,
    /// When, and the event that moved it there.
    pub at: At,
}

/// An article of an instrument, with its state from the instrument's stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArticleStatus {
    /// `INSTRUMENT#N`.
    pub id: PrincipleRef,
    /// Its text.
    pub text: String,
    /// tabled while negotiating, agreed once the text is agreed or initialled,
    /// codified from signature on.
    pub state: PrincipleState,
}

/// An instrument at the report's date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InstrumentStatus {
    /// Its id.
    pub id: InstrumentId,
    /// Its title.
    pub title: String,
    /// Its type.
    #[serde(rename = "type")]
    pub instrument_type: InstrumentType,
    /// The instrument it is an annex or protocol of.
    pub parent: Option<InstrumentId>,
    /// Principal (moves its track's stage) or a side text.
    pub principal: bool,
    /// Its derived stage (none before any stage event is seen, which cannot happen for
    /// a declared instrument).
    pub stage: InstrumentStage,
    /// When it reached the stage.
    pub stage_since: At,
    /// Every stage it has been at, oldest first.
    pub stage_history: Vec<InstrumentMove>,
    /// Each party's status.
    pub parties: Vec<PartyStatus>,
    /// Suspensions of part of the text.
    pub suspended_in_part: Vec<PartSuspension>,
    /// The text that replaced it.
    pub superseded_by: Option<InstrumentId>,
    /// Its articles.
    pub articles: Vec<ArticleStatus>,
    /// Its tracks.
    pub tracks: Vec<crate::event::TrackId>,
    /// Every event on it, by seq, in world order.
    pub evidence: Vec<u64>,
    /// The stage after each of its events, in world order (what its track follows).
    #[serde(skip)]
    pub after: Vec<(At, InstrumentStage)>,
}

impl InstrumentAcc {
    /// Whether it is principal: as declared, else a treaty, an agreement or a framework
    /// with no parent.
    pub fn principal(&self) -> bool {
        let ty = self.declared.as_ref().map(|d| d.2);
        self.principal.unwrap_or(self.parent.is_none() && ty.is_some_and(InstrumentType::principal_by_default))
    }
}

/// Derives the status of instrument `id` from what was accumulated; `parties` are its
/// parties (declared, else its tracks'). `None` until it is declared.
pub fn instrument(id: &InstrumentId, acc: &InstrumentAcc, parties: &[Party]) -> Option<InstrumentStatus> {
    let (declared, title, ty) = acc.declared.clone()?;
    let mut steps = acc.steps.clone();
    steps.sort_by_key(|s| s.at.key());
    let mut per: Vec<PartyStatus> = parties
        .iter()
        .map(|p| PartyStatus {
            party: p.clone(),
            signed: None,
            steps: Vec::new(),
            ratified: None,
            in_force: None,
            suspended: None,
            withdrawn: None,
        })
        .collect();
    let mut part = Vec::<PartSuspension>::new();
    let mut stage: Option<InstrumentStage> = None;
    let mut since = declared;
    let mut history = Vec::new();
    let mut before_suspension: Option<InstrumentStage> = None;
    let mut superseded_by = None;
    let mut after = Vec::new();
    for s in &steps {
        // The parties a step is of: its party, else every party.
        let of = |p: &PartyStatus| s.party.as_ref().is_none_or(|x| *x == p.party);
        let next = match s.stage {
            Recorded::Negotiating => Some(InstrumentStage::Negotiating),
            Recorded::TextAgreed => Some(InstrumentStage::TextAgreed),
            Recorded::Initialled => Some(InstrumentStage::Initialled),
            Recorded::Signed => {
                per.iter_mut().filter(|p| of(p)).for_each(|p| p.signed = p.signed.or(Some(s.at)));
                per.iter().all(|p| p.signed.is_some()).then_some(InstrumentStage::Signed)
            }
            Recorded::RatificationStep | Recorded::Ratified => {
                let outcome = s.outcome.unwrap_or(Outcome::Approved);
                for p in per.iter_mut().filter(|p| of(p)) {
                    if s.stage == Recorded::Ratified {
                        p.ratified = p.ratified.or(Some(s.at));
                    } else {
                        let note = s.note.clone();
                        p.steps.push(PartyStep { procedure: s.procedure, outcome, at: s.at, note });
                        if outcome == Outcome::Rejected {
                            p.ratified = None;
                        }
                    }
                }
                Some(ratification(&per))
            }
            Recorded::InForce => {
                per.iter_mut().filter(|p| of(p)).for_each(|p| p.in_force = p.in_force.or(Some(s.at)));
                Some(InstrumentStage::InForce)
            }
            Recorded::Suspended if s.scope == Some(Scope::Text) => {
                let (party, note) = (s.party.clone(), s.note.clone());
                part.push(PartSuspension { at: s.at, party, note, resumed: None });
                None
            }
            Recorded::Resumed if s.scope == Some(Scope::Text) => {
                for p in part.iter_mut().filter(|p| p.resumed.is_none() && (s.party.is_none() || p.party == s.party)) {
                    p.resumed = Some(s.at);
                }
                None
            }
            Recorded::Suspended => {
                per.iter_mut().filter(|p| of(p)).for_each(|p| p.suspended = p.suspended.or(Some(s.at)));
                if stage != Some(InstrumentStage::Suspended) {
                    before_suspension = stage;
                }
                Some(InstrumentStage::Suspended)
            }
            Recorded::Resumed => {
                per.iter_mut().filter(|p| of(p)).for_each(|p| p.suspended = None);
                match stage {
                    Some(InstrumentStage::Suspended) if per.iter().all(|p| p.suspended.is_none()) => {
                        Some(before_suspension.take().unwrap_or(InstrumentStage::InForce))
                    }
                    _ => None,
                }
            }
            Recorded::Withdrawn => {
                per.iter_mut().filter(|p| of(p)).for_each(|p| p.withdrawn = p.withdrawn.or(Some(s.at)));
                let staying = per.iter().filter(|p| p.withdrawn.is_none()).count();
                (staying <= 1).then_some(InstrumentStage::Withdrawn)
            }
            Recorded::Terminated => Some(InstrumentStage::Terminated),
            Recorded::Annulled => Some(InstrumentStage::Annulled),
            Recorded::Superseded => {
                superseded_by = s.replacement.clone().or(superseded_by);
                Some(InstrumentStage::Superseded)
            }
        };
        if let Some(next) = next
            && Some(next) != stage
        {
            stage = Some(next);
            since = s.at;
            history.push(InstrumentMove { stage: next, at: s.at });
        }
        // Before its first stage (a suspension in part first), it is being negotiated.
        after.push((s.at, stage.unwrap_or(InstrumentStage::Negotiating)));
    }
    let stage = stage.unwrap_or(InstrumentStage::Negotiating);
    let article_state = article_state(&history);
    let articles = acc
        .articles
        .iter()
        .map(|a| ArticleStatus {
            id: crate::event::article_ref(id, a.number),
            text: a.text.clone(),
            state: article_state,
        })
        .collect();
    Some(InstrumentStatus {
        id: id.clone(),
        title,
        instrument_type: ty,
        parent: acc.parent.clone(),
        principal: acc.principal(),
        stage,
        stage_since: since,
        stage_history: history,
        parties: per,
        suspended_in_part: part,
        superseded_by,
        articles,
        tracks: acc.tracks.clone(),
        evidence: steps.iter().map(|s| s.at.seq).collect(),
        after,
    })
}

/// The stage a ratification event leaves: rejected while some party's latest step
/// failed (and it has not ratified since), ratified once every party ratified, else
/// ratification.
fn ratification(per: &[PartyStatus]) -> InstrumentStage {
    let failed = |p: &PartyStatus| p.ratified.is_none() && p.steps.last().is_some_and(|s| s.outcome == Outcome::Rejected);
    if per.iter().any(failed) {
        InstrumentStage::Rejected
    } else if !per.is_empty() && per.iter().all(|p| p.ratified.is_some()) {
        InstrumentStage::Ratified
    } else {
        InstrumentStage::Ratification
    }
}

/// An article's state: the furthest the text got — tabled while it is only negotiated,
/// agreed once its text was agreed or initialled, codified once it was signed (or went
/// further).
fn article_state(history: &[InstrumentMove]) -> PrincipleState {
    let mut state = PrincipleState::Tabled;
    for m in history {
        match m.stage {
            InstrumentStage::Negotiating => {}
            InstrumentStage::TextAgreed | InstrumentStage::Initialled => {
                if state == PrincipleState::Tabled {
                    state = PrincipleState::Agreed;
                }
            }
            _ => state = PrincipleState::Codified,
        }
    }
    state
}
