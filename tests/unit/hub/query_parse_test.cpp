// The query parser: every construct of reference 3.7, identity names without case, and errors
// that name the position (1-based, in characters) and what was expected.
#include <string>

#include <gtest/gtest.h>

#include "query_test_support.hpp"

namespace fleetsim::hub::query::test {
namespace {

std::vector<std::string> segments(const Query& q, std::uint32_t path) {
  return q.expressions.paths[path].segments;
}

TEST(QueryParse, SelectStarFromDevices) {
  const Query q = parse_ok("SELECT * FROM devices");
  EXPECT_TRUE(q.select_all);
  EXPECT_EQ(q.collection, Collection::devices);
  EXPECT_FALSE(q.where.has_value());
  EXPECT_FALSE(q.top.has_value());
  EXPECT_FALSE(q.aggregated);
}

TEST(QueryParse, ModulesCollection) {
  const Query q = parse_ok("SELECT * FROM devices.modules WHERE moduleId = 'm1'");
  EXPECT_EQ(q.collection, Collection::modules);
  EXPECT_TRUE(q.where.has_value());
}

TEST(QueryParse, KeywordsMatchWithoutCase) {
  const Query q = parse_ok("select top 3 * from DEVICES Where tags.site = 'x' aNd NOT status In ['a']");
  EXPECT_EQ(q.top, 3u);
  EXPECT_TRUE(q.where.has_value());
}

TEST(QueryParse, ProjectionNamesFromAliasOrLastSegment) {
  const Query q = parse_ok("SELECT deviceId, properties.reported.x AS temp, tags.location FROM devices");
  ASSERT_EQ(q.items.size(), 3u);
  EXPECT_EQ(q.items[0].name, "deviceId");
  EXPECT_EQ(q.items[1].name, "temp");
  EXPECT_EQ(q.items[2].name, "location");
  EXPECT_EQ(segments(q, q.items[1].path), (std::vector<std::string>{"properties", "reported", "x"}));
  EXPECT_FALSE(q.select_all);
}

TEST(QueryParse, IdentityNamesMatchWithoutCaseAndComeBackCamelCase) {
  const Query q = parse_ok(
      "SELECT DEVICEID, Properties.Reported.Fw, CAPABILITIES.iotedge, connectionstate, Tags.Site FROM "
      "devices");
  ASSERT_EQ(q.items.size(), 5u);
  EXPECT_EQ(q.items[0].name, "deviceId");
  // Below properties.reported the names are the user's: case kept.
  EXPECT_EQ(segments(q, q.items[1].path), (std::vector<std::string>{"properties", "reported", "Fw"}));
  EXPECT_EQ(segments(q, q.items[2].path), (std::vector<std::string>{"capabilities", "iotEdge"}));
  EXPECT_EQ(q.items[3].name, "connectionState");
  EXPECT_EQ(segments(q, q.items[4].path), (std::vector<std::string>{"tags", "Site"}));
}

TEST(QueryParse, KeywordNamesInDoubleBracketsOrAfterADot) {
  const Query q =
      parse_ok("SELECT tags.[[group]].name, tags.[[a b.c]] AS odd, tags.select.from AS f FROM devices");
  EXPECT_EQ(segments(q, q.items[0].path), (std::vector<std::string>{"tags", "group", "name"}));
  EXPECT_EQ(segments(q, q.items[1].path), (std::vector<std::string>{"tags", "a b.c"}));
  EXPECT_EQ(segments(q, q.items[2].path), (std::vector<std::string>{"tags", "select", "from"}));
}

TEST(QueryParse, AggregatesAndGroupBy) {
  const Query q = parse_ok(
      "SELECT properties.reported.fw AS fw, COUNT() AS n FROM devices GROUP BY properties.reported.fw");
  EXPECT_TRUE(q.aggregated);
  ASSERT_EQ(q.items.size(), 2u);
  EXPECT_EQ(q.items[1].aggregate, Aggregate::count);
  ASSERT_EQ(q.group_by.size(), 1u);
  EXPECT_EQ(segments(q, q.group_by[0]), (std::vector<std::string>{"properties", "reported", "fw"}));

  const Query unnamed = parse_ok("SELECT COUNT(), sum(tags.n), Max(tags.n) AS hottest FROM devices");
  EXPECT_TRUE(unnamed.aggregated);
  EXPECT_EQ(unnamed.items[0].name, "$1");
  EXPECT_EQ(unnamed.items[1].name, "$2");
  EXPECT_EQ(unnamed.items[2].name, "hottest");
}

TEST(QueryParse, ConstantsOfEveryKind) {
  const Query q = parse_ok(
      "SELECT * FROM devices WHERE tags.a IN ['s', \"d\", 12, -1.5, 2e3, 0x1F, true, false, null, [1, [2]]]");
  const Node& in = q.expressions.node(*q.where);
  ASSERT_EQ(in.op, Op::in);
  const auto& list = q.expressions.constants[q.expressions.node(q.expressions.child(in, 1)).payload];
  EXPECT_EQ(boost::json::serialize(list), R"(["s","d",1.2E1,-1.5E0,2E3,3.1E1,true,false,null,[1E0,[2E0]]])");
}

TEST(QueryParse, StringEscapes) {
  const Query q = parse_ok(R"(SELECT * FROM devices WHERE tags.a = 'it\'s \"q\" \\ \u00e9 \ud83d\ude00 \n')");
  const Node& eq = q.expressions.node(*q.where);
  const auto& constant = q.expressions.constants[q.expressions.node(q.expressions.child(eq, 1)).payload];
  EXPECT_EQ(std::string(constant.as_string()), "it's \"q\" \\ \xC3\xA9 \xF0\x9F\x98\x80 \n");
}

TEST(QueryParse, InTakesBracketsOrParentheses) {
  parse_ok("SELECT * FROM devices WHERE deviceId IN ('a', 'b')");
  parse_ok("SELECT * FROM devices WHERE deviceId NIN []");
  parse_ok("SELECT * FROM devices WHERE deviceId IN ['a']");
}

TEST(QueryParse, LongAndOrChainsStayShallow) {
  std::string text = "SELECT * FROM devices WHERE tags.a = 0";
  for (int i = 1; i < 400; ++i) {
    text += i % 2 ? " OR tags.a = " : " AND tags.a = ";
    text += std::to_string(i);
  }
  const Query q = parse_ok(text);
  ASSERT_TRUE(q.where.has_value());
  EXPECT_EQ(q.expressions.node(*q.where).op, Op::logical_or);
  EXPECT_EQ(q.expressions.node(*q.where).height, 4);  // OR of ANDs of comparisons of leaves
}

TEST(QueryParse, FingerprintIgnoresWhitespaceAndKeywordCase) {
  const Query a = parse_ok("SELECT * FROM devices WHERE tags.site = 'x'");
  const Query b = parse_ok("select *\n  from devices   where tags.site='x'");
  const Query c = parse_ok("SELECT * FROM devices WHERE tags.site = 'y'");
  const Query d = parse_ok("SELECT * FROM devices WHERE tags.Site = 'x'");
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(parse_ok("SELECT COUNT() FROM devices WHERE IS_DEFINED(tags.a)").fingerprint,
            parse_ok("SELECT count() FROM devices WHERE is_defined(tags.a)").fingerprint);
  EXPECT_NE(a.fingerprint, c.fingerprint);
  EXPECT_NE(a.fingerprint, d.fingerprint);
}

struct ErrorCase {
  const char* text;
  QueryErrorKind kind;
  std::size_t position;
  const char* message;
};

TEST(QueryParse, ErrorsNamePositionAndExpectation) {
  const ErrorCase cases[] = {
      {"", QueryErrorKind::syntax, 1, "Syntax error at position 1: expected SELECT, found end of query"},
      {"SELECT * FORM devices", QueryErrorKind::syntax, 10,
       "Syntax error at position 10: expected FROM, found 'FORM'"},
      {"SELECT * FROM devices WHERE", QueryErrorKind::syntax, 28,
       "Syntax error at position 28: expected an expression, found end of query"},
      {"SELECT * FROM devices WHERE tags.x = 'abc", QueryErrorKind::syntax, 38,
       "Syntax error at position 38: unterminated string"},
      {"SELECT * FROM devices WHERE tags.x = 1 ORDER BY x", QueryErrorKind::syntax, 40,
       "Syntax error at position 40: expected GROUP BY or end of query, found 'ORDER'"},
      {"SELECT * FROM devices x", QueryErrorKind::syntax, 23,
       "Syntax error at position 23: expected WHERE, GROUP BY or end of query, found 'x'"},
      {"SELECT * FROM twins", QueryErrorKind::syntax, 15,
       "Syntax error at position 15: expected devices or devices.modules, found 'twins'"},
      {"SELECT FROM devices", QueryErrorKind::syntax, 8,
       "Syntax error at position 8: expected *, a property path or an aggregate (COUNT, SUM, AVG, MIN, MAX), "
       "found 'FROM'"},
      {"SELECT FOO(x) FROM devices", QueryErrorKind::syntax, 8,
       "Syntax error at position 8: expected a property path or an aggregate (COUNT, SUM, AVG, MIN, MAX), "
       "found "
       "function 'FOO'"},
      {"SELECT COUNT() FROM devices GROUP BY COUNT()", QueryErrorKind::syntax, 38,
       "Syntax error at position 38: expected a property path to group by, found function 'COUNT'"},
      {"SELECT * FROM devices WHERE CONTAINS(tags.x, 'a')", QueryErrorKind::syntax, 29,
       "Syntax error at position 29: unknown function 'CONTAINS': expected IS_DEFINED, IS_NULL, STARTSWITH "
       "or "
       "ENDSWITH"},
      {"SELECT * FROM devices WHERE tags.x IN 'a'", QueryErrorKind::syntax, 39,
       "Syntax error at position 39: expected a list: [...] or (...), found ''a''"},
      {"SELECT * FROM devices WHERE tags.x IN [tags.y]", QueryErrorKind::syntax, 40,
       "Syntax error at position 40: expected a constant (string, number, true, false, null or a list), "
       "found "
       "'tags'"},
      {"SELECT * FROM devices WHERE (tags.x = 1", QueryErrorKind::syntax, 40,
       "Syntax error at position 40: expected ')', found end of query"},
      {"SELECT * FROM devices WHERE tags.x = 'a\\q'", QueryErrorKind::syntax, 40,
       "Syntax error at position 40: invalid escape sequence"},
      {"SELECT * FROM devices WHERE tags.x = 1 = 2", QueryErrorKind::syntax, 40,
       "Syntax error at position 40: expected GROUP BY or end of query, found '='"},
      {"SELECT * FROM devices WHERE tags.x = #", QueryErrorKind::syntax, 38,
       "Syntax error at position 38: unexpected character '#'"},
      {"SELECT * FROM devices WHERE tags.x = \x01", QueryErrorKind::syntax, 38,
       "Syntax error at position 38: unexpected character 0x01"},
      {"SELECT TOP -1 * FROM devices", QueryErrorKind::syntax, 12,
       "Syntax error at position 12: expected a non-negative integer after TOP, found '-'"},
      {"SELECT TOP 1.5 * FROM devices", QueryErrorKind::syntax, 12,
       "Syntax error at position 12: expected a non-negative integer after TOP, found '1.5'"},
      {"SELECT deviceId AS FROM devices", QueryErrorKind::syntax, 20,
       "Syntax error at position 20: expected a name after AS, found 'FROM'"},
      {"SELECT * FROM devices WHERE tags.", QueryErrorKind::syntax, 34,
       "Syntax error at position 34: expected a property name after '.', found end of query"},
      {"SELECT * FROM devices WHERE tags.[[x", QueryErrorKind::syntax, 34,
       "Syntax error at position 34: unterminated [[name]]"},
      // Positions count characters, not bytes: 'é' is two bytes.
      {"SELECT * FROM devices WHERE tags.x = 'é' AND", QueryErrorKind::syntax, 45,
       "Syntax error at position 45: expected an expression, found end of query"},
      {"SELECT * FROM devices WHERE COUNT() > 1", QueryErrorKind::invalid, 29,
       "Invalid query at position 29: aggregate COUNT() is only allowed in SELECT"},
      {"SELECT * FROM devices WHERE IS_DEFINED('x')", QueryErrorKind::invalid, 40,
       "Invalid query at position 40: IS_DEFINED takes a property path"},
      {"SELECT * FROM devices GROUP BY tags.x", QueryErrorKind::invalid, 23,
       "Invalid query at position 23: SELECT * cannot be grouped: select the GROUP BY paths and aggregates"},
      {"SELECT deviceId, COUNT() FROM devices", QueryErrorKind::invalid, 8,
       "Invalid query at position 8: a selected path must be a GROUP BY path or inside an aggregate in a "
       "grouped "
       "query"},
      {"SELECT tags.x, COUNT() AS n FROM devices GROUP BY tags.y", QueryErrorKind::invalid, 8,
       "Invalid query at position 8: a selected path must be a GROUP BY path or inside an aggregate in a "
       "grouped "
       "query"},
      {"SELECT tags.name, properties.reported.name FROM devices", QueryErrorKind::invalid, 19,
       "Invalid query at position 19: duplicate column name 'name': give one of them an alias with AS"},
      {"SELECT * FROM devices.jobs", QueryErrorKind::unsupported, 23,
       "Unsupported query at position 23: devices.jobs queries are not supported by this hub"},
      {"SELECT deviceId FROM devices.modules", QueryErrorKind::unsupported, 8,
       "Unsupported query at position 8: projections and GROUP BY need FROM devices; devices.modules answers "
       "SELECT * only"},
  };
  for (const ErrorCase& c : cases) {
    const QueryError e = parse_error(c.text);
    EXPECT_EQ(e.kind, c.kind) << c.text;
    EXPECT_EQ(e.position, c.position) << c.text;
    EXPECT_EQ(e.message, c.message) << c.text;
  }
}

TEST(QueryParse, RefusesQueriesLongerThan8192Characters) {
  std::string text = "SELECT * FROM devices WHERE deviceId = '";
  text.append(max_query_characters - text.size() - 1, 'x');
  text += '\'';
  parse_ok(text);  // exactly 8192
  text.insert(text.size() - 1, 1, 'y');
  const QueryError e = parse_error(text);
  EXPECT_EQ(e.kind, QueryErrorKind::too_long);
  EXPECT_EQ(e.position, 8193u);
  EXPECT_EQ(e.message, "Query too long: 8193 characters, at most 8192");
}

TEST(QueryParse, BoundsBytesToo) {
  // Stray UTF-8 continuation bytes count as no character: the byte bound still holds.
  const std::string text = "SELECT * FROM devices WHERE tags.x = '" + std::string(40000, '\x80') + "'";
  const QueryError e = parse_error(text);
  EXPECT_EQ(e.kind, QueryErrorKind::too_long);
  EXPECT_EQ(e.message, "Query too long: 40039 bytes, at most 32768");
}

TEST(QueryParse, BoundsNesting) {
  const auto nested = [](int depth, const std::string& open, const std::string& close) {
    std::string text = "SELECT * FROM devices WHERE ";
    for (int i = 0; i < depth; ++i) text += open;
    text += "tags.x = 1";
    for (int i = 0; i < depth; ++i) text += close;
    return text;
  };
  parse_ok(nested(50, "(", ")"));
  parse_ok(nested(50, "NOT ", ""));
  for (const std::string& deep : {nested(100, "(", ")"), nested(100, "NOT ", ""), nested(3000, "(", ")")}) {
    const QueryError e = parse_error(deep);
    EXPECT_EQ(e.kind, QueryErrorKind::too_deep);
    EXPECT_NE(e.message.find("Query too complex at position "), std::string::npos) << e.message;
  }
  // A long arithmetic chain is as tall as it is long.
  std::string sum = "SELECT * FROM devices WHERE tags.x = 0";
  for (int i = 0; i < 100; ++i) sum += " + 1";
  EXPECT_EQ(parse_error(sum).kind, QueryErrorKind::too_deep);
  std::string lists = "SELECT * FROM devices WHERE tags.x IN ";
  for (int i = 0; i < 100; ++i) lists += "[";
  EXPECT_EQ(parse_error(lists).kind, QueryErrorKind::too_deep);
}

}  // namespace
}  // namespace fleetsim::hub::query::test
