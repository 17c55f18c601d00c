// What devices and the service read (reference 2.8, 2.9, 4.1).
#include <gtest/gtest.h>

#include "unit/twin/twin_test_helpers.hpp"

namespace fleetsim::twin {
namespace {

using test::json;
using test::time_at;

TEST(DeviceView, FreshTwinHasEmptySectionsAtVersionOne) {
  const Document doc;
  EXPECT_EQ(boost::json::value(doc.device_view()),
            json(R"({"desired":{"$version":1},"reported":{"$version":1}})"));
}

TEST(DeviceView, SectionsWithVersionsAndNeitherMetadataNorTags) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::tags, json(R"({"site":"p7"})"), time_at(0)).ok());
  ASSERT_TRUE(doc.patch(Section::desired, json(R"({"telemetrySendFrequency":"5m"})"), time_at(0)).ok());
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"batteryLevel":55})"), time_at(0)).ok());
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"fw":{"v":"1.0"}})"), time_at(0)).ok());
  EXPECT_EQ(boost::json::value(doc.device_view()),
            json(R"({"desired":{"telemetrySendFrequency":"5m","$version":2},
                     "reported":{"batteryLevel":55,"fw":{"v":"1.0"},"$version":3}})"));
}

TEST(SectionView, TagsAreJustTheContents) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::tags, json(R"({"site":"p7","loc":{"floor":2}})"), time_at(0)).ok());
  EXPECT_EQ(boost::json::value(doc.section_view(Section::tags)), json(R"({"site":"p7","loc":{"floor":2}})"));
}

TEST(SectionView, DesiredHasContentsMetadataAndVersion) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::desired, json(R"({"cfg":{"rate":"5m"}})"), time_at(0)).ok());
  const boost::json::object view = doc.section_view(Section::desired);
  EXPECT_EQ(view.at("cfg"), json(R"({"rate":"5m"})"));
  EXPECT_EQ(view.at("$version"), 2);
  EXPECT_TRUE(view.at("$metadata").is_object());
  EXPECT_EQ(view.size(), 3u);
}

TEST(SectionView, ReportedHasContentsMetadataAndVersion) {
  Document doc;
  ASSERT_TRUE(doc.patch(Section::reported, json(R"({"battery":55})"), time_at(0)).ok());
  const boost::json::object view = doc.section_view(Section::reported);
  EXPECT_EQ(view.at("battery"), 55);
  EXPECT_EQ(view.at("$version"), 2);
  EXPECT_EQ(view.at("$metadata").at("battery").at("$lastUpdated"), "2022-06-01T22:27:50.0000000Z");
  EXPECT_EQ(view.size(), 3u);
}

TEST(DesiredNotification, IsThePatchAsGivenPlusVersion) {
  const boost::json::object body =
      Document::desired_notification(json(R"({"telemetrySendFrequency":"5m","route":null})"), 8);
  EXPECT_EQ(boost::json::value(body), json(R"({"telemetrySendFrequency":"5m","route":null,"$version":8})"));
}

TEST(DesiredNotification, CarriesTheVersionTheDocumentReached) {
  Document doc;
  const boost::json::value patch = json(R"({"interval":10})");
  ASSERT_TRUE(doc.patch(Section::desired, patch, time_at(0)).ok());
  EXPECT_EQ(boost::json::value(Document::desired_notification(patch, doc.desired_version())),
            json(R"({"interval":10,"$version":2})"));
}

}  // namespace
}  // namespace fleetsim::twin
