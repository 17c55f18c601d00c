// Desired notifications, GET answers and the acknowledging reported patch (reference 2.9, 6).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "sim/desired.hpp"

namespace fleetsim::sim {
namespace {

boost::json::value json(std::string_view text) {
  return boost::json::parse(text);
}

TEST(Desired, AckModesParse) {
  EXPECT_EQ(parse_ack_mode("none"), AckMode::none);
  EXPECT_EQ(parse_ack_mode("echo"), AckMode::echo);
  EXPECT_EQ(parse_ack_mode("pnp"), AckMode::pnp);
  EXPECT_FALSE(parse_ack_mode("PnP"));
}

TEST(Desired, NotificationVersionComesFromTheBody) {
  const auto patch = parse_desired_notification(R"({"interval":10,"route":null,"$version":8})", 7);
  ASSERT_TRUE(patch);
  EXPECT_EQ(patch->version, 8u);
  EXPECT_EQ(boost::json::value(patch->members), json(R"({"interval":10,"route":null})"));
}

TEST(Desired, NotificationFallsBackToTheTopicVersion) {
  const auto patch = parse_desired_notification(R"({"interval":10})", 4);
  ASSERT_TRUE(patch);
  EXPECT_EQ(patch->version, 4u);
  EXPECT_FALSE(parse_desired_notification(R"({"interval":10})", std::nullopt));
  EXPECT_FALSE(parse_desired_notification("not json", 4));
  EXPECT_FALSE(parse_desired_notification("[1]", 4));
}

TEST(Desired, TwinAnswerGivesTheDesiredSection) {
  const auto desired = parse_twin_desired(
      R"({"desired":{"interval":"5m","$version":12},"reported":{"battery":55,"$version":123}})");
  ASSERT_TRUE(desired);
  EXPECT_EQ(desired->version, 12u);
  EXPECT_EQ(boost::json::value(desired->members), json(R"({"interval":"5m"})"));
  EXPECT_FALSE(parse_twin_desired(R"({"reported":{}})"));
  EXPECT_FALSE(parse_twin_desired(R"({"desired":{"a":1}})"));
}

TEST(Desired, PnpAckFollowsTheConvention) {
  const auto patch =
      parse_desired_notification(R"({"target":21.5,"mode":"eco","gone":null,"$version":3})", {});
  ASSERT_TRUE(patch);
  std::string out;
  ASSERT_TRUE(append_desired_ack(out, AckMode::pnp, *patch));
  EXPECT_EQ(json(out), json(R"({"target":{"value":21.5,"ac":200,"av":3,"ad":"completed"},
                                "mode":{"value":"eco","ac":200,"av":3,"ad":"completed"}})"));
}

TEST(Desired, EchoCopiesTheMembers) {
  const auto patch = parse_desired_notification(R"({"a":{"b":1},"gone":null,"$version":9})", {});
  std::string out;
  ASSERT_TRUE(append_desired_ack(out, AckMode::echo, *patch));
  EXPECT_EQ(json(out), json(R"({"a":{"b":1},"gone":null})"));
}

TEST(Desired, NothingToAcknowledge) {
  const auto empty = parse_desired_notification(R"({"$version":2})", {});
  const auto removed = parse_desired_notification(R"({"x":null,"$version":2})", {});
  std::string out;
  EXPECT_FALSE(append_desired_ack(out, AckMode::pnp, *empty));
  EXPECT_FALSE(append_desired_ack(out, AckMode::echo, *empty));
  EXPECT_FALSE(append_desired_ack(out, AckMode::pnp, *removed));
  EXPECT_FALSE(append_desired_ack(out, AckMode::none, *removed));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace fleetsim::sim
