//! Positions as ArangoDB's AQL scanner reports them in error messages
//! ("... at position LINE:COLUMN"), and back.
//!
//! The scanner (flex 2.6, reentrant, `arangod/Aql/tokens.ll`, 8-bit mode)
//! adds each match's length in bytes to the column (`YY_USER_ACTION`).
//! Counting lines, the generated scanner sets the column to 0 at every line
//! feed of a match, before that addition. The rules for line feeds outside
//! quotes (whitespace, comments) then set it to 0 again, so the next line
//! starts at column 1; the rules inside a string literal or quoted name do
//! not, so there the line feed's own byte is counted and the next line
//! starts at column 2. So the column is 1 + the bytes between the position
//! and the last line feed's end (outside quotes) or the line feed itself
//! (inside quotes). (The generated `arangod/Aql/tokens.cpp`, as read for
//! the invalid-query corpus, cases `str-multiline-unexpected` and
//! `lex-unterminated-multiline-string`.)
//!
//! Invariant: [`server_column`] and [`position_at_server_location`] are
//! inverse for every position that starts a token.

use crate::lexer::{lex, Position, TokenKind};

/// Where the scanner's column restarts in one query: for each line feed,
/// the byte offset its next line's column counts from (see the module
/// notes), ascending.
/// Built with one scan, so many positions of one query cost one lex.
pub(crate) struct ColumnOrigins(Vec<usize>);

impl ColumnOrigins {
    pub(crate) fn new(query: &str) -> Self {
        let (tokens, error) = lex(query);
        let mut origins = Vec::new();
        let mut line_feeds = |text: &str, start: usize, quoted: bool| {
            let after = usize::from(!quoted);
            origins.extend(text.match_indices('\n').map(|(at, _)| start + at + after));
        };
        for token in &tokens {
            let quoted = matches!(token.kind, TokenKind::String | TokenKind::QuotedName);
            line_feeds(token.text, token.span.start.offset, quoted);
        }
        // An unterminated string or quoted name runs to the end.
        if let Some(error) = error.filter(|error| {
            error.message.contains("unterminated string")
                || error.message.contains("unterminated identifier")
        }) {
            let start = error.position.offset.min(query.len());
            line_feeds(&query[start..], start, true);
        }
        origins.sort_unstable();
        origins.dedup();
        ColumnOrigins(origins)
    }

    /// Where the column of byte `offset` restarted: just after the last
    /// resetting line feed before `offset`, or 0.
    fn origin(&self, offset: usize) -> usize {
        match self.0.partition_point(|&origin| origin <= offset) {
            0 => 0,
            after => self.0[after - 1],
        }
    }

    /// The 1-based column ArangoDB reports for byte `offset` (clamped to
    /// the query's length by the caller).
    pub(crate) fn column(&self, offset: usize) -> u32 {
        u32::try_from(offset - self.origin(offset) + 1).unwrap_or(u32::MAX)
    }
}

/// The position just after the last character of `query`.
fn end_of(query: &str) -> Position {
    let line_begin = query.rfind('\n').map_or(0, |newline| newline + 1);
    Position {
        offset: query.len(),
        line: u32::try_from(query.matches('\n').count() + 1).unwrap_or(u32::MAX),
        column: u32::try_from(query[line_begin..].chars().count() + 1).unwrap_or(u32::MAX),
    }
}

/// The 1-based column ArangoDB reports for byte `offset` of `query`.
pub fn server_column(query: &str, offset: usize) -> u32 {
    ColumnOrigins::new(query).column(offset.min(query.len()))
}

/// The position (character column) of what ArangoDB reports at `line` and
/// byte `column` (both 1-based). Out-of-range values give the nearest
/// position in the query; a column inside a character gives that character.
pub fn position_at_server_location(query: &str, line: u32, column: u32) -> Position {
    let line_start = if line <= 1 {
        0
    } else {
        match query.match_indices('\n').nth(line as usize - 2) {
            Some((newline, _)) => newline + 1,
            None => return end_of(query),
        }
    };
    let mut offset = (ColumnOrigins::new(query)
        .origin(line_start + 1)
        .min(line_start)
        + column.saturating_sub(1) as usize)
        .min(query.len());
    while !query.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &query[..offset];
    let line_of_offset = before.matches('\n').count() + 1;
    let line_begin = before.rfind('\n').map_or(0, |newline| newline + 1);
    Position {
        offset,
        line: u32::try_from(line_of_offset).unwrap_or(u32::MAX),
        column: u32::try_from(before[line_begin..].chars().count() + 1).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_bytes_from_the_line_start() {
        let query = "FOR i IN 1..100 FILTER 'ü' != i && i = 1 RETURN i";
        let offset = query.find(" = ").unwrap() + 1;
        assert_eq!(server_column(query, offset), 39);
        let back = position_at_server_location(query, 1, 39);
        assert_eq!((back.offset, back.line, back.column), (offset, 1, 38));
    }

    #[test]
    fn a_line_feed_in_a_string_counts_its_own_byte() {
        // Inside quotes the line feed's byte stays counted (module notes).
        let query = "LET s = \"a\nbé\" FILTER s = 1 RETURN s";
        let offset = query.rfind(" = 1").unwrap() + 1;
        // Line 2, character column 14: 14 bytes before it on its line
        // (`é` takes two), plus the line feed's.
        assert_eq!(server_column(query, offset), 16);
        let back = position_at_server_location(query, 2, 16);
        assert_eq!((back.offset, back.line, back.column), (offset, 2, 14));
        // A line feed in a comment or whitespace resets it.
        let query = "LET s = 1 /* a\nbé */ FILTER s = 1 RETURN s";
        let offset = query.rfind(" = 1").unwrap() + 1;
        assert_eq!(server_column(query, offset), 17);
        let back = position_at_server_location(query, 2, 17);
        assert_eq!((back.offset, back.line, back.column), (offset, 2, 16));
    }

    #[test]
    fn every_token_start_maps_back() {
        let query = "FOR d IN `ä\nb` // ü\n  FILTER d.x == \"日\n本\" AND d.y = 2\n  RETURN d";
        let (tokens, error) = lex(query);
        assert!(error.is_none());
        assert!(tokens.len() > 20);
        for token in &tokens {
            let start = token.span.start;
            let back =
                position_at_server_location(query, start.line, server_column(query, start.offset));
            assert_eq!(back, start, "{:?}", token.text);
        }
    }

    #[test]
    fn out_of_range_locations_stay_in_the_query() {
        let query = "RETURN 1\nRETURN ü";
        assert_eq!(position_at_server_location(query, 9, 3).offset, query.len());
        let inside = position_at_server_location(query, 2, 9);
        assert_eq!((inside.line, inside.column), (2, 8));
        assert_eq!(position_at_server_location(query, 0, 0).offset, 0);
    }
}
