// Evaluating query expressions over one service twin (reference/iothub-protocol.md 3.7).
//
// The semantics are the SQL-over-JSON ones IoT Hub inherits: a missing property is `undefined`;
// only primitives (null, booleans, numbers, strings) of the same type compare, anything else
// gives `undefined`; AND, OR and NOT are three-valued; a condition holds only when it is the
// Boolean `true`. Numbers compare as doubles, exact for every integer a twin may hold (+-2^52).
// Strings compare by bytes (ordinal). Arithmetic takes numbers only, and a division by zero or
// an overflow is `undefined`.
//
// Cost: one pass over the expression (at most max_expression_height deep), a hash lookup per
// path segment, a scan of each IN list. No allocation: strings are views into the twin or the
// query.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "hub/query/ast.hpp"

namespace fleetsim::hub::query {

struct Value {
  enum class Kind : std::uint8_t { undefined, null, boolean, number, string, object, array };
  Kind kind = Kind::undefined;
  bool boolean = false;
  double number = 0;
  std::string_view string;
  const boost::json::value* json = nullptr;  // the object or array itself

  static Value of(const boost::json::value* json) noexcept;
  bool is_true() const noexcept { return kind == Kind::boolean && boolean; }
};

// The value at `path` in `twin`, or nullptr if undefined.
const boost::json::value* lookup(const boost::json::object& twin, const Path& path) noexcept;

Value evaluate(const Expressions& expressions, NodeIndex node, const boost::json::object& twin) noexcept;

// True if the query has no WHERE or its condition is true for `twin`.
bool matches(const Query& query, const boost::json::object& twin) noexcept;

}  // namespace fleetsim::hub::query
