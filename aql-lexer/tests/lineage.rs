//! Lineage (`aql_lexer::lineage`) on the repository's example features, on
//! chosen corpus queries with exact expectations, and over the whole valid
//! corpus (no panic; every source is named in the query text).
//!
//! Expectations are written in `Lineage`'s `Display` form: `sources: ...`,
//! `views: ...`, `graphs: ...`, `written: ...`, then `read <key>: <paths>`
//! and `filtered <key>: <paths>` lines.

mod valid_corpus;

use std::fs;
use std::path::{Path, PathBuf};

use aql_lexer::lineage::{source_key, SourceKey};
use aql_lexer::{lineage, parse_query, referenced_collections, Lineage};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn corpus() -> PathBuf {
    valid_corpus::corpus_dir()
}

fn lineage_of(text: &str, what: &str) -> Lineage {
    match parse_query(text) {
        Ok(query) => lineage(&query),
        Err(error) => panic!("{what} does not parse: {}", error.message),
    }
}

/// A feature file's query: the file without its `-- Key: value` header
/// lines (AQL comments are `//` and `/* */`; `--` would be two minus
/// signs).
fn feature_query(path: &Path) -> String {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .skip_while(|line| line.starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn feature(name: &str) -> String {
    let path = repo().join("features/transformations").join(name);
    lineage_of(&feature_query(&path), name).to_string()
}

fn corpus_query(file: &str) -> String {
    let path = corpus().join("valid").join(file);
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    lineage_of(&text, file).to_string()
}

// ---- (a) the example features -------------------------------------------

#[test]
fn user_profile_reads_the_whole_user_filtered_by_key() {
    assert_eq!(
        feature("user_profile_v1.aql"),
        concat!(
            "sources: users\n",
            "read users: *, _key\n",
            "filtered users: _key\n",
        )
    );
}

#[test]
fn user_session_count_v1_reads_edges_of_user_sessions() {
    // `u` starts the traversal: its `_id`. The subquery's edges are only
    // counted (LENGTH), so only their filtered attribute is read.
    assert_eq!(
        feature("user_session_count_v1.aql"),
        concat!(
            "sources: user_sessions, users\n",
            "read user_sessions: started_at\n",
            "read users: _id, _key\n",
            "filtered user_sessions: started_at\n",
            "filtered users: _key\n",
        )
    );
}

#[test]
fn user_session_count_v2_also_filters_on_is_bot() {
    assert_eq!(
        feature("user_session_count_v2.aql"),
        concat!(
            "sources: user_sessions, users\n",
            "read user_sessions: is_bot, started_at\n",
            "read users: _id, _key\n",
            "filtered user_sessions: is_bot, started_at\n",
            "filtered users: _key\n",
        )
    );
}

#[test]
fn product_graph_centrality_reads_vertex_keys_of_the_graph() {
    // `RETURN DISTINCT u._key` reads the key of every vertex reached in
    // graph `interactions`, whose collections are not known from the query.
    assert_eq!(
        feature("product_graph_centrality_v1.aql"),
        concat!(
            "sources: products\n",
            "graphs: interactions\n",
            "read graph:interactions/vertices: _key\n",
            "read products: _id, _key\n",
            "filtered products: _key\n",
        )
    );
}

#[test]
fn every_example_feature_is_covered() {
    let dir = repo().join("features");
    let mut found = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "aql") {
                // Every feature's query parses once its header is stripped.
                lineage_of(&feature_query(&path), &path.display().to_string());
                found.push(
                    path.file_name()
                        .expect("a file name")
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    found.sort();
    assert_eq!(
        found,
        [
            "product_graph_centrality_v1.aql",
            "user_profile_v1.aql",
            "user_session_count_v1.aql",
            "user_session_count_v2.aql",
        ],
        "a new example feature needs its lineage test above"
    );
}

// ---- (b) corpus queries with exact expectations ---------------------------

/// Corpus file, what it exercises, expected lineage.
const CORPUS_CASES: &[(&str, &str, &str)] = &[
    (
        "0041.aql",
        "expansion [**] of a subquery of expansions",
        concat!(
            "sources: users\n",
            "read users: friends[*].name\n",
        ),
    ),
    (
        "0043.aql",
        "inline filter, limit and projection",
        concat!(
            "sources: users\n",
            "read users: friends[*].age, friends[*].name, name\n",
        ),
    ),
    (
        "0079.aql",
        "COLLECT with INTO, groups read through expansions",
        concat!(
            "sources: users\n",
            "read users: active, age, gender\n",
            "filtered users: active\n",
        ),
    ),
    (
        "0100.aql",
        "traversal of a named graph from a document",
        concat!(
            "sources: germanCity\n",
            "graphs: routeplanner\n",
            "read germanCity: _id, _key, geometry\n",
            "read graph:routeplanner/vertices: _key\n",
            "filtered germanCity: geometry\n",
        ),
    ),
    (
        "0101.aql",
        "traversal in a subquery",
        concat!(
            "sources: germanCity\n",
            "graphs: routeplanner\n",
            "read germanCity: _id, _key, geometry\n",
            "read graph:routeplanner/vertices: _key\n",
            "filtered germanCity: geometry\n",
        ),
    ),
    (
        "0115.aql",
        "traversal subquery compared in a filter",
        concat!(
            "sources: collection\n",
            "graphs: my_graph\n",
            "read collection: *, value\n",
            "read graph:my_graph/vertices: value\n",
            "filtered collection: value\n",
        ),
    ),
    (
        "0586.aql",
        "ALL_SHORTEST_PATHS over an edge collection",
        concat!(
            "sources: acts_in\n",
            "read edges:acts_in/vertices: label\n",
        ),
    ),
    (
        "0587.aql",
        "SHORTEST_PATH in a named graph",
        concat!(
            "graphs: kShortestPathsGraph\n",
            "read graph:kShortestPathsGraph/vertices: label\n",
        ),
    ),
    (
        "0593.aql",
        "K_PATHS with a depth",
        concat!(
            "graphs: kShortestPathsGraph\n",
            "read graph:kShortestPathsGraph/edges: travelTime\n",
            "read graph:kShortestPathsGraph/vertices: label\n",
        ),
    ),
    (
        "0611.aql",
        "traversal with PRUNE into a variable",
        concat!(
            "graphs: kShortestPathsGraph\n",
            "read graph:kShortestPathsGraph/edges: travelTime\n",
            "read graph:kShortestPathsGraph/vertices: label\n",
            "filtered graph:kShortestPathsGraph/edges: travelTime\n",
            "filtered graph:kShortestPathsGraph/vertices: label\n",
        ),
    ),
    (
        "0644.aql",
        "COLLECT with AGGREGATE",
        concat!(
            "sources: users\n",
            "read users: age\n",
        ),
    ),
    (
        "0766.aql",
        "WINDOW in a subquery over INTO groups",
        concat!(
            "sources: observations\n",
            "read observations: subject, time, val\n",
        ),
    ),
    (
        "1004.aql",
        "WINDOW with AGGREGATE",
        concat!(
            "sources: observations\n",
            "read observations: time, val\n",
            "filtered observations: time\n",
        ),
    ),
    (
        "0104.aql",
        "UPSERT with a search document",
        concat!(
            "sources: pages\n",
            "written: pages\n",
            "read pages: page, value\n",
            "filtered pages: page\n",
        ),
    ),
    (
        "0759.aql",
        "UPSERT FILTER (3.12)",
        concat!(
            "sources: users\n",
            "written: users\n",
            "read users: age, gender, logins, name\n",
            "filtered users: age, gender, name\n",
        ),
    ),
    (
        "0881.aql",
        "SEARCH on a view with an inline filter",
        concat!(
            "sources: viewName\n",
            "views: viewName\n",
            "read viewName: *, dimensions.type, dimensions.value, dimensions[*].type, dimensions[*].value\n",
            "filtered viewName: dimensions.type, dimensions.value, dimensions[*].type, dimensions[*].value\n",
        ),
    ),
    (
        "0118.aql",
        "SEARCH with ANALYZER",
        concat!(
            "sources: viewName\n",
            "views: viewName\n",
            "read viewName: *, text\n",
            "filtered viewName: text\n",
        ),
    ),
    (
        "0027.aql",
        "subquery over an attribute array, UPDATE, RETURN NEW",
        concat!(
            "sources: complexCollection\n",
            "written: complexCollection\n",
            "read complexCollection: *, _key, subList[*], subList[*].filterByMe\n",
        ),
    ),
    (
        "0096.aql",
        "subquery of edge keys removed",
        concat!(
            "graphs: knows_graph\n",
            "written: knows, persons\n",
            "read graph:knows_graph/edges: _key\n",
        ),
    ),
    (
        "0022.aql",
        "REPLACE into another collection",
        concat!(
            "sources: users\n",
            "written: backup\n",
            "read users: *\n",
        ),
    ),
];

#[test]
fn chosen_corpus_queries_have_the_expected_lineage() {
    let mut wrong = Vec::new();
    for (file, what, expected) in CORPUS_CASES {
        let actual = corpus_query(file);
        if actual != *expected {
            wrong.push(format!(
                "{file} ({what}):\n--- expected\n{expected}--- actual\n{actual}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(CORPUS_CASES.len() >= 10);
}

// ---- (c) the whole valid corpus ------------------------------------------

/// What holds for the lineage of any query: every name it reports is in
/// the query text, views are sources, every key of `attributes` and
/// `filtered` is a source or a pseudo-source of a reported graph or edge
/// collection, paths are not empty, `filtered` is within `attributes`, and
/// the tokenizer-level collection heuristic finds nothing it misses.
fn check_invariants(file: &str, text: &str, lineage: &Lineage, problems: &mut Vec<String>) {
    let names = lineage
        .sources
        .iter()
        .chain(&lineage.views)
        .chain(&lineage.graphs)
        .chain(&lineage.written);
    for name in names {
        if name.is_empty() || !text.contains(name.as_str()) {
            problems.push(format!("{file}: {name:?} is not in the query text"));
        }
    }
    for view in &lineage.views {
        if !lineage.sources.contains(view) {
            problems.push(format!("{file}: view {view} is not a source"));
        }
    }
    for (label, map) in [
        ("read", &lineage.attributes),
        ("filtered", &lineage.filtered),
    ] {
        for (key, paths) in map {
            let known = match source_key(key) {
                SourceKey::Source(name) => lineage.sources.contains(name),
                SourceKey::GraphVertices(graph) | SourceKey::GraphEdges(graph) => {
                    lineage.graphs.contains(graph)
                }
                SourceKey::TraversalVertices(edges) => lineage.sources.contains(edges),
            };
            if !known {
                problems.push(format!(
                    "{file}: {label} key {key} is not a source or graph"
                ));
            }
            if paths.iter().any(String::is_empty) {
                problems.push(format!("{file}: {label} {key} has an empty path"));
            }
        }
    }
    for (key, paths) in &lineage.filtered {
        let read = lineage.attributes.get(key);
        if !paths.iter().all(|p| read.is_some_and(|r| r.contains(p))) {
            problems.push(format!("{file}: filtered {key} is not a subset of read"));
        }
    }
    // The tokenizer-level heuristic finds a subset of the collections
    // (FOR sources, WITH, edge collections, modification targets).
    for name in referenced_collections(text).unwrap_or_default() {
        if !lineage.sources.contains(&name) && !lineage.written.contains(&name) {
            problems.push(format!(
                "{file}: {name} (referenced_collections) is missing"
            ));
        }
    }
}

#[test]
fn every_corpus_query_has_a_lineage_naming_only_its_own_sources() {
    let files = valid_corpus::valid_queries();
    let mut problems = Vec::new();
    let mut with_sources = 0;
    for (file, text) in &files {
        let lineage = lineage_of(text, file);
        if !lineage.sources.is_empty() {
            with_sources += 1;
        }
        check_invariants(file, text, &lineage, &mut problems);
        if lineage.truncated {
            problems.push(format!("{file}: truncated"));
        }
    }
    println!(
        "{with_sources} of {} corpus queries read a source",
        files.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // About half of the corpus are function examples without a collection
    // (689 queries read one today); a walk that found none would pass the
    // checks above vacuously.
    assert!(
        with_sources >= 689,
        "only {with_sources} queries read a source"
    );
}

/// A fixed-seed xorshift generator for the mutation test.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// A char boundary at or before `i`.
fn boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Deterministic mutations of the corpus queries (a range deleted,
/// duplicated, or replaced by a range of another query): the lineage of
/// every mutant that still parses keeps the invariants and never panics.
#[test]
fn mutated_corpus_queries_keep_the_invariants() {
    let texts: Vec<String> = valid_corpus::valid_queries()
        .into_iter()
        .map(|(_, text)| text)
        .collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0;
    let mut problems = Vec::new();
    for (index, text) in texts.iter().enumerate() {
        for round in 0..6 {
            let a = boundary(text, rng.below(text.len() + 1));
            let b = boundary(text, a + rng.below(40));
            let mutant = match round % 3 {
                0 => format!("{}{}", &text[..a], &text[b..]),
                1 => format!("{}{}{}", &text[..b], &text[a..b], &text[b..]),
                _ => {
                    let other = &texts[rng.below(texts.len())];
                    let c = boundary(other, rng.below(other.len() + 1));
                    let d = boundary(other, c + rng.below(60));
                    format!("{}{}{}", &text[..a], &other[c..d], &text[b..])
                }
            };
            if let Ok(query) = parse_query(&mutant) {
                parsed += 1;
                let lineage = lineage(&query);
                let name = format!("mutant {round} of query {index}");
                check_invariants(&name, &mutant, &lineage, &mut problems);
            }
        }
    }
    println!("{parsed} mutants parsed");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(parsed > 1000, "only {parsed} mutants parsed");
}
