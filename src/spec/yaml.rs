//! YAML text into a tree of nodes that remember where they were written.
//!
//! serde-style deserialisers forget positions once parsing succeeds, yet
//! most problems in a spec (unknown fields, wrong types, dangling
//! references) are found after parsing. So the event stream of yaml-rust2 is
//! folded into our own [`Node`] tree with a 1-based line:column per node and
//! per mapping key, and everything later reads that tree.
//!
//! Invariants:
//! * Plain scalars are resolved with the YAML 1.2 core schema (`true`, `~`,
//!   `0x1f`, `.inf`, ...); quoted and block scalars are always strings, and so
//!   is anything tagged `!!str`. Other tags are ignored. A plain value YAML
//!   1.1 reads as a boolean (`yes`, `no`, `on`, `off`, `y`, `n`, any case)
//!   stays a string, with a warning, as yamllint's `truthy` rule gives.
//! * Numbers keep the value written: an integer is an integer however large
//!   (in `i128`; [`json_integer`] passes `i64::MIN..=u64::MAX` on exactly
//!   and refuses the rest), a float stays a float (`1.0` is not turned into
//!   `1`; [`json_number`]). Nothing is rounded on the way to a server;
//!   comparisons with what a server reports go by value
//!   (`crate::model::json_eq`).
//! * Merge keys (`<<: *a`, `<<: [*a, *b]`, a plain `<<` only) are applied
//!   although YAML 1.2 dropped them, since Kubernetes users write them: the
//!   mapping's own keys win wherever they stand, then earlier sources; each
//!   merged entry keeps the position it was written at (the anchor's).
//! * Mapping keys are strings (a scalar key keeps its source text). Duplicate
//!   keys and non-scalar keys are recorded as [`Problem`]s of the document and
//!   the offending entry is left out, so a reader never sees two values for
//!   one key.
//! * Aliases are resolved by copying the anchored node; the copy's own
//!   position is the alias, its contents keep the anchor's. The copies are
//!   bounded ([`MAX_ALIAS_NODES`]) so an "alias bomb" cannot exhaust memory,
//!   and every tree is at most [`MAX_DEPTH`] levels deep, so the recursive
//!   functions that walk it cannot overflow the stack.
//! * Problems are kept per document: the caller reports them only for
//!   documents it cares about, since unrelated Kubernetes manifests in the
//!   same directory are none of our business.
//! * Nothing here panics on any input; yaml-rust2 is additionally fenced off
//!   with `catch_unwind` (see [`parse`]).

use std::collections::HashMap;
use std::fmt;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// How deeply collections may nest. Real specs use fewer than ten levels; the
/// limit exists so that recursion over a tree is always safe.
pub const MAX_DEPTH: usize = 100;

/// How many nodes alias resolution may copy per file. Generous for anchors
/// reused across a spec, tiny next to an exponential alias bomb.
pub const MAX_ALIAS_NODES: usize = 100_000;

/// A position in the source text; both numbers are 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    /// Which file the position is in: 0 for the file being read, `n` for
    /// the `n`th overlay file whose patch put the node there (see
    /// [`merge_patch`] and `spec::overlay`).
    pub source: u16,
}

impl Pos {
    fn from_marker(marker: &Marker) -> Pos {
        // yaml-rust2 0.10 counts lines from 1 and columns from 0.
        Pos {
            line: marker.line().max(1),
            column: marker.col() + 1,
            source: 0,
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One YAML value and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    /// An integer exactly as written. Those outside the range JSON
    /// integers are passed on in (`i64::MIN..=u64::MAX`, see
    /// [`json_integer`]) are invalid wherever they are read; beyond `i128`
    /// the value saturates (it is invalid either way).
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// One key of a mapping, with the key's own position.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_pos: Pos,
    pub value: Node,
}

impl NodeKind {
    /// The kind in words, for "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match self {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Int(_) => "an integer",
            NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|entry| entry.key == key)
            .map(|entry| &entry.value)
    }

    /// Nesting depth: 1 for a scalar or an empty collection.
    fn depth(&self) -> usize {
        match &self.kind {
            NodeKind::Seq(items) => 1 + items.iter().map(Node::depth).max().unwrap_or(0),
            NodeKind::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|entry| entry.value.depth())
                    .max()
                    .unwrap_or(0)
            }
            _ => 1,
        }
    }

    fn count(&self) -> usize {
        match &self.kind {
            NodeKind::Seq(items) => 1 + items.iter().map(Node::count).sum::<usize>(),
            NodeKind::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|entry| entry.value.count())
                    .sum::<usize>()
            }
            _ => 1,
        }
    }

    /// Marks this node and everything under it as coming from file
    /// `source` (see [`Pos::source`]).
    pub fn set_source(&mut self, source: u16) {
        self.pos.source = source;
        match &mut self.kind {
            NodeKind::Seq(items) => items.iter_mut().for_each(|item| item.set_source(source)),
            NodeKind::Map(entries) => {
                for entry in entries {
                    entry.key_pos.source = source;
                    entry.value.set_source(source);
                }
            }
            _ => {}
        }
    }

    /// The value as JSON, for parts of a spec that are passed to ArangoDB
    /// as they are (schema rules, inverted index options), with every
    /// number exactly as written ([`json_integer`], [`json_number`]).
    /// Fails with the position and reason of every number JSON cannot
    /// carry exactly (`.inf`, `.nan`, `1e400`, an integer beyond
    /// `u64::MAX`), in document order.
    pub fn to_json(&self) -> Result<serde_json::Value, Vec<(Pos, String)>> {
        let mut problems = Vec::new();
        let value = self.json_into(&mut problems);
        if problems.is_empty() {
            Ok(value)
        } else {
            Err(problems)
        }
    }

    /// [`Node::to_json`]'s walk: unusable numbers become `null` and a
    /// problem each, so one pass finds them all.
    fn json_into(&self, problems: &mut Vec<(Pos, String)>) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(flag) => Value::Bool(*flag),
            NodeKind::Int(number) => json_integer(*number).unwrap_or_else(|| {
                problems.push((self.pos, OUT_OF_RANGE.to_string()));
                Value::Null
            }),
            NodeKind::Float(number) => json_number(*number).unwrap_or_else(|| {
                problems.push((self.pos, not_finite(*number)));
                Value::Null
            }),
            NodeKind::Str(text) => Value::String(text.clone()),
            NodeKind::Seq(items) => {
                Value::Array(items.iter().map(|item| item.json_into(problems)).collect())
            }
            NodeKind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|entry| (entry.key.clone(), entry.value.json_into(problems)))
                    .collect(),
            ),
        }
    }
}

/// Applies `patch` to `target` as a JSON merge patch (RFC 7386): a mapping
/// patch merges key by key, a `null` value deletes its key, anything else
/// (scalars, lists, a mapping patched onto a non-mapping) replaces the
/// target. Positions survive: nodes and keys the patch brings keep the
/// patch's positions (and so its [`Pos::source`]), everything left alone
/// keeps the target's. Recursion is bounded by the patch's depth, which
/// [`parse`] limits to [`MAX_DEPTH`].
pub fn merge_patch(target: &mut Node, patch: &Node) {
    let NodeKind::Map(patch_entries) = &patch.kind else {
        *target = patch.clone();
        return;
    };
    if !matches!(target.kind, NodeKind::Map(_)) {
        *target = Node {
            pos: patch.pos,
            kind: NodeKind::Map(Vec::new()),
        };
    }
    let NodeKind::Map(entries) = &mut target.kind else {
        return;
    };
    for patch_entry in patch_entries {
        let existing = entries
            .iter()
            .position(|entry| entry.key == patch_entry.key);
        match (existing, &patch_entry.value.kind) {
            (Some(at), NodeKind::Null) => {
                entries.remove(at);
            }
            (None, NodeKind::Null) => {}
            (Some(at), _) => {
                if let Some(entry) = entries.get_mut(at) {
                    merge_patch(&mut entry.value, &patch_entry.value);
                }
            }
            (None, _) => {
                let mut value = Node {
                    pos: patch_entry.value.pos,
                    kind: NodeKind::Null,
                };
                merge_patch(&mut value, &patch_entry.value);
                entries.push(Entry {
                    key: patch_entry.key.clone(),
                    key_pos: patch_entry.key_pos,
                    value,
                });
            }
        }
    }
}

/// A finite float as a JSON number, kept a float: `1.0` is sent as `1.0`,
/// the number the spec states. Comparisons with what a server reports go
/// by value (`crate::model::json_eq`), so `3600.0` still matches `3600`.
/// `None` for infinities and NaN, which JSON cannot hold.
pub fn json_number(number: f64) -> Option<serde_json::Value> {
    serde_json::Number::from_f64(number).map(serde_json::Value::Number)
}

/// An integer as a JSON number, exactly: anything an `i64` or a `u64`
/// holds (as serde_json keeps it, and as ArangoDB's VelocyPack stores
/// integers). `None` outside `i64::MIN..=u64::MAX`.
pub fn json_integer(number: i128) -> Option<serde_json::Value> {
    i64::try_from(number)
        .map(serde_json::Value::from)
        .or_else(|_| u64::try_from(number).map(serde_json::Value::from))
        .ok()
}

/// Why an integer [`json_integer`] refuses is invalid.
pub const OUT_OF_RANGE: &str = "integer out of range: arangosync passes integers on exactly, \
     from -9223372036854775808 to 18446744073709551615 (i64 and u64), and would have to round \
     this one; write a float (e.g. `1.8e19`) if an approximate value will do";

/// Why a float [`json_number`] refuses is invalid.
pub fn not_finite(number: f64) -> String {
    if number.is_nan() {
        "NaN cannot be represented in JSON".to_string()
    } else {
        "number out of range: infinite (`.inf`, or beyond the largest double, about 1.8e308), \
         which JSON cannot hold"
            .to_string()
    }
}

/// Why a float literal that is not zero but reads as 0.0 (`1e-400`) is
/// invalid: like [`not_finite`] at the other end of the range, the number
/// cannot be sent as written.
pub fn underflow(literal: &str) -> String {
    format!(
        "number out of range: `{literal}` is not zero but below the smallest double \
         (about 4.9e-324), so it would be sent as 0"
    )
}

/// Whether a number literal's mantissa (before any exponent) has a digit
/// other than 0: `1e-400` has, `0.0e5` has not.
fn has_nonzero_digit(literal: &str) -> bool {
    literal
        .split(['e', 'E'])
        .next()
        .is_some_and(|mantissa| mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)))
}

/// A problem inside an otherwise parsable document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
    pub pos: Pos,
    pub hint: Option<String>,
    /// Only worth a warning: the document means what it says, but another
    /// tool may read it differently (a YAML 1.1 boolean).
    pub warning: bool,
}

/// One document of a (possibly multi-document) YAML file.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub root: Node,
    pub problems: Vec<Problem>,
}

/// Why a file could not be parsed at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub pos: Pos,
    /// What probably caused it, when the parser's message alone is cryptic
    /// (an unclosed `[` reported as "invalid indentation" lines later).
    pub hint: Option<String>,
}

/// Parses every document in `text`.
///
/// yaml-rust2 has a few internal `unwrap`s and assertions; they are not
/// expected to fire, but the loader promises never to panic on any input and
/// will be fuzzed, so a panic inside the parser is caught and reported as a
/// parse error instead of tearing down the process.
pub fn parse(text: &str) -> Result<Vec<Document>, ParseError> {
    let outcome = std::panic::catch_unwind(|| Builder::default().run(text));
    match outcome {
        Ok(result) => result,
        Err(_) => Err(ParseError {
            message: "the YAML parser failed on this input".into(),
            pos: Pos {
                line: 1,
                column: 1,
                source: 0,
            },
            hint: None,
        }),
    }
}

/// The text at `pos` up to the next character that cannot be part of an
/// anchor name, e.g. `*users` for an alias.
fn word_at(lines: &[&str], pos: Pos) -> Option<String> {
    let line = lines.get(pos.line.checked_sub(1)?)?;
    let word: String = line
        .chars()
        .skip(pos.column.checked_sub(1)?)
        .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | ']' | '}'))
        .take(80)
        .collect();
    Some(word).filter(|word| !word.is_empty())
}

/// The innermost `[` or `{` opened before `pos`, in the document `pos` is
/// in, and not closed by then. Quoted strings and comments are skipped; a
/// closing bracket of the other kind closes nothing. yaml-rust2's scanner
/// fails before the parser reports the collection, so this reads the text.
fn unclosed_flow(lines: &[&str], pos: Pos) -> Option<(char, Pos)> {
    let mut open: Vec<(char, Pos)> = Vec::new();
    // Quoted scalars may span lines.
    let mut quote: Option<char> = None;
    for (index, line) in lines.iter().enumerate().take(pos.line) {
        if quote.is_none() && (line.starts_with("---") || line.starts_with("...")) {
            open.clear();
            continue;
        }
        let mut previous = ' ';
        for (column, c) in line.chars().enumerate() {
            let here = Pos {
                line: index + 1,
                column: column + 1,
                source: pos.source,
            };
            if here >= pos {
                break;
            }
            match quote {
                Some('"') if c == '"' && previous != '\\' => quote = None,
                Some(delimiter) if delimiter != '"' && c == delimiter => quote = None,
                Some(_) => {}
                None => match c {
                    '#' if previous.is_whitespace() => break,
                    '"' | '\''
                        if previous.is_whitespace()
                            || matches!(previous, '[' | '{' | ',' | ':') =>
                    {
                        quote = Some(c);
                    }
                    '[' | '{' => open.push((c, here)),
                    ']' | '}' => {
                        let opener = if c == ']' { '[' } else { '{' };
                        if open.last().is_some_and(|(last, _)| *last == opener) {
                            open.pop();
                        }
                    }
                    _ => {}
                },
            }
            previous = c;
        }
    }
    open.pop()
}

/// A hint for a syntax error: the cause yaml-rust2's message does not name.
fn syntax_hint(text: &str, message: &str, pos: Pos) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    // A flow collection opened on an earlier line and still open where the
    // parser gave up is the usual cause of errors reported lines later.
    if let Some((opener, start)) =
        unclosed_flow(&lines, pos).filter(|(_, start)| start.line < pos.line)
    {
        let closer = if opener == '[' { ']' } else { '}' };
        return Some(format!(
            "the `{opener}` at line {}, column {} is still open here; is a `{closer}` missing?",
            start.line, start.column
        ));
    }
    if message.contains("unknown anchor") {
        let alias = word_at(&lines, pos).unwrap_or_else(|| "the alias".into());
        let anchor = alias.trim_start_matches('*');
        return Some(format!(
            "`{alias}` refers to an anchor `&{anchor}` that is not defined before it in this document"
        ));
    }
    if message.contains("tab") {
        return Some("indent with spaces; YAML does not allow tabs in indentation".into());
    }
    if message.contains("quoted scalar") {
        return Some(
            "the quoted value starting here is not closed, or a line of it is indented less than its key".into(),
        );
    }
    if message.contains("mapping values are not allowed") {
        return Some(
            "this line is probably indented differently from the keys around it, or a value containing `: ` \
             needs quotes"
                .into(),
        );
    }
    None
}

/// A collection being built; its items arrive as later events.
enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        pos: Pos,
        anchor: usize,
        entries: Vec<Entry>,
        key: PendingKey,
        /// Entries brought in by a merge key (`<<`), in precedence order;
        /// the mapping's own keys override them when it is closed.
        merged: Vec<Entry>,
        /// Where this mapping's merge key is, once one was seen.
        merge_key: Option<Pos>,
    },
}

/// What the next completed node inside a mapping is.
enum PendingKey {
    /// The next node is a key.
    None,
    /// The next node is the value of this key.
    Key(String, Pos),
    /// The next node is the value of a key that was rejected; drop it.
    Skip,
    /// The next node is what a merge key (`<<`) at this position merges.
    Merge(Pos),
}

struct Anchored {
    node: Node,
    count: usize,
    depth: usize,
}

#[derive(Default)]
struct Builder {
    documents: Vec<Document>,
    frames: Vec<Frame>,
    root: Option<Node>,
    document_pos: Option<Pos>,
    problems: Vec<Problem>,
    anchors: HashMap<usize, Anchored>,
    alias_nodes: usize,
    /// The node being completed is a plain `<<`, the YAML merge key when it
    /// is a mapping key (a quoted `"<<"` is an ordinary key).
    plain_merge_key: bool,
}

impl Builder {
    fn run(mut self, text: &str) -> Result<Vec<Document>, ParseError> {
        let mut parser = Parser::new_from_str(text);
        loop {
            let (event, marker) = match parser.next_token() {
                Ok(next) => next,
                Err(error) => {
                    let message = error.info().to_string();
                    let pos = Pos::from_marker(error.marker());
                    let hint = syntax_hint(text, &message, pos);
                    return Err(ParseError { message, pos, hint });
                }
            };
            let pos = Pos::from_marker(&marker);
            match event {
                Event::StreamEnd => break,
                Event::Nothing | Event::StreamStart => {}
                Event::DocumentStart => {
                    self.document_pos = Some(pos);
                    self.root = None;
                    self.frames.clear();
                    self.problems.clear();
                    // Anchors are scoped to their document.
                    self.anchors.clear();
                }
                Event::DocumentEnd => self.end_document(pos),
                Event::Scalar(text, style, anchor, tag) => {
                    let forced_string = tag.as_ref().is_some_and(|tag| {
                        tag.handle == "tag:yaml.org,2002:" && tag.suffix == "str"
                    });
                    self.scalar(text, style, forced_string, anchor, pos)?;
                }
                Event::SequenceStart(anchor, _) => {
                    self.open(Frame::Seq {
                        pos,
                        anchor,
                        items: Vec::new(),
                    })?;
                }
                Event::MappingStart(anchor, _) => {
                    self.open(Frame::Map {
                        pos,
                        anchor,
                        entries: Vec::new(),
                        key: PendingKey::None,
                        merged: Vec::new(),
                        merge_key: None,
                    })?;
                }
                Event::SequenceEnd | Event::MappingEnd => self.close()?,
                Event::Alias(id) => self.alias(id, pos)?,
            }
        }
        Ok(self.documents)
    }

    fn end_document(&mut self, pos: Pos) {
        let start = self.document_pos.take().unwrap_or(pos);
        let root = self.root.take().unwrap_or(Node {
            pos: start,
            kind: NodeKind::Null,
        });
        self.documents.push(Document {
            root,
            problems: std::mem::take(&mut self.problems),
        });
    }

    fn open(&mut self, frame: Frame) -> Result<(), ParseError> {
        if self.frames.len() >= MAX_DEPTH {
            let pos = match &frame {
                Frame::Seq { pos, .. } | Frame::Map { pos, .. } => *pos,
            };
            return Err(ParseError {
                message: format!("collections are nested more than {MAX_DEPTH} levels deep"),
                pos,
                hint: None,
            });
        }
        self.frames.push(frame);
        Ok(())
    }

    fn close(&mut self) -> Result<(), ParseError> {
        let (node, anchor) = match self.frames.pop() {
            Some(Frame::Seq { pos, anchor, items }) => (
                Node {
                    pos,
                    kind: NodeKind::Seq(items),
                },
                anchor,
            ),
            Some(Frame::Map {
                pos,
                anchor,
                mut entries,
                merged,
                ..
            }) => {
                // The mapping's own keys win over merged ones, wherever the
                // merge key stands (YAML merge key semantics).
                for entry in merged {
                    if !entries.iter().any(|own| own.key == entry.key) {
                        entries.push(entry);
                    }
                }
                (
                    Node {
                        pos,
                        kind: NodeKind::Map(entries),
                    },
                    anchor,
                )
            }
            // The parser never closes what it did not open; nothing to do if it did.
            None => return Ok(()),
        };
        self.complete(node, anchor, None);
        Ok(())
    }

    fn scalar(
        &mut self,
        text: String,
        style: TScalarStyle,
        forced_string: bool,
        anchor: usize,
        pos: Pos,
    ) -> Result<(), ParseError> {
        let plain = style == TScalarStyle::Plain && !forced_string;
        let is_key = self.expects_key();
        if plain && !is_key && is_yaml11_boolean(&text) {
            self.problems.push(Problem {
                code: "yaml11-boolean",
                message: format!(
                    "`{text}` is the string \"{text}\" here, but YAML 1.1 tools read it as a boolean"
                ),
                pos,
                hint: Some(format!(
                    "quote it ('{text}') to keep the string, or write true or false for a boolean"
                )),
                warning: true,
            });
        }
        self.plain_merge_key = plain && is_key && text == "<<";
        // An empty value (`indexes:` and nothing after it) is reported by
        // the parser where the next token starts, possibly the next
        // document's `---`; its key is where it was (not) written.
        let pos = match self.frames.last() {
            Some(Frame::Map {
                key: PendingKey::Key(_, key_pos),
                ..
            }) if plain && text.is_empty() => *key_pos,
            _ => pos,
        };
        // A key keeps its source text: `1: x` has the key "1", not 1.
        let raw_text = text.clone();
        let kind = if plain {
            resolve_plain(text)
        } else {
            NodeKind::Str(text)
        };
        if !is_key && kind == NodeKind::Float(0.0) && has_nonzero_digit(&raw_text) {
            self.problems.push(Problem {
                code: "invalid-value",
                message: underflow(&raw_text),
                pos,
                hint: Some("write 0 if zero is meant, or a value of at least 4.9e-324".to_string()),
                warning: false,
            });
        }
        self.complete(Node { pos, kind }, anchor, Some(raw_text));
        Ok(())
    }

    fn alias(&mut self, id: usize, pos: Pos) -> Result<(), ParseError> {
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(ParseError {
                message: "alias to an unknown anchor".into(),
                pos,
                hint: None,
            });
        };
        if self.frames.len() + anchored.depth > MAX_DEPTH {
            return Err(ParseError {
                message: format!("aliases nest collections more than {MAX_DEPTH} levels deep"),
                pos,
                hint: None,
            });
        }
        self.alias_nodes += anchored.count;
        if self.alias_nodes > MAX_ALIAS_NODES {
            return Err(ParseError {
                message: format!("aliases expand to more than {MAX_ALIAS_NODES} nodes"),
                pos,
                hint: Some(
                    "anchors are reused so often that the document would explode in size (an \"alias bomb\"); \
                     repeat less"
                        .into(),
                ),
            });
        }
        // The copy is written where the alias is; what is inside it stays
        // where the anchored text is.
        let mut node = anchored.node.clone();
        node.pos = pos;
        let key_text = scalar_text(&node);
        self.complete(node, 0, key_text);
        Ok(())
    }

    /// Whether the next node completed is a mapping key.
    fn expects_key(&self) -> bool {
        matches!(
            self.frames.last(),
            Some(Frame::Map {
                key: PendingKey::None,
                ..
            })
        )
    }

    /// Attaches a finished node to its parent (or makes it the document root).
    fn complete(&mut self, node: Node, anchor: usize, key_text: Option<String>) {
        let merge_key = std::mem::take(&mut self.plain_merge_key);
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchored {
                    count: node.count(),
                    depth: node.depth(),
                    node: node.clone(),
                },
            );
        }
        match self.frames.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                pos,
                entries,
                key,
                merged,
                merge_key: merge_key_pos,
                ..
            }) => match std::mem::replace(key, PendingKey::None) {
                PendingKey::None => {
                    // A block mapping's start event points one column past its
                    // first key; the key itself is the better position.
                    if entries.is_empty() && merged.is_empty() && node.pos < *pos {
                        *pos = node.pos;
                    }
                    match key_text {
                        Some(_) if merge_key => match merge_key_pos {
                            Some(first) => {
                                self.problems.push(Problem {
                                    code: "duplicate-key",
                                    message: format!(
                                        "duplicate merge key `<<`; it is already set at line {}",
                                        first.line
                                    ),
                                    pos: node.pos,
                                    hint: Some(
                                        "merge several mappings with one key: `<<: [*a, *b]`"
                                            .into(),
                                    ),
                                    warning: false,
                                });
                                *key = PendingKey::Skip;
                            }
                            None => {
                                *merge_key_pos = Some(node.pos);
                                *key = PendingKey::Merge(node.pos);
                            }
                        },
                        Some(text) => *key = PendingKey::Key(text, node.pos),
                        None => {
                            self.problems.push(Problem {
                                code: "complex-key",
                                message: format!(
                                    "a mapping key must be a plain value, found {}",
                                    node.kind.describe()
                                ),
                                pos: node.pos,
                                hint: None,
                                warning: false,
                            });
                            *key = PendingKey::Skip;
                        }
                    }
                }
                PendingKey::Key(text, key_pos) => {
                    if let Some(first) = entries.iter().find(|entry| entry.key == text) {
                        self.problems.push(Problem {
                            code: "duplicate-key",
                            message: format!(
                                "duplicate key `{text}`; it is already set at line {}",
                                first.key_pos.line
                            ),
                            pos: key_pos,
                            hint: Some("remove one of the two entries".into()),
                            warning: false,
                        });
                    } else {
                        entries.push(Entry {
                            key: text,
                            key_pos,
                            value: node,
                        });
                    }
                }
                PendingKey::Merge(key_pos) => {
                    // `<<: *a` merges one mapping, `<<: [*a, *b]` several,
                    // the earlier ones first; each merged entry keeps the
                    // position it was written at.
                    let sources = match node.kind {
                        NodeKind::Map(entries) => Some(vec![entries]),
                        NodeKind::Seq(items) => items
                            .into_iter()
                            .map(|item| match item.kind {
                                NodeKind::Map(entries) => Some(entries),
                                _ => None,
                            })
                            .collect(),
                        _ => None,
                    };
                    match sources {
                        Some(sources) => {
                            for entry in sources.into_iter().flatten() {
                                if !merged.iter().any(|known| known.key == entry.key) {
                                    merged.push(entry);
                                }
                            }
                        }
                        None => self.problems.push(Problem {
                            code: "invalid-merge",
                            message: "a merge key `<<` needs a mapping or a list of mappings"
                                .into(),
                            pos: key_pos,
                            hint: Some(
                                "write `<<: *anchor` or `<<: [*a, *b]`, where each anchor is a mapping"
                                    .into(),
                            ),
                            warning: false,
                        }),
                    }
                }
                PendingKey::Skip => {}
            },
        }
    }
}

/// Whether YAML 1.1 tools read this plain scalar as a boolean although YAML
/// 1.2 (and so arangosync) reads a string: the spellings PyYAML's boolean
/// resolver takes and yamllint's `truthy` rule flags (`yes`, `Yes`, `YES`,
/// and so on for `no`, `on` and `off`). The YAML 1.1 type repository also
/// lists `y` and `n`, but neither of those tools reads them as booleans, and
/// warning on them would flag every `fields: [x, y]`.
fn is_yaml11_boolean(text: &str) -> bool {
    ["yes", "no", "on", "off"].iter().any(|word| {
        let capitalised = format!("{}{}", word[..1].to_ascii_uppercase(), &word[1..]);
        text == *word || text == capitalised || text == word.to_ascii_uppercase()
    })
}

/// The text a scalar node would have as a mapping key.
fn scalar_text(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Null => Some(String::new()),
        NodeKind::Bool(flag) => Some(flag.to_string()),
        NodeKind::Int(number) => Some(number.to_string()),
        NodeKind::Float(number) => Some(number.to_string()),
        NodeKind::Str(text) => Some(text.clone()),
        NodeKind::Seq(_) | NodeKind::Map(_) => None,
    }
}

/// A plain scalar under the YAML 1.2 core schema.
/// Whether `text`, written as a plain (unquoted) scalar, reads back as the
/// string `text` by this loader's YAML 1.2 core schema: `false` for `null`,
/// `~`, `true`, `0o17`, `0x1F`, `1e3`, `+.inf`, `.NaN`, and for the empty
/// string. Only the resolution is judged; whether the characters may stand
/// unquoted at all (`#`, `: `, leading `- `) is the emitter's concern.
pub fn plain_is_string(text: &str) -> bool {
    !text.is_empty() && matches!(resolve_plain(text.to_string()), NodeKind::Str(_))
}

fn resolve_plain(text: String) -> NodeKind {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return NodeKind::Null,
        "true" | "True" | "TRUE" => return NodeKind::Bool(true),
        "false" | "False" | "FALSE" => return NodeKind::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return NodeKind::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return NodeKind::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return NodeKind::Float(f64::NAN),
        _ => {}
    }
    if let Some(kind) = resolve_integer(&text) {
        return kind;
    }
    if is_core_float(&text) {
        if let Ok(number) = text.parse::<f64>() {
            return NodeKind::Float(number);
        }
    }
    NodeKind::Str(text)
}

fn resolve_integer(text: &str) -> Option<NodeKind> {
    let radix_digits = |prefix: &str, radix: u32| {
        let digits = text.strip_prefix(prefix)?;
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        // Too large for i128: saturated, and so out of range for JSON.
        Some(NodeKind::Int(
            i128::from_str_radix(digits, radix).unwrap_or(i128::MAX),
        ))
    };
    if let Some(kind) = radix_digits("0x", 16).or_else(|| radix_digits("0o", 8)) {
        return Some(kind);
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if unsigned.is_empty() || !unsigned.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    // Too long for i128: saturated, and so out of range for JSON.
    let saturated = if text.starts_with('-') {
        i128::MIN
    } else {
        i128::MAX
    };
    Some(NodeKind::Int(text.parse::<i128>().unwrap_or(saturated)))
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    let digits = |at: &mut usize| {
        let start = *at;
        while *at < bytes.len() && bytes[*at].is_ascii_digit() {
            *at += 1;
        }
        *at - start
    };
    if matches!(bytes.first(), Some(b'-' | b'+')) {
        at += 1;
    }
    let whole = digits(&mut at);
    let mut fraction = 0;
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        fraction = digits(&mut at);
    }
    if whole == 0 && fraction == 0 {
        return false;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'-' | b'+')) {
            at += 1;
        }
        if digits(&mut at) == 0 {
            return false;
        }
    }
    at == bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: usize, column: usize) -> Pos {
        Pos {
            line,
            column,
            source: 0,
        }
    }

    fn single(text: &str) -> Document {
        let mut documents = parse(text).unwrap();
        assert_eq!(documents.len(), 1, "{documents:?}");
        documents.remove(0)
    }

    #[test]
    fn positions_are_one_based_and_point_at_keys_and_values() {
        let document = single("a: 1\nb:\n  c: [x, {d: e}]\n  f:\n    - g\n");
        let root = &document.root;
        assert_eq!(root.pos, pos(1, 1));
        let entries = root.as_map().unwrap();
        assert_eq!(entries[0].key_pos, pos(1, 1));
        assert_eq!(entries[0].value.pos, pos(1, 4));
        let b = &entries[1].value;
        assert_eq!(b.pos, pos(3, 3), "a block mapping starts at its first key");
        let c = b.get("c").unwrap();
        assert_eq!(c.pos, pos(3, 6));
        let NodeKind::Seq(items) = &c.kind else {
            panic!("{c:?}")
        };
        assert_eq!(
            items[1].pos,
            pos(3, 10),
            "a flow mapping starts at its brace"
        );
        assert_eq!(items[1].get("d").unwrap().pos, pos(3, 14));
        let f = b.get("f").unwrap();
        assert_eq!(f.pos, pos(5, 5));
    }

    #[test]
    fn a_nonzero_float_below_the_smallest_double_is_a_problem() {
        let document = single("a: 1e-400\nb: 0.0e-400\nc: 5e-324\nd: -2e-324\ne: 0\n'1e-400': x\n");
        let problems: Vec<(Pos, &str)> = document
            .problems
            .iter()
            .map(|problem| (problem.pos, problem.message.as_str()))
            .collect();
        assert_eq!(
            problems,
            [
                (pos(1, 4), underflow("1e-400").as_str()),
                (pos(4, 4), underflow("-2e-324").as_str())
            ]
        );
        assert!(underflow("1e-400").contains("below the smallest double (about 4.9e-324)"));
    }

    #[test]
    fn an_empty_value_is_placed_at_its_key() {
        let documents = parse("a: 1\nb:\n---\nc: 2\n").unwrap();
        let b = documents[0].root.get("b").unwrap();
        assert_eq!((b.pos, &b.kind), (pos(2, 1), &NodeKind::Null));
        let documents = parse("m:\n  x:\n  y: ~\n").unwrap();
        let m = documents[0].root.get("m").unwrap();
        assert_eq!(m.get("x").unwrap().pos, pos(2, 3));
        assert_eq!(m.get("y").unwrap().pos, pos(3, 6));
    }

    #[test]
    fn core_schema_scalars() {
        let document = single(
            "n: ~\ne:\nt: true\nf: False\ni: -12\nh: 0x1F\no: 0o17\nx: 1.5\ny: .5\nz: 1e3\n\
             inf: -.inf\ns: yes\nq: '1'\nu: !!str 2\nv: 1.2.3\nbig: 99999999999999999999\n",
        );
        let value = |key: &str| document.root.get(key).unwrap().kind.clone();
        assert_eq!(value("n"), NodeKind::Null);
        assert_eq!(value("e"), NodeKind::Null);
        assert_eq!(value("t"), NodeKind::Bool(true));
        assert_eq!(value("f"), NodeKind::Bool(false));
        assert_eq!(value("i"), NodeKind::Int(-12));
        assert_eq!(value("h"), NodeKind::Int(31));
        assert_eq!(value("o"), NodeKind::Int(15));
        assert_eq!(value("x"), NodeKind::Float(1.5));
        assert_eq!(value("y"), NodeKind::Float(0.5));
        assert_eq!(value("z"), NodeKind::Float(1000.0));
        assert_eq!(value("inf"), NodeKind::Float(f64::NEG_INFINITY));
        assert_eq!(
            value("s"),
            NodeKind::Str("yes".into()),
            "YAML 1.2: yes is a string"
        );
        assert_eq!(value("q"), NodeKind::Str("1".into()));
        assert_eq!(value("u"), NodeKind::Str("2".into()));
        assert_eq!(value("v"), NodeKind::Str("1.2.3".into()));
        assert_eq!(value("big"), NodeKind::Int(99_999_999_999_999_999_999));
    }

    #[test]
    fn integers_stay_exact_to_u64_max_and_beyond_are_refused() {
        let document = single(
            "a: 9007199254740993\nb: 18446744073709551615\nc: -9223372036854775808\n\
             d: 0xffffffffffffffff\ne: 18446744073709551616\nf: -9223372036854775809\n\
             g: 1234567890123456789012345678901234567890123\nh: 0x1ffffffffffffffffffffffffffffffff\n",
        );
        let json = |key: &str| document.root.get(key).unwrap().to_json();
        assert_eq!(json("a"), Ok(serde_json::json!(9_007_199_254_740_993_u64)));
        assert_eq!(json("b"), Ok(serde_json::json!(u64::MAX)));
        assert_eq!(json("c"), Ok(serde_json::json!(i64::MIN)));
        assert_eq!(json("d"), Ok(serde_json::json!(u64::MAX)));
        for (key, line) in [("e", 5), ("f", 6), ("g", 7), ("h", 8)] {
            assert_eq!(
                json(key),
                Err(vec![(pos(line, 4), OUT_OF_RANGE.to_string())]),
                "{key}"
            );
        }
    }

    #[test]
    fn floats_stay_floats_and_overflow_is_refused() {
        let document = single("a: 1.0\nb: 0.1\nc: 3600.0\nd: 1e400\ne: -1e400\n");
        let json = |key: &str| document.root.get(key).unwrap().to_json();
        // serde_json's Value tells `1.0` from `1`: the float is kept.
        assert_eq!(json("a"), Ok(serde_json::json!(1.0)));
        assert_eq!(json("a").unwrap().to_string(), "1.0");
        assert_eq!(json("b").unwrap().to_string(), "0.1");
        assert_eq!(json("c").unwrap().to_string(), "3600.0");
        for (key, line) in [("d", 4), ("e", 5)] {
            let problems = json(key).unwrap_err();
            assert_eq!(problems.len(), 1);
            assert_eq!(problems[0].0, pos(line, 4));
            assert!(problems[0].1.contains("out of range"), "{problems:?}");
        }
    }

    #[test]
    fn keys_keep_their_source_text() {
        let document = single("1: a\ntrue: b\n1.50: c\n");
        let keys: Vec<&str> = document
            .root
            .as_map()
            .unwrap()
            .iter()
            .map(|entry| entry.key.as_str())
            .collect();
        assert_eq!(keys, ["1", "true", "1.50"]);
    }

    #[test]
    fn multiple_documents() {
        let documents = parse("a: 1\n---\nb: 2\n---\n").unwrap();
        assert_eq!(documents.len(), 3);
        assert_eq!(documents[1].root.get("b").unwrap().pos, pos(3, 4));
        assert_eq!(documents[2].root.kind, NodeKind::Null);
    }

    #[test]
    fn duplicate_keys_are_problems_and_the_first_wins() {
        let document = single("a: 1\nb: 2\na: 3\n");
        assert_eq!(document.root.get("a").unwrap().kind, NodeKind::Int(1));
        assert_eq!(
            document.problems,
            vec![Problem {
                code: "duplicate-key",
                message: "duplicate key `a`; it is already set at line 1".into(),
                pos: pos(3, 1),
                hint: Some("remove one of the two entries".into()),
                warning: false,
            }]
        );
    }

    #[test]
    fn complex_keys_are_problems() {
        let document = single("? [a]\n: 1\nb: 2\n");
        assert_eq!(document.problems[0].code, "complex-key");
        assert_eq!(document.root.as_map().unwrap().len(), 1);
    }

    #[test]
    fn aliases_are_resolved() {
        let document = single("base: &base {unique: true}\nother: *base\n");
        assert_eq!(
            document
                .root
                .get("other")
                .unwrap()
                .get("unique")
                .unwrap()
                .kind,
            NodeKind::Bool(true)
        );
        assert!(document.problems.is_empty());
    }

    #[test]
    fn merge_keys_merge_and_keep_positions() {
        let document = single(
            "a: &a {x: 1, y: 2}\nb: &b\n  y: 3\n  z: 4\nc:\n  <<: [*a, *b]\n  x: 9\nd:\n  x: 0\n  <<: *b\n",
        );
        assert!(document.problems.is_empty(), "{:?}", document.problems);
        let c = document.root.get("c").unwrap();
        let value = |node: &Node, key: &str| node.get(key).unwrap().kind.clone();
        // Own keys win wherever the merge key stands; earlier sources win.
        assert_eq!(value(c, "x"), NodeKind::Int(9));
        assert_eq!(value(c, "y"), NodeKind::Int(2));
        assert_eq!(value(c, "z"), NodeKind::Int(4));
        assert!(c.get("<<").is_none());
        // A merged value points where it was written.
        assert_eq!(c.get("z").unwrap().pos, pos(4, 6));
        let z = c.as_map().unwrap().iter().find(|e| e.key == "z").unwrap();
        assert_eq!(z.key_pos, pos(4, 3));
        let d = document.root.get("d").unwrap();
        assert_eq!(value(d, "x"), NodeKind::Int(0));
        assert_eq!(value(d, "y"), NodeKind::Int(3));
    }

    #[test]
    fn bad_merge_keys_are_problems() {
        let document = single("a: &a [1]\nb:\n  <<: *a\n");
        assert_eq!(document.problems[0].code, "invalid-merge");
        assert_eq!(document.problems[0].pos, pos(3, 3));
        let document = single("a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n");
        assert_eq!(document.problems[0].code, "duplicate-key");
        assert_eq!(document.problems[0].pos, pos(4, 3));
        // A quoted `<<` is an ordinary key.
        let document = single("b:\n  \"<<\": {x: 1}\n");
        let b = document.root.get("b").unwrap();
        assert!(b.get("<<").is_some() && b.get("x").is_none());
    }

    #[test]
    fn yaml11_booleans_are_strings_with_a_warning() {
        let document =
            single("a: yes\nb: [No, 'on', OFF]\nc: y\nn: true\non: x\nd: yess\ne: [x, y, n, oN]\n");
        assert_eq!(
            document.root.get("a").unwrap().kind,
            NodeKind::Str("yes".into())
        );
        let warned: Vec<(Pos, bool)> = document
            .problems
            .iter()
            .map(|problem| (problem.pos, problem.warning))
            .collect();
        assert_eq!(
            warned,
            [(pos(1, 4), true), (pos(2, 5), true), (pos(2, 15), true),]
        );
        assert_eq!(document.problems[0].code, "yaml11-boolean");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let previous = level - 1;
            let items = vec![format!("*a{previous}"); 10].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        let error = parse(&text).unwrap_err();
        assert!(error.message.contains("aliases expand"), "{error:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        let error = parse(&text).unwrap_err();
        assert!(error.message.contains("nested"), "{error:?}");
        let fine = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&fine).is_ok());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let error = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(error.pos, pos(2, 2));
        let error = parse("a: *nope\n").unwrap_err();
        assert_eq!(error.pos, pos(1, 4));
        assert!(error.message.contains("unknown anchor"));
    }

    #[test]
    fn json_conversion() {
        let document = single("a: [1, 2.5, 3.0, null, x]\nb: {c: true}\n");
        assert_eq!(
            document.root.to_json().unwrap(),
            serde_json::json!({"a": [1, 2.5, 3.0, null, "x"], "b": {"c": true}})
        );
        let document = single("a: .nan\nb: [1, .inf]\n");
        let problems = document.root.to_json().unwrap_err();
        let positions: Vec<Pos> = problems.iter().map(|(at, _)| *at).collect();
        assert_eq!(positions, [pos(1, 4), pos(2, 8)], "every one, in order");
        assert!(problems[0].1.contains("NaN"));
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for text in [
            "",
            "---",
            "...",
            "- - - -",
            "{",
            "}",
            "[",
            "&a",
            "*a",
            "!!",
            "? ",
            ": ",
            "\t",
            "%YAML 1.2",
            "a: &x\nb: *x\n",
            "&a [*a]",
            "--- |\n  x\n--- >\n y",
            "\u{feff}a: 1",
            "a: 'unterminated",
        ] {
            let _ = parse(text);
        }
    }

    /// The RFC 7386 appendix A cases, checked against the json-patch
    /// crate's `merge` on the same values.
    #[test]
    fn merge_patch_agrees_with_rfc_7386() {
        let cases = [
            ("{a: b}", "{a: c}"),
            ("{a: b}", "{b: c}"),
            ("{a: b}", "{a: null}"),
            ("{a: b, b: c}", "{a: null}"),
            ("{a: [b]}", "{a: c}"),
            ("{a: c}", "{a: [b]}"),
            ("{a: {b: c}}", "{a: {b: d, c: null}}"),
            ("{a: [{b: c}]}", "{a: [1]}"),
            ("[a, b]", "[c, d]"),
            ("{a: b}", "[c]"),
            ("{a: foo}", "null"),
            ("{a: foo}", "bar"),
            ("{e: null}", "{a: 1}"),
            ("[1, 2]", "{a: b, c: null}"),
            ("{}", "{a: {bb: {ccc: null}}}"),
        ];
        for (target, patch) in cases {
            let mut merged = single(target).root;
            let patch = single(patch).root;
            merge_patch(&mut merged, &patch);
            let mut expected = single(target).root.to_json().unwrap();
            json_patch::merge(&mut expected, &patch.to_json().unwrap());
            assert_eq!(merged.to_json().unwrap(), expected, "{target} + {patch:?}");
        }
    }

    #[test]
    fn merged_nodes_keep_the_position_and_source_they_came_from() {
        let mut target = single("spec:\n  a: 1\n  b: 2\n").root;
        let mut patch = single("spec:\n  b: 3\n  c: {d: 4}\n").root;
        patch.set_source(2);
        merge_patch(&mut target, &patch);
        let spec = target.get("spec").unwrap();
        let a = spec.get("a").unwrap();
        assert_eq!((a.pos, a.kind.clone()), (pos(2, 6), NodeKind::Int(1)));
        let b = spec.get("b").unwrap();
        let from_patch = |line, column| Pos {
            line,
            column,
            source: 2,
        };
        assert_eq!(
            (b.pos, b.kind.clone()),
            (from_patch(2, 6), NodeKind::Int(3))
        );
        let entries = spec.as_map().unwrap();
        assert_eq!(
            entries[1].key_pos,
            pos(3, 3),
            "a merged key keeps the base's"
        );
        assert_eq!(
            entries[2].key_pos,
            from_patch(3, 3),
            "a new key is the patch's"
        );
        let d = spec.get("c").unwrap().get("d").unwrap();
        assert_eq!(d.pos, from_patch(3, 10));
    }
}
