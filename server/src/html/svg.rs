//! Writing SVG and HTML by hand: escaping and compact coordinates (readable numbers are
//! [`crate::format`]'s). Small
//! enough that a templating or plotting crate would add more than it saves; every piece of
//! text from a dataset passes through [`text`] or [`attr`].

/// `s` safe inside an element.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// `s` safe inside a double-quoted attribute (newlines kept as `&#10;` for tooltips).
pub fn attr(s: &str) -> String {
    text(s)
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
        .replace('\n', "&#10;")
}

/// A coordinate to 0.01 unit, without trailing zeros.
pub fn num(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// An SVG element being written, inline in the page (so without a namespace URL).
pub struct Svg {
    out: String,
}

impl Svg {
    /// Opens `<svg>` with the element id `id` and a `width` x `height` view box.
    pub fn new(id: &str, width: f64, height: f64) -> Svg {
        Svg {
            out: format!(
                "<svg id=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\">",
                attr(id),
                num(width),
                num(height)
            ),
        }
    }

    /// Opens a group of class `class`.
    pub fn open_group(&mut self, class: &str) {
        self.out.push_str(&format!("<g class=\"{}\">", attr(class)));
    }

    /// Closes the last group.
    pub fn close_group(&mut self) {
        self.out.push_str("</g>");
    }

    /// Appends markup the caller has escaped.
    pub fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// Closes the element.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_is_escaped() {
        assert_eq!(
            attr("A&B <x> \"q\" 'a'\nb"),
            "A&amp;B &lt;x&gt; &quot;q&quot; &#39;a&#39;&#10;b"
        );
        assert_eq!(text("</script>"), "&lt;/script&gt;");
    }

    #[test]
    fn coordinates_are_short() {
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(3.0), "3");
        assert_eq!(num(-0.001), "0");
    }
}
