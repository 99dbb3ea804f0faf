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

impl InstrumentAcc {
    /// Takes in what one event declared: the earliest event in world order giving
    /// each of title, parties, parent and principal rules it (a correction of the
    /// declaring event is not undone by a later event that repeated what it said
    /// before, whatever order events are pushed in); articles and tracks add up.
    pub fn take(&mut self, gave: Gave) {
        let at = gave.at;
        let earliest = |slot: &mut Option<At>| {
            let first = slot.is_none_or(|x| at.key() < x.key());
            if first {
                *slot = Some(at);
            }
            first
        };
        if let Some((title, ty)) = &gave.declares
            && self.declared.as_ref().is_none_or(|d| at.key() < d.0.key())
        {
            self.declared = Some((at, title.clone(), *ty));
        }
        if !gave.parties.is_empty() && earliest(&mut self.given[0]) {
            self.parties = gave.parties.clone();
        }
        if gave.parent.is_some() && earliest(&mut self.given[1]) {
            self.parent = gave.parent.clone();
        }
        if gave.principal.is_some() && earliest(&mut self.given[2]) {
            self.principal = gave.principal;
        }
        for a in &gave.articles {
            if !self.articles.iter().any(|x| x.number == a.number) {
                self.articles.push(a.clone());
            }
        }
        self.articles.sort_by_key(|a| a.number);
        for t in &gave.tracks {
            if !self.tracks.contains(t) {
                self.tracks.push(t.clone());
            }
        }
        self.tracks.sort();
        self.gave.push(gave);
    }

    /// What was accumulated from the events dated by `day` only (their whole interval
    /// ended by then): what a fold of those events alone holds.
    pub fn until(&self, day: chrono::NaiveDate) -> InstrumentAcc {
        let seen = |at: &At| at.date.last_day() <= day;
        let mut acc = InstrumentAcc {
            steps: self.steps.iter().filter(|s| seen(&s.at)).cloned().collect(),
            ..InstrumentAcc::default()
        };
        for gave in self.gave.iter().filter(|g| seen(&g.at)) {
            acc.take(gave.clone());
        }
        acc
    }

    /// The earliest step that reached `stage` among those `whose` accepts; a failed step
    /// (a referendum that rejected) reaches nothing.
    pub fn reached(&self, stage: Recorded, whose: impl Fn(&StepAcc) -> bool) -> Option<At> {
        self.steps.iter().filter(|s| !s.failed() && s.stage == stage && whose(s)).map(|s| s.at).min_by_key(At::key)
    }
}

impl StepAcc {
    /// A ratification step that failed (a referendum that rejected): it reaches nothing.
    pub fn failed(&self) -> bool {
        self.outcome == Some(Outcome::Rejected)
    }
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
    /// The events that gave parties, parent and principal: the earliest in world order
    /// rules each (a correction of the declaring event is not undone by a later event
    /// that repeated what it said before, whatever order events are pushed in).
    #[serde(default)]
    pub given: [Option<At>; 3],
    /// Its articles.
    #[serde(default)]
    pub articles: Vec<Article>,
    /// Every event on it.
    #[serde(default)]
    pub steps: Vec<StepAcc>,
    /// What each of its events declared, in push order: the fields above but `steps`
    /// are derived from these, so the instrument can be judged as of an earlier day
    /// ([`InstrumentAcc::until`]).
    #[serde(default)]
    pub gave: Vec<Gave>,
}

/// What one event declared about an instrument.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Gave {
    /// The event.
    pub at: At,
    /// Its title and type, when it gives both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declares: Option<(String, InstrumentType)>,
    /// The parties it names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<Party>,
    /// The parent it names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<InstrumentId>,
    /// Principal or side, when it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<bool>,
    /// The articles it gives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub articles: Vec<Article>,
    /// The event's tracks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracks: Vec<crate::event::TrackId>,
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
    /// Each party's stance on it, from that party's own steps.
    pub stances: Vec<ArticleStance>,
    /// The events that address it (`addresses` links), by seq, in world order.
    pub addressed: Vec<u64>,
}

/// One party's stance on an article: `contested` while its latest ratification step
/// failed (and it has not ratified since), `codified` once it signed or ratified, else
/// the article's own state; with the event behind it (none: nothing of its own yet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArticleStance {
    /// The party.
    pub party: Party,
    /// Its stance.
    pub stance: PrincipleState,
    /// The event behind it.
    pub at: Option<At>,
}

/// Each party's stance, the article's state being `state`.
fn stances(per: &[PartyStatus], state: PrincipleState) -> Vec<ArticleStance> {
    per.iter()
        .map(|p| {
            let failed = p.steps.last().filter(|s| s.outcome == Outcome::Rejected && p.ratified.is_none());
            let (stance, at) = match (failed, p.ratified.or(p.signed)) {
                (Some(step), _) => (PrincipleState::Contested, Some(step.at)),
                (None, Some(at)) => (PrincipleState::Codified, Some(at)),
                (None, None) => (state, None),
            };
            ArticleStance { party: p.party.clone(), stance, at }
        })
        .collect()
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
                // A party that approved the text before it was signed (a parliament
                // that voted first) has taken its step: signed, it is in ratification.
                let begun = per.iter().any(|p| !p.steps.is_empty() || p.ratified.is_some());
                let all = staying(&per).all(|p| p.signed.is_some());
                (all && !settled(stage)).then(|| match begun {
                    true => ratification(&per),
                    false => InstrumentStage::Signed,
                })
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
                // A late party's ratification of a text already in force (or ended)
                // is that party's step; the text stays where it is.
                (!settled(stage)).then(|| ratification(&per))
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
            stances: stances(&per, article_state),
            addressed: Vec::new(),
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

/// The parties that have not withdrawn: "every party" of a text's signature and
/// ratification means these.
fn staying(per: &[PartyStatus]) -> impl Iterator<Item = &PartyStatus> {
    per.iter().filter(|p| p.withdrawn.is_none())
}

/// True once a text is in force or past it (suspended, withdrawn, terminated,
/// annulled, superseded): a party's late signature or ratification no longer moves it.
fn settled(stage: Option<InstrumentStage>) -> bool {
    use InstrumentStage as S;
    matches!(stage, Some(S::InForce | S::Suspended | S::Withdrawn | S::Terminated | S::Annulled | S::Superseded))
}

/// The stage a ratification event leaves: rejected while some party's latest step
/// failed (and it has not ratified since), ratified once every party ratified, else
/// ratification.
fn ratification(per: &[PartyStatus]) -> InstrumentStage {
    let failed =
        |p: &PartyStatus| p.ratified.is_none() && p.steps.last().is_some_and(|s| s.outcome == Outcome::Rejected);
    if staying(per).any(failed) {
        InstrumentStage::Rejected
    } else if staying(per).next().is_some() && staying(per).all(|p| p.ratified.is_some()) {
        InstrumentStage::Ratified
    } else {
        InstrumentStage::Ratification
    }
}

/// An article's state: the furthest the text got — tabled while it is only negotiated,
/// agreed once its text was agreed or initialled, codified once it was signed (or went
/// further).
pub(super) fn article_state(history: &[InstrumentMove]) -> PrincipleState {
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

#[cfg(test)]
mod tests {
    //! Given instrument events on track `x-y` (parties `x`, `y`), when judged at a date,
    //! then a stage — each test names its rule.

    use super::super::Stage as TrackStage;
    use super::super::tests::{ev, track};
    use super::*;

    /// An instrument stage event: `fields` is the rest of the payload.
    fn at(date: &str, id: &str, stage: &str, fields: &str) -> String {
        ev("instrument_stage_reached", date, &format!(r#"{{"instrument":"{id}","stage":"{stage}"{fields}}}"#), "")
    }

    fn declared(date: &str, id: &str, ty: &str, stage: &str, fields: &str) -> String {
        at(date, id, stage, &format!(r#","title":"{id}","type":"{ty}"{fields}"#))
    }

    fn of<'a>(t: &'a super::super::TrackStatus, id: &str) -> &'a InstrumentStatus {
        t.instruments.iter().find(|i| i.id.as_str() == id).expect("instrument on the track")
    }

    #[test]
    fn a_side_text_never_overrides_the_principal() {
        let given = [
            declared("2022-02-01", "t", "treaty", "signed", ""),
            declared("2022-03-01", "p", "protocol", "in_force", r#","parent":"t""#),
            at("2022-04-01", "p", "suspended", ""),
        ];
        let t = track(&given, "2022-05-01");
        assert_eq!((t.stage, t.stage_since.seq), (TrackStage::Signed, 2));
        assert!(of(&t, "t").principal && !of(&t, "p").principal);
        assert_eq!(of(&t, "p").stage, InstrumentStage::Suspended);
        assert_eq!(t.instruments[0].id.as_str(), "t", "the principal instrument first");
    }

    #[test]
    fn a_suspended_side_text_leaves_the_tracks_stage() {
        let given = [
            declared("2022-02-01", "t", "treaty", "in_force", ""),
            declared("2022-03-01", "m", "memorandum", "signed", ""),
            at("2022-04-01", "m", "suspended", ""),
        ];
        assert_eq!(track(&given, "2022-05-01").stage, TrackStage::InForce);
    }

    #[test]
    fn a_protocol_alone_makes_the_track_at_least_negotiation() {
        let t = track(&[declared("2022-02-01", "p", "protocol", "signed", "")], "2022-05-01");
        assert_eq!((t.stage, t.stage_since.seq), (TrackStage::Negotiation, 2));
        assert_eq!(of(&t, "p").stage, InstrumentStage::Signed);
    }

    #[test]
    fn a_failed_referendum_is_rejected_until_a_later_approval() {
        let step = |date: &str, party: &str, procedure: &str, outcome: &str| {
            at(
                date,
                "t",
                "ratification_step",
                &format!(r#","party":"{party}","procedure":"{procedure}","outcome":"{outcome}""#),
            )
        };
        let mut given = vec![
            declared("2022-02-01", "t", "treaty", "signed", ""),
            step("2022-03-01", "x", "parliament", "approved"),
            step("2022-04-01", "y", "referendum", "rejected"),
        ];
        let t = track(&given, "2022-05-01");
        assert_eq!((of(&t, "t").stage, t.stage), (InstrumentStage::Rejected, TrackStage::Rejected));
        given.push(step("2022-09-01", "y", "parliament", "approved"));
        let t = track(&given, "2022-10-01");
        let i = of(&t, "t");
        assert_eq!((i.stage, t.stage), (InstrumentStage::Ratification, TrackStage::Ratification));
        let y = &i.parties[1];
        let outcomes: Vec<Outcome> = y.steps.iter().map(|s| s.outcome).collect();
        assert_eq!(outcomes, [Outcome::Rejected, Outcome::Approved], "the history is kept");
        let stages: Vec<InstrumentStage> = i.stage_history.iter().map(|m| m.stage).collect();
        assert_eq!(
            stages,
            [
                InstrumentStage::Signed,
                InstrumentStage::Ratification,
                InstrumentStage::Rejected,
                InstrumentStage::Ratification
            ]
        );
    }

    #[test]
    fn ratified_by_every_party_is_ratified() {
        let given =
            [declared("2022-02-01", "t", "treaty", "signed", ""), at("2022-03-01", "t", "ratified", r#","party":"x""#)];
        let t = track(&given, "2022-05-01");
        assert_eq!((of(&t, "t").stage, t.stage), (InstrumentStage::Ratification, TrackStage::Ratification));
        let mut all = given.to_vec();
        all.push(at("2022-04-01", "t", "ratified", r#","party":"y""#));
        let t = track(&all, "2022-05-01");
        assert_eq!((of(&t, "t").stage, t.stage), (InstrumentStage::Ratified, TrackStage::Ratified));
    }

    #[test]
    fn one_withdrawal_ends_a_bilateral_text_but_not_a_multilateral_one() {
        let bilateral = [
            declared("2022-02-01", "t", "treaty", "in_force", ""),
            at("2022-03-01", "t", "withdrawn", r#","party":"x""#),
        ];
        let t = track(&bilateral, "2022-05-01");
        assert_eq!((of(&t, "t").stage, t.stage), (InstrumentStage::Withdrawn, TrackStage::Withdrawn));
        let multilateral = [
            declared("2022-02-01", "t", "treaty", "in_force", r#","parties":["x","y","z"]"#),
            at("2022-03-01", "t", "withdrawn", r#","party":"x""#),
        ];
        let t = track(&multilateral, "2022-05-01");
        let i = of(&t, "t");
        assert_eq!((i.stage, t.stage), (InstrumentStage::InForce, TrackStage::InForce));
        assert!(i.parties[0].withdrawn.is_some() && i.parties[1].withdrawn.is_none());
    }

    #[test]
    fn superseded_hands_the_track_to_its_successor() {
        let given = [
            declared("2022-02-01", "a", "treaty", "signed", ""),
            declared("2022-06-01", "b", "treaty", "text_agreed", ""),
            at("2022-07-01", "a", "superseded", r#","replacement":"b""#),
        ];
        let t = track(&given, "2022-08-01");
        let a = of(&t, "a");
        assert_eq!((a.stage, a.superseded_by.as_ref().map(|b| b.as_str())), (InstrumentStage::Superseded, Some("b")));
        assert_eq!((t.stage, t.stage_since.seq), (TrackStage::TextAgreed, 3), "the successor rules");
    }

    #[test]
    fn resumed_returns_to_the_stage_before_the_suspension() {
        let given = [
            declared("2022-02-01", "t", "treaty", "in_force", ""),
            at("2022-03-01", "t", "suspended", ""),
            at("2022-04-01", "t", "resumed", ""),
        ];
        let t = track(&given[..2], "2022-05-01");
        assert_eq!(t.stage, TrackStage::Suspended);
        let t = track(&given, "2022-05-01");
        assert_eq!((of(&t, "t").stage, t.stage, t.stage_since.seq), (InstrumentStage::InForce, TrackStage::InForce, 4));
    }

    #[test]
    fn a_suspension_in_part_leaves_the_stage_and_is_listed() {
        let given = [
            declared("2022-02-01", "t", "treaty", "in_force", ""),
            at("2022-03-01", "t", "suspended", r#","scope":"text","summary":"Article 4""#),
        ];
        let t = track(&given, "2022-05-01");
        let i = of(&t, "t");
        assert_eq!((i.stage, i.suspended_in_part.len()), (InstrumentStage::InForce, 1));
        assert_eq!(t.stage, TrackStage::InForce);
    }

    #[test]
    fn articles_are_tabled_then_agreed_then_codified() {
        let articles = r#","articles":[{"number":1,"text":"Peace"},{"number":2,"text":"Borders"}]"#;
        let mut given = vec![declared("2022-02-01", "t", "treaty", "negotiating", articles)];
        let state = |given: &[String]| of(&track(given, "2022-12-01"), "t").articles[0].state;
        assert_eq!(state(&given), PrincipleState::Tabled);
        given.push(at("2022-03-01", "t", "text_agreed", ""));
        assert_eq!(state(&given), PrincipleState::Agreed);
        given.push(at("2022-04-01", "t", "signed", ""));
        assert_eq!(state(&given), PrincipleState::Codified);
        given.push(at("2022-05-01", "t", "ratification_step", r#","party":"y","outcome":"rejected""#));
        let t = track(&given, "2022-12-01");
        let stances: Vec<PrincipleState> = of(&t, "t").articles[0].stances.iter().map(|s| s.stance).collect();
        assert_eq!(stances, [PrincipleState::Codified, PrincipleState::Contested], "each party's own steps");
        assert_eq!(of(&track(&given, "2022-12-01"), "t").articles[1].id.to_string(), "t#2");
    }

    #[test]
    fn a_treaty_declared_a_side_text_does_not_move_the_track() {
        let given = [declared("2022-02-01", "t", "treaty", "in_force", r#","principal":false"#)];
        let t = track(&given, "2022-05-01");
        assert_eq!(t.stage, TrackStage::Negotiation);
        assert!(!of(&t, "t").principal);
        let given = [declared("2022-02-01", "a", "agreement", "signed", "")];
        assert_eq!(track(&given, "2022-05-01").stage, TrackStage::Signed, "an agreement is principal by default");
    }

    #[test]
    fn a_text_approved_before_it_was_signed_is_in_ratification_once_signed() {
        let given = [
            declared("2022-01-10", "t", "treaty", "text_agreed", ""),
            at("2022-02-01", "t", "ratification_step", r#","party":"x","procedure":"parliament""#),
            at("2022-03-01", "t", "signed", ""),
        ];
        let t = track(&given, "2022-04-01");
        let i = of(&t, "t");
        assert_eq!(i.stage, InstrumentStage::Ratification, "x's parliament had approved: signing does not undo it");
        let stages: Vec<InstrumentStage> = i.stage_history.iter().map(|m| m.stage).collect();
        assert_eq!(stages, [InstrumentStage::TextAgreed, InstrumentStage::Ratification]);
    }
    #[test]
    fn a_ratification_before_the_other_party_signs_is_not_undone_by_that_signature() {
        let given = [
            declared("2022-02-01", "t", "treaty", "text_agreed", ""),
            at("2022-03-01", "t", "signed", r#","party":"x""#),
            at("2022-04-01", "t", "ratified", r#","party":"x""#),
            at("2022-05-01", "t", "signed", r#","party":"y""#),
        ];
        let t = track(&given, "2022-06-01");
        // x has ratified: once y signs the text is under ratification, not back at "signed".
        assert_eq!(of(&t, "t").stage, InstrumentStage::Ratification, "{:?}", of(&t, "t").stage_history);
    }

    #[test]
    fn a_party_that_withdrew_does_not_block_ratified_by_every_remaining_party() {
        let given = [
            declared("2022-02-01", "t", "treaty", "signed", r#","parties":["x","y","z"]"#),
            at("2022-03-01", "t", "withdrawn", r#","party":"z""#),
            at("2022-04-01", "t", "ratified", r#","party":"x""#),
            at("2022-05-01", "t", "ratified", r#","party":"y""#),
        ];
        let t = track(&given, "2022-06-01");
        assert_eq!(of(&t, "t").stage, InstrumentStage::Ratified, "{:?}", of(&t, "t").stage_history);
    }

    #[test]
    fn a_late_ratification_or_signature_does_not_move_a_text_in_force_back() {
        let mut given = vec![
            declared("2022-02-01", "t", "treaty", "signed", r#","parties":["x","y","z"]"#),
            at("2022-03-01", "t", "ratified", r#","party":"x""#),
            at("2022-04-01", "t", "ratified", r#","party":"y""#),
            at("2022-05-01", "t", "in_force", ""),
        ];
        assert_eq!(of(&track(&given, "2022-12-01"), "t").stage, InstrumentStage::InForce);
        // z ratifies after entry into force (a late party: common for multilateral texts).
        given.push(at("2022-09-01", "t", "ratified", r#","party":"z""#));
        let t = track(&given, "2022-12-01");
        assert_eq!((of(&t, "t").stage, t.stage), (InstrumentStage::InForce, TrackStage::InForce));
    }
}
