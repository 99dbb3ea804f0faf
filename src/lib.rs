//! entente: an event-sourced tracker of diplomatic normalization processes.
//!
//! The pure core is [`date`], [`event`], [`names`], [`text`], [`render`], [`projection`]
//! and [`report`]: plain data and functions, no I/O. The edges are [`store`] (the only SQLite code), [`env`] (the only reader of the
//! clock, randomness and environment) and [`cli`] (the only printer). See
//! ARCHITECTURE.md for the data flow and the invariants.

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
