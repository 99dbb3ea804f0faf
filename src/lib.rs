//! entente: an event-sourced tracker of diplomatic normalization processes.
//!
//! The pure core is [`date`], [`event`], [`names`], [`text`], [`render`], [`projection`]
//! and [`report`]: plain data and functions, no I/O. Above it, [`log`] holds every rule
//! of the append-only, hash-chained log over a storage `Backend`; [`store`] holds the
//! backends (SQLite: the only SQL); [`app`] holds the use cases any front end runs;
//! [`cli`] is the front end (the only printer, the only clap); [`env`] is the only
//! reader of the clock, randomness and environment. See ARCHITECTURE.md for the data
//! flow and the invariants.

pub mod app;
pub mod cli;
pub mod date;
pub mod env;
pub mod event;
pub mod log;
pub mod names;
pub mod projection;
pub mod render;
pub mod report;
pub mod store;
pub mod text;
