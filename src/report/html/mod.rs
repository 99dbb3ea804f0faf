//! HTML: one self-contained page per report — the brief (`entente brief`), and
//! `--format html` of `status`, `principles`, `commitments`, `timeline` and `explain`,
//! each a choice of the same sections through the same renderer.
//!
//! A page needs nothing but itself: inline CSS and SVG, no script, no font, no image,
//! no link to fetch (a Content-Security-Policy `default-src 'none'` says so to the
//! browser too), and `@media print` rules so it prints to PDF cleanly. It can be
//! mailed and archived as it is.
//!
//! Every string from the log goes through [`text::shown`](crate::text::shown) (controls
//! and bidirectional overrides written visibly, as on a terminal) and is then escaped
//! by maud, which escapes whatever it interpolates: nothing here writes log text with
//! `PreEscaped`. A source's URL becomes a link only when its scheme is `http` or
//! `https` ([`href`]); any other (`javascript:`, `data:`) is shown as text.
//!
//! Every mark a browser test counts carries a class and a `data-` attribute:
//! `.tl-mark` (a timeline event), `.stage-band`, `.deadline-row` (a commitment),
//! `.ot-col` (a day of a state-over-time chart), `tr.principle-row`,
//! `tr.commitment-row`, `li.evidence-item`; the brief's `<meta name="entente-…">`
//! tags record its view and the log head it was written from, for `brief --check`.
//!
//! Presentation only, like every report: the caller replays; the one computation here
//! is asking the replay for the status at the days a chart samples
//! ([`Replay::over_time`]).

mod chart;

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::view_line;
use crate::event::{Record, Source};
use crate::names::Named;
use crate::projection::explain::{Evidence, Subject};
use crate::projection::status::{CommitmentState, PrincipleState, TrackStatus};
use crate::projection::{Header, Replay};

/// The version of entente that writes a page, named in its footer and meta tags.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The sections a page shows for each track, in this order.
#[derive(Clone, Copy, Debug, Default)]
struct Sections {
    /// Parties, third parties, principal instrument and stage, last activity.
    header: bool,
    /// Stage bands and events on a time axis.
    timeline: bool,
    /// Each commitment from made to due.
    deadlines: bool,
    /// Commitments and principles by state, month by month.
    over_time: bool,
    /// Every principle with its state.
    principles: bool,
    /// Every commitment with every axis.
    commitments: bool,
    /// The events behind them, with their sources.
    evidence: bool,
}

/// What a brief's meta tags say it was written from: what `brief --check` reads back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// The world date.
    pub as_of: NaiveDate,
    /// The recording cut-off, as written in the log (RFC 3339), if any.
    pub known_at: Option<String>,
    /// Days without movement after which a commitment is stalled.
    pub stall_days: u32,
    /// The tracks asked for (none: every track).
    pub tracks: Vec<String>,
    /// The last seq the view knows.
    pub head_seq: u64,
    /// The hash of that event (none for an empty log).
    pub head_hash: Option<String>,
    /// The entente version that wrote it.
    pub version: String,
}

/// The brief of `tracks` (the status of `replay`, narrowed to the tracks asked for,
/// `asked`; none: all): per track, a header, the timeline, deadline and
/// state-over-time charts, the principles and commitments tables and the evidence.
pub fn brief(replay: &Replay, tracks: &[TrackStatus], asked: &[String]) -> String {
    let days = sample_days(opened(tracks), replay.header().view.as_of);
    let series = replay.over_time(&days);
    let sections = Sections {
        header: true,
        timeline: true,
        deadlines: true,
        over_time: true,
        principles: true,
        commitments: true,
        evidence: true,
    };
    let stamp = stamp(replay, asked);
    let page = Page { replay, tracks, sections, series: days.iter().copied().zip(series).collect() };
    page.render("Brief", Some(&stamp))
}

/// The status report as a page: per track, its header, tables and evidence.
pub fn status(replay: &Replay, tracks: &[TrackStatus]) -> String {
    let sections =
        Sections { header: true, principles: true, commitments: true, evidence: true, ..Sections::default() };
    Page { replay, tracks, sections, series: Vec::new() }.render("Status", None)
}

/// The principles report as a page.
pub fn principles(replay: &Replay, tracks: &[TrackStatus]) -> String {
    let sections = Sections { principles: true, evidence: true, ..Sections::default() };
    Page { replay, tracks, sections, series: Vec::new() }.render("Principles", None)
}

/// The commitments report as a page: the deadline chart and the table.
pub fn commitments(replay: &Replay, tracks: &[TrackStatus]) -> String {
    let sections = Sections { deadlines: true, commitments: true, evidence: true, ..Sections::default() };
    Page { replay, tracks, sections, series: Vec::new() }.render("Commitments", None)
}

/// The timeline report as a page: the chart, and every event with its sources.
pub fn timeline(replay: &Replay, tracks: &[TrackStatus]) -> String {
    let sections = Sections { timeline: true, evidence: true, ..Sections::default() };
    Page { replay, tracks, sections, series: Vec::new() }.render("Timeline", None)
}

/// The explain report as a page: the subject's state and the events behind it.
pub fn explain(head: &Header, reference: &str, subject: &Subject<'_>, evidence: &[Evidence]) -> String {
    let title = format!("Explain {} {reference} — {}", super::explain::kind(subject), view_line(head));
    let body = html! {
        main {
            h1 { (shown(&title)) }
            p.state { "State: " strong { (shown(&super::explain::state(subject))) } }
            h2 { "Evidence" }
            @if evidence.is_empty() {
                p { "No event stands behind it in this view." }
            }
            ol.evidence {
                @for e in evidence {
                    (evidence_item(&e.record, "e", e.disputed, e.corrected))
                }
            }
        }
        (footer(head, None))
    };
    document(&title, None, body)
}

/// The day the earliest of `tracks` opened.
fn opened(tracks: &[TrackStatus]) -> Option<NaiveDate> {
    tracks.iter().map(chart::opening).min()
}

/// The days a state-over-time chart samples: the end of every month from the month of
/// `first` to the one before `as_of`, then `as_of` itself (none without a first day).
pub fn sample_days(first: Option<NaiveDate>, as_of: NaiveDate) -> Vec<NaiveDate> {
    let Some(first) = first else { return Vec::new() };
    let mut days = Vec::new();
    let mut month = first.with_day(1).unwrap_or(first);
    while let Some(end) = month.checked_add_months(Months::new(1)).and_then(|m| m.pred_opt()) {
        if end >= as_of {
            break;
        }
        days.push(end);
        let Some(next) = month.checked_add_months(Months::new(1)) else { break };
        month = next;
    }
    days.push(as_of);
    days
}

/// What `replay` was written from, for a brief's meta tags.
fn stamp(replay: &Replay, asked: &[String]) -> Stamp {
    let head = replay.header();
    let head_hash = head.head.hash.map(|h| h.to_hex());
    Stamp {
        as_of: head.view.as_of,
        known_at: head.view.known_at.as_ref().map(crate::event::format_recorded_at),
        stall_days: head.view.stall_days,
        tracks: asked.to_vec(),
        head_seq: head.head.seq,
        head_hash,
        version: VERSION.to_owned(),
    }
}

impl Stamp {
    /// Reads the stamp back from a page [`brief`] wrote; `None` when it has none.
    pub fn read(page: &str) -> Option<Stamp> {
        let metas = metas(page);
        let one = |name: &str| metas.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
        Some(Stamp {
            as_of: one("entente-as-of")?.parse().ok()?,
            known_at: one("entente-known-at"),
            stall_days: one("entente-stall-days")?.parse().ok()?,
            tracks: metas.iter().filter(|(n, _)| n == "entente-track").map(|(_, v)| v.clone()).collect(),
            head_seq: one("entente-head-seq")?.parse().ok()?,
            head_hash: one("entente-head-hash"),
            version: one("entente-version")?,
        })
    }
}

/// Every `<meta name="…" content="…">` in the head of `page`, as [`document`] writes
/// them (only names and values without markup characters are read back).
fn metas(page: &str) -> Vec<(String, String)> {
    let head = page.split("</head>").next().unwrap_or_default();
    head.split("<meta name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.strip_prefix(" content=\"")?.split_once('"')?.0;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

/// One page being laid out.
struct Page<'a> {
    replay: &'a Replay,
    tracks: &'a [TrackStatus],
    sections: Sections,
    /// The status of every track at each sampled day (state over time).
    series: Vec<(NaiveDate, Vec<TrackStatus>)>,
}

impl Page<'_> {
    fn render(&self, what: &str, stamp: Option<&Stamp>) -> String {
        let head = self.replay.header();
        let title = format!("{what} — {}", view_line(&head));
        let by_seq: BTreeMap<u64, &Record> = self.replay.timeline().iter().map(|r| (r.seq, r)).collect();
        let disputed = &self.replay.effective().disputed;
        let body = html! {
            (chart::defs())
            header.page-head {
                h1 { (shown(&title)) }
                @if self.tracks.len() > 1 {
                    nav {
                        "Tracks: "
                        @for (i, t) in self.tracks.iter().enumerate() {
                            @if i > 0 { " · " }
                            a href=(format!("#track-{}", t.id)) { (shown(&t.title)) }
                        }
                    }
                }
            }
            main {
                @if self.tracks.is_empty() {
                    p { "No track is known in this view." }
                }
                @for (i, t) in self.tracks.iter().enumerate() {
                    (self.track(i, t, &by_seq, disputed))
                }
            }
            (footer(&head, stamp))
        };
        document(&title, stamp, body)
    }

    fn track(
        &self,
        index: usize,
        t: &TrackStatus,
        by_seq: &BTreeMap<u64, &Record>,
        disputed: &std::collections::BTreeSet<u64>,
    ) -> Markup {
        let anchors = Anchors { prefix: format!("t{}", index + 1) };
        let events: Vec<&Record> =
            self.replay.timeline().iter().filter(|r| r.event.facts.tracks.contains(&t.id)).collect();
        // The evidence listed: the track's events and any other event its states rest on.
        let mut listed: Vec<&Record> = events.clone();
        let cited = t.principles.iter().flat_map(|p| &p.evidence).chain(t.commitments.iter().flat_map(|c| &c.evidence));
        for seq in cited {
            if let Some(r) = by_seq.get(seq)
                && !listed.iter().any(|x| x.seq == *seq)
            {
                listed.push(r);
            }
        }
        listed.sort_by_key(|r| (r.event.facts.occurred.first_day(), r.event.facts.occurred.last_day(), r.seq));
        let s = self.sections;
        let as_of = self.replay.header().view.as_of;
        html! {
            section.track id=(format!("track-{}", t.id)) data-track=(t.id.as_str()) {
                h2 { (shown(&t.title)) " " span.id { "[" (t.id.as_str()) "]" } }
                @if s.header { (track_head(t, &anchors)) }
                @if s.timeline {
                    h3 { "Timeline" }
                    (chart::timeline(t, &events, as_of, &anchors))
                }
                @if s.deadlines {
                    h3 { "Deadlines" }
                    (chart::deadlines(t, as_of))
                }
                @if s.over_time {
                    h3 { "State over time" }
                    (chart::over_time(t, &self.series))
                }
                @if s.principles {
                    h3 { "Principles" }
                    (principles_table(t, &anchors))
                }
                @if s.commitments {
                    h3 { "Commitments" }
                    (commitments_table(t, &anchors))
                }
                @if s.evidence {
                    h3 { "Evidence" }
                    @if listed.is_empty() {
                        p { "No event in this view." }
                    }
                    ol.evidence {
                        @for r in &listed {
                            (evidence_item(r, &anchors.prefix, disputed.contains(&r.seq), false))
                        }
                    }
                }
            }
        }
    }
}

/// The anchors of one track's events: `t1-e12` is seq 12 in the first track's evidence.
struct Anchors {
    prefix: String,
}

impl Anchors {
    fn of(&self, seq: u64) -> String {
        format!("#{}-e{seq}", self.prefix)
    }

    /// A link to the event `seq` in the evidence list.
    fn link(&self, seq: u64) -> Markup {
        html! { a.seq href=(self.of(seq)) { (seq) } }
    }

    /// Links to each of `seqs`.
    fn links(&self, seqs: &[u64]) -> Markup {
        html! {
            @for (i, seq) in seqs.iter().enumerate() {
                @if i > 0 { " " }
                (self.link(*seq))
            }
        }
    }
}

/// Parties and third parties, principal instrument and stage, stage and last activity.
fn track_head(t: &TrackStatus, anchors: &Anchors) -> Markup {
    let principal: Vec<_> = t.instruments.iter().filter(|i| i.principal).collect();
    let open = t.principles.iter().filter(|p| p.state.is_open()).count();
    html! {
        dl.track-head {
            dt { "Parties" }
            dd { @for (i, p) in t.parties.iter().enumerate() {
                @if i > 0 { ", " } (shown(&p.name)) " (" (p.code.as_str()) ")"
            } }
            dt { "Third parties" }
            dd {
                @if t.third_parties.is_empty() { "none recorded" }
                @for (i, x) in t.third_parties.iter().enumerate() {
                    @if i > 0 { "; " }
                    (shown(&x.name)) " (" (x.code.as_str()) ", " (x.role.words()) ")"
                }
            }
            dt { "Stage" }
            dd { strong { (t.stage.words()) } " since " (t.stage_since.date.to_string()) " (" (anchors.link(t.stage_since.seq)) ")" }
            dt { "Principal instrument" }
            dd {
                @if principal.is_empty() { "none" }
                @for (k, i) in principal.iter().enumerate() {
                    @if k > 0 { "; " }
                    (shown(&i.title)) " [" (i.id.as_str()) ", " (i.instrument_type.words()) "]: "
                    strong { (i.stage.words()) } " since " (i.stage_since.date.to_string()) " (" (anchors.link(i.stage_since.seq)) ")"
                }
            }
            dt { "Last activity" }
            dd { (t.last_activity.date.to_string()) " (" (anchors.link(t.last_activity.seq)) ")" }
            dt { "Contacts" }
            dd { (t.meetings) " meeting" @if t.meetings != 1 { "s" } ", " (t.calls) " call" @if t.calls != 1 { "s" } }
            dt { "Principles" }
            dd { (open) " open, " (t.principles.len() - open) " addressed" }
            dt { "Commitments" }
            dd {
                (t.commitments.len()) " · " (t.overdue) " overdue"
                @if let Some(n) = &t.next_deadline { " · next due " (n.due.to_string()) " (" (n.commitment.as_str()) ")" }
            }
        }
    }
}

/// The mark on a state that rests only on unsourced or disputed events, or on one side.
fn state_marks(unsupported: bool, one_sided: bool) -> Markup {
    html! {
        @if unsupported { " " abbr.mark-weak title="rests only on unsourced or disputed events" { "†" } }
        @if one_sided { " " abbr.mark-one-sided title="rests only on one side's account, or an unverified one" { "‡" } }
    }
}

fn principles_table(t: &TrackStatus, anchors: &Anchors) -> Markup {
    html! {
        @if t.principles.is_empty() {
            p { "No principle on this track." }
        } @else {
            table.principles {
                thead { tr { th { "principle" } th { "state" } th { "since" } th { "stances" } th { "text" } th { "evidence" } } }
                tbody {
                    @for p in &t.principles {
                        tr.principle-row data-principle=(p.id.to_string()) data-state=(p.state.name()) {
                            td.id { (p.id.to_string()) }
                            td { span class=(format!("state p-{}", p.state.name())) { (p.standing()) } (state_marks(p.unsupported, p.one_sided)) }
                            td { (p.last.to_string()) }
                            td { @for (i, s) in p.stances.iter().enumerate() {
                                @if i > 0 { ", " } (s.party.as_str()) " " (s.stance.words())
                            } }
                            td.text { (shown(&p.text)) }
                            td { (anchors.links(&p.evidence)) }
                        }
                    }
                }
            }
        }
    }
}

fn commitments_table(t: &TrackStatus, anchors: &Anchors) -> Markup {
    let day = |d: Option<NaiveDate>| d.map_or("—".to_owned(), |d| d.to_string());
    html! {
        @if t.commitments.is_empty() {
            p { "No commitment on this track." }
        } @else {
            table.commitments {
                thead { tr {
                    th { "commitment" } th { "state" } th { "progress" } th { "schedule" } th { "activity" }
                    th { abbr title="Peace Accords Matrix: 0 not initiated, 1 minimal, 2 intermediate, 3 full" { "PAM" } }
                    th { "owed by" } th { "made" } th { "due" } th { "fulfilled" } th { "text" } th { "evidence" }
                } }
                tbody {
                    @for c in &t.commitments {
                        tr.commitment-row data-commitment=(c.id.as_str()) data-state=(c.state.name()) {
                            td.id { (c.id.as_str()) }
                            td { span class=(format!("state c-{}", c.state.name())) { (c.state.words()) } (state_marks(c.unsupported, c.one_sided)) }
                            td { (c.progress.words()) }
                            td { (c.schedule.words()) }
                            td { (c.activity.words()) }
                            td.num { (c.pam) }
                            td { @for (i, p) in c.parties.iter().enumerate() { @if i > 0 { ", " } (p.as_str()) } }
                            td { (c.made.to_string()) }
                            td { (day(c.due)) }
                            td { @if let Some(f) = &c.fulfilled { (f.date.to_string()) } @else { "—" } }
                            td.text { (shown(&c.text)) }
                            td { (anchors.links(&c.evidence)) }
                        }
                    }
                }
            }
        }
    }
}

/// One event of an evidence list: date, kind, the event in words, its marks and its
/// sources (each a link when its URL is http or https).
fn evidence_item(r: &Record, prefix: &str, disputed: bool, corrected: bool) -> Markup {
    let f = &r.event.facts;
    html! {
        li.evidence-item id=(format!("{prefix}-e{}", r.seq)) data-seq=(r.seq) {
            span.date { (f.occurred.to_string()) } " "
            span.kind { (f.kind().name()) } " "
            span.seq { "seq " (r.seq) } " — "
            span.what { (shown(&crate::render::headline(&r.event))) }
            @if f.unsourced { " " span.flag { "unsourced" } }
            @if disputed { " " span.flag { "disputed" } }
            @if corrected { " " span.flag { "corrected" } }
            @if f.account.one_sided() { " " span.flag { "one side's account" } }
            @if !f.sources.is_empty() {
                ul.sources { @for s in &f.sources { li { (source(s)) } } }
            }
        }
    }
}

/// A source: its title (a link when its URL is http or https), then who and when.
fn source(s: &Source) -> Markup {
    let rest: Vec<&str> = [&s.author, &s.publisher, &s.locator].into_iter().flatten().map(String::as_str).collect();
    html! {
        @match s.url.as_deref().and_then(href) {
            Some(url) => { a href=(url) rel="noreferrer" { (shown(&s.title)) } }
            None => { cite { (shown(&s.title)) } }
        }
        @for part in rest { ", " (shown(part)) }
        @if let Some(p) = &s.published { ", " (p.to_string()) }
        @if let Some(url) = s.url.as_deref().filter(|u| href(u).is_none()) {
            " " span.url { "<" (shown(url)) ">" }
        }
    }
}

/// `url` as a link target, when it is one a reader may follow: `http` or `https` only
/// (a `javascript:` or `data:` URL in a hostile log must never become a link), without
/// whitespace or controls.
pub fn href(url: &str) -> Option<&str> {
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase())?;
    let clean = !url.chars().any(|c| c.is_whitespace() || crate::text::is_unsafe(c));
    ((scheme == "http" || scheme == "https") && url[scheme.len()..].starts_with("://") && clean).then_some(url)
}

/// The footer: the view, the log head, the version, and (for a brief) how to check it.
fn footer(head: &Header, stamp: Option<&Stamp>) -> Markup {
    let known = head.view.known_at.as_ref().map(crate::event::format_recorded_at);
    html! {
        footer.page-foot {
            dl {
                dt { "As of" } dd { (head.view.as_of.to_string()) }
                dt { "Known at" } dd { (known.as_deref().unwrap_or("everything recorded")) }
                dt { "Stalled after" } dd { (head.view.stall_days) " days without movement" }
                dt { "Log head" } dd {
                    "seq " (head.head.seq)
                    @if let Some(hash) = stamp.and_then(|s| s.head_hash.as_deref()) { ", hash " code { (hash) } }
                }
                dt { "Written by" } dd { "entente " (VERSION) }
            }
            @if stamp.is_some() {
                p.verify {
                    "Check this brief against a log: " code { "entente --db LOG brief --check FILE" }
                    " re-renders it from the log with the view and tracks recorded in this file and compares the bytes."
                }
            }
            p { "† rests only on unsourced or disputed events · ‡ rests only on one side's account, or an unverified one" }
        }
    }
}

/// The whole document: head (meta tags, the stamp, the style) and `body`.
fn document(title: &str, stamp: Option<&Stamp>, body: Markup) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(format!("entente {VERSION}"));
                @if let Some(s) = stamp {
                    meta name="entente-version" content=(s.version);
                    meta name="entente-as-of" content=(s.as_of.to_string());
                    @if let Some(k) = &s.known_at { meta name="entente-known-at" content=(k); }
                    meta name="entente-stall-days" content=(s.stall_days);
                    @for t in &s.tracks { meta name="entente-track" content=(t); }
                    meta name="entente-head-seq" content=(s.head_seq);
                    @if let Some(h) = &s.head_hash { meta name="entente-head-hash" content=(h); }
                }
                title { (shown(title)) }
                style { (PreEscaped(CSS)) }
            }
            body { (body) }
        }
    };
    let mut out = lines(page.into_string());
    out.push('\n');
    out
}

/// `page` with a line break after each closing tag of a block (or an SVG element), so a
/// page reads and diffs line by line; never inside inline content, where a break would
/// be a space. Log text cannot hold a tag: maud wrote its `<` as `&lt;`.
fn lines(page: String) -> String {
    const BREAK_AFTER: [&str; 35] = [
        "<head>",
        "</title>",
        "</style>",
        "<body>",
        "</header>",
        "</nav>",
        "</main>",
        "</footer>",
        "</section>",
        "</h1>",
        "</h2>",
        "</h3>",
        "</h4>",
        "</p>",
        "</dl>",
        "</dt>",
        "</dd>",
        "</table>",
        "</thead>",
        "</tbody>",
        "</tr>",
        "</ol>",
        "</ul>",
        "</li>",
        "</figure>",
        "</svg>",
        "</g>",
        "</rect>",
        "</circle>",
        "</polygon>",
        "</line>",
        "</text>",
        "</defs>",
        "</pattern>",
        "</path>",
    ];
    let mut out = page;
    for tag in BREAK_AFTER {
        out = out.replace(tag, &format!("{tag}\n"));
    }
    out.replace("<meta ", "\n<meta ").replace("\n\n", "\n")
}

/// Log text as a page shows it: controls and bidirectional overrides written visibly,
/// as on a terminal ([`crate::text::shown`]); maud escapes the markup characters.
fn shown(text: &str) -> Cow<'_, str> {
    crate::text::shown(text)
}

/// The commitments of `t` by headline state (only states with some): one day's column
/// of the state-over-time chart.
fn commitment_counts(t: &TrackStatus) -> Vec<(CommitmentState, usize)> {
    CommitmentState::ALL
        .iter()
        .map(|s| (*s, t.commitments.iter().filter(|c| c.state == *s).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The principles of `t` by state (only states with some).
fn principle_counts(t: &TrackStatus) -> Vec<(PrincipleState, usize)> {
    PrincipleState::ALL
        .iter()
        .map(|s| (*s, t.principles.iter().filter(|p| p.state == *s).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The style: screen and print. Colour is never the only signal: overdue is also
/// cross-hatched, suspended hatched, stalled faded, and every mark has a title.
const CSS: &str = include_str!("brief.css");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_urls_become_links() {
        assert_eq!(href("https://example.org/a?b=c"), Some("https://example.org/a?b=c"));
        assert_eq!(href("HTTP://example.org/"), Some("HTTP://example.org/"));
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "//example.org",
            "http:x",
            "https://a b",
            "ftp://x",
            "http://a\u{202e}b",
        ] {
            assert_eq!(href(bad), None, "{bad}");
        }
    }

    #[test]
    fn sample_days_are_month_ends_then_the_as_of() {
        let day = |s: &str| s.parse::<NaiveDate>().expect("day");
        assert_eq!(
            sample_days(Some(day("2022-01-15")), day("2022-04-10")),
            vec![day("2022-01-31"), day("2022-02-28"), day("2022-03-31"), day("2022-04-10")]
        );
        // An as-of on a month's end is sampled once; one before the opening, alone.
        assert_eq!(sample_days(Some(day("2022-01-15")), day("2022-02-28")), vec![day("2022-01-31"), day("2022-02-28")]);
        assert_eq!(sample_days(Some(day("2022-01-15")), day("2021-02-28")), vec![day("2021-02-28")]);
        assert_eq!(sample_days(None, day("2022-04-10")), Vec::<NaiveDate>::new());
    }

    #[test]
    fn the_stamp_reads_back() {
        let stamp = Stamp {
            as_of: "2026-01-01".parse().expect("day"),
            known_at: Some("2025-01-01T00:00:00Z".to_owned()),
            stall_days: 90,
            tracks: vec!["am-az".to_owned(), "am-tr".to_owned()],
            head_seq: 42,
            head_hash: Some("ab".repeat(32)),
            version: VERSION.to_owned(),
        };
        let page = document("t", Some(&stamp), html! { p { "x" } });
        assert_eq!(Stamp::read(&page), Some(stamp));
        assert_eq!(Stamp::read("<html><head></head></html>"), None);
    }
}
