//! TODO(issue 15): the functions check.

use super::Report;
use crate::parser::ast::Query;

pub(super) fn check(_query: &Query, _report: &mut Report) {}
