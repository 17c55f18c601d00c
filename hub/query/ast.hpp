// A parsed IoT Hub query (reference/iothub-protocol.md 3.7): the SELECT list, the collection, the
// WHERE condition and the GROUP BY paths.
//
// Expressions live in flat arrays indexed by number rather than in a pointer tree: a Query copies
// and destroys without recursion, whatever the text held, and the parser bounds the height of
// every expression (query::max_expression_height), so evaluation recurses a bounded depth.
//
// Thread safety: a Query is immutable once parsed; any number of threads may read it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace fleetsim::hub::query {

using NodeIndex = std::uint32_t;

// Query text longer than this is refused (reference 3.7: at most 8192 characters).
inline constexpr std::size_t max_query_characters = 8192;
// Parentheses, NOT, unary minus, function arguments and operator chains together never build an
// expression higher than this: evaluation recursion and fuzzing stay bounded.
inline constexpr std::size_t max_expression_height = 64;

enum class Collection : std::uint8_t { devices, modules };

enum class Op : std::uint8_t {
  constant,     // Node::payload indexes Expressions::constants (lists are JSON arrays there)
  undefined,    // the constant `undefined`, which JSON cannot hold
  path,         // Node::payload indexes Expressions::paths
  logical_and,  // n-ary, as logical_or
  logical_or,   // n-ary: a chain of ORs is one node, so long chains do not add height
  logical_not,
  negate,
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  in,      // second child is a list constant
  not_in,  // NIN
  add,
  subtract,
  multiply,
  divide,
  modulo,
  is_defined,
  is_null,
  starts_with,
  ends_with,
};

struct Node {
  Op op = Op::constant;
  std::uint8_t height = 1;        // 1 for a leaf
  std::uint32_t payload = 0;      // constant or path index
  std::uint32_t first_child = 0;  // into Expressions::children
  std::uint32_t child_count = 0;
  std::uint32_t offset = 0;  // byte offset of the node's first token in the query text
};

// A property path, its segments already resolved: identity names (deviceId, properties.reported,
// ...) match without case in the text and are stored in the twin's own camelCase spelling.
struct Path {
  std::vector<std::string> segments;
  std::uint32_t offset = 0;

  bool operator==(const Path& other) const { return segments == other.segments; }
};

struct Expressions {
  std::vector<Node> nodes;
  std::vector<NodeIndex> children;
  std::vector<boost::json::value> constants;
  std::vector<Path> paths;

  const Node& node(NodeIndex i) const { return nodes[i]; }
  NodeIndex child(const Node& n, std::uint32_t k) const { return children[n.first_child + k]; }
};

enum class Aggregate : std::uint8_t { none, count, sum, avg, min, max };

struct SelectItem {
  Aggregate aggregate = Aggregate::none;
  std::uint32_t path = 0;  // into Expressions::paths; unused for COUNT()
  std::string name;        // the row's key: the alias, the path's last segment, or "$1", "$2"...
  std::uint32_t offset = 0;
};

struct Query {
  Collection collection = Collection::devices;
  std::optional<std::uint64_t> top;
  bool select_all = false;        // SELECT *: whole twins, item type "twin"
  std::vector<SelectItem> items;  // empty with SELECT *
  std::optional<NodeIndex> where;
  std::vector<std::uint32_t> group_by;  // path indices
  bool aggregated = false;              // GROUP BY or an aggregate in SELECT: rows are groups
  Expressions expressions;
  // Identifies the query in continuation tokens: a hash of its tokens, so a token from one query
  // is refused by another (and whitespace or keyword case do not matter).
  std::uint64_t fingerprint = 0;
};

}  // namespace fleetsim::hub::query
