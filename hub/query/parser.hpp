// parse_query: IoT Hub query text to a Query, or the error the REST layer returns as 400
// (reference/iothub-protocol.md 3.7):
//
//   SELECT [TOP n] * | item [AS alias] {, item [AS alias]}
//   FROM devices | devices.modules            (devices.jobs: refused, unsupported)
//   [WHERE condition] [GROUP BY path {, path}]
//   item      := path | COUNT() | SUM(path) | AVG(path) | MIN(path) | MAX(path)
//   condition := OR of ANDs of [NOT] comparisons; = != <> < <= > >= between + - * / % terms;
//                x IN [c, ...] / IN (c, ...), x NIN [...]; IS_DEFINED(path), IS_NULL(x),
//                STARTSWITH(x, y), ENDSWITH(x, y); parentheses
//   constant  := 'str' | "str" | 12 | -1.5 | 2e3 | 0x1F | true | false | null | undefined | [c, ...]
//   path      := name {. name | .[[any text]]}
//
// Keywords and function names match without case; so do identity names in paths (names.hpp).
// Projections and GROUP BY need FROM devices (reference 3.7). Non-aggregate items of a grouped
// query must be GROUP BY paths. Unnamed items take the path's last segment or "$1", "$2"...
//
// Thread safety: pure function.
#pragma once

#include <cstddef>
#include <string_view>
#include <variant>

#include "hub/query/ast.hpp"
#include "hub/query/error.hpp"

namespace fleetsim::hub::query {

std::variant<Query, QueryError> parse_query(std::string_view text);

// The 1-based character position of byte `offset` of UTF-8 `text`.
std::size_t character_position(std::string_view text, std::size_t offset) noexcept;

}  // namespace fleetsim::hub::query
