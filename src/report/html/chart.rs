//! The brief's charts, drawn as inline SVG with maud: a time axis, the timeline
//! (stage bands and events by kind), the deadline chart and state over time.
//!
//! A small module of our own rather than a plotting crate: every mark here needs a
//! `<title>` (its hover text, and what a screen reader says), a class and `data-`
//! attributes a browser test counts and CSS colours, a link to its evidence, and fills
//! by `<pattern>` (overdue is cross-hatched, suspended hatched: never colour alone).
//! plotters' SVG backend draws anonymous paths and text with no per-mark title, class
//! or link, and brings font machinery a page without fonts does not need.
//!
//! Coordinates are in a 1000-unit-wide view box that scales to the page; numbers are
//! written with one decimal, so the same status always draws the same bytes.

use chrono::NaiveDate;
use maud::{Markup, html};

use super::{Anchors, commitment_counts, principle_counts, shown};
use crate::event::{Kind, Record};
use crate::names::Named;
use crate::projection::status::{CommitmentState, CommitmentStatus, Schedule, TrackStatus};

/// The view box's width.
const WIDTH: f64 = 1000.0;
/// Where the plot starts: room for the labels of lanes and rows on its left.
const LEFT: f64 = 150.0;
/// Where the plot ends.
const RIGHT: f64 = 985.0;

crate::names::closed_set! {
    /// The lane of the timeline an event is drawn in, by its kind.
    pub enum Lane {
        /// Meetings and sessions of commissions.
        Meeting => "meeting" / "meetings",
        /// Statements.
        Statement => "statement" / "statements",
        /// Proposals tabled and answered.
        Proposal => "proposal" / "proposals",
        /// Commitments made and every act on them.
        Commitment => "commitment" / "commitments",
        /// Instrument steps and implementation.
        Instrument => "instrument" / "instrument steps",
        /// Rulings of courts and decisions of bodies.
        Ruling => "ruling" / "rulings",
        /// Everything else: the opening, envoys, parties joining, conditions, context.
        Other => "other" / "other events",
    }
}

impl Lane {
    fn of(kind: Kind) -> Lane {
        match kind {
            Kind::MeetingHeld | Kind::CommissionConvened => Lane::Meeting,
            Kind::StatementMade => Lane::Statement,
            Kind::ProposalTabled | Kind::ProposalAnswered => Lane::Proposal,
            Kind::CommitmentMade
            | Kind::CommitmentProgressed
            | Kind::CommitmentFulfilled
            | Kind::DeadlineAmended
            | Kind::CommitmentWithdrawn
            | Kind::CommitmentPartiallyFulfilled
            | Kind::CommitmentReaffirmed
            | Kind::CommitmentReportedUnmet
            | Kind::CommitmentSuspended
            | Kind::CommitmentResumed
            | Kind::CommitmentSuperseded => Lane::Commitment,
            Kind::InstrumentStageReached | Kind::ImplementationStep => Lane::Instrument,
            Kind::RulingIssued | Kind::DecisionAdopted => Lane::Ruling,
            Kind::TrackOpened
            | Kind::EnvoyAppointed
            | Kind::CommissionEstablished
            | Kind::ContextNoted
            | Kind::EventCorrected
            | Kind::EventRetracted
            | Kind::EventDisputed
            | Kind::EventCorroborated
            | Kind::ConditionSet
            | Kind::ConditionResolved
            | Kind::PartyJoined => Lane::Other,
        }
    }
}

/// The day a track opened: the start of its first stage.
pub(super) fn opening(t: &TrackStatus) -> NaiveDate {
    t.stage_history.first().map_or(t.stage_since, |m| m.at).date.first_day()
}

/// The width of the gutter left of a timeline's axis where events dated before the
/// track opened are drawn (an old treaty recalled would otherwise stretch the axis over
/// decades and crowd everything else into its last sliver).
const GUTTER: f64 = 44.0;

/// Days mapped onto the plot's width.
struct Scale {
    start: NaiveDate,
    end: NaiveDate,
    /// Where the axis starts: [`LEFT`], or after the gutter.
    left: f64,
}

impl Scale {
    /// A scale from `start` to `end`, at least a month wide.
    fn new(start: NaiveDate, end: NaiveDate) -> Scale {
        let end = end.max(start + chrono::Days::new(30));
        Scale { start, end, left: LEFT }
    }

    /// The same, after a gutter for what came before `start`.
    fn with_gutter(start: NaiveDate, end: NaiveDate) -> Scale {
        Scale { left: LEFT + GUTTER, ..Scale::new(start, end) }
    }

    /// Where the gutter's marks stand.
    fn gutter_x(&self) -> f64 {
        LEFT + GUTTER / 2.0 - 4.0
    }

    fn x(&self, day: NaiveDate) -> f64 {
        let span = (self.end - self.start).num_days().max(1) as f64;
        let at = (day - self.start).num_days() as f64;
        self.left + (RIGHT - self.left) * (at / span).clamp(0.0, 1.0)
    }

    /// The x of the day after `day`: where an interval ending on `day` ends.
    fn x_end(&self, day: NaiveDate) -> f64 {
        self.x(day.succ_opt().unwrap_or(day))
    }

    /// Ticks on the axis: every year (or every 2, 5, 10… years, at most a dozen), or
    /// every quarter for a span under three years; each with its label.
    fn ticks(&self) -> Vec<(NaiveDate, String)> {
        use chrono::Datelike;
        let (first, last) = (self.start.year(), self.end.year());
        let years = last - first;
        if years < 3 {
            let mut out = Vec::new();
            for y in first..=last {
                for m in [1, 4, 7, 10] {
                    let Some(d) = NaiveDate::from_ymd_opt(y, m, 1) else { continue };
                    if d >= self.start && d <= self.end {
                        out.push((d, format!("{y:04}-{m:02}")));
                    }
                }
            }
            return out;
        }
        let step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].into_iter().find(|s| years / s <= 12).unwrap_or(2000);
        (first..=last)
            .filter(|y| y % step == 0)
            .filter_map(|y| NaiveDate::from_ymd_opt(y, 1, 1).map(|d| (d, format!("{y:04}"))))
            .filter(|(d, _)| *d >= self.start && *d <= self.end)
            .collect()
    }

    /// The axis at height `y`, with its ticks drawn up to `top`, and the as-of line.
    fn axis(&self, top: f64, y: f64, as_of: NaiveDate) -> Markup {
        html! {
            g.axis {
                line x1=(n(self.left)) x2=(n(RIGHT)) y1=(n(y)) y2=(n(y)) {}
                @if self.left > LEFT {
                    line.gutter x1=(n(self.left - 4.0)) x2=(n(self.left - 4.0)) y1=(n(top)) y2=(n(y + 4.0)) {}
                    text.tick x=(n(self.gutter_x())) y=(n(y + 16.0)) { "earlier" }
                }
                @for (day, label) in self.ticks() {
                    line.grid x1=(n(self.x(day))) x2=(n(self.x(day))) y1=(n(top)) y2=(n(y + 4.0)) {}
                    text.tick x=(n(self.x(day))) y=(n(y + 16.0)) { (label) }
                }
                line.as-of x1=(n(self.x(as_of))) x2=(n(self.x(as_of))) y1=(n(top)) y2=(n(y)) {
                    title { "as of " (as_of.to_string()) }
                }
            }
        }
    }
}

/// A coordinate as written: one decimal.
fn n(x: f64) -> String {
    format!("{x:.1}")
}

/// The patterns fills refer to, once per page: overdue cross-hatched, suspended hatched.
pub(super) fn defs() -> Markup {
    html! {
        svg.defs width="0" height="0" aria-hidden="true" {
            defs {
                pattern #pat-overdue patternUnits="userSpaceOnUse" width="6" height="6" {
                    rect width="6" height="6" fill="#c62828" {}
                    path d="M0,0 L6,6 M6,0 L0,6" stroke="#fff" stroke-width="1.2" {}
                }
                pattern #pat-suspended patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)" {
                    rect width="6" height="6" fill="#fdd49e" {}
                    line x1="0" y1="0" x2="0" y2="6" stroke="#8c510a" stroke-width="2" {}
                }
            }
        }
    }
}

/// The timeline of track `t`: a band per stage it was at, and each of its `events` as
/// a mark in its kind's lane — a dot for a day, a bar for a month, a year or a range —
/// titled with its date, the event in words and its sources, linked to its evidence.
pub(super) fn timeline(t: &TrackStatus, events: &[&Record], as_of: NaiveDate, anchors: &Anchors) -> Markup {
    // The axis starts when the track opened; anything dated before is in the gutter.
    let start = opening(t);
    let scale = match events.iter().any(|r| r.event.facts.occurred.first_day() < start) {
        true => Scale::with_gutter(start, as_of),
        false => Scale::new(start, as_of),
    };
    let (band_top, band_h, lane_top, lane_h) = (8.0, 20.0, 36.0, 20.0);
    let lanes = Lane::ALL;
    let axis_y = lane_top + lane_h * lanes.len() as f64 + 4.0;
    let height = axis_y + 24.0;
    let stages = &t.stage_history;
    html! {
        figure.chart {
            svg.timeline viewBox=(format!("0 0 {WIDTH} {height}")) role="img" aria-label=(format!("Timeline of {}", t.id)) {
                text.lane-label x=(n(LEFT - 8.0)) y=(n(band_top + 14.0)) { "stage" }
                @for (i, m) in stages.iter().enumerate() {
                    @let from = m.at.date.first_day();
                    @let to = stages.get(i + 1).map_or(as_of, |next| next.at.date.first_day());
                    @let (x1, x2) = (scale.x(from), scale.x(to).max(scale.x(from) + 1.0));
                    g.stage-band data-stage=(m.stage.name()) {
                        title { (m.stage.words()) " from " (m.at.date.to_string()) " (seq " (m.at.seq) ")" }
                        rect class=(format!("band s-{}", m.stage.name())) x=(n(x1)) y=(n(band_top)) width=(n(x2 - x1)) height=(n(band_h)) {}
                        @if x2 - x1 > 8.0 * m.stage.words().len() as f64 {
                            text.band-label x=(n(x1 + 4.0)) y=(n(band_top + 14.0)) { (m.stage.words()) }
                        }
                    }
                }
                @for (k, lane) in lanes.iter().enumerate() {
                    @let y = lane_top + lane_h * k as f64;
                    rect.lane x=(n(LEFT)) y=(n(y)) width=(n(RIGHT - LEFT)) height=(n(lane_h)) {}
                    text.lane-label x=(n(LEFT - 8.0)) y=(n(y + 14.0)) { (lane.words()) }
                }
                (scale.axis(band_top, axis_y, as_of))
                @for r in events {
                    (mark(r, &scale, lane_top, lane_h, anchors))
                }
            }
        }
        (legend(&[("k-meeting", "meeting"), ("k-statement", "statement"), ("k-proposal", "proposal"),
                  ("k-commitment", "commitment"), ("k-instrument", "instrument step"),
                  ("k-ruling", "ruling or decision"), ("k-other", "other")],
                "a dot is a day; a bar, a month, a year or a range; what came before the opening stands left of the axis, its date in its title"))
    }
}

/// One event on the timeline.
fn mark(r: &Record, scale: &Scale, lane_top: f64, lane_h: f64, anchors: &Anchors) -> Markup {
    let f = &r.event.facts;
    let lane = Lane::of(f.kind());
    let k = Lane::ALL.iter().position(|l| *l == lane).unwrap_or(0);
    let cy = lane_top + lane_h * k as f64 + lane_h / 2.0;
    let (first, last) = (f.occurred.first_day(), f.occurred.last_day());
    let class = format!("tl-mark k-{}", lane.name());
    let early = first < scale.start;
    html! {
        a href=(anchors.of(r.seq)) {
            @if early {
                circle class=(format!("{class} early")) data-seq=(r.seq) data-kind=(f.kind().name()) cx=(n(scale.gutter_x())) cy=(n(cy)) r="4.5" {
                    title { (mark_title(r)) }
                }
            } @else if first == last {
                circle class=(class) data-seq=(r.seq) data-kind=(f.kind().name()) cx=(n(scale.x(first))) cy=(n(cy)) r="4.5" {
                    title { (mark_title(r)) }
                }
            } @else {
                @let (x1, x2) = (scale.x(first), scale.x_end(last));
                rect class=(format!("{class} span")) data-seq=(r.seq) data-kind=(f.kind().name())
                    x=(n(x1)) y=(n(cy - 4.5)) width=(n((x2 - x1).max(4.0))) height="9" rx="2" {
                    title { (mark_title(r)) }
                }
            }
        }
    }
}

/// A mark's hover text: date (at its precision), kind, the event in words, sources.
fn mark_title(r: &Record) -> String {
    let f = &r.event.facts;
    let mut lines = vec![format!("{} · {} · seq {}", f.occurred, f.kind().name(), r.seq)];
    lines.push(shown(&crate::render::headline(&r.event)).into_owned());
    if f.unsourced {
        lines.push("unsourced".to_owned());
    }
    for s in &f.sources {
        lines.push(format!("source: {}", shown(&super::super::source_line(s))));
    }
    lines.join("\n")
}

/// A commitment's bar ends at its due day; without one, at its fulfilment or the as-of.
fn bar_end(c: &CommitmentStatus, as_of: NaiveDate) -> NaiveDate {
    c.due.or_else(|| c.fulfilled.map(|f| f.date.last_day())).unwrap_or(as_of)
}

/// The deadline chart of track `t`: each commitment a bar from made to due, its
/// milestones marked, its fulfilment marked on time or late; overdue in red and
/// cross-hatched to the as-of, suspended hatched, stalled faded, no deadline outlined.
pub(super) fn deadlines(t: &TrackStatus, as_of: NaiveDate) -> Markup {
    if t.commitments.is_empty() {
        return html! { p { "No commitment on this track." } };
    }
    let start = t.commitments.iter().map(|c| c.made.first_day()).min().unwrap_or(as_of);
    let end = t
        .commitments
        .iter()
        .flat_map(|c| [Some(bar_end(c, as_of)), c.fulfilled.map(|f| f.date.last_day())])
        .flatten()
        .chain(t.commitments.iter().flat_map(|c| c.deadlines.iter().filter_map(|d| d.due)))
        .chain([as_of])
        .max()
        .unwrap_or(as_of);
    let scale = Scale::new(start, end);
    let (top, row_h) = (8.0, 22.0);
    let axis_y = top + row_h * t.commitments.len() as f64 + 4.0;
    let height = axis_y + 24.0;
    html! {
        figure.chart {
            svg.deadlines viewBox=(format!("0 0 {WIDTH} {height}")) role="img" aria-label=(format!("Deadlines of {}", t.id)) {
                (scale.axis(top, axis_y, as_of))
                @for (i, c) in t.commitments.iter().enumerate() {
                    (deadline_row(c, &scale, top + row_h * i as f64, row_h, as_of))
                }
            }
        }
        (legend(&[("bar c-open", "open or due"), ("bar c-in_progress", "in progress"), ("bar c-fulfilled", "fulfilled"),
                  ("bar c-overdue", "overdue (cross-hatched)"), ("bar c-suspended", "suspended (hatched)"),
                  ("bar c-open stalled", "stalled (faded)"), ("bar no-deadline", "no deadline"),
                  ("fulfil on-time", "fulfilled on time (dot)"), ("fulfil late", "fulfilled late (square)"),
                  ("milestone rules", "deadline (diamond)")],
                "bars run from the day it was made to the day it is due"))
    }
}

fn deadline_row(c: &CommitmentStatus, scale: &Scale, y: f64, row_h: f64, as_of: NaiveDate) -> Markup {
    let made = c.made.first_day();
    let end = bar_end(c, as_of);
    let (x1, x2) = (scale.x(made), scale.x_end(end).max(scale.x(made) + 2.0));
    let mut class = format!("bar c-{}", c.state.name());
    if c.due.is_none() {
        class.push_str(" no-deadline");
    }
    if c.activity == crate::projection::status::Activity::Stalled {
        class.push_str(" stalled");
    }
    let cy = y + row_h / 2.0;
    let late = c.state == CommitmentState::FulfilledLate || c.schedule == Schedule::MetLate;
    html! {
        g.deadline-row data-commitment=(c.id.as_str()) data-state=(c.state.name()) {
            title {
                (c.id.as_str()) ": " (c.state.words()) " · progress " (c.progress.words()) " · schedule "
                (c.schedule.words()) " · activity " (c.activity.words()) "\nmade " (c.made.to_string())
                @if let Some(due) = c.due { " · due " (due.to_string()) }
                "\n" (shown(&c.text))
            }
            text.row-label x=(n(LEFT - 8.0)) y=(n(cy + 4.0)) { (crate::text::cut(c.id.as_str(), 22)) }
            rect class=(class) x=(n(x1)) y=(n(cy - 6.0)) width=(n(x2 - x1)) height="12" rx="2" {}
            @if let Some(due) = c.due.filter(|_| c.state == CommitmentState::Overdue) {
                rect.bar.c-overdue.overdue-tail x=(n(scale.x_end(due))) y=(n(cy - 6.0))
                    width=(n((scale.x_end(as_of) - scale.x_end(due)).max(1.0))) height="12" {
                    title { "overdue since " (due.to_string()) }
                }
            }
            @for d in c.deadlines.iter().filter(|d| d.due.is_some()) {
                @let due = d.due.unwrap_or(as_of);
                @let x = scale.x_end(due);
                polygon class=(if d.rules { "milestone rules" } else { "milestone old" })
                    points=(format!("{},{} {},{} {},{} {},{}", n(x), n(cy - 8.0), n(x + 5.0), n(cy), n(x), n(cy + 8.0), n(x - 5.0), n(cy))) {
                    title {
                        (d.milestone.name()) " by " (due.to_string()) ", set at seq " (d.seq)
                        @if !d.rules { " (since replaced)" }
                    }
                }
            }
            @if let Some(f) = c.fulfilled {
                @let x = scale.x(f.date.first_day());
                @if late {
                    rect.fulfil.late x=(n(x - 4.5)) y=(n(cy - 4.5)) width="9" height="9" {
                        title { "fulfilled " (f.date.to_string()) " (seq " (f.seq) "), late" }
                    }
                } @else {
                    circle.fulfil.on-time cx=(n(x)) cy=(n(cy)) r="4.5" {
                        title { "fulfilled " (f.date.to_string()) " (seq " (f.seq) ")" }
                    }
                }
            }
        }
    }
}

/// State over time on track `t`, from `series` (every track's status at each sampled
/// day): its commitments by headline state, then its principles by state, as stacked
/// bars, one per day from its opening.
pub(super) fn over_time(t: &TrackStatus, series: &[(NaiveDate, Vec<TrackStatus>)]) -> Markup {
    let days: Vec<(NaiveDate, &TrackStatus)> =
        series.iter().filter_map(|(day, tracks)| tracks.iter().find(|x| x.id == t.id).map(|x| (*day, x))).collect();
    let commitments: Vec<Column> = days
        .iter()
        .map(|(d, x)| {
            (*d, commitment_counts(x).into_iter().map(|(s, k)| (format!("c-{}", s.name()), s.words(), k)).collect())
        })
        .collect();
    let principles: Vec<Column> = days
        .iter()
        .map(|(d, x)| {
            (*d, principle_counts(x).into_iter().map(|(s, k)| (format!("p-{}", s.name()), s.words(), k)).collect())
        })
        .collect();
    let used = |list: &[Column]| {
        let mut names: Vec<String> = list.iter().flat_map(|(_, c)| c.iter().map(|(s, _, _)| s.clone())).collect();
        names.sort();
        names.dedup();
        names
    };
    let c_used = used(&commitments);
    let p_used = used(&principles);
    let c_legend: Vec<(String, &str)> = CommitmentState::ALL
        .iter()
        .filter(|s| c_used.contains(&format!("c-{}", s.name())))
        .map(|s| (format!("ot-seg c-{}", s.name()), s.words()))
        .collect();
    let p_legend: Vec<(String, &str)> = crate::projection::status::PrincipleState::ALL
        .iter()
        .filter(|s| p_used.contains(&format!("p-{}", s.name())))
        .map(|s| (format!("ot-seg p-{}", s.name()), s.words()))
        .collect();
    html! {
        h4 { "Commitments by state, month by month" }
        @if c_used.is_empty() {
            p { "No commitment in this period." }
        } @else {
            (stacked(&commitments, "commitments"))
            (legend(&c_legend.iter().map(|(c, w)| (c.as_str(), *w)).collect::<Vec<_>>(), "one bar per month's end, and the as-of"))
        }
        h4 { "Principles by state, month by month" }
        @if p_used.is_empty() {
            p { "No principle in this period." }
        } @else {
            (stacked(&principles, "principles"))
            (legend(&p_legend.iter().map(|(c, w)| (c.as_str(), *w)).collect::<Vec<_>>(), "one bar per month's end, and the as-of"))
        }
    }
}

/// One column of a stacked chart: its day, and each segment's class, words and count.
type Column = (NaiveDate, Vec<(String, &'static str, usize)>);

/// Stacked bars: one column per day, a segment per class with its count.
fn stacked(columns: &[Column], what: &str) -> Markup {
    let (top, plot_h) = (8.0, 110.0);
    let max = columns.iter().map(|(_, c)| c.iter().map(|(_, _, k)| k).sum::<usize>()).max().unwrap_or(0).max(1);
    let step = (RIGHT - LEFT) / columns.len().max(1) as f64;
    let bar_w = (step * 0.8).max(0.6);
    let axis_y = top + plot_h;
    let height = axis_y + 24.0;
    let unit = plot_h / max as f64;
    let x_of = |i: usize| LEFT + step * i as f64 + (step - bar_w) / 2.0;
    // A label at each January (every few Januarys over a long span), and at the first
    // column when no January comes soon after it.
    let years: Vec<(usize, String)> = {
        use chrono::Datelike;
        let januarys: Vec<usize> = (0..columns.len()).filter(|i| columns[*i].0.month() == 1).collect();
        let every = januarys.len().div_ceil(12).max(1);
        let mut out: Vec<(usize, String)> = januarys
            .iter()
            .enumerate()
            .filter(|(k, _)| k % every == 0)
            .map(|(_, i)| (*i, format!("{:04}", columns[*i].0.year())))
            .collect();
        if let Some((day, _)) = columns.first()
            && out.first().is_none_or(|(i, _)| *i as f64 * step > 40.0)
        {
            out.insert(0, (0, format!("{:04}", day.year())));
        }
        out
    };
    html! {
        figure.chart {
            svg.over-time data-what=(what) viewBox=(format!("0 0 {WIDTH} {height}")) role="img" aria-label=(format!("{what} by state over time")) {
                line.axis-line x1=(n(LEFT)) x2=(n(RIGHT)) y1=(n(axis_y)) y2=(n(axis_y)) {}
                text.tick x=(n(LEFT - 8.0)) y=(n(top + 8.0)) text-anchor="end" { (max) }
                text.tick x=(n(LEFT - 8.0)) y=(n(axis_y)) text-anchor="end" { "0" }
                @for (i, label) in &years {
                    text.tick x=(n(x_of(*i))) y=(n(axis_y + 16.0)) { (label) }
                }
                @for (i, (day, segments)) in columns.iter().enumerate() {
                    @let total: usize = segments.iter().map(|(_, _, k)| k).sum();
                    g.ot-col data-day=(day.to_string()) data-total=(total) {
                        title { (day.to_string()) ": " (column_words(segments)) }
                        @for (class, k, below) in stack(segments) {
                            rect class=(format!("ot-seg {class}")) x=(n(x_of(i)))
                                y=(n(axis_y - unit * (below + k) as f64)) width=(n(bar_w)) height=(n(unit * k as f64)) {}
                        }
                    }
                }
            }
        }
    }
}

/// A column's counts in words: `2 open, 1 overdue` (`none` when empty).
fn column_words(segments: &[(String, &'static str, usize)]) -> String {
    let words: Vec<String> = segments.iter().map(|(_, words, k)| format!("{k} {words}")).collect();
    if words.is_empty() { "none".to_owned() } else { words.join(", ") }
}

/// Each segment of a stacked column with the count below it.
fn stack<'a>(segments: &'a [(String, &'static str, usize)]) -> Vec<(&'a str, usize, usize)> {
    let mut below = 0;
    segments
        .iter()
        .map(|(class, _, k)| {
            let at = below;
            below += k;
            (class.as_str(), *k, at)
        })
        .collect()
}

/// A legend under a chart: a swatch drawn with the chart's own class, and its words.
fn legend(entries: &[(&str, &str)], note: &str) -> Markup {
    html! {
        p.legend {
            @for (class, words) in entries {
                span.key {
                    svg.swatch width="16" height="12" viewBox="0 0 16 12" aria-hidden="true" {
                        @if class.starts_with("fulfil on-time") || class.starts_with("k-") {
                            circle class=(class) cx="8" cy="6" r="4.5" {}
                        } @else if class.starts_with("milestone") {
                            polygon class=(class) points="8,0 13,6 8,12 3,6" {}
                        } @else if class.starts_with("fulfil") {
                            rect class=(class) x="3.5" y="1.5" width="9" height="9" {}
                        } @else {
                            rect class=(class) x="0" y="1" width="16" height="10" {}
                        }
                    }
                    " " (words)
                }
            }
            span.note { (note) }
        }
    }
}
