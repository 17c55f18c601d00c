// $metadata of desired and reported (reference 4.5), as section_view shows it.
#include <gtest/gtest.h>

#include "unit/twin/twin_test_helpers.hpp"

namespace fleetsim::twin {
namespace {

using test::json;
using test::time_at;

const std::string t0 = "2022-06-01T22:27:50.0000000Z";
const std::string t1 = "2022-06-01T22:27:51.0000000Z";

std::string last_updated(const boost::json::value& node) {
  return std::string(node.at("$lastUpdated").as_string());
}

boost::json::value metadata_of(const Document& doc, Section section) {
  return doc.section_view(section).at("$metadata");
}

TEST(Metadata, NeverWrittenSectionsShowTheZeroTime) {
  const Document doc;
  EXPECT_EQ(metadata_of(doc, Section::reported), json(R"({"$lastUpdated":"0001-01-01T00:00:00Z"})"));
  EXPECT_EQ(metadata_of(doc, Section::desired), json(R"({"$lastUpdated":"0001-01-01T00:00:00Z"})"));
}

TEST(Metadata, ReportedHasLastUpdatedOnEveryObjectAndLeaf) {
  Document doc;
  ASSERT_TRUE(
      doc.patch(Section::reported, json(R"({"a":1,"b":{"c":2,"d":{"e":"x"}}})"), time_at(0, 2612586)).ok());
  const std::string t = "2022-06-01T22:27:50.2612586Z";
  const boost::json::value expected = {{"$lastUpdated", t},
                                       {"a", {{"$lastUpdated", t}}},
                                       {"b",
                                        {{"$lastUpdated", t},
                                         {"c", {{"$lastUpdated", t}}},
                                         {"d", {{"$lastUpdated", t}, {"e", {{"$lastUpdated", t}}}}}}}};
  EXPECT_EQ(metadata_of(doc, Section::reported), expected);
}

TEST(Metadata, DesiredNodesCarryLastUpdatedVersion) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::desired, json(R"({"cfg":{"rate":"5m"}})"), time_at(0)).ok());
  const boost::json::value expected = json(R"({"$lastUpdated":")" + t0 + R"(","$lastUpdatedVersion":2,
      "cfg":{"$lastUpdated":")" + t0 + R"(","$lastUpdatedVersion":2,
        "rate":{"$lastUpdated":")" + t0 + R"(","$lastUpdatedVersion":2}}})");
  EXPECT_EQ(metadata_of(doc, Section::desired), expected);
}

TEST(Metadata, ReportedNodesHaveNoLastUpdatedVersion) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"cfg":{"rate":1}})"), time_at(0)).ok());
  const boost::json::value metadata = metadata_of(doc, Section::reported);
  EXPECT_FALSE(metadata.as_object().contains("$lastUpdatedVersion"));
  EXPECT_FALSE(metadata.at("cfg").as_object().contains("$lastUpdatedVersion"));
  EXPECT_FALSE(metadata.at("cfg").at("rate").as_object().contains("$lastUpdatedVersion"));
}

TEST(Metadata, AWriteUpdatesTheMemberAndItsAncestorsOnly) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::desired, json(R"({"a":1,"b":{"c":2,"d":3}})"), time_at(0)).ok());
  ASSERT_TRUE(doc.patch(Section::desired, json(R"({"b":{"c":20}})"), time_at(1)).ok());
  const boost::json::value m = metadata_of(doc, Section::desired);
  EXPECT_EQ(last_updated(m), t1);
  EXPECT_EQ(m.at("$lastUpdatedVersion"), 3);
  EXPECT_EQ(last_updated(m.at("b")), t1);
  EXPECT_EQ(m.at("b").at("$lastUpdatedVersion"), 3);
  EXPECT_EQ(last_updated(m.at("b").at("c")), t1);
  EXPECT_EQ(m.at("b").at("c").at("$lastUpdatedVersion"), 3);
  // Untouched members keep the stamp of their own last write.
  EXPECT_EQ(last_updated(m.at("b").at("d")), t0);
  EXPECT_EQ(m.at("b").at("d").at("$lastUpdatedVersion"), 2);
  EXPECT_EQ(last_updated(m.at("a")), t0);
  EXPECT_EQ(m.at("a").at("$lastUpdatedVersion"), 2);
}

TEST(Metadata, RemovedMembersLoseTheirMetadata) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"a":1,"b":{"c":2,"d":3}})"), time_at(0)).ok());
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"a":null,"b":{"c":null}})"), time_at(1)).ok());
  const boost::json::value expected = {{"$lastUpdated", t1},
                                       {"b", {{"$lastUpdated", t1}, {"d", {{"$lastUpdated", t0}}}}}};
  EXPECT_EQ(metadata_of(doc, Section::reported), expected);
}

TEST(Metadata, RemovedThenReaddedMemberHasOnlyItsNewChildren) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"b":{"c":2}})"), time_at(0)).ok());
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"b":null})"), time_at(1)).ok());
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"b":{"x":1}})"), time_at(1)).ok());
  const boost::json::value expected = {{"$lastUpdated", t1},
                                       {"b", {{"$lastUpdated", t1}, {"x", {{"$lastUpdated", t1}}}}}};
  EXPECT_EQ(metadata_of(doc, Section::reported), expected);
}

TEST(Metadata, ObjectReplacedByAScalarBecomesALeaf) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"b":{"c":2}})"), time_at(0)).ok());
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"b":5})"), time_at(1)).ok());
  EXPECT_EQ(metadata_of(doc, Section::reported).at("b"), (boost::json::value{{"$lastUpdated", t1}}));
}

TEST(Metadata, ScalarReplacedByAnObjectStampsTheNewSubtree) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"b":5})"), time_at(0)).ok());
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"b":{"c":{"d":1}}})"), time_at(1)).ok());
  const boost::json::value expected = {{"$lastUpdated", t1},
                                       {"c", {{"$lastUpdated", t1}, {"d", {{"$lastUpdated", t1}}}}}};
  EXPECT_EQ(metadata_of(doc, Section::reported).at("b"), expected);
}

TEST(Metadata, ArraysAreLeaves) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"list":[{"a":1},2]})"), time_at(0)).ok());
  EXPECT_EQ(metadata_of(doc, Section::reported).at("list"), (boost::json::value{{"$lastUpdated", t0}}));
}

TEST(Metadata, NoOpRemovalStillStampsTheObjectsItPassesThrough) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"a":1,"b":{"c":2}})"), time_at(0)).ok());
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"b":{"missing":null}})"), time_at(1)).ok());
  const boost::json::value m = metadata_of(doc, Section::reported);
  EXPECT_EQ(last_updated(m), t1);
  EXPECT_EQ(last_updated(m.at("b")), t1);
  EXPECT_EQ(last_updated(m.at("b").at("c")), t0);
  EXPECT_EQ(last_updated(m.at("a")), t0);
}

TEST(Metadata, ReplaceStampsEveryNodeAndDropsOldOnes) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::desired, json(R"({"old":1,"keep":{"x":1}})"), time_at(0)).ok());
  ASSERT_TRUE(doc.replace(Section::desired, json(R"({"keep":{"y":2},"n":[1]})"), time_at(1)).ok());
  const boost::json::value expected = json(R"({"$lastUpdated":")" + t1 + R"(","$lastUpdatedVersion":3,
      "keep":{"$lastUpdated":")" + t1 + R"(","$lastUpdatedVersion":3,
        "y":{"$lastUpdated":")" + t1 + R"(","$lastUpdatedVersion":3}},
      "n":{"$lastUpdated":")" + t1 + R"(","$lastUpdatedVersion":3}})");
  EXPECT_EQ(metadata_of(doc, Section::desired), expected);
}

TEST(Metadata, IsKeptOutOfTheContents) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::desired, json(R"({"a":{"b":1}})"), time_at(0)).ok());
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"a":{"b":1}})"), time_at(0)).ok());
  EXPECT_EQ(boost::json::value(doc.desired()), json(R"({"a":{"b":1}})"));
  EXPECT_EQ(boost::json::value(doc.reported()), json(R"({"a":{"b":1}})"));
}

TEST(Metadata, EachSectionHasItsOwnTimes) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::desired, json(R"({"a":1})"), time_at(0)).ok());
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"a":1})"), time_at(1)).ok());
  EXPECT_EQ(last_updated(metadata_of(doc, Section::desired).at("a")), t0);
  EXPECT_EQ(last_updated(metadata_of(doc, Section::reported).at("a")), t1);
}

}  // namespace
}  // namespace fleetsim::twin
