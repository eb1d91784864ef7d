//! Seeded synthetic regions: sites around real or synthetic towns with heavy-tailed streams
//! ([`towns`]), and the uniform benchmark instance of the peer comparison ([`uniform`]).
//! The same seed writes the same dataset, byte for byte.

pub mod towns;
pub mod uniform;

pub use towns::{SyntheticOptions, Town, generate, load_towns, read_towns};
