// What a refused query or page request says: the REST layer answers 400 with `message` (its
// position is 1-based, in characters of the query text).
//
// Thread safety: plain data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace fleetsim::hub::query {

enum class QueryErrorKind : std::uint8_t {
  syntax,                // "Syntax error at position 23: expected FROM, found 'FORM'"
  invalid,               // well formed but meaningless: an ungrouped column, a duplicate name
  unsupported,           // valid IoT Hub syntax this hub refuses (devices.jobs, projections on modules)
  too_long,              // more than max_query_characters
  too_deep,              // an expression higher than max_expression_height
  invalid_continuation,  // a continuation token not issued for this query
};

struct QueryError {
  QueryErrorKind kind = QueryErrorKind::syntax;
  std::size_t position = 0;  // 1-based character position; 0 for invalid_continuation
  std::string message;       // the whole sentence, position included
};

}  // namespace fleetsim::hub::query
