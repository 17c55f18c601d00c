// Validation rules and limits (reference 4.2, 5.3), each at its boundary.
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/twin/twin_test_helpers.hpp"

namespace fleetsim::twin {
namespace {

using test::json;
using test::repeated;
using test::time_at;

// A patch with one member.
boost::json::value member(std::string_view key, boost::json::value value) {
  boost::json::object patch;
  patch[key] = std::move(value);
  return patch;
}

void expect_argument_invalid(const Result& result, std::string_view mentioned = {}) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().status, 400);
  EXPECT_EQ(result.error().error_code, 400004);
  EXPECT_NE(result.error().message.find(mentioned), std::string::npos) << result.error().message;
}

// Accepted by validate() and by a document, in every section, as a patch and (but for
// reported) as a replacement.
void expect_accepted(const boost::json::value& operation, const Limits& limits = {}) {
  for (const Section section : {Section::tags, Section::desired, Section::reported}) {
    EXPECT_TRUE(validate(section, operation, limits).ok())
        << validate(section, operation, limits).error().message;
    Document doc(limits);
    EXPECT_TRUE(doc.patch(section, operation, time_at(0)).ok());
    if (section == Section::reported) continue;
    EXPECT_TRUE(validate(section, operation, limits, true).ok());
    EXPECT_TRUE(doc.replace(section, operation, time_at(1)).ok());
  }
}

// Refused the same way everywhere, with the message naming `mentioned`.
void expect_refused(const boost::json::value& operation, std::string_view mentioned,
                    const Limits& limits = {}) {
  for (const Section section : {Section::tags, Section::desired, Section::reported}) {
    expect_argument_invalid(validate(section, operation, limits), mentioned);
    Document doc(limits);
    expect_argument_invalid(doc.patch(section, operation, time_at(0)), mentioned);
    if (section == Section::reported) continue;
    expect_argument_invalid(validate(section, operation, limits, true), mentioned);
    expect_argument_invalid(doc.replace(section, operation, time_at(1)), mentioned);
  }
}

TEST(Validation, RootMustBeAnObject) {
  for (const char* root : {"[]", "[{\"a\":1}]", "\"text\"", "12", "true", "null"}) {
    SCOPED_TRACE(root);
    expect_refused(json(root), "object");
  }
}

TEST(Validation, KeyLengthLimitIsInBytes) {
  expect_accepted(member(repeated(1024), 1));
  expect_refused(member(repeated(1025), 1), "1025 bytes");
  std::string two_byte_chars;
  for (int i = 0; i < 512; ++i) two_byte_chars += "\xC3\xA9";  // é
  expect_accepted(member(two_byte_chars, 1));
  expect_refused(member(test::cat(two_byte_chars, "x"), 1), "1025 bytes");
}

TEST(Validation, KeyLengthLimitAppliesAtEveryLevel) {
  boost::json::value nested = json(R"({"a":{}})");
  nested.as_object()["a"] = member(repeated(1024), 1);
  expect_accepted(nested);
  nested.as_object()["a"] = member(repeated(1025), 1);
  expect_refused(nested, "a.");
}

TEST(Validation, EmptyKeyIsRefused) {
  expect_refused(json(R"({"":1})"), "empty");
}

TEST(Validation, ForbiddenKeyCharacters) {
  const std::vector<std::string> forbidden = {
      "a.b",   "a$b",   "a b",   " ",         "a\tb",      std::string("a\0b", 3),
      "a\x01", "a\x1F", "a\x7F", "a\xC2\x80", "a\xC2\x85", "a\xC2\x9F"};
  for (const std::string& key : forbidden) {
    SCOPED_TRACE(testing::PrintToString(key));
    expect_refused(member(key, 1), "must not contain");
  }
}

TEST(Validation, OrdinaryKeyCharactersAreAccepted) {
  for (const std::string key : {"a-b_c", "Temp#1", "caf\xC3\xA9", "nb\xC2\xA0sp", "x:y/z", "__t"}) {
    SCOPED_TRACE(key);
    expect_accepted(member(key, 1));
  }
}

TEST(Validation, DollarNamesAreReadOnly) {
  expect_refused(json(R"({"$version":3})"), "read-only");
  expect_refused(json(R"({"$metadata":{}})"), "read-only");
  expect_refused(json(R"({"a":{"$lastUpdated":"x"}})"), "a.$lastUpdated");
}

TEST(Validation, StringLengthLimit) {
  expect_accepted(member("s", boost::json::string(repeated(4096))));
  expect_refused(member("s", boost::json::string(repeated(4097))), "4097 bytes");
  expect_accepted(member("s", boost::json::array{repeated(4096)}));
  expect_refused(member("s", boost::json::array{1, repeated(4097)}), "s[1]");
}

// Builds {"l1":{"l2":{... {"lN": leaf}}}}: N objects below the root.
boost::json::value nested_objects(int levels, boost::json::value leaf) {
  boost::json::value value = std::move(leaf);
  for (int level = levels; level >= 1; --level)
    value = member(test::cat("l", std::to_string(level)), std::move(value));
  return value;
}

TEST(Validation, DepthIsTenObjectsBelowTheRoot) {
  // tags.one...ten.property: the leaf inside the tenth object is valid.
  expect_accepted(nested_objects(10, member("property", 1)));
  expect_accepted(nested_objects(10, boost::json::object{}));
  expect_refused(nested_objects(11, member("property", 1)), "deeper than the limit of 10");
  expect_refused(nested_objects(11, boost::json::object{}), "l1.l2.l3.l4.l5.l6.l7.l8.l9.l10.l11");
}

TEST(Validation, ArraysCountAsDepthLevels) {
  expect_accepted(nested_objects(9, member("list", boost::json::array{1, 2})));
  expect_refused(nested_objects(10, member("list", boost::json::array{1, 2})), "deeper");
  expect_refused(nested_objects(9, member("list", boost::json::array{boost::json::object{{"x", 1}}})),
                 "deeper");
}

TEST(Validation, DepthInAPatchCountsFromTheSectionRoot) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::reported, nested_objects(9, boost::json::object{}), time_at(0)).ok());
  // Merging into l9 adds its tenth level, then an eleventh.
  EXPECT_TRUE(
      doc.patch(Section::reported, nested_objects(9, member("ten", boost::json::object{})), time_at(1)).ok());
  expect_argument_invalid(
      doc.patch(Section::reported, nested_objects(10, member("eleven", boost::json::object{})), time_at(2)),
      "deeper");
}

TEST(Validation, IntegerRangeIsPlusMinusTwoToTheFiftyTwo) {
  expect_accepted(json(R"({"max":4503599627370495,"min":-4503599627370496})"));
  expect_refused(json(R"({"n":4503599627370496})"), "4503599627370496 is outside");
  expect_refused(json(R"({"n":-4503599627370497})"), "-4503599627370497 is outside");
  expect_refused(json(R"({"n":18446744073709551615})"), "18446744073709551615");
  expect_refused(json(R"({"a":{"list":[1,9007199254740993]}})"), "a.list[1]");
}

TEST(Validation, DoublesAreAcceptedBeyondTheIntegerRange) {
  expect_accepted(json(R"({"big":1e300,"small":-4503599627370497.0,"frac":0.5})"));
}

TEST(Validation, NonFiniteNumbersAreRefused) {
  expect_refused(member("n", std::numeric_limits<double>::infinity()), "finite");
}

TEST(Validation, AllValueTypesAreAccepted) {
  expect_accepted(
      json(R"({"b":true,"i":-3,"d":2.5,"s":"x","o":{"p":1},"a":[1,"two",[3],{"x":false}],"e":[]})"));
}

TEST(Validation, NullIsAllowedOnlyAsAPatchMember) {
  for (const Section section : {Section::tags, Section::desired, Section::reported}) {
    EXPECT_TRUE(validate(section, json(R"({"a":null,"b":{"c":null}})")).ok());
    expect_argument_invalid(validate(section, json(R"({"a":null})"), {}, true), "null");
    expect_argument_invalid(validate(section, json(R"({"b":{"c":null}})"), {}, true), "b.c");
    expect_argument_invalid(validate(section, json(R"({"list":[1,null]})")), "list[1]");
    expect_argument_invalid(validate(section, json(R"({"list":[{"x":null}]})")), "list[0].x");
  }
  Document doc;
  expect_argument_invalid(doc.replace(Section::desired, json(R"({"a":null})"), time_at(0)), "desired.a");
}

TEST(Validation, KeysInsideArraysFollowTheKeyRules) {
  expect_refused(json(R"({"list":[{"bad key":1}]})"), "list[0].bad key");
  expect_refused(json(R"({"list":[{"$x":1}]})"), "read-only");
}

TEST(Validation, MessageNamesSectionPathAndRule) {
  Document doc;
  const Result result = doc.patch(Section::reported, json(R"({"a":{"b":{"bad key":1}}})"), time_at(0));
  expect_argument_invalid(result);
  EXPECT_EQ(result.error().message, "reported.a.b.bad key: property names must not contain spaces");
}

TEST(Validation, LongKeysAreShortenedInMessages) {
  const Result result = validate(Section::tags, member(repeated(2000), 1));
  expect_argument_invalid(result, "2000 bytes");
  EXPECT_LT(result.error().message.size(), 200u);
}

TEST(Validation, LimitsCanBeChosen) {
  Limits limits;
  limits.max_key_bytes = 3;
  limits.max_string_bytes = 2;
  limits.max_depth = 1;
  expect_accepted(json(R"({"abc":{"s":"xy"}})"), limits);
  expect_refused(json(R"({"abcd":1})"), "4 bytes", limits);
  expect_refused(json(R"({"s":"xyz"})"), "3 bytes", limits);
  expect_refused(json(R"({"a":{"b":{}}})"), "deeper than the limit of 1", limits);
}

}  // namespace
}  // namespace fleetsim::twin
