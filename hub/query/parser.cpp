#include "hub/query/parser.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>

#include "hub/query/lexer.hpp"
#include "hub/query/names.hpp"

namespace fleetsim::hub::query {

namespace json = boost::json;

namespace {

char to_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return to_lower(x) == to_lower(y); });
}

// Words that cannot start a path: a property with such a name is written tags.[[group]].
constexpr std::string_view reserved_words[] = {"select", "from",  "where", "group",    "by", "as",
                                               "top",    "and",   "or",    "not",      "in", "nin",
                                               "true",   "false", "null",  "undefined"};
constexpr std::string_view function_names[] = {"is_defined", "is_null", "startswith", "endswith", "count",
                                               "sum",        "avg",     "min",        "max"};

bool is_one_of(std::span<const std::string_view> words, std::string_view word) noexcept {
  return std::any_of(words.begin(), words.end(),
                     [word](std::string_view w) { return equal_ignoring_case(w, word); });
}

bool is_reserved(std::string_view word) noexcept {
  return is_one_of(reserved_words, word);
}

// Joins pieces into one string; also spares GCC 12 its -Wrestrict false positive on
// `"literal" + std::string`.
std::string concat(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (const std::string_view piece : pieces) out += piece;
  return out;
}

// Cuts `text` to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view shorten(std::string_view text, std::size_t max) noexcept {
  if (text.size() <= max) return text;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lexer_(text) {}

  std::variant<Query, QueryError> parse() {
    const std::size_t characters = character_position(text_, text_.size()) - 1;
    if (characters > max_query_characters) {
      return QueryError{QueryErrorKind::too_long, max_query_characters + 1,
                        concat({"Query too long: ", std::to_string(characters), " characters, at most ",
                                std::to_string(max_query_characters)})};
    }
    // Valid UTF-8 spends at most four bytes a character; stray continuation bytes count as none,
    // so the bytes are bounded too.
    if (text_.size() > 4 * max_query_characters) {
      return QueryError{QueryErrorKind::too_long, max_query_characters + 1,
                        concat({"Query too long: ", std::to_string(text_.size()), " bytes, at most ",
                                std::to_string(4 * max_query_characters)})};
    }
    advance();
    if (!parse_query() && !error_) fail_expected("a query");
    if (error_) return std::move(*error_);
    query_.fingerprint = fingerprint_;
    return std::move(query_);
  }

 private:
  // ---- tokens

  void advance() {
    current_ = lexer_.next();
    hash_token();
  }

  // After a dot: a [[bracketed name]] is lexed raw (lexer.hpp says why).
  void advance_after_dot() {
    if (lexer_.at_bracket_name()) {
      current_ = lexer_.bracket_name();
      hash_token();
    } else {
      advance();
    }
  }

  void hash_byte(std::uint8_t b) noexcept {
    fingerprint_ = (fingerprint_ ^ b) * 0x100000001b3ULL;  // FNV-1a
  }

  void hash_token() noexcept {
    hash_byte(static_cast<std::uint8_t>(current_.kind));
    const bool keyword = current_.kind == TokenKind::word &&
                         (is_reserved(current_.text) || is_one_of(function_names, current_.text));
    const std::string_view bytes =
        current_.kind == TokenKind::string || current_.kind == TokenKind::bracket_name
            ? std::string_view(current_.value)
            : current_.text;
    for (const char c : bytes) hash_byte(static_cast<std::uint8_t>(keyword ? to_lower(c) : c));
    hash_byte(0xFF);  // token boundary: "ab" "c" differs from "a" "bc"
  }

  bool at(TokenKind kind) const noexcept { return current_.kind == kind; }

  bool at_keyword(std::string_view keyword) const noexcept {
    return current_.kind == TokenKind::word && equal_ignoring_case(current_.text, keyword);
  }

  bool accept(TokenKind kind) {
    if (!at(kind)) return false;
    advance();
    return true;
  }

  bool accept_keyword(std::string_view keyword) {
    if (!at_keyword(keyword)) return false;
    advance();
    return true;
  }

  bool expect(TokenKind kind, std::string_view what) {
    if (accept(kind)) return true;
    fail_expected(what);
    return false;
  }

  bool expect_keyword(std::string_view keyword) {
    if (accept_keyword(keyword)) return true;
    fail_expected(keyword);
    return false;
  }

  // ---- errors: the first one wins; every parse function returns false/nullopt after it

  void fail(QueryErrorKind kind, std::size_t offset, std::string_view lead, std::string_view detail) {
    if (error_) return;
    const std::size_t position = character_position(text_, offset);
    std::string message(lead);
    message += " at position ";
    message += std::to_string(position);
    message += ": ";
    message += detail;
    error_ = QueryError{kind, position, std::move(message)};
  }

  void fail_expected(std::string_view what) {
    if (current_.kind == TokenKind::invalid) {
      fail(QueryErrorKind::syntax, current_.offset, "Syntax error", current_.value);
      return;
    }
    std::string detail = "expected ";
    detail += what;
    detail += ", found ";
    if (current_.kind == TokenKind::end) {
      detail += "end of query";
    } else {
      detail += '\'';
      detail += shorten(current_.text, 40);
      if (current_.text.size() > 40) detail += "...";
      detail += '\'';
    }
    fail(QueryErrorKind::syntax, current_.offset, "Syntax error", detail);
  }

  void fail_invalid(std::size_t offset, std::string_view detail) {
    fail(QueryErrorKind::invalid, offset, "Invalid query", detail);
  }

  void fail_unsupported(std::size_t offset, std::string_view detail) {
    fail(QueryErrorKind::unsupported, offset, "Unsupported query", detail);
  }

  void fail_too_deep(std::size_t offset) {
    fail(QueryErrorKind::too_deep, offset, "Query too complex",
         concat({"expressions nest at most ", std::to_string(max_expression_height), " levels deep"}));
  }

  // ---- nodes

  Expressions& ex() noexcept { return query_.expressions; }

  std::optional<NodeIndex> add_node(Op op, std::uint32_t offset, std::span<const NodeIndex> children,
                                    std::uint32_t payload = 0) {
    std::size_t height = 1;
    for (const NodeIndex child : children)
      height = std::max<std::size_t>(height, ex().nodes[child].height + 1u);
    if (height > max_expression_height) {
      fail_too_deep(offset);
      return std::nullopt;
    }
    Node node;
    node.op = op;
    node.height = static_cast<std::uint8_t>(height);
    node.payload = payload;
    node.first_child = static_cast<std::uint32_t>(ex().children.size());
    node.child_count = static_cast<std::uint32_t>(children.size());
    node.offset = offset;
    ex().children.insert(ex().children.end(), children.begin(), children.end());
    ex().nodes.push_back(node);
    return static_cast<NodeIndex>(ex().nodes.size() - 1);
  }

  std::optional<NodeIndex> add_constant(json::value value, std::uint32_t offset) {
    ex().constants.push_back(std::move(value));
    return add_node(Op::constant, offset, {}, static_cast<std::uint32_t>(ex().constants.size() - 1));
  }

  // Guards recursion through parentheses, NOT, unary minus, lists and function arguments, which
  // can nest without building taller nodes: ((((x)))).
  class Nesting {
   public:
    explicit Nesting(Parser& parser) : parser_(parser) { ++parser_.nesting_; }
    ~Nesting() { --parser_.nesting_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;
    bool ok() {
      if (parser_.nesting_ <= max_expression_height) return true;
      parser_.fail_too_deep(parser_.current_.offset);
      return false;
    }

   private:
    Parser& parser_;
  };

  // ---- query

  bool parse_query() {
    if (!expect_keyword("SELECT")) return false;
    if (accept_keyword("TOP")) {
      if (!at(TokenKind::number) || !current_.integer || current_.number > 9007199254740992.0) {
        fail_expected("a non-negative integer after TOP");
        return false;
      }
      query_.top = static_cast<std::uint64_t>(current_.number);
      advance();
    }
    if (accept(TokenKind::star)) {
      query_.select_all = true;
    } else {
      do {
        if (!parse_select_item()) return false;
      } while (accept(TokenKind::comma));
    }
    if (!expect_keyword("FROM") || !parse_collection()) return false;
    if (accept_keyword("WHERE")) {
      const auto where = parse_expression();
      if (!where) return false;
      query_.where = *where;
    }
    std::uint32_t group_offset = current_.offset;
    if (accept_keyword("GROUP")) {
      if (!expect_keyword("BY")) return false;
      do {
        const auto path = parse_path_from_start("a property path to group by");
        if (!path) return false;
        query_.group_by.push_back(*path);
      } while (accept(TokenKind::comma));
    }
    if (!at(TokenKind::end)) {
      fail_expected(query_.group_by.empty()
                        ? (query_.where ? "GROUP BY or end of query" : "WHERE, GROUP BY or end of query")
                        : "',' or end of query");
      return false;
    }
    return check_shape(group_offset);
  }

  bool parse_collection() {
    if (!at_keyword("devices")) {
      fail_expected("devices or devices.modules");
      return false;
    }
    advance();
    if (!accept(TokenKind::dot)) return true;
    if (at_keyword("modules")) {
      query_.collection = Collection::modules;
      advance();
      return true;
    }
    if (at_keyword("jobs")) {
      fail_unsupported(current_.offset, "devices.jobs queries are not supported by this hub");
      return false;
    }
    fail_expected("modules after 'devices.'");
    return false;
  }

  bool parse_select_item() {
    SelectItem item;
    item.offset = current_.offset;
    if (!at(TokenKind::word) || is_reserved(current_.text)) {
      fail_expected("*, a property path or an aggregate (COUNT, SUM, AVG, MIN, MAX)");
      return false;
    }
    const Token first = current_;
    advance();
    if (at(TokenKind::open_paren)) {
      if (!parse_aggregate(first, item)) return false;
    } else {
      const auto path = parse_path_after(first);
      if (!path) return false;
      item.path = *path;
      item.name = ex().paths[*path].segments.back();
    }
    if (accept_keyword("AS")) {
      if (!at(TokenKind::word) || is_reserved(current_.text)) {
        fail_expected("a name after AS");
        return false;
      }
      item.name = std::string(current_.text);
      advance();
    } else if (item.aggregate != Aggregate::none) {
      item.name = concat({"$", std::to_string(++unnamed_)});
    }
    query_.items.push_back(std::move(item));
    return true;
  }

  bool parse_aggregate(const Token& name, SelectItem& item) {
    static constexpr std::pair<std::string_view, Aggregate> aggregates[] = {{"COUNT", Aggregate::count},
                                                                            {"SUM", Aggregate::sum},
                                                                            {"AVG", Aggregate::avg},
                                                                            {"MIN", Aggregate::min},
                                                                            {"MAX", Aggregate::max}};
    const auto* found = std::find_if(std::begin(aggregates), std::end(aggregates),
                                     [&](const auto& a) { return equal_ignoring_case(a.first, name.text); });
    if (found == std::end(aggregates)) {
      fail(QueryErrorKind::syntax, name.offset, "Syntax error",
           concat({"expected a property path or an aggregate (COUNT, SUM, AVG, MIN, MAX), found function '",
                   shorten(name.text, 40), "'"}));
      return false;
    }
    advance();  // (
    item.aggregate = found->second;
    if (item.aggregate != Aggregate::count) {
      const auto path = parse_path_from_start("a property path");
      if (!path) return false;
      item.path = *path;
    }
    return expect(TokenKind::close_paren, "')'");
  }

  // A path whose first word is the current token.
  std::optional<std::uint32_t> parse_path_from_start(std::string_view what) {
    if (!at(TokenKind::word) || is_reserved(current_.text)) {
      fail_expected(what);
      return std::nullopt;
    }
    const Token first = current_;
    advance();
    if (at(TokenKind::open_paren)) {
      fail(QueryErrorKind::syntax, first.offset, "Syntax error",
           concat({"expected ", what, ", found function '", shorten(first.text, 40), "'"}));
      return std::nullopt;
    }
    return parse_path_after(first);
  }

  // A path whose first word `first` has been consumed.
  std::optional<std::uint32_t> parse_path_after(const Token& first) {
    Path path;
    path.offset = first.offset;
    path.segments.emplace_back(canonical_segment({}, 0, first.text));
    while (at(TokenKind::dot)) {
      advance_after_dot();
      if (!at(TokenKind::word) && !at(TokenKind::bracket_name)) {
        fail_expected("a property name after '.'");
        return std::nullopt;
      }
      const std::string_view name = at(TokenKind::word) ? current_.text : std::string_view(current_.value);
      path.segments.emplace_back(canonical_segment(path.segments.front(), path.segments.size(), name));
      advance();
    }
    ex().paths.push_back(std::move(path));
    return static_cast<std::uint32_t>(ex().paths.size() - 1);
  }

  // ---- expressions, loosest first: OR, AND, NOT, comparison, + -, * / %, unary -, primary

  std::optional<NodeIndex> parse_expression() {
    Nesting nesting(*this);
    if (!nesting.ok()) return std::nullopt;
    return parse_chain(Op::logical_or, "OR", &Parser::parse_and);
  }

  std::optional<NodeIndex> parse_and() { return parse_chain(Op::logical_and, "AND", &Parser::parse_not); }

  // n-ary: `a OR b OR c` is one node of three children.
  std::optional<NodeIndex> parse_chain(Op op, std::string_view keyword,
                                       std::optional<NodeIndex> (Parser::*operand)()) {
    const std::uint32_t offset = current_.offset;
    const auto first = (this->*operand)();
    if (!first || !at_keyword(keyword)) return first;
    std::vector<NodeIndex> operands{*first};
    while (accept_keyword(keyword)) {
      const auto next = (this->*operand)();
      if (!next) return std::nullopt;
      operands.push_back(*next);
    }
    return add_node(op, offset, operands);
  }

  std::optional<NodeIndex> parse_not() {
    const std::uint32_t offset = current_.offset;
    if (!accept_keyword("NOT")) return parse_comparison();
    Nesting nesting(*this);
    if (!nesting.ok()) return std::nullopt;
    const auto operand = parse_not();
    if (!operand) return std::nullopt;
    const NodeIndex children[] = {*operand};
    return add_node(Op::logical_not, offset, children);
  }

  std::optional<NodeIndex> parse_comparison() {
    const std::uint32_t offset = current_.offset;
    const auto left = parse_additive();
    if (!left) return std::nullopt;
    std::optional<Op> op;
    switch (current_.kind) {
      case TokenKind::equal:
        op = Op::equal;
        break;
      case TokenKind::not_equal:
        op = Op::not_equal;
        break;
      case TokenKind::less:
        op = Op::less;
        break;
      case TokenKind::less_equal:
        op = Op::less_equal;
        break;
      case TokenKind::greater:
        op = Op::greater;
        break;
      case TokenKind::greater_equal:
        op = Op::greater_equal;
        break;
      default:
        if (at_keyword("IN")) op = Op::in;
        if (at_keyword("NIN")) op = Op::not_in;
        break;
    }
    if (!op) return left;
    advance();
    std::optional<NodeIndex> right;
    if (*op == Op::in || *op == Op::not_in) {
      right = parse_in_list();
    } else {
      right = parse_additive();
    }
    if (!right) return std::nullopt;
    const NodeIndex children[] = {*left, *right};
    return add_node(*op, offset, children);
  }

  std::optional<NodeIndex> parse_binary(std::initializer_list<std::pair<TokenKind, Op>> ops,
                                        std::optional<NodeIndex> (Parser::*operand)()) {
    const std::uint32_t offset = current_.offset;
    auto left = (this->*operand)();
    while (left) {
      const auto* found = std::find_if(ops.begin(), ops.end(), [&](const auto& p) { return at(p.first); });
      if (found == ops.end()) break;
      advance();
      const auto right = (this->*operand)();
      if (!right) return std::nullopt;
      const NodeIndex children[] = {*left, *right};
      left = add_node(found->second, offset, children);
    }
    return left;
  }

  std::optional<NodeIndex> parse_additive() {
    return parse_binary({{TokenKind::plus, Op::add}, {TokenKind::minus, Op::subtract}},
                        &Parser::parse_multiplicative);
  }

  std::optional<NodeIndex> parse_multiplicative() {
    return parse_binary(
        {{TokenKind::star, Op::multiply}, {TokenKind::slash, Op::divide}, {TokenKind::percent, Op::modulo}},
        &Parser::parse_unary);
  }

  std::optional<NodeIndex> parse_unary() {
    const std::uint32_t offset = current_.offset;
    if (!accept(TokenKind::minus)) return parse_primary();
    Nesting nesting(*this);
    if (!nesting.ok()) return std::nullopt;
    const auto operand = parse_unary();
    if (!operand) return std::nullopt;
    // -5 is a constant, not an operation: lists may hold it and evaluation skips a step.
    const Node& node = ex().nodes[*operand];
    if (node.op == Op::constant && ex().constants[node.payload].is_double()) {
      double& number = ex().constants[node.payload].get_double();
      number = -number;
      return operand;
    }
    const NodeIndex children[] = {*operand};
    return add_node(Op::negate, offset, children);
  }

  std::optional<NodeIndex> parse_primary() {
    const std::uint32_t offset = current_.offset;
    switch (current_.kind) {
      case TokenKind::number: {
        const double number = current_.number;
        advance();
        return add_constant(json::value(number), offset);
      }
      case TokenKind::string: {
        json::value value(json::string(current_.value));
        advance();
        return add_constant(std::move(value), offset);
      }
      case TokenKind::open_paren: {
        advance();
        const auto inner = parse_expression();
        if (!inner || !expect(TokenKind::close_paren, "')'")) return std::nullopt;
        return inner;
      }
      case TokenKind::open_bracket:
        return parse_list(TokenKind::close_bracket, "']'");
      case TokenKind::word:
        return parse_word();
      default:
        fail_expected("an expression");
        return std::nullopt;
    }
  }

  std::optional<NodeIndex> parse_word() {
    const std::uint32_t offset = current_.offset;
    if (accept_keyword("true")) return add_constant(json::value(true), offset);
    if (accept_keyword("false")) return add_constant(json::value(false), offset);
    if (accept_keyword("null")) return add_constant(json::value(nullptr), offset);
    if (accept_keyword("undefined")) return add_node(Op::undefined, offset, {});
    if (is_reserved(current_.text)) {
      fail_expected("an expression");
      return std::nullopt;
    }
    const Token first = current_;
    advance();
    if (at(TokenKind::open_paren)) return parse_function(first);
    const auto path = parse_path_after(first);
    if (!path) return std::nullopt;
    return add_node(Op::path, offset, {}, *path);
  }

  std::optional<NodeIndex> parse_function(const Token& name) {
    struct Function {
      std::string_view name;
      Op op;
      std::size_t arguments;
    };
    static constexpr Function functions[] = {{"IS_DEFINED", Op::is_defined, 1},
                                             {"IS_NULL", Op::is_null, 1},
                                             {"STARTSWITH", Op::starts_with, 2},
                                             {"ENDSWITH", Op::ends_with, 2}};
    static constexpr std::string_view aggregates[] = {"COUNT", "SUM", "AVG", "MIN", "MAX"};
    const auto* found = std::find_if(std::begin(functions), std::end(functions), [&](const Function& f) {
      return equal_ignoring_case(f.name, name.text);
    });
    if (found == std::end(functions)) {
      const bool aggregate =
          std::any_of(std::begin(aggregates), std::end(aggregates),
                      [&](std::string_view a) { return equal_ignoring_case(a, name.text); });
      if (aggregate) {
        fail_invalid(name.offset, concat({"aggregate ", name.text, "() is only allowed in SELECT"}));
      } else {
        fail(QueryErrorKind::syntax, name.offset, "Syntax error",
             concat({"unknown function '", shorten(name.text, 40),
                     "': expected IS_DEFINED, IS_NULL, STARTSWITH or ENDSWITH"}));
      }
      return std::nullopt;
    }
    Nesting nesting(*this);
    if (!nesting.ok()) return std::nullopt;
    advance();  // (
    std::vector<NodeIndex> arguments;
    for (std::size_t i = 0; i < found->arguments; ++i) {
      if (i > 0 && !expect(TokenKind::comma, "','")) return std::nullopt;
      const auto argument = parse_expression();
      if (!argument) return std::nullopt;
      arguments.push_back(*argument);
    }
    if (!expect(TokenKind::close_paren, "')'")) return std::nullopt;
    if (found->op == Op::is_defined && ex().nodes[arguments[0]].op != Op::path) {
      fail_invalid(ex().nodes[arguments[0]].offset, "IS_DEFINED takes a property path");
      return std::nullopt;
    }
    return add_node(found->op, name.offset, arguments);
  }

  // After IN or NIN: [c, ...] or (c, ...).
  std::optional<NodeIndex> parse_in_list() {
    if (at(TokenKind::open_bracket)) return parse_list(TokenKind::close_bracket, "']'");
    if (at(TokenKind::open_paren)) return parse_list(TokenKind::close_paren, "')'");
    fail_expected("a list: [...] or (...)");
    return std::nullopt;
  }

  // A list of constants as a constant node; the current token opens it.
  std::optional<NodeIndex> parse_list(TokenKind close, std::string_view close_text) {
    const std::uint32_t offset = current_.offset;
    auto list = parse_list_value(close, close_text);
    if (!list) return std::nullopt;
    return add_constant(json::value(std::move(*list)), offset);
  }

  std::optional<json::array> parse_list_value(TokenKind close, std::string_view close_text) {
    Nesting nesting(*this);
    if (!nesting.ok()) return std::nullopt;
    advance();
    json::array list;
    if (accept(close)) return list;
    do {
      auto element = parse_list_element();
      if (!element) return std::nullopt;
      list.push_back(std::move(*element));
    } while (accept(TokenKind::comma));
    if (!expect(close, concat({"',' or ", close_text}))) return std::nullopt;
    return list;
  }

  std::optional<json::value> parse_list_element() {
    const bool negative = accept(TokenKind::minus);
    if (at(TokenKind::number)) {
      const double number = negative ? -current_.number : current_.number;
      advance();
      return json::value(number);
    }
    if (!negative) {
      if (at(TokenKind::string)) {
        json::value value(json::string(current_.value));
        advance();
        return value;
      }
      if (accept_keyword("true")) return json::value(true);
      if (accept_keyword("false")) return json::value(false);
      if (accept_keyword("null")) return json::value(nullptr);
      if (at(TokenKind::open_bracket)) {
        auto nested = parse_list_value(TokenKind::close_bracket, "']'");
        if (!nested) return std::nullopt;
        return json::value(std::move(*nested));
      }
    }
    fail_expected(negative ? "a number after '-'"
                           : "a constant (string, number, true, false, null or a list)");
    return std::nullopt;
  }

  // ---- the rules a well-formed query must also follow

  bool check_shape(std::uint32_t group_offset) {
    const bool has_aggregate = std::any_of(query_.items.begin(), query_.items.end(), [](const SelectItem& i) {
      return i.aggregate != Aggregate::none;
    });
    query_.aggregated = has_aggregate || !query_.group_by.empty();
    if (query_.collection == Collection::modules && (!query_.select_all || !query_.group_by.empty())) {
      fail_unsupported(query_.items.empty() ? group_offset : query_.items.front().offset,
                       "projections and GROUP BY need FROM devices; devices.modules answers SELECT * only");
      return false;
    }
    if (query_.select_all && !query_.group_by.empty()) {
      fail_invalid(group_offset, "SELECT * cannot be grouped: select the GROUP BY paths and aggregates");
      return false;
    }
    for (std::size_t i = 0; i < query_.items.size(); ++i) {
      const SelectItem& item = query_.items[i];
      for (std::size_t j = 0; j < i; ++j) {
        if (query_.items[j].name == item.name) {
          fail_invalid(item.offset, concat({"duplicate column name '", shorten(item.name, 40),
                                            "': give one of them an alias with AS"}));
          return false;
        }
      }
      if (query_.aggregated && item.aggregate == Aggregate::none) {
        const Path& path = ex().paths[item.path];
        const bool grouped = std::any_of(query_.group_by.begin(), query_.group_by.end(),
                                         [&](std::uint32_t g) { return ex().paths[g] == path; });
        if (!grouped) {
          fail_invalid(item.offset,
                       "a selected path must be a GROUP BY path or inside an aggregate in a grouped query");
          return false;
        }
      }
    }
    return true;
  }

  std::string_view text_;
  Lexer lexer_;
  Token current_;
  Query query_;
  std::optional<QueryError> error_;
  std::size_t nesting_ = 0;
  int unnamed_ = 0;
  std::uint64_t fingerprint_ = 0xcbf29ce484222325ULL;
};

}  // namespace

std::size_t character_position(std::string_view text, std::size_t offset) noexcept {
  offset = std::min(offset, text.size());
  std::size_t position = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++position;
  }
  return position;
}

std::variant<Query, QueryError> parse_query(std::string_view text) {
  return Parser(text).parse();
}

}  // namespace fleetsim::hub::query
