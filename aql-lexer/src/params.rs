//! Bind parameters of a query (`@name` values and `@@name` collections).
//!
//! Invariants: only real bind parameter tokens count, so an `@` inside a
//! string, a quoted name or a comment is never a parameter. The result lists
//! each (name, kind) pair once, in order of first appearance, with the
//! position of that first appearance.

use crate::lexer::{tokenize, LexError, Position, Token, TokenKind};

/// Whether a bind parameter stands for a value or a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindParameterKind {
    /// `@name`: any value.
    Value,
    /// `@@name`: the name of a collection (or View).
    Collection,
}

/// One bind parameter used by a query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BindParameter {
    /// The name without the leading `@` or `@@`.
    pub name: String,
    pub kind: BindParameterKind,
    /// Where the parameter first appears.
    pub position: Position,
}

impl BindParameter {
    /// The key under which ArangoDB expects the value in `bindVars`: `name`
    /// for value parameters and `@name` for collection parameters.
    pub fn bind_vars_key(&self) -> String {
        match self.kind {
            BindParameterKind::Value => self.name.clone(),
            BindParameterKind::Collection => format!("@{}", self.name),
        }
    }
}

/// The bind parameters of `query`, in order of first appearance and
/// deduplicated by (name, kind).
pub fn bind_parameters(query: &str) -> Result<Vec<BindParameter>, LexError> {
    Ok(from_tokens(&tokenize(query)?))
}

pub(crate) fn from_tokens(tokens: &[Token<'_>]) -> Vec<BindParameter> {
    let mut params: Vec<BindParameter> = Vec::new();
    for token in tokens {
        let kind = match token.kind {
            TokenKind::BindParameter => BindParameterKind::Value,
            TokenKind::CollectionBindParameter => BindParameterKind::Collection,
            _ => continue,
        };
        let name = token.value();
        // Queries have few parameters, so a linear search beats hashing.
        if !params.iter().any(|p| p.kind == kind && p.name == name) {
            params.push(BindParameter {
                name: name.into_owned(),
                kind,
                position: token.span.start,
            });
        }
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;
    use BindParameterKind::{Collection, Value};

    fn names(query: &str) -> Vec<(String, BindParameterKind)> {
        bind_parameters(query)
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.kind))
            .collect()
    }

    fn p(name: &str, kind: BindParameterKind) -> (String, BindParameterKind) {
        (name.to_string(), kind)
    }

    #[test]
    fn values_and_collections_in_order() {
        assert_eq!(
            names("FOR u IN @@users FILTER u.age > @min AND u.name == @name RETURN u"),
            vec![p("users", Collection), p("min", Value), p("name", Value)]
        );
    }

    #[test]
    fn deduplicated_by_name_and_kind() {
        assert_eq!(
            names("FOR x IN @@c FILTER x.a == @c OR x.b == @c INSERT x INTO @@c"),
            vec![p("c", Collection), p("c", Value)]
        );
    }

    #[test]
    fn first_position_is_kept() {
        let params = bind_parameters("RETURN [\n  @a,\n  @a]").unwrap();
        assert_eq!(params.len(), 1);
        assert_eq!((params[0].position.line, params[0].position.column), (2, 3));
    }

    #[test]
    fn at_signs_in_strings_and_comments_are_not_parameters() {
        let query = r#"
            // @line
            /* @block @@block */
            FOR u IN users
              FILTER u.email == "a@example.com" OR u.x == 'it\'s @not'
              FILTER u.`@quoted` == @real
              RETURN u"#;
        assert_eq!(names(query), vec![p("real", Value)]);
    }

    #[test]
    fn dynamic_attribute_access() {
        assert_eq!(
            names("FOR u IN users RETURN u.@attr.@sub[@idx]"),
            vec![p("attr", Value), p("sub", Value), p("idx", Value)]
        );
    }

    #[test]
    fn parameters_as_range_bounds() {
        assert_eq!(
            names("FOR i IN @from..@to RETURN i"),
            vec![p("from", Value), p("to", Value)]
        );
    }

    #[test]
    fn keyword_named_parameters() {
        // Bind parameters do not conflict with keywords.
        assert_eq!(
            names("FOR doc IN @@collect RETURN doc.@filter"),
            vec![p("collect", Collection), p("filter", Value)]
        );
    }

    #[test]
    fn bind_vars_keys() {
        let params = bind_parameters("FOR d IN @@c RETURN @v").unwrap();
        let keys: Vec<_> = params.iter().map(BindParameter::bind_vars_key).collect();
        assert_eq!(keys, vec!["@c", "v"]);
    }

    #[test]
    fn lexical_errors_are_reported() {
        let err = bind_parameters("RETURN @x + 'open").unwrap_err();
        assert_eq!(err.position.column, 13);
    }
}
