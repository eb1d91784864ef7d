//! Typed errors of the library. Invalid input is reported as a list of [`FieldError`]s,
//! each naming where the bad value is (file, line and column for CSV; a field path for
//! other sources) and what is wrong with it.

use std::fmt;

/// Where a value came from: a table row and a column.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    /// The table, as its file name (`supplies.csv`) for folder datasets or a field name
    /// (`supplies`) for API requests.
    pub table: String,
    /// 1-based line in the file (the header is line 1), for CSV sources.
    pub line: Option<u64>,
    /// 0-based record index, for sources without lines.
    pub index: Option<usize>,
    /// The column, when known.
    pub column: Option<String>,
}

impl Location {
    /// A whole file or table.
    pub fn table(table: &str) -> Self {
        Self {
            table: table.to_owned(),
            line: None,
            index: None,
            column: None,
        }
    }

    /// The same location narrowed to one column.
    pub fn column(&self, column: &str) -> Self {
        Self {
            column: Some(column.to_owned()),
            ..self.clone()
        }
    }

    /// A field path such as `supplies[3].quantity_t`, for API error details.
    pub fn field_path(&self) -> String {
        let mut path = self.table.clone();
        if let Some(i) = self.index {
            path.push_str(&format!("[{i}]"));
        } else if let Some(line) = self.line {
            path.push_str(&format!("[line {line}]"));
        }
        if let Some(c) = &self.column {
            path.push('.');
            path.push_str(c);
        }
        path
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line.is_none() && self.index.is_some() {
            return f.write_str(&self.field_path());
        }
        f.write_str(&self.table)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column {c}")?;
        }
        Ok(())
    }
}

/// One thing wrong with the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Where the bad value is.
    pub location: Location,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Problems kept in full; beyond them only the count grows, so a request made of a million
/// bad rows costs memory for its rows, not for a million messages about them.
pub const KEPT_PROBLEMS: usize = 1000;

/// Everything wrong with a dataset, collected rather than stopping at the first problem:
/// the first [`KEPT_PROBLEMS`] in full and a count of the rest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors {
    kept: Vec<FieldError>,
    dropped: usize,
}

impl FieldErrors {
    /// Adds one problem.
    pub fn push(&mut self, location: Location, message: impl Into<String>) {
        if self.kept.len() < KEPT_PROBLEMS {
            self.kept.push(FieldError {
                location,
                message: message.into(),
            });
        } else {
            self.dropped += 1;
        }
    }

    /// Adds every problem of `other` after these.
    pub fn append(&mut self, other: FieldErrors) {
        let room = KEPT_PROBLEMS.saturating_sub(self.kept.len());
        let overflow = other.kept.len().saturating_sub(room);
        let mut kept = other.kept;
        kept.truncate(room);
        self.kept.extend(kept);
        self.dropped += overflow + other.dropped;
    }

    /// Whether nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.dropped == 0
    }

    /// Number of problems, counted ones included.
    pub fn len(&self) -> usize {
        self.kept.len() + self.dropped
    }

    /// The problems kept in full, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.kept.iter()
    }

    /// Keeps only the problems `keep` accepts (the count of dropped ones is unchanged).
    pub fn retain(&mut self, keep: impl FnMut(&FieldError) -> bool) {
        self.kept.retain(keep);
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.kept.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.dropped > 0 {
            write!(f, "\n... and {} more", self.dropped)?;
        }
        Ok(())
    }
}

/// Problems listed in full when reporting invalid input over the API; the rest are counted.
/// 20 violations of at most [`SHOWN_CHARS`] field and message characters stay under 8 KB of
/// response trailers even base64-encoded (gRPC C-core clients refuse metadata over 16 KB).
pub const LISTED_OVER_API: usize = 20;

/// Problems listed in full on the command line; the rest are counted.
pub const LISTED_ON_CLI: usize = 100;

/// Longest field path or message shown, in characters: a 50 MB bad cell is echoed as its
/// first characters, not whole.
pub const SHOWN_CHARS: usize = 120;

/// `text` cut to at most `max` characters, marking the cut with `…`.
pub fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => format!("{}…", &text[..cut]),
    }
}

impl FieldErrors {
    /// The first `n` problems, each location and message shortened to [`SHOWN_CHARS`], and
    /// how many more there are.
    pub fn first(&self, n: usize) -> (Vec<FieldError>, usize) {
        let listed = self
            .kept
            .iter()
            .take(n)
            .map(|e| FieldError {
                location: e.location.clone(),
                message: shorten(&e.message, SHOWN_CHARS),
            })
            .collect();
        (listed, self.len().saturating_sub(n))
    }
}

/// Errors of the optimizer library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The dataset has invalid values; every problem found is listed.
    #[error("invalid dataset ({count} problem(s)):\n{errors}", count = .0.len(), errors = .0)]
    Invalid(FieldErrors),
    /// A file or folder could not be read or written. The I/O error is the source, not part
    /// of the message, so a chain printer (`{:#}`) says it once: `PATH: no such folder`.
    #[error("{path}")]
    Io {
        /// The file.
        path: String,
        #[source]
        /// The I/O error.
        source: std::io::Error,
    },
    /// The solver rejected the model (a bug or a numerically impossible model, not infeasibility).
    #[error("the LP solver failed: {0}")]
    Solver(String),
}
