// Section sizes (reference 4.2): how they are counted and their limits, on the merged result.
#include <string>

#include <gtest/gtest.h>

#include "unit/twin/twin_test_helpers.hpp"

namespace fleetsim::twin {
namespace {

using test::json;
using test::repeated;
using test::time_at;

// Members "k0", "k1"... each with a string of `string_bytes`: count * (2 + string_bytes) bytes.
boost::json::value strings(int count, std::size_t string_bytes, int first = 0) {
  boost::json::object patch;
  for (int i = first; i < first + count; ++i)
    patch[test::cat("k", std::to_string(i))] = repeated(string_bytes);
  return patch;
}

struct SizeCase {
  const char* name;
  const char* patch;
  std::size_t size;
};

class SizeCountTest : public ::testing::TestWithParam<SizeCase> {};

// Exactly at a limit equal to the expected size the patch passes; one byte less and it fails.
TEST_P(SizeCountTest, CountsAsTheReferenceSays) {
  const SizeCase& c = GetParam();
  for (const Section section : {Section::tags, Section::desired, Section::reported}) {
    Limits limits;
    limits.max_tags_bytes = limits.max_desired_bytes = limits.max_reported_bytes = c.size;
    EXPECT_TRUE(Document(limits).patch(section, json(c.patch), time_at(0)).ok());
    EXPECT_TRUE(validate(section, json(c.patch), limits).ok());
    limits.max_tags_bytes = limits.max_desired_bytes = limits.max_reported_bytes = c.size - 1;
    const Result refused = Document(limits).patch(section, json(c.patch), time_at(0));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().error_code, 400004);
    EXPECT_NE(refused.error().message.find(test::cat("size ", std::to_string(c.size), " bytes exceeds")),
              std::string::npos)
        << refused.error().message;
    EXPECT_FALSE(validate(section, json(c.patch), limits).ok());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rules, SizeCountTest,
    ::testing::Values(SizeCase{"integer", R"({"num":1})", 3 + 8}, SizeCase{"double", R"({"d":0.25})", 1 + 8},
                      SizeCase{"boolean", R"({"b":false})", 1 + 4},
                      SizeCase{"string", R"({"s":"hello"})", 1 + 5},
                      SizeCase{"utf8_bytes", R"({"caf\u00e9":"\u00e9\u20ac"})", 5 + 5},
                      SizeCase{"control_characters_not_counted", R"({"s":"a\nb\u0085c\u007f"})", 1 + 3},
                      SizeCase{"object_sum_of_members", R"({"o":{"ab":"xyz","n":true}})",
                               1 + (2 + 3) + (1 + 4)},
                      SizeCase{"array_sum_of_elements", R"({"arr":[1,true,"ab",[2],{"k":"v"}]})",
                               3 + 8 + 4 + 2 + 8 + (1 + 1)},
                      SizeCase{"many_members", R"({"a":1,"b":{"c":{"d":"e"}},"f":[false]})",
                               (1 + 8) + (1 + 1 + 1 + 1) + (1 + 4)}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(SectionSize, EmptyObjectsCountOnlyTheirKeys) {
  Limits limits;
  limits.max_reported_bytes = 3;
  EXPECT_TRUE(Document(limits).patch(Section::reported, json(R"({"abc":{}})"), time_at(0)).ok());
  EXPECT_FALSE(Document(limits).patch(Section::reported, json(R"({"abcd":{}})"), time_at(0)).ok());
}

TEST(SectionSize, NullMembersOfAPatchCostNothing) {
  Limits limits;
  limits.max_reported_bytes = 9;
  EXPECT_TRUE(validate(Section::reported, json(R"({"a":1,"long_removed_name":null})"), limits).ok());
  EXPECT_TRUE(Document(limits)
                  .patch(Section::reported, json(R"({"a":1,"long_removed_name":null})"), time_at(0))
                  .ok());
}

TEST(SectionSize, TagsLimitIsEightKilobytes) {
  // 2 * (2 + 4094) = 8192.
  EXPECT_TRUE(Document().patch(Section::tags, strings(2, 4094), time_at(0)).ok());
  EXPECT_TRUE(Document().replace(Section::tags, strings(2, 4094), time_at(0)).ok());
  boost::json::value over = strings(2, 4094);
  over.as_object()["k1"] = repeated(4095);
  const Result refused = Document().patch(Section::tags, over, time_at(0));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().status, 400);
  EXPECT_EQ(refused.error().error_code, 400004);
  EXPECT_EQ(refused.error().message, "tags: size 8193 bytes exceeds the limit of 8192 bytes");
  EXPECT_FALSE(Document().replace(Section::tags, over, time_at(0)).ok());
}

TEST(SectionSize, DesiredAndReportedLimitsAreThirtyTwoKilobytes) {
  // 8 * (2 + 4094) = 32768.
  for (const Section section : {Section::desired, Section::reported}) {
    EXPECT_TRUE(Document().patch(section, strings(8, 4094), time_at(0)).ok());
    boost::json::value over = strings(8, 4094);
    over.as_object()["k7"] = repeated(4095);
    EXPECT_FALSE(Document().patch(section, over, time_at(0)).ok());
    EXPECT_FALSE(validate(section, over).ok());
  }
  EXPECT_TRUE(Document().replace(Section::desired, strings(8, 4094), time_at(0)).ok());
  boost::json::value over = strings(8, 4094);
  over.as_object()["x"] = true;
  EXPECT_FALSE(Document().replace(Section::desired, over, time_at(0)).ok());
}

class MergedSizeTest : public ::testing::Test {
 protected:
  // Fills reported to 32760 bytes: 7 * 4096 + (2 + 4086).
  void SetUp() override {
    ASSERT_TRUE(doc_.patch(Section::reported, strings(7, 4094), time_at(0)).ok());
    ASSERT_TRUE(doc_.patch(Section::reported, json(R"({"k7":"x"})"), time_at(0)).ok());
    ASSERT_TRUE(doc_.patch(Section::reported, member_string("k7", 4086), time_at(0)).ok());
  }
  static boost::json::value member_string(const char* key, std::size_t bytes) {
    boost::json::object patch;
    patch[key] = repeated(bytes);
    return patch;
  }
  Document doc_;
};

TEST_F(MergedSizeTest, AdditionsAreCheckedAgainstTheWholeSection) {
  // "x" + 7 bytes = 8 more: exactly 32768.
  EXPECT_FALSE(doc_.patch(Section::reported, json(R"({"x":"12345678"})"), time_at(1)).ok());
  EXPECT_TRUE(doc_.patch(Section::reported, json(R"({"x":"1234567"})"), time_at(1)).ok());
  EXPECT_FALSE(doc_.patch(Section::reported, json(R"({"y":true})"), time_at(1)).ok());
}

TEST_F(MergedSizeTest, ReplacedValuesCountByTheirDifference) {
  // k7 grows from 4086 to 4094 bytes (+8): exactly 32768; one byte more is refused.
  EXPECT_FALSE(doc_.patch(Section::reported, member_string("k7", 4095), time_at(1)).ok());
  EXPECT_TRUE(doc_.patch(Section::reported, member_string("k7", 4094), time_at(1)).ok());
  // A number in place of a 4094-byte string frees room for a new member.
  EXPECT_TRUE(doc_.patch(Section::reported, json(R"({"k0":1})"), time_at(1)).ok());
  EXPECT_TRUE(doc_.patch(Section::reported, member_string("new", 4000), time_at(1)).ok());
}

TEST_F(MergedSizeTest, RemovalsInTheSamePatchMakeRoom) {
  boost::json::value patch = member_string("k8", 4094);
  patch.as_object()["k0"] = nullptr;
  EXPECT_TRUE(doc_.patch(Section::reported, patch, time_at(1)).ok());
  EXPECT_FALSE(doc_.reported().contains("k0"));
  // After that patch the section is at 32760 again: 8 bytes fit, 9 do not.
  EXPECT_FALSE(doc_.patch(Section::reported, json(R"({"x":"12345678"})"), time_at(1)).ok());
  EXPECT_TRUE(doc_.patch(Section::reported, json(R"({"x":"1234567"})"), time_at(1)).ok());
}

TEST_F(MergedSizeTest, ObjectsReplacingLeavesCountTheWholeNewObject) {
  ASSERT_TRUE(doc_.patch(Section::reported, json(R"({"k7":null})"), time_at(1)).ok());
  // Now 28672 bytes; replace k0's string (2 + 4094) with an object of 4096 + 8 bytes.
  boost::json::value patch = json(R"({"k0":{}})");
  patch.as_object()["k0"].as_object()["s"] = repeated(4095);
  patch.as_object()["k0"].as_object()["n"] = 1;
  // k0 + s + 4095 + n + 8 = 2 + 1 + 4095 + 1 + 8 = 4107: 28672 - 4096 + 4107 = 28683.
  ASSERT_TRUE(doc_.patch(Section::reported, patch, time_at(1)).ok());
  // 32768 - 28683 = 4085 bytes left.
  EXPECT_FALSE(doc_.patch(Section::reported, member_string("z", 4085), time_at(1)).ok());
  EXPECT_TRUE(doc_.patch(Section::reported, member_string("z", 4084), time_at(1)).ok());
}

TEST_F(MergedSizeTest, MergingIntoAnObjectCountsOnlyTheChange) {
  ASSERT_TRUE(doc_.patch(Section::reported, json(R"({"k7":null})"), time_at(1)).ok());
  ASSERT_TRUE(doc_.patch(Section::reported, json(R"({"o":{"a":1}})"), time_at(1)).ok());
  // 28672 + (1 + 1 + 8) = 28682; merging {"o":{"a":null,"b":...}} removes 9 and adds 1 + n.
  boost::json::value patch = json(R"({"o":{"a":null,"b":""}})");
  patch.as_object()["o"].as_object()["b"] = repeated(4094);
  // 28682 - 9 + 1 + 4094 = 32768.
  EXPECT_TRUE(doc_.patch(Section::reported, patch, time_at(1)).ok());
  EXPECT_FALSE(doc_.patch(Section::reported, json(R"({"o":{"c":false}})"), time_at(1)).ok());
}

TEST_F(MergedSizeTest, ReplaceIsJudgedOnItsOwnContent) {
  // A large reported section does not count against desired or tags.
  EXPECT_TRUE(doc_.replace(Section::desired, strings(8, 4094), time_at(1)).ok());
  EXPECT_TRUE(doc_.patch(Section::tags, strings(2, 4094), time_at(1)).ok());
}

}  // namespace
}  // namespace fleetsim::twin
