//! `index.html` of a batch: one row per region with its status, its plan's cost and what it
//! saved, linking the region's report.

use crate::format::grouped;
use crate::html::{attr, page, text, write_atomically};
use optimizer::Error;
use std::fmt::Write;
use std::path::Path;

/// One row of a batch's index page.
#[derive(Debug)]
pub struct IndexRow<'a> {
    /// The region's folder under the batch output.
    pub region: &'a str,
    /// Its status.
    pub status: &'a str,
    /// Its plan's cost.
    pub objective: Option<f64>,
    /// Baseline minus plan.
    pub saved: Option<f64>,
    /// Why it failed, if it did.
    pub error: &'a str,
}

/// `index.html` of a batch: one row per region, linking its report.
pub fn write_index(rows: &[IndexRow<'_>], dir: &Path) -> Result<(), Error> {
    let mut body = String::from(
        "<header><h1>circulate batch</h1></header><section><table id=\"regions\"><thead><tr>\
         <th>Region</th><th>Status</th><th>Plan cost /yr</th><th>Saved /yr</th><th>Error</th>\
         </tr></thead><tbody>",
    );
    for r in rows {
        let link = if r.error.is_empty() {
            format!(
                "<a href=\"{}/report.html\">{}</a>",
                attr(r.region),
                text(r.region)
            )
        } else {
            text(r.region)
        };
        let money = |x: Option<f64>| x.map_or_else(|| "-".to_owned(), |x| grouped(x, 0));
        let _ = write!(
            body,
            "<tr><td>{link}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td>{}</td></tr>",
            text(r.status),
            money(r.objective),
            money(r.saved),
            text(r.error)
        );
    }
    body.push_str("</tbody></table></section>");
    write_atomically(&dir.join("index.html"), &page("circulate batch", &body))
}
