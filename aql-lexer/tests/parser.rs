//! Unit tests of the parser: one per construct, operator precedence, and
//! rejected queries with the server's message style.

use aql_lexer::ast::*;
use aql_lexer::parse_query;

fn parse(query: &str) -> Query {
    parse_query(query).unwrap_or_else(|e| panic!("{query:?} should parse: {}", e.message))
}

fn error(query: &str) -> String {
    match parse_query(query) {
        Ok(ast) => panic!("{query:?} should not parse: {ast:?}"),
        Err(e) => e.message,
    }
}

/// A compact rendering of an expression to check the tree's shape.
fn show(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Null => "null".into(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Number(n) => n.clone(),
        ExprKind::String(s) => format!("{s:?}"),
        ExprKind::Name(n) => n.clone(),
        ExprKind::BindParameter(n) => format!("@{n}"),
        ExprKind::CollectionBindParameter(n) => format!("@@{n}"),
        ExprKind::Array(items) => {
            format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(" "))
        }
        ExprKind::Object(entries) => format!("{{{}}}", entries.len()),
        ExprKind::Call { name, args } => {
            format!(
                "{name}({})",
                args.iter().map(show).collect::<Vec<_>>().join(" ")
            )
        }
        ExprKind::Unary(op, x) => format!("({op:?} {})", show(x)),
        ExprKind::Binary(op, a, b) => format!("({op:?} {} {})", show(a), show(b)),
        ExprKind::ArrayComparison {
            quantifier,
            op,
            left,
            right,
        } => {
            let q = match quantifier {
                Quantifier::All => "All".to_string(),
                Quantifier::Any => "Any".to_string(),
                Quantifier::None => "None".to_string(),
                Quantifier::AtLeast(n) => format!("AtLeast {}", show(n)),
            };
            format!("({q} {op:?} {} {})", show(left), show(right))
        }
        ExprKind::Ternary {
            condition,
            then,
            otherwise,
        } => format!(
            "(? {} {} {})",
            show(condition),
            then.as_ref().map_or("_".to_string(), |t| show(t)),
            show(otherwise)
        ),
        ExprKind::Attribute(base, name) => format!("{}.{name}", show(base)),
        ExprKind::Index(base, i) => format!("{}[{}]", show(base), show(i)),
        ExprKind::Expansion {
            base,
            depth,
            inline,
        } => format!(
            "{}[{}{}{}{}]",
            show(base),
            "*".repeat(*depth),
            inline
                .filter
                .as_ref()
                .map_or(String::new(), |f| format!(" F {}", show(f))),
            inline
                .limit
                .as_ref()
                .map_or(String::new(), |(_, n)| format!(" L {}", show(n))),
            inline
                .project
                .as_ref()
                .map_or(String::new(), |p| format!(" R {}", show(p)))
        ),
        ExprKind::Question { base, inline, .. } => format!(
            "{}[?{}]",
            show(base),
            inline
                .filter
                .as_ref()
                .map_or(String::new(), |f| format!(" F {}", show(f)))
        ),
        ExprKind::Subquery(q) => format!("(subquery {})", q.body.len()),
        ExprKind::Spread(x) => format!("...{}", show(x)),
    }
}

/// The expression of `RETURN <expr>`.
fn ret(expr: &str) -> String {
    let query = parse(&format!("RETURN {expr}"));
    match &query.body[..] {
        [Statement::Return { value, .. }] => show(value),
        other => panic!("unexpected body {other:?}"),
    }
}

#[test]
fn precedence() {
    assert_eq!(ret("1 + 2 * 3"), "(Add 1 (Mul 2 3))");
    assert_eq!(ret("1 - 2 - 3"), "(Sub (Sub 1 2) 3)");
    assert_eq!(ret("a || b && c"), "(Or a (And b c))");
    assert_eq!(ret("a OR b AND NOT c"), "(Or a (And b (Not c)))");
    assert_eq!(ret("a == b < c"), "(Eq a (Lt b c))");
    assert_eq!(ret("a IN b == c"), "(Eq (In a b) c)");
    assert_eq!(ret("x NOT IN [1, 2]"), "(NotIn x [1 2])");
    assert_eq!(ret("1..2 + 3"), "(Range 1 (Add 2 3))");
    assert_eq!(ret("-a.b"), "(Minus a.b)");
    assert_eq!(ret("!a == b"), "(Eq (Not a) b)");
    assert_eq!(ret("a ? b : c ? d : e"), "(? a b (? c d e))");
    assert_eq!(ret("a || b ? 1 : 2"), "(? (Or a b) 1 2)");
    assert_eq!(ret("a ?: b"), "(? a _ b)");
}

#[test]
fn literals_before_a_colon_stay_literals() {
    // Corpus valid/1220: the keyword before `:` is a value, not an object key.
    assert!(matches!(
        parse("RETURN 1 ? null : 2").body[0],
        Statement::Return { value: Expr { kind: ExprKind::Ternary { ref then, .. }, .. }, .. }
            if matches!(then.as_deref(), Some(Expr { kind: ExprKind::Null, .. }))
    ));
    assert!(matches!(
        parse("RETURN a ? TRUE : false").body[0],
        Statement::Return { value: Expr { kind: ExprKind::Ternary { ref then, .. }, .. }, .. }
            if matches!(then.as_deref(), Some(Expr { kind: ExprKind::Bool(true), .. }))
    ));
    // As an object key it is still a name.
    assert_eq!(ret("{ null: 1 }"), ret("{ \"null\": 1 }"));
}

#[test]
fn comparison_operators() {
    assert_eq!(ret("a LIKE 'x%'"), "(Like a \"x%\")");
    assert_eq!(ret("a NOT LIKE 'x%'"), "(NotLike a \"x%\")");
    assert_eq!(ret("a =~ 'x'"), "(RegexMatch a \"x\")");
    assert_eq!(ret("a !~ 'x'"), "(RegexNonMatch a \"x\")");
    assert_eq!(ret("[1,2] ALL IN [1,2,3]"), "(All In [1 2] [1 2 3])");
    assert_eq!(ret("[1,2] ANY == 2"), "(Any Eq [1 2] 2)");
    assert_eq!(ret("[1,2] NONE > 5"), "(None Gt [1 2] 5)");
    assert_eq!(ret("[1,2] AT LEAST (2) < 5"), "(AtLeast 2 Lt [1 2] 5)");
    assert_eq!(ret("LIKE(a, 'x')"), "LIKE(a \"x\")");
    assert_eq!(ret("a NOT =~ 'x'"), "(RegexNonMatch a \"x\")");
    assert_eq!(ret("a NOT !~ 'x'"), "(RegexMatch a \"x\")");
}

#[test]
fn access_expansion_and_question_marks() {
    assert_eq!(ret("u.a['b'][0]"), "u.a[\"b\"][0]");
    assert_eq!(ret("u.friends[*].name"), "u.friends[*].name");
    assert_eq!(ret("u.tags[**]"), "u.tags[**]");
    assert_eq!(
        ret("u.f[* FILTER CURRENT.age > 1 LIMIT 2 RETURN CURRENT.name]"),
        "u.f[* F (Gt CURRENT.age 1) L 2 R CURRENT.name]"
    );
    assert_eq!(ret("u.f[? FILTER CURRENT > 1]"), "u.f[? F (Gt CURRENT 1)]");
    assert_eq!(
        ret("u.f[? 2 FILTER CURRENT > 1]"),
        "u.f[? F (Gt CURRENT 1)]"
    );
    assert_eq!(
        ret("u.f[? ALL FILTER CURRENT > 1]"),
        "u.f[? F (Gt CURRENT 1)]"
    );
    assert_eq!(ret("u.f[?]"), "u.f[?]");
    assert_eq!(ret("u.f[?? FILTER true]"), "u.f[? F true]");
}

#[test]
fn literals_calls_and_parameters() {
    assert_eq!(
        ret("[1, 'a', null, true, false,]"),
        "[1 \"a\" null true false]"
    );
    assert_eq!(ret("{ a: 1, 'b': 2, [x]: 3, @k: 4, y }"), "{5}");
    assert_eq!(ret("MyNs::Sub::fn(1)"), "MYNS::SUB::FN(1)");
    assert_eq!(ret("length(@x)"), "LENGTH(@x)");
    assert_eq!(ret("@@coll"), "@@coll");
    assert_eq!(ret("(FOR x IN c RETURN x)"), "(subquery 2)");
    assert_eq!(ret("LENGTH(FOR x IN c RETURN x)"), "LENGTH((subquery 2))");
}

#[test]
fn for_variants() {
    let q = parse("FOR d IN v SEARCH d.a == 1 OPTIONS { waitForSync: true } RETURN d");
    let Statement::For(f) = &q.body[0] else {
        panic!()
    };
    assert!(matches!(
        &f.source,
        ForSource::Expr {
            search: Some(_),
            ..
        }
    ));
    assert!(f.options.is_some());

    let q = parse(
        "FOR v, e, p IN 1..2 OUTBOUND 'u/1' GRAPH 'g' PRUNE v.x == 1 OPTIONS { bfs: true } RETURN p",
    );
    let Statement::For(f) = &q.body[0] else {
        panic!()
    };
    let names: Vec<&str> = f.variables.iter().flat_map(Pattern::names).collect();
    assert_eq!(names, ["v", "e", "p"]);
    assert!(matches!(
        &f.source,
        ForSource::Traversal {
            depth: Some(_),
            direction: Direction::Outbound,
            graph: Graph::Named(_),
            prune: Some(_),
            ..
        }
    ));
    assert!(f.options.is_some());

    let q = parse("FOR v IN ANY @start edges, INBOUND @@other RETURN v");
    let Statement::For(f) = &q.body[0] else {
        panic!()
    };
    let ForSource::Traversal {
        depth: None,
        graph: Graph::Collections(list),
        ..
    } = &f.source
    else {
        panic!("{:?}", f.source)
    };
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].0, Some(Direction::Inbound));

    for (query, kind) in [
        (
            "FOR v, e IN OUTBOUND SHORTEST_PATH 'a/1' TO 'a/2' GRAPH 'g' RETURN v",
            PathKind::ShortestPath,
        ),
        (
            "FOR p IN OUTBOUND K_SHORTEST_PATHS 'a/1' TO 'a/2' edges LIMIT 3 RETURN p",
            PathKind::KShortestPaths,
        ),
        (
            "FOR p IN 1..3 ANY K_PATHS 'a/1' TO 'a/2' GRAPH 'g' RETURN p",
            PathKind::KPaths,
        ),
        (
            "FOR p IN INBOUND ALL_SHORTEST_PATHS 'a/1' TO 'a/2' GRAPH 'g' RETURN p",
            PathKind::AllShortestPaths,
        ),
    ] {
        let q = parse(query);
        let Statement::For(f) = &q.body[0] else {
            panic!()
        };
        assert!(
            matches!(&f.source, ForSource::Path { kind: k, .. } if *k == kind),
            "{query}"
        );
    }
}

#[test]
fn operations() {
    let q = parse(
        "WITH users, @@c FOR u IN users FILTER u.a LET x = 1, y = 2 SORT u.a DESC, u.b LIMIT 1, 2 RETURN DISTINCT u",
    );
    assert_eq!(q.with.len(), 2);
    assert_eq!(parse("WITH a b, c FOR x IN a RETURN x").with.len(), 3);
    assert_eq!(q.body.len(), 6);
    assert!(matches!(&q.body[2], Statement::Let(list) if list.len() == 2));
    assert!(matches!(&q.body[3], Statement::Sort(items) if items[0].ascending == Some(false)));
    assert!(matches!(
        &q.body[4],
        Statement::Limit {
            offset: Some(_),
            ..
        }
    ));
    assert!(matches!(
        &q.body[5],
        Statement::Return { distinct: true, .. }
    ));
}

#[test]
fn destructuring_4x() {
    let q = parse("FOR [k, v] IN ENTRIES(d) LET { a, b: [c, d] } = v RETURN [a, c, d]");
    let Statement::For(f) = &q.body[0] else {
        panic!()
    };
    assert_eq!(f.variables[0].names(), ["k", "v"]);
    let Statement::Let(bindings) = &q.body[1] else {
        panic!()
    };
    assert_eq!(bindings[0].0.names(), ["a", "c", "d"]);
}

#[test]
fn collect_forms() {
    for query in [
        "FOR u IN users COLLECT c = u.city RETURN c",
        "FOR u IN users COLLECT c = u.city INTO g RETURN g",
        "FOR u IN users COLLECT c = u.city INTO g = u.name RETURN g",
        "FOR u IN users COLLECT c = u.city INTO g KEEP u RETURN g",
        "FOR u IN users COLLECT c = u.city WITH COUNT INTO n RETURN n",
        "FOR u IN users COLLECT WITH COUNT INTO n RETURN n",
        "FOR u IN users COLLECT AGGREGATE m = MAX(u.age) RETURN m",
        "FOR u IN users SORT u.a @dir, u.b 'DESC' RETURN u",
        "UPSERT @doc INSERT @doc UPDATE {} IN users",
        "FOR u IN users COLLECT c = u.city AGGREGATE m = MAX(u.age), n = LENGTH(1) INTO g OPTIONS { method: 'sorted' } RETURN m",
    ] {
        parse(query);
    }
    let q = parse(
        "FOR u IN users COLLECT c = u.city, d = 1 INTO g KEEP u OPTIONS { method: 'hash' } RETURN g",
    );
    let Statement::Collect(c) = &q.body[1] else {
        panic!()
    };
    assert_eq!(
        (c.groups.len(), c.aggregates.len(), c.keep.len()),
        (2, 0, 1)
    );
    assert!(c.into.is_some() && c.options.is_some());
    // KEEP goes with groups and INTO, not with AGGREGATE (grammar.y).
    assert!(parse_query(
        "FOR u IN users COLLECT c = u.city AGGREGATE m = MAX(u.age) INTO g KEEP u RETURN m"
    )
    .is_err());
}

#[test]
fn window_and_modifications() {
    parse("FOR t IN obs WINDOW { preceding: 1, following: 1 } AGGREGATE s = SUM(t.val) RETURN s");
    parse(
        "FOR t IN obs WINDOW t.time WITH { preceding: 'PT1H' } AGGREGATE s = SUM(t.val) RETURN s",
    );
    for query in [
        "INSERT { a: 1 } INTO users OPTIONS { overwriteMode: 'replace' }",
        "FOR u IN users UPDATE u WITH { a: 1 } IN users",
        "FOR u IN users UPDATE { _key: u._key, a: 1 } IN users OPTIONS { keepNull: false } RETURN NEW",
        "FOR u IN users REPLACE u WITH { a: 1 } IN @@c",
        "FOR u IN users REMOVE u IN users LET r = OLD RETURN r",
        "REMOVE 'k' IN users",
        "UPSERT { a: 1 } INSERT { a: 1 } UPDATE { b: 2 } IN users RETURN NEW",
        "UPSERT FILTER $CURRENT.a == 1 INSERT { a: 1 } REPLACE { a: 2 } IN users",
        "FOR i IN 1..3 INSERT { v: i IN [1, 2] } IN users",
    ] {
        parse(query);
    }
    let q = parse("UPSERT { a: 1 } INSERT { a: 1 } REPLACE { b: 2 } INTO users");
    let Statement::Modify(m) = &q.body[0] else {
        panic!()
    };
    assert_eq!(m.kind, ModificationKind::Upsert);
    assert!(matches!(m.upsert_update, Some((true, _))));
}

#[test]
fn rejects_invalid_queries() {
    // To the grammar, `FILTR u._key == @user_key` is a FOR qualifier with
    // an expression (like `SEARCH cond`); the server then rejects the name.
    assert_eq!(
        error("FOR u IN users\n  FILTR u._key == @user_key\n  RETURN u"),
        "unexpected qualifier 'FILTR', expecting 'SEARCH' or 'OPTIONS' near 'RETURN u' at position 3:3"
    );
    assert!(error("LET x = 1 FILTR x RETURN x")
        .starts_with("syntax error, unexpected identifier near 'FILTR x"));
    assert!(error("FOR v IN OUTBOUND 'a/1' GRAPH 'g' PRUNED v RETURN v")
        .starts_with("unexpected qualifier 'PRUNED', expecting 'PRUNE' or 'OPTIONS'"));
    assert!(error("FOR x IN c OPTIONS {} SEARCH x RETURN x")
        .starts_with("unexpected qualifier 'OPTIONS', expecting 'SEARCH' and 'OPTIONS'"));
    assert!(error("INSERT {} INTO c OPTION { a: 1 }")
        .starts_with("unexpected qualifier 'OPTION', expecting 'OPTIONS'"));
    assert!(
        error("FOR i IN 1..3 RETURN").starts_with("syntax error, unexpected end of query string")
    );
    assert!(
        error("FOR u IN users").starts_with("syntax error, unexpected end of query string near")
    );
    assert!(error("RETURN 1 +").contains("unexpected end of query string"));
    assert!(error("RETURN [1, 2").contains("expecting ]"));
    assert!(error("LET x 1 RETURN x").contains("expecting assignment"));
    assert!(error("RETURN { a: 1 b: 2 }").contains("expecting }"));
    // grammar.y: `IN` could also be an operator here, so bison names nothing.
    assert!(error("INSERT { a: 1 } users").starts_with("syntax error, unexpected identifier near"));
    assert!(
        error("FOR v IN OUTBOUND SHORTEST_PATH 'a' 'b' GRAPH 'g' RETURN v")
            .starts_with("syntax error, unexpected quoted string near")
    );
    assert_eq!(
        error("FOR v IN OUTBOUND SHORTEST_PATH 'a' TOO 'b' GRAPH 'g' RETURN v"),
        "unexpected qualifier 'TOO', expecting 'TO' near 'OUTBOUND SHORTEST_PATH 'a' TOO '...' at position 1:10"
    );
    assert_eq!(
        error("FOR a, b IN users RETURN a"),
        "Collections and views FOR loops only allow a single return variable near 's RETURN a' at position 1:17"
    );
    assert!(error("FOR a, b, c, d IN 1..2 ANY 'x/1' GRAPH 'g' RETURN a")
        .starts_with("Traversals only have one, two or three return variables"));
    assert!(
        error("FOR a, b IN ANY K_PATHS 'x/1' TO 'x/2' GRAPH 'g' RETURN a")
            .starts_with("K_PATHS only has one return variable")
    );
    assert_eq!(parse_query("  // nothing\n").unwrap_err().error_num(), 1502);
    assert!(error("RETURN 'abc").contains("unterminated string"));
    assert!(error("FOR u IN users COLLECT a = u.a KEEP u RETURN a")
        .starts_with("use of 'KEEP' without 'INTO' near 'RETURN a'"));
    assert!(
        error("FOR u IN users COLLECT a = u.a INTO g KEPP u RETURN a")
            .starts_with("unexpected qualifier 'KEPP', expecting 'KEEP'")
    );
    assert!(error("RETURN DISTINCT 1")
        .starts_with("cannot use DISTINCT modifier on top-level query element near 'DISTINCT 1'"));
    assert!(error("FOR x IN c RETURN (RETURN DISTINCT x)")
        .starts_with("cannot use DISTINCT modifier on top-level query element"));
    assert!(error("RETURN (WITH c FOR x IN c RETURN x)")
        .starts_with("syntax error, unexpected WITH keyword"));
    assert!(
        error("WITH 'c' FOR x IN c RETURN x").starts_with("syntax error, unexpected quoted string")
    );
    assert!(error("INSERT {} INTO @c").starts_with("syntax error, unexpected bind parameter"));
    assert!(error("FOR v IN OUTBOUND 'a/1' GRAPH [1] RETURN v").contains("unexpected ["));
    assert!(error("RETURN [1][? FILTER true LIMIT 1]").contains("unexpected LIMIT declaration"));
    assert!(error("FOR u IN users COLLECT AGGREGATE n = 1 RETURN n")
        .starts_with("syntax error, unexpected integer number, expecting identifier"));
    assert!(error("FOR u IN users COLLECT AGGREGATE n = u.a RETURN n").contains("unexpected '.'"));
    assert!(
        error("FOR t IN obs WINDOW t.x AGGREGATE s = SUM(t.v) RETURN s")
            .starts_with("syntax error, unexpected AGGREGATE keyword")
    );
    assert!(error("UPSERT u INSERT {} UPDATE {} IN users").contains("unexpected identifier"));
    assert!(error("RETURN FILTER(1)").starts_with("syntax error, unexpected FILTER declaration"));
    assert!(error("FOR v IN OUTBOUND 'a/1' 'edges' RETURN v").contains("unexpected quoted string"));
    assert!(error("RETURN [1][? ALL]").contains("unexpected ]"));
    assert!(
        error("FOR v IN 1..2 OUTBOUND SHORTEST_PATH 'a' TO 'b' GRAPH 'g' RETURN v")
            .starts_with("syntax error, unexpected SHORTEST_PATH keyword near")
    );
    assert!(
        error("FOR u IN users COLLECT AGGREGATE n = MAX(u.a) WITH COUNT INTO c RETURN c")
            .starts_with("syntax error, unexpected WITH keyword near")
    );
    assert!(
        error("FOR u IN users COLLECT a = u.a INTO g WITH COUNT INTO c RETURN c")
            .starts_with("syntax error, unexpected WITH keyword near")
    );
    assert!(error("RETURN { 1: 2 }").contains("unexpected integer number"));
    assert!(error("RETURN { FOR }").contains("unexpected FOR declaration"));
    assert!(error("RETURN a.'b'").contains("unexpected quoted string"));
    assert!(
        error("FOR x IN c FILTER x RETURN x RETURN x").contains("unexpected RETURN declaration")
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let query = format!("RETURN {}1{}", "(".repeat(5000), ")".repeat(5000));
    assert!(error(&query).contains("nesting too deep"));
    let query = format!("RETURN {}1", "-".repeat(5000));
    assert!(error(&query).contains("nesting too deep"));
}
