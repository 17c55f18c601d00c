// The mqtt target's pieces without a broker: topics from the template, the plan, which sessions
// measure e2e, and the probe that matches deliveries to sends.
#include <gtest/gtest.h>

#include <string>

#include "sim/mqtt_target.hpp"
#include "sim/plan.hpp"
#include "transports/mqtt/properties.hpp"

namespace fleetsim::sim {
namespace {

using namespace std::chrono_literals;

std::string topic(std::string_view text, std::string_view device, std::string_view module,
                  std::string_view stream) {
  const auto t = TopicTemplate::parse(text);
  EXPECT_TRUE(t.has_value()) << text;
  std::string out;
  if (t) t->append(out, device, module, stream);
  return out;
}

TEST(TopicTemplate, FillsEveryField) {
  EXPECT_EQ(topic("fleet/{device}/{module}/{stream}", "dev-1", "sensor", "telemetry"),
            "fleet/dev-1/sensor/telemetry");
  EXPECT_EQ(topic("{stream}:{device}", "d", "", "reported"), "reported:d");
  EXPECT_EQ(topic("a/{device}/b{stream}c", "d", "m", "desired"), "a/d/bdesiredc");
}

TEST(TopicTemplate, ADeviceSessionLeavesTheModuleLevelOut) {
  EXPECT_EQ(topic("fleet/{device}/{module}/{stream}", "dev-1", "", "telemetry"), "fleet/dev-1/telemetry");
  EXPECT_EQ(topic("fleet/{device}/mod-{module}/{stream}", "dev-1", "", "desired"), "fleet/dev-1/desired");
  EXPECT_EQ(topic("fleet/{device}/mod-{module}/{stream}", "dev-1", "s", "desired"),
            "fleet/dev-1/mod-s/desired");
  EXPECT_EQ(topic("{module}/{device}/{stream}", "d", "", "telemetry"), "d/telemetry");
}

TEST(TopicTemplate, EmptyLevelsAndLiteralBracesStay) {
  EXPECT_EQ(topic("/fleet//{device}/{stream}", "d", "", "telemetry"), "/fleet//d/telemetry");
  EXPECT_EQ(topic("fleet/{1x}/{device}/{stream}", "d", "", "telemetry"), "fleet/{1x}/d/telemetry");
}

TEST(TopicTemplate, UnknownPlaceholdersAndChecks) {
  std::string unknown;
  EXPECT_FALSE(TopicTemplate::parse("fleet/{devices}/{stream}", &unknown).has_value());
  EXPECT_EQ(unknown, "devices");
  const auto t = TopicTemplate::parse("fleet/{device}/{stream}");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->uses(TopicTemplate::Field::device));
  EXPECT_FALSE(t->uses(TopicTemplate::Field::module));
  EXPECT_FALSE(t->module_shares_a_level());
  EXPECT_TRUE(TopicTemplate::parse("f/{device}{module}/{stream}")->module_shares_a_level());
}

Scenario mqtt_scenario(int protocol, double e2e_sample) {
  Scenario s;
  s.target.kind = "mqtt";
  s.target.topic = "t/{device}/{stream}";
  s.target.protocol = protocol;
  s.target.e2e_sample = e2e_sample;
  s.seed = 42;
  return s;
}

TEST(MqttTargetPlan, ProtocolAndConnectProperties) {
  const MqttTargetPlan v4 = make_mqtt_target_plan(mqtt_scenario(4, 0));
  EXPECT_TRUE(v4.enabled);
  EXPECT_EQ(v4.version, mqtt::ProtocolVersion::v3_1_1);
  EXPECT_TRUE(v4.connect_properties.empty());
  const MqttTargetPlan v5 = make_mqtt_target_plan(mqtt_scenario(5, 0));
  EXPECT_EQ(v5.version, mqtt::ProtocolVersion::v5);
  EXPECT_EQ(mqtt::find_integer_property(v5.connect_properties, mqtt::PropertyId::maximum_packet_size),
            256u * 1024 + 4096);
  std::string out;
  v5.topic.append(out, "d", "", kTelemetryStream);
  EXPECT_EQ(out, "t/d/telemetry");
  Scenario embedded = mqtt_scenario(4, 0);
  embedded.target.kind = "embedded";
  EXPECT_FALSE(make_mqtt_target_plan(embedded).enabled);
}

TEST(SamplesE2e, SeededShareAndAlwaysTheFirstSession) {
  EXPECT_FALSE(samples_e2e(mqtt_scenario(4, 0), 0));
  EXPECT_TRUE(samples_e2e(mqtt_scenario(4, 1), 12345));
  const Scenario s = mqtt_scenario(4, 0.1);
  EXPECT_TRUE(samples_e2e(s, 0));
  std::size_t sampled = 0;
  for (std::uint64_t i = 1; i <= 10'000; ++i) sampled += samples_e2e(s, i) ? 1 : 0;
  EXPECT_GT(sampled, 850u);
  EXPECT_LT(sampled, 1150u);
  // The same seed draws the same sessions; another seed others.
  Scenario other = s;
  other.seed = 43;
  std::size_t same = 0, differ = 0;
  for (std::uint64_t i = 1; i <= 1000; ++i) {
    same += samples_e2e(s, i) == samples_e2e(s, i) ? 1 : 0;
    differ += samples_e2e(s, i) != samples_e2e(other, i) ? 1 : 0;
  }
  EXPECT_EQ(same, 1000u);
  EXPECT_GT(differ, 0u);
}

TEST(E2eProbe, MatchesByContentNotOrder) {
  E2eProbe probe;
  EXPECT_FALSE(probe.on_sent(1, 10ms));
  EXPECT_FALSE(probe.on_sent(2, 20ms));
  EXPECT_FALSE(probe.on_sent(3, 30ms));
  EXPECT_EQ(probe.on_delivered(2), 20ms);  // 1 was dropped on the way (QoS 0)
  EXPECT_EQ(probe.on_delivered(3), 30ms);
  EXPECT_EQ(probe.on_delivered(3), std::nullopt);  // a repeat (QoS 1 DUP) matches nothing
  EXPECT_EQ(probe.on_delivered(99), std::nullopt);
  EXPECT_EQ(probe.size(), 1u);
}

TEST(E2eProbe, EqualPayloadsMatchOldestFirst) {
  E2eProbe probe;
  probe.on_sent(7, 1ms);
  probe.on_sent(7, 2ms);
  EXPECT_EQ(probe.on_delivered(7), 1ms);
  EXPECT_EQ(probe.on_delivered(7), 2ms);
}

TEST(E2eProbe, BoundedPushingOutTheOldest) {
  E2eProbe probe;
  for (std::uint64_t i = 0; i < E2eProbe::kCapacity; ++i) EXPECT_FALSE(probe.on_sent(i, Duration{i}));
  EXPECT_EQ(probe.on_sent(100, Duration{100}), Duration{0});
  EXPECT_EQ(probe.size(), E2eProbe::kCapacity);
  EXPECT_EQ(probe.on_delivered(0), std::nullopt);
  EXPECT_EQ(probe.on_delivered(100), Duration{100});
}

TEST(E2eProbe, ExpiryAndClear) {
  E2eProbe probe;
  probe.on_sent(1, 1s);
  probe.on_sent(2, 5s);
  probe.on_sent(3, 2s);
  EXPECT_EQ(probe.expire(3s), 2u);
  EXPECT_EQ(probe.on_delivered(2), 5s);
  probe.on_sent(4, 6s);
  probe.clear();
  EXPECT_EQ(probe.size(), 0u);
  EXPECT_EQ(probe.on_delivered(4), std::nullopt);
}

TEST(E2eProbe, StampedFillerMakesEachMessageDiffer) {
  std::string a(64, 'x'), b(64, 'x');
  stamp_sequence(a, 0, 1);
  stamp_sequence(b, 0, 2);
  EXPECT_EQ(a.substr(0, 16), "0000000000000001");
  EXPECT_EQ(a.substr(16), std::string(48, 'x'));
  EXPECT_NE(payload_hash(mqtt::as_bytes(a)), payload_hash(mqtt::as_bytes(b)));
  std::string short_payload(3, 'x');
  stamp_sequence(short_payload, 0, 0xABC);
  EXPECT_EQ(short_payload, "abc");
}

}  // namespace
}  // namespace fleetsim::sim
