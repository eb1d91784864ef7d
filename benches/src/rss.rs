//! Peak resident memory of a process, for the benches that report it.

/// `VmHWM` (peak resident set) of process `pid` (`"self"` for this one), MB; `None` where
/// `/proc` does not say.
pub fn peak_rss_mb(pid: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
