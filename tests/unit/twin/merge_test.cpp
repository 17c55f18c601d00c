// Merge-patch semantics of Document::patch (reference 4.4).
#include <gtest/gtest.h>

#include "unit/twin/twin_test_helpers.hpp"

namespace fleetsim::twin {
namespace {

using test::json;
using test::time_at;

class MergeTest : public ::testing::TestWithParam<Section> {
 protected:
  const boost::json::object& contents() const {
    switch (GetParam()) {
      case Section::tags:
        return doc_.tags();
      case Section::desired:
        return doc_.desired();
      case Section::reported:
        return doc_.reported();
    }
    return doc_.tags();
  }
  void apply(std::string_view patch) {
    const Result result = doc_.patch(GetParam(), json(patch), time_at(0));
    ASSERT_TRUE(result.ok()) << result.error().message;
  }

  Document doc_;
};

TEST_P(MergeTest, AddsMembers) {
  apply(R"({"a":1,"b":"two"})");
  EXPECT_EQ(boost::json::value(contents()), json(R"({"a":1,"b":"two"})"));
}

TEST_P(MergeTest, ReplacesScalars) {
  apply(R"({"a":1,"b":2})");
  apply(R"({"a":true})");
  EXPECT_EQ(boost::json::value(contents()), json(R"({"a":true,"b":2})"));
}

TEST_P(MergeTest, MergesNestedObjectsRecursively) {
  apply(R"({"cfg":{"rate":5,"mode":"fast","inner":{"x":1,"y":2}},"other":0})");
  apply(R"({"cfg":{"rate":10,"inner":{"y":3,"z":4}}})");
  EXPECT_EQ(boost::json::value(contents()),
            json(R"({"cfg":{"rate":10,"mode":"fast","inner":{"x":1,"y":3,"z":4}},"other":0})"));
}

TEST_P(MergeTest, NullRemovesMembersAtAnyLevel) {
  apply(R"({"a":1,"cfg":{"rate":5,"mode":"fast"}})");
  apply(R"({"a":null,"cfg":{"mode":null}})");
  EXPECT_EQ(boost::json::value(contents()), json(R"({"cfg":{"rate":5}})"));
}

TEST_P(MergeTest, NullRemovesWholeObjects) {
  apply(R"({"cfg":{"rate":5,"inner":{"x":1}},"b":2})");
  apply(R"({"cfg":null})");
  EXPECT_EQ(boost::json::value(contents()), json(R"({"b":2})"));
}

TEST_P(MergeTest, RemovingAMissingMemberIsANoOp) {
  apply(R"({"a":1})");
  apply(R"({"missing":null,"a":2})");
  EXPECT_EQ(boost::json::value(contents()), json(R"({"a":2})"));
}

TEST_P(MergeTest, NullInsideANewObjectLeavesAnEmptyObject) {
  apply(R"({"cfg":{"gone":null}})");
  EXPECT_EQ(boost::json::value(contents()), json(R"({"cfg":{}})"));
}

TEST_P(MergeTest, ArraysReplaceAndDoNotMerge) {
  apply(R"({"list":[1,2,3],"objs":[{"a":1}]})");
  apply(R"({"list":[9],"objs":[{"b":2}]})");
  EXPECT_EQ(boost::json::value(contents()), json(R"({"list":[9],"objs":[{"b":2}]})"));
}

TEST_P(MergeTest, ObjectReplacesAScalarOrArray) {
  apply(R"({"a":5,"b":[1]})");
  apply(R"({"a":{"x":1},"b":{"y":2}})");
  EXPECT_EQ(boost::json::value(contents()), json(R"({"a":{"x":1},"b":{"y":2}})"));
}

TEST_P(MergeTest, ScalarReplacesAnObject) {
  apply(R"({"a":{"x":1,"y":{"z":2}}})");
  apply(R"({"a":"flat"})");
  EXPECT_EQ(boost::json::value(contents()), json(R"({"a":"flat"})"));
}

TEST_P(MergeTest, EmptyPatchChangesNoContents) {
  apply(R"({"a":1})");
  apply("{}");
  EXPECT_EQ(boost::json::value(contents()), json(R"({"a":1})"));
}

TEST_P(MergeTest, RemovalKeepsTheOrderOfTheOtherMembers) {
  apply(R"({"a":1,"b":2,"c":3,"d":4})");
  apply(R"({"b":null})");
  EXPECT_EQ(boost::json::serialize(contents()), R"({"a":1,"c":3,"d":4})");
}

TEST_P(MergeTest, OtherSectionsAreUntouched) {
  apply(R"({"a":1})");
  for (const Section other : {Section::tags, Section::desired, Section::reported}) {
    if (other == GetParam()) continue;
    const boost::json::object& section = other == Section::tags      ? doc_.tags()
                                         : other == Section::desired ? doc_.desired()
                                                                     : doc_.reported();
    EXPECT_TRUE(section.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(AllSections, MergeTest,
                         ::testing::Values(Section::tags, Section::desired, Section::reported),
                         [](const auto& info) {
                           switch (info.param) {
                             case Section::tags:
                               return std::string("tags");
                             case Section::desired:
                               return std::string("desired");
                             case Section::reported:
                               return std::string("reported");
                           }
                           return std::string();
                         });

TEST(Replace, SwapsTheWholeDesiredSection) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::desired, json(R"({"a":1,"b":{"c":2}})"), time_at(0)).ok());
  ASSERT_TRUE(doc.replace(Section::desired, json(R"({"b":{"d":3},"e":[1]})"), time_at(1)).ok());
  EXPECT_EQ(boost::json::value(doc.desired()), json(R"({"b":{"d":3},"e":[1]})"));
}

TEST(Replace, SwapsTheWholeTagsSection) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::tags, json(R"({"site":"p7","floor":2})"), time_at(0)).ok());
  ASSERT_TRUE(doc.replace(Section::tags, json(R"({"owner":"ops"})"), time_at(1)).ok());
  EXPECT_EQ(boost::json::value(doc.tags()), json(R"({"owner":"ops"})"));
}

TEST(Replace, WithAnEmptyObjectClearsTheSection) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::tags, json(R"({"site":"p7"})"), time_at(0)).ok());
  ASSERT_TRUE(doc.replace(Section::tags, json("{}"), time_at(1)).ok());
  EXPECT_TRUE(doc.tags().empty());
}

TEST(Replace, ReportedIsRefusedAndUnchanged) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"fw":"1.0"})"), time_at(0)).ok());
  const Result result = doc.replace(Section::reported, json(R"({"fw":"2.0"})"), time_at(1));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().status, 400);
  EXPECT_EQ(result.error().error_code, 400004);
  EXPECT_EQ(boost::json::value(doc.reported()), json(R"({"fw":"1.0"})"));
  EXPECT_EQ(doc.reported_version(), 2u);
}

}  // namespace
}  // namespace fleetsim::twin
