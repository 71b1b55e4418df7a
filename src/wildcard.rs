//! PowerShell-style wildcard patterns (`*`, `?`, `[abc]`, `[a-z]`, backtick escapes), matched
//! case-insensitively against the whole string. Every front end filters through this one matcher.
//! Regex metacharacters have no special meaning: `a.b+` matches only `a.b+`.

use crate::error::{excerpt, Error, Result};

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Literal(char),
    AnyOne,
    AnyRun,
    Set { items: Vec<(char, char)> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    source: String,
    tokens: Vec<Token>,
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

impl Pattern {
    /// Parses a pattern; `field` names the input in the error for a malformed one.
    pub fn parse(field: &str, pattern: &str) -> Result<Pattern> {
        let mut tokens = Vec::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => {
                    if tokens.last() != Some(&Token::AnyRun) {
                        tokens.push(Token::AnyRun)
                    }
                }
                '?' => tokens.push(Token::AnyOne),
                '`' => match chars.next() {
                    Some(e) => tokens.push(Token::Literal(fold(e))),
                    None => return Err(Error::invalid(field, format!("pattern '{}' ends with an escape character (`)", excerpt(pattern)))),
                },
                '[' => {
                    let mut items = Vec::new();
                    let mut closed = false;
                    while let Some(s) = chars.next() {
                        if s == ']' && !items.is_empty() {
                            closed = true;
                            break;
                        }
                        let s = if s == '`' { chars.next().unwrap_or('`') } else { s };
                        if chars.peek() == Some(&'-') {
                            chars.next();
                            match chars.next() {
                                Some(']') | None => {
                                    items.push((fold(s), fold(s)));
                                    items.push(('-', '-'));
                                    closed = true;
                                    break;
                                }
                                Some(e) => {
                                    let (lo, hi) = (fold(s), fold(e));
                                    if lo > hi {
                                        return Err(Error::invalid(
                                            field,
                                            format!("pattern '{}' has the range {s}-{e}, which runs backwards", excerpt(pattern)),
                                        ));
                                    }
                                    items.push((lo, hi));
                                }
                            }
                        } else {
                            items.push((fold(s), fold(s)));
                        }
                    }
                    if !closed {
                        return Err(Error::invalid(field, format!("pattern '{}' has a '[' without its ']'", excerpt(pattern))));
                    }
                    tokens.push(Token::Set { items });
                }
                other => tokens.push(Token::Literal(fold(other))),
            }
        }
        Ok(Pattern { source: pattern.to_string(), tokens })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn has_wildcards(&self) -> bool {
        self.tokens.iter().any(|t| !matches!(t, Token::Literal(_)))
    }

    /// The longest run of literal characters: what a server-side "contains" search can use.
    pub fn longest_literal(&self) -> String {
        let mut best = String::new();
        let mut cur = String::new();
        for t in &self.tokens {
            match t {
                Token::Literal(c) => cur.push(*c),
                _ => {
                    if cur.chars().count() > best.chars().count() {
                        best = std::mem::take(&mut cur);
                    }
                    cur.clear();
                }
            }
        }
        if cur.chars().count() > best.chars().count() {
            best = cur;
        }
        best
    }

    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().map(fold).collect();
        // Iterative matcher with one backtrack point for the last `*`: linear in practice, no recursion.
        let (mut t, mut p) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match self.tokens.get(p) {
                Some(Token::AnyRun) => {
                    star = Some((p, t));
                    p += 1;
                    continue;
                }
                Some(tok) if single_matches(tok, text[t]) => {
                    t += 1;
                    p += 1;
                    continue;
                }
                _ => {}
            }
            match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            }
        }
        self.tokens[p..].iter().all(|tok| *tok == Token::AnyRun)
    }
}

fn single_matches(tok: &Token, c: char) -> bool {
    match tok {
        Token::Literal(l) => *l == c,
        Token::AnyOne => true,
        Token::Set { items } => items.iter().any(|(lo, hi)| *lo <= c && c <= *hi),
        Token::AnyRun => false,
    }
}

/// True when `patterns` is empty or any of them matches any of `texts`.
pub fn any_matches<'a>(patterns: &[Pattern], texts: impl IntoIterator<Item = &'a str> + Clone) -> bool {
    patterns.is_empty() || patterns.iter().any(|p| texts.clone().into_iter().any(|t| p.matches(t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        Pattern::parse("name", p).unwrap().matches(t)
    }

    #[test]
    fn powershell_wildcards() {
        assert!(m("A*", "ada"));
        assert!(m("a*", "Ada Andersen"));
        assert!(!m("A*", "bada"));
        assert!(m("*@example.com", "x@EXAMPLE.com"));
        assert!(!m("*@example.com", "x@example.org"));
        assert!(m("?da", "Ada"));
        assert!(m("[a-c]*", "Bruno"));
        assert!(!m("[a-c]*", "Dmitri"));
        assert!(m("*a*b*c*", "xxaxxbxxc"));
        assert!(!m("*a*b*c*", "xxaxxcxxb"));
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(m("*", ""));
    }

    #[test]
    fn regex_metacharacters_are_literal() {
        assert!(m("a.b+(c)", "A.B+(c)"));
        assert!(!m("a.b", "axb"));
        assert!(m("^$|\\", "^$|\\"));
        assert!(m("`*star", "*star"));
        assert!(!m("`*star", "xstar"));
    }

    #[test]
    fn malformed_patterns_name_the_field() {
        let e = Pattern::parse("name", "[abc").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        assert!(e.message.contains("'['"));
        assert!(Pattern::parse("email", "x`").unwrap_err().message.starts_with("email:"));
        assert!(Pattern::parse("name", "[z-a]").is_err());
    }

    #[test]
    fn a_huge_bad_pattern_gives_a_short_message() {
        let e = Pattern::parse("name", &format!("[{}", "a".repeat(1_000_000))).unwrap_err();
        assert!(e.message.chars().count() < 200, "{}", e.message.len());
    }

    #[test]
    fn long_patterns_stay_fast() {
        let p = Pattern::parse("name", &"*a".repeat(200)).unwrap();
        let text = "a".repeat(199) + "b";
        let start = std::time::Instant::now();
        assert!(!p.matches(&text));
        assert!(start.elapsed().as_secs() < 2);
    }

    #[test]
    fn longest_literal_run() {
        assert_eq!(Pattern::parse("n", "A*smith?x").unwrap().longest_literal(), "smith");
        assert_eq!(Pattern::parse("n", "*").unwrap().longest_literal(), "");
    }
}
