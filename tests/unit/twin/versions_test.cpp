// $version, twin version and etag (reference 4.3): bumps on accepted operations only.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "unit/twin/twin_test_helpers.hpp"

namespace fleetsim::twin {
namespace {

using test::json;
using test::time_at;

TEST(Versions, StartAtOne) {
  const Document doc;
  EXPECT_EQ(doc.desired_version(), 1u);
  EXPECT_EQ(doc.reported_version(), 1u);
  EXPECT_EQ(doc.version(), 1u);
  EXPECT_FALSE(doc.etag().empty());
}

TEST(Versions, ReportedPatchBumpsReportedAndTwinOnly) {
  Document doc;
  const std::string etag = doc.etag();
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"battery":55})"), time_at(0)).ok());
  EXPECT_EQ(doc.reported_version(), 2u);
  EXPECT_EQ(doc.desired_version(), 1u);
  EXPECT_EQ(doc.version(), 2u);
  EXPECT_NE(doc.etag(), etag);
}

TEST(Versions, DesiredPatchBumpsDesiredAndTwinOnly) {
  Document doc;
  const std::string etag = doc.etag();
  ASSERT_TRUE(doc.patch(Section::desired, json(R"({"rate":5})"), time_at(0)).ok());
  ASSERT_TRUE(doc.patch(Section::desired, json(R"({"rate":6})"), time_at(1)).ok());
  EXPECT_EQ(doc.desired_version(), 3u);
  EXPECT_EQ(doc.reported_version(), 1u);
  EXPECT_EQ(doc.version(), 3u);
  EXPECT_NE(doc.etag(), etag);
}

TEST(Versions, TagsPatchBumpsTwinVersionAndEtagOnly) {
  Document doc;
  const std::string etag = doc.etag();
  ASSERT_TRUE(doc.patch(Section::tags, json(R"({"site":"p7"})"), time_at(0)).ok());
  EXPECT_EQ(doc.desired_version(), 1u);
  EXPECT_EQ(doc.reported_version(), 1u);
  EXPECT_EQ(doc.version(), 2u);
  EXPECT_NE(doc.etag(), etag);
}

TEST(Versions, ReplaceBumpsLikeAPatch) {
  Document doc;
  ASSERT_TRUE(doc.replace(Section::desired, json(R"({"a":1})"), time_at(0)).ok());
  EXPECT_EQ(doc.desired_version(), 2u);
  EXPECT_EQ(doc.version(), 2u);
  const std::string etag = doc.etag();
  ASSERT_TRUE(doc.replace(Section::tags, json(R"({"t":1})"), time_at(1)).ok());
  EXPECT_EQ(doc.desired_version(), 2u);
  EXPECT_EQ(doc.version(), 3u);
  EXPECT_NE(doc.etag(), etag);
}

// Hub choice (reference 4.3): +1 per accepted operation, even one that changes no value.
TEST(Versions, AcceptedNoOpPatchStillBumps) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"missing":null})"), time_at(0)).ok());
  EXPECT_EQ(doc.reported_version(), 2u);
  EXPECT_EQ(doc.version(), 2u);
}

TEST(Versions, EtagIsBase64OfTheChangeCounter) {
  Document doc;
  EXPECT_EQ(doc.etag(), "AAAAAAAAAAE=");
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(doc.patch(Section::reported, json(R"({"n":1})"), time_at(i)).ok());
  EXPECT_EQ(doc.etag(), "AAAAAAAAAAc=");
  for (int i = 0; i < 249; ++i) ASSERT_TRUE(doc.patch(Section::tags, json(R"({"n":1})"), time_at(i)).ok());
  EXPECT_EQ(doc.version(), 256u);
  EXPECT_EQ(doc.etag(), "AAAAAAAAAQA=");
}

TEST(Versions, EveryChangeGivesANewEtag) {
  Document doc;
  std::set<std::string> seen{doc.etag()};
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(doc.patch(Section::reported, json(R"({"n":1})"), time_at(i)).ok());
    EXPECT_TRUE(seen.insert(doc.etag()).second) << doc.etag();
  }
}

// A refused operation changes nothing: contents, versions, etag, metadata (reference 4.4).
class RefusalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(doc_.patch(Section::tags, json(R"({"site":"p7"})"), time_at(0)).ok());
    ASSERT_TRUE(doc_.patch(Section::desired, json(R"({"rate":5})"), time_at(1)).ok());
    ASSERT_TRUE(doc_.patch(Section::reported, json(R"({"fw":"1.0"})"), time_at(2)).ok());
    before_ = snapshot();
  }
  boost::json::object snapshot() const {
    boost::json::object all;
    all["tags"] = doc_.section_view(Section::tags);
    all["desired"] = doc_.section_view(Section::desired);
    all["reported"] = doc_.section_view(Section::reported);
    all["version"] = doc_.version();
    all["etag"] = doc_.etag();
    return all;
  }
  void expect_refused(const Result& result) const {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().status, 400);
    EXPECT_EQ(result.error().error_code, 400004);
    EXPECT_EQ(snapshot(), before_);
  }

  Document doc_;
  boost::json::object before_;
};

TEST_F(RefusalTest, InvalidPatchChangesNothing) {
  // The first member is valid: a refusal must not apply part of the patch.
  for (const Section section : {Section::tags, Section::desired, Section::reported}) {
    expect_refused(doc_.patch(section, json(R"({"ok":1,"bad.key":2})"), time_at(9)));
  }
}

TEST_F(RefusalTest, InvalidReplaceChangesNothing) {
  expect_refused(doc_.replace(Section::desired, json(R"({"ok":1,"gone":null})"), time_at(9)));
  expect_refused(doc_.replace(Section::tags, json(R"({"$etag":"x"})"), time_at(9)));
}

TEST_F(RefusalTest, OversizeMergedResultChangesNothing) {
  // Each member alone is within the limits; together they exceed 32 KB.
  boost::json::object patch;
  for (int i = 0; i < 9; ++i) patch[test::cat("k", std::to_string(i))] = test::repeated(4000);
  expect_refused(doc_.patch(Section::reported, patch, time_at(9)));
}

TEST_F(RefusalTest, NonObjectRootChangesNothing) {
  expect_refused(doc_.patch(Section::reported, json("[1,2]"), time_at(9)));
  expect_refused(doc_.patch(Section::desired, json("null"), time_at(9)));
  expect_refused(doc_.replace(Section::tags, json("\"text\""), time_at(9)));
}

}  // namespace
}  // namespace fleetsim::twin
