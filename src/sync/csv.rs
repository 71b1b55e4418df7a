//! The CSV the sync reads and the listings write: RFC 4180 fields (quotes, doubled quotes,
//! line breaks inside quotes), a header row matched without regard to case, and what
//! PowerShell's `Export-Csv` adds (a byte-order mark, a `#TYPE` line, every field quoted).

use crate::error::{Error, Result};
use std::collections::HashMap;

/// One data row: its line number in the file (1 = the header) and its fields by column.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub line: usize,
    pub fields: HashMap<String, String>,
}

impl Record {
    /// The trimmed value of a column; `None` when the column is absent.
    pub fn get(&self, column: &str) -> Option<&str> {
        self.fields.get(column).map(|s| s.trim())
    }
}

/// A parsed file: the columns (lower case, as they appear) and the rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub columns: Vec<String>,
    pub records: Vec<Record>,
}

/// Splits text into records of fields, each with the line it starts on.
fn split(text: &str) -> Result<Vec<(usize, Vec<String>)>> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut line = 1usize;
    let mut start = 1usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if cur.trim().is_empty() => {
                cur.clear();
                quoted = true;
            }
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            '\r' if !quoted && chars.peek() == Some(&'\n') => {}
            '\n' if !quoted => {
                fields.push(std::mem::take(&mut cur));
                out.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
            }
            '\n' => {
                line += 1;
                cur.push(c);
            }
            _ => cur.push(c),
        }
    }
    if quoted {
        return Err(Error::invalid("csv", format!("line {start}: a quoted field is not closed")));
    }
    if !cur.is_empty() || !fields.is_empty() {
        fields.push(cur);
        out.push((start, fields));
    }
    Ok(out)
}

/// Parses a file: the header must hold only `known` columns (any case) and every `required` one.
pub fn parse(text: &str, known: &[&str], required: &[&str]) -> Result<Table> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = split(text)?
        .into_iter()
        .filter(|(_, f)| !(f.len() == 1 && f[0].trim().is_empty()))
        .filter(|(_, f)| !(f.len() == 1 && f[0].starts_with("#TYPE")));
    let (header_line, header) = rows.next().ok_or_else(|| Error::invalid("csv", "the file is empty: it needs a header row"))?;
    let columns: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    for (i, c) in columns.iter().enumerate() {
        if !known.contains(&c.as_str()) {
            return Err(Error::invalid(
                format!("csv.columns[{i}]"),
                format!("line {header_line}: unknown column '{}' (known: {})", crate::error::excerpt(&header[i]), known.join(", ")),
            ));
        }
        if columns[..i].contains(c) {
            return Err(Error::invalid(format!("csv.columns[{i}]"), format!("line {header_line}: column '{c}' appears twice")));
        }
    }
    for r in required {
        if !columns.iter().any(|c| c == r) {
            return Err(Error::invalid("csv.columns", format!("line {header_line}: the required column '{r}' is missing")));
        }
    }
    let mut records = Vec::new();
    for (line, fields) in rows {
        if fields.len() != columns.len() {
            return Err(Error::invalid("csv", format!("line {line}: {} fields, the header has {}", fields.len(), columns.len())));
        }
        records.push(Record { line, fields: columns.iter().cloned().zip(fields).collect() });
    }
    Ok(Table { columns, records })
}

/// One field as CSV: quoted when it holds a comma, a quote, a line break or edge spaces.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.trim() != s {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// One line of CSV (with its line break).
pub fn line<S: AsRef<str>>(fields: &[S]) -> String {
    let mut s = fields.iter().map(|f| field(f.as_ref())).collect::<Vec<_>>().join(",");
    s.push('\n');
    s
}

/// Splits a `;`-separated list cell; empty items are dropped.
pub fn list(cell: &str) -> Vec<String> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// FNV-1a of the text: tells apply whether it was given the file the plan was made from.
pub fn digest(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_quotes_line_breaks_and_export_csv_extras() {
        let text = "\u{feff}#TYPE Selected.Object\r\n\"Email\",\"OrganizationRoles\"\r\n\"a@x.io\",\"org_member;developer\"\r\n\r\n\"b, \"\"c\"\"\nd\",x\n";
        let t = parse(text, &["email", "organizationroles"], &["email"]).unwrap();
        assert_eq!(t.columns, vec!["email", "organizationroles"]);
        assert_eq!(t.records.len(), 2);
        assert_eq!(t.records[0].line, 3);
        assert_eq!(t.records[0].get("organizationroles"), Some("org_member;developer"));
        assert_eq!(t.records[1].get("email"), Some("b, \"c\"\nd"));
        assert_eq!(t.records[1].line, 5);
    }

    #[test]
    fn refuses_unknown_missing_and_repeated_columns_and_short_rows() {
        let e = parse("email,colour\n", &["email"], &["email"]).unwrap_err();
        assert!(e.message.contains("unknown column 'colour'"), "{e}");
        assert_eq!(e.field.as_deref(), Some("csv.columns[1]"));
        let e = parse("roles\n", &["email", "roles"], &["email"]).unwrap_err();
        assert!(e.message.contains("required column 'email'"), "{e}");
        let e = parse("email,email\n", &["email"], &[]).unwrap_err();
        assert!(e.message.contains("twice"), "{e}");
        let e = parse("email,roles\na@b.co\n", &["email", "roles"], &[]).unwrap_err();
        assert!(e.message.contains("line 2: 1 fields"), "{e}");
        assert!(parse("", &["email"], &[]).is_err());
        assert!(parse("email\n\"open\n", &["email"], &[]).is_err());
    }

    #[test]
    fn writes_what_it_reads() {
        let s = line(&["a,b", "q\"q", " x", "plain"]);
        let t = parse(&format!("w,x,y,z\n{s}"), &["w", "x", "y", "z"], &[]).unwrap();
        assert_eq!(t.records[0].fields["w"], "a,b");
        assert_eq!(t.records[0].fields["x"], "q\"q");
        assert_eq!(t.records[0].fields["y"], " x");
        assert_ne!(digest("a"), digest("b"));
    }
}
