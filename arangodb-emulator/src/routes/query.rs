//! `POST /_api/query`: parse a query without running it; and the parse-time
//! checks every AQL endpoint makes before it runs or explains a query.
//!
//! [`check`] runs `aql_lexer::check_query_with` for the emulated version
//! (the grammar, then the server's parse-time checks: functions, variables,
//! data modification; for cursor and explain also the checks made when the
//! query is prepared for execution, such as 1579) and answers
//! the first error as the server would: 400 with its `errorNum` and its
//! `errorMessage` worded as the endpoint and the emulated version word it
//! ([`Endpoint::wording`]). Cursor and explain then check the bind
//! parameters against the request's `bindVars` (1551 before 1552, as the
//! server injects the values first and then looks for unused ones).
//!
//! The parse endpoint answers the bind parameters and the literal
//! collections of a valid query, and its `ast` where [`ast`] knows the
//! server's exactly (a bare root node otherwise).

mod ast;

use aql_lexer::{AqlVersion, CheckOptions, CheckStage};
use hyper::Method;
use serde_json::{json, Map, Value};

use crate::error::ArangoError;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::Server;

/// Which endpoint parses the query: the three word a parse-time error
/// differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Endpoint {
    /// `POST /_api/query`.
    Parse,
    /// `POST /_api/cursor`.
    Cursor,
    /// `POST /_api/explain`.
    Explain,
}

impl Endpoint {
    /// The `errorMessage` a server answers for an error raised while the
    /// query is parsed (state `parsing`) or prepared for execution (state
    /// `optimizing ast`), from the error's own message.
    ///
    /// - parse: the message alone in every version (transcript
    ///   RestQueryInvalid_single, 3.11 and 3.12; `Query::parse()` answers
    ///   `ex.message()`).
    /// - explain: the message and ` (while <state>)` in every version
    ///   (transcript RestExplainInvalid_single, 3.11 and 3.12;
    ///   `Query::explain()` appends `QueryExecutionState::toStringWithPrefix`).
    /// - cursor: 3.11 prefixes `AQL: ` and appends ` (while <state>)`, 3.12
    ///   answers the message alone (transcripts
    ///   RestCursorCreateCursorUnknownCollection_single and, for the
    ///   `optimizing ast` state, aqlArrayReplaceNth_3_single in 3.11 and
    ///   3.12; 3.11's `Query::execute` catch block adds both).
    pub(super) fn wording(self, server: &Server, message: &str, stage: CheckStage) -> String {
        let state = match stage {
            CheckStage::Parse => "while parsing",
            CheckStage::Execution => "while optimizing ast",
        };
        match self {
            Endpoint::Parse => message.to_string(),
            Endpoint::Explain => format!("{message} ({state})"),
            Endpoint::Cursor if server.profile.version.at_least(3, 12, 0) => message.to_string(),
            Endpoint::Cursor => format!("AQL: {message} ({state})"),
        }
    }

    /// How far the endpoint takes a query before it answers: the parse
    /// endpoint stops after parsing; cursor and explain prepare the query
    /// for execution (`Ast::validateAndOptimize`), which rejects more.
    fn stage(self) -> CheckStage {
        match self {
            Endpoint::Parse => CheckStage::Parse,
            Endpoint::Cursor | Endpoint::Explain => CheckStage::Execution,
        }
    }
}

/// Parses `query` as `endpoint` does before it runs or explains it, and
/// answers the first error a server would report (400, its `errorNum`).
///
/// `bind_vars` are the request's `bindVars` for cursor and explain (the
/// parse endpoint passes `None`: it does not look at values). Each bind
/// parameter the query declares needs a value (1551, errors.dat "no value
/// specified for declared bind parameter '%s'"), and each value needs a
/// parameter (1552, "bind parameter '%s' was not declared in the query");
/// `Query::explain()` injects the values and then calls
/// `BindParameters::validateAllUsed()`, both while parsing, so both are
/// worded like the other parse-time errors (transcript
/// RestExplainInvalid_single shows 1551). Collection parameters are named
/// with their one remaining `@` (`@@c` is `@c`), as the keys of `bindVars`.
pub(super) fn check(
    server: &Server,
    query: &str,
    bind_vars: Option<&Map<String, Value>>,
    endpoint: Endpoint,
) -> Result<aql_lexer::ast::Query, ArangoError> {
    let fail = |error_num: u32, message: &str, stage: CheckStage| {
        ArangoError::new(400, error_num, endpoint.wording(server, message, stage))
    };
    let version = &server.profile.version;
    let version = AqlVersion::new(
        u16::try_from(version.major).unwrap_or(u16::MAX),
        u16::try_from(version.minor).unwrap_or(u16::MAX),
        u16::try_from(version.patch).unwrap_or(u16::MAX),
    );
    let check_until = |stage: CheckStage| {
        aql_lexer::check_query_with(query, &CheckOptions { version, stage }).map_err(|errors| {
            match errors.first() {
                Some(first) => fail(first.error_num, &first.message, first.stage),
                // check_query_with reports at least one error when it fails.
                None => fail(1501, "syntax error", CheckStage::Parse),
            }
        })
    };
    let tree = check_until(CheckStage::Parse)?;
    if let Some(bind_vars) = bind_vars {
        let declared: Vec<String> = aql_lexer::bind_parameters(query)
            .unwrap_or_default()
            .iter()
            .map(aql_lexer::BindParameter::bind_vars_key)
            .collect();
        if let Some(missing) = declared.iter().find(|key| !bind_vars.contains_key(*key)) {
            return Err(fail(
                1551,
                &format!("no value specified for declared bind parameter '{missing}'"),
                CheckStage::Parse,
            ));
        }
        if let Some(unused) = bind_vars.keys().find(|key| !declared.contains(key)) {
            return Err(fail(
                1552,
                &format!("bind parameter '{unused}' was not declared in the query"),
                CheckStage::Parse,
            ));
        }
    }
    // The bind parameters are injected while parsing, before the query is
    // prepared for execution.
    if endpoint.stage() == CheckStage::Execution {
        check_until(CheckStage::Execution)?;
    }
    Ok(tree)
}

pub fn parse(server: &mut Server, req: &ApiRequest) -> HandlerResult {
    if req.method != Method::POST {
        return Err(ArangoError::method_not_allowed());
    }
    let body = req.json()?;
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .ok_or_else(|| ArangoError::new(400, 1502, "query is empty"))?;
    let tree = check(server, query, None, Endpoint::Parse)?;
    super::aqlfunction::check_user_function_calls(server, query)?;
    // Collection parameters are reported with one `@` left: `@@c` is `@c`.
    let bind_vars: Vec<String> = aql_lexer::bind_parameters(query)
        .unwrap_or_default()
        .iter()
        .map(aql_lexer::BindParameter::bind_vars_key)
        .collect();
    let database = server.database(&req.database)?;
    let is_collection = |name: &str| database.collection(name).is_ok();
    let since_3_12 = server.profile.version.at_least(3, 12, 0);
    // Where the server's AST is not known exactly, a bare root stands in.
    let ast = ast::server_ast(&tree, &is_collection, since_3_12)
        .unwrap_or_else(|| json!([{"type": "root", "subNodes": []}]));
    let mut answer = json!({
        "parsed": true,
        "collections": aql_lexer::referenced_collections(query).unwrap_or_default(),
        "bindVars": bind_vars,
        "ast": ast,
    });
    // The 3.12.10 answer lists `warnings`, the 3.11 one does not
    // (RestQueryValid_single).
    if since_3_12 {
        answer["warnings"] = json!([]);
    }
    Ok(Reply::envelope(200, answer))
}
