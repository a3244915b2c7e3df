//! The system resolver configuration (`/etc/resolv.conf`) as far as Kerberos needs it: the
//! DNS search domains (MIT's default for `qualify_shortname` is the first one). Read without
//! any DNS traffic, so available without the `dns` feature.

/// The search domains of a resolv.conf text: the last `search` or `domain` line wins, as in the
/// C resolver.
pub fn search_domains_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if let Some("search" | "domain") = words.next() {
            out = words
                .map(|w| w.trim_end_matches('.').to_owned())
                .filter(|w| !w.is_empty())
                .collect();
        }
    }
    out
}

/// The system's first DNS search domain (`/etc/resolv.conf`), MIT's default for
/// `qualify_shortname`; `None` when there is none or the file cannot be read.
pub fn primary_domain() -> Option<String> {
    let text = std::fs::read_to_string("/etc/resolv.conf").ok()?;
    search_domains_in(&text).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_domains() {
        let text = "nameserver 10.0.0.1\ndomain corp.test\nsearch a.test b.test.\n";
        assert_eq!(search_domains_in(text), ["a.test", "b.test"]);
        assert_eq!(search_domains_in("domain corp.test\n"), ["corp.test"]);
        assert!(search_domains_in("nameserver ::1\n").is_empty());
    }
}
