// The stored metadata nodes behind $metadata (twin/metadata.hpp layout): what a merge leaves in
// them, including what section_view cannot show, such as nodes of removed members.
#include <gtest/gtest.h>

#include "twin/merge.hpp"
#include "unit/twin/twin_test_helpers.hpp"

namespace fleetsim::twin {
namespace {

using test::json;

TEST(MergeMetadata, RemovedMembersLeaveNoNode) {
  boost::json::object data;
  boost::json::object node;
  const detail::Stamp first{100, 0};
  const detail::Stamp second{200, 0};
  detail::merge_patch(data, &node, json(R"({"a":1,"b":{"c":2,"d":3}})").as_object(), first);
  detail::merge_patch(data, &node, json(R"({"a":null,"b":{"c":null}})").as_object(), second);
  EXPECT_EQ(boost::json::value(node), json(R"({"b":{"d":100,"":200},"":200})"));
}

TEST(MergeMetadata, RemovedObjectLeavesNoChildNodes) {
  boost::json::object data;
  boost::json::object node;
  detail::merge_patch(data, &node, json(R"({"b":{"c":{"d":1}}})").as_object(), {100, 0});
  detail::merge_patch(data, &node, json(R"({"b":null})").as_object(), {200, 0});
  EXPECT_EQ(boost::json::value(node), json(R"({"":200})"));
}

TEST(MergeMetadata, VersionedStampsArePairs) {
  boost::json::object data;
  boost::json::object node;
  detail::merge_patch(data, &node, json(R"({"a":1})").as_object(), {100, 2});
  detail::merge_patch(data, &node, json(R"({"a":5})").as_object(), {200, 3});
  EXPECT_EQ(boost::json::value(node), json(R"({"a":[200,3],"":[200,3]})"));
}

TEST(MergeMetadata, WithoutANodeOnlyTheDataChanges) {
  boost::json::object data;
  detail::merge_patch(data, nullptr, json(R"({"a":{"b":1}})").as_object(), {100, 0});
  EXPECT_EQ(boost::json::value(data), json(R"({"a":{"b":1}})"));
}

}  // namespace
}  // namespace fleetsim::twin
