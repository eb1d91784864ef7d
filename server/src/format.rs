//! Numbers as people read them, the one formatter of the CLI's summaries and progress lines
//! and of the HTML pages: thousands separators, a fixed number of places, no "-0".

/// `x` with thousands separators and `decimals` places: 1,234,567.8.
pub fn grouped(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    // No "-0": a sign only when a digit shown is not zero.
    if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(grouped(1234567.891, 1), "1,234,567.9");
        assert_eq!(grouped(-1234.0, 0), "-1,234");
        assert_eq!(grouped(-0.0001, 2), "0.00");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(f64::INFINITY, 0), "inf");
    }
}
