#include "hub/query/evaluate.hpp"

#include <cmath>

namespace fleetsim::hub::query {

namespace json = boost::json;

namespace {

using Kind = Value::Kind;

Value boolean(bool b) noexcept {
  Value v;
  v.kind = Kind::boolean;
  v.boolean = b;
  return v;
}

Value number(double n) noexcept {
  Value v;
  if (!std::isfinite(n)) return v;  // overflow: JSON has no infinity
  v.kind = Kind::number;
  v.number = n;
  return v;
}

bool is_primitive(const Value& v) noexcept {
  return v.kind == Kind::null || v.kind == Kind::boolean || v.kind == Kind::number || v.kind == Kind::string;
}

// -1, 0 or 1 for two primitives of the same kind.
int order(const Value& a, const Value& b) noexcept {
  switch (a.kind) {
    case Kind::boolean:
      return static_cast<int>(a.boolean) - static_cast<int>(b.boolean);
    case Kind::number:
      return a.number < b.number ? -1 : (a.number > b.number ? 1 : 0);
    case Kind::string: {
      const int c = a.string.compare(b.string);
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default:
      return 0;  // null = null
  }
}

bool same_primitive(const Value& a, const Value& b) noexcept {
  return is_primitive(a) && a.kind == b.kind && order(a, b) == 0;
}

Value compare(Op op, const Value& a, const Value& b) noexcept {
  if (!is_primitive(a) || a.kind != b.kind) return {};
  const int c = order(a, b);
  switch (op) {
    case Op::equal:
      return boolean(c == 0);
    case Op::not_equal:
      return boolean(c != 0);
    case Op::less:
      return boolean(c < 0);
    case Op::less_equal:
      return boolean(c <= 0);
    case Op::greater:
      return boolean(c > 0);
    default:
      return boolean(c >= 0);
  }
}

Value arithmetic(Op op, const Value& a, const Value& b) noexcept {
  if (a.kind != Kind::number || b.kind != Kind::number) return {};
  switch (op) {
    case Op::add:
      return number(a.number + b.number);
    case Op::subtract:
      return number(a.number - b.number);
    case Op::multiply:
      return number(a.number * b.number);
    case Op::divide:
      return b.number == 0 ? Value{} : number(a.number / b.number);
    default:
      return b.number == 0 ? Value{} : number(std::fmod(a.number, b.number));
  }
}

class Evaluator {
 public:
  Evaluator(const Expressions& expressions, const json::object& twin) noexcept
      : ex_(expressions), twin_(twin) {}

  Value operator()(NodeIndex index) const noexcept {
    const Node& node = ex_.node(index);
    switch (node.op) {
      case Op::constant:
        return Value::of(&ex_.constants[node.payload]);
      case Op::undefined:
        return {};
      case Op::path:
        return Value::of(lookup(twin_, ex_.paths[node.payload]));
      case Op::logical_and:
        return chain(node, false);
      case Op::logical_or:
        return chain(node, true);
      case Op::logical_not: {
        const Value v = arg(node, 0);
        return v.kind == Kind::boolean ? boolean(!v.boolean) : Value{};
      }
      case Op::negate: {
        const Value v = arg(node, 0);
        return v.kind == Kind::number ? number(-v.number) : Value{};
      }
      case Op::equal:
      case Op::not_equal:
      case Op::less:
      case Op::less_equal:
      case Op::greater:
      case Op::greater_equal:
        return compare(node.op, arg(node, 0), arg(node, 1));
      case Op::in:
      case Op::not_in:
        return membership(node);
      case Op::add:
      case Op::subtract:
      case Op::multiply:
      case Op::divide:
      case Op::modulo:
        return arithmetic(node.op, arg(node, 0), arg(node, 1));
      case Op::is_defined:
        return boolean(arg(node, 0).kind != Kind::undefined);
      case Op::is_null:
        return boolean(arg(node, 0).kind == Kind::null);
      case Op::starts_with:
      case Op::ends_with: {
        const Value s = arg(node, 0);
        const Value affix = arg(node, 1);
        if (s.kind != Kind::string || affix.kind != Kind::string) return {};
        return boolean(node.op == Op::starts_with ? s.string.starts_with(affix.string)
                                                  : s.string.ends_with(affix.string));
      }
    }
    return {};
  }

 private:
  Value arg(const Node& node, std::uint32_t k) const noexcept { return (*this)(ex_.child(node, k)); }

  // AND (decisive = false) or OR (decisive = true): the decisive value wins at once; otherwise
  // any operand that is not a Boolean makes the result undefined.
  Value chain(const Node& node, bool decisive) const noexcept {
    bool undefined = false;
    for (std::uint32_t k = 0; k < node.child_count; ++k) {
      const Value v = arg(node, k);
      if (v.kind != Kind::boolean) {
        undefined = true;
      } else if (v.boolean == decisive) {
        return boolean(decisive);
      }
    }
    return undefined ? Value{} : boolean(!decisive);
  }

  Value membership(const Node& node) const noexcept {
    const Value needle = arg(node, 0);
    const Value list = arg(node, 1);
    if (!is_primitive(needle) || list.kind != Kind::array) return {};
    bool found = false;
    for (const json::value& element : list.json->get_array()) {
      if (same_primitive(needle, Value::of(&element))) {
        found = true;
        break;
      }
    }
    return boolean(node.op == Op::in ? found : !found);
  }

  const Expressions& ex_;
  const json::object& twin_;
};

}  // namespace

Value Value::of(const json::value* json) noexcept {
  Value v;
  if (json == nullptr) return v;
  switch (json->kind()) {
    case json::kind::null:
      v.kind = Kind::null;
      break;
    case json::kind::bool_:
      v.kind = Kind::boolean;
      v.boolean = json->get_bool();
      break;
    case json::kind::int64:
      v.kind = Kind::number;
      v.number = static_cast<double>(json->get_int64());
      break;
    case json::kind::uint64:
      v.kind = Kind::number;
      v.number = static_cast<double>(json->get_uint64());
      break;
    case json::kind::double_:
      v.kind = Kind::number;
      v.number = json->get_double();
      break;
    case json::kind::string:
      v.kind = Kind::string;
      v.string = json->get_string();
      break;
    case json::kind::object:
      v.kind = Kind::object;
      v.json = json;
      break;
    case json::kind::array:
      v.kind = Kind::array;
      v.json = json;
      break;
  }
  return v;
}

const json::value* lookup(const json::object& twin, const Path& path) noexcept {
  const json::object* object = &twin;
  const json::value* found = nullptr;
  for (const std::string& segment : path.segments) {
    if (object == nullptr) return nullptr;
    found = object->if_contains(segment);
    if (found == nullptr) return nullptr;
    object = found->if_object();
  }
  return found;
}

Value evaluate(const Expressions& expressions, NodeIndex node, const json::object& twin) noexcept {
  return Evaluator(expressions, twin)(node);
}

bool matches(const Query& query, const json::object& twin) noexcept {
  return !query.where || evaluate(query.expressions, *query.where, twin).is_true();
}

}  // namespace fleetsim::hub::query
