//! Importers that build datasets from public registers.

pub mod mapping;
pub mod prtr;
