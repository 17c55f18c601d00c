#include "hub_test_support.hpp"

namespace fleetsim::hub {
namespace {

using test::bit;
using test::FakeConnection;

class HandleSubscribe : public test::HubFixture {
 protected:
  HandleSubscribe() { attach(device, "dev1"); }

  // Encodes a SUBSCRIBE and decodes it again, as the wire would deliver it.
  Verdict subscribe(std::vector<mqtt::Subscription> filters, std::uint16_t packet_id = 10) {
    mqtt::Subscribe packet;
    packet.packet_id = packet_id;
    packet.filters = filters;
    return handle_wire(packet);
  }
  Verdict unsubscribe(std::vector<std::string_view> filters, std::uint16_t packet_id = 11) {
    mqtt::Unsubscribe packet;
    packet.packet_id = packet_id;
    packet.filters = filters;
    return handle_wire(packet);
  }
  Verdict handle_wire(const mqtt::Packet& packet) {
    wire.clear();
    mqtt::encode(packet, wire);
    const mqtt::DecodeResult decoded = mqtt::decode(wire);
    EXPECT_EQ(decoded.status, mqtt::DecodeResult::Status::packet);
    out.clear();
    return handle_packet(context, device, decoded.packet, test::test_now(), out);
  }

  FakeConnection device;
  std::vector<std::uint8_t> wire;
};

TEST_F(HandleSubscribe, GrantsMinOfQosAnd1AndSetsTheBits) {
  EXPECT_EQ(subscribe({{"$iothub/twin/res/#", 0},
                       {"$iothub/twin/PATCH/properties/desired/#", 2},
                       {"$iothub/methods/POST/#", 0},
                       {"devices/dev1/messages/devicebound/#", 1}}),
            Verdict::keep_open);
  const auto suback = test::only_packet<mqtt::Suback>(out);
  EXPECT_EQ(suback.packet_id, 10);
  EXPECT_EQ(std::vector<std::uint8_t>(suback.return_codes.begin(), suback.return_codes.end()),
            (std::vector<std::uint8_t>{0, 1, 0, 1}));
  EXPECT_EQ(device.session().subscriptions, bit(Subscription::twin_response) | bit(Subscription::desired) |
                                                bit(Subscription::methods) | bit(Subscription::c2d));
}

TEST_F(HandleSubscribe, OneForbiddenFilterClosesWithoutSubackAndGrantsNothing) {
  EXPECT_EQ(subscribe({{"$iothub/twin/res/#", 0}, {"devices/dev2/messages/devicebound/#", 1}}),
            Verdict::close);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(device.session().subscriptions, 0);
  EXPECT_EQ(context.counters.forbidden_topics.load(), 1U);
}

TEST_F(HandleSubscribe, WildcardTricksClose) {
  EXPECT_EQ(subscribe({{"#", 0}}), Verdict::close);
  EXPECT_EQ(subscribe({{"devices/+/messages/#", 0}}), Verdict::close);
}

TEST_F(HandleSubscribe, UnsubscribeClearsOnlyTheNamedBits) {
  subscribe({{"$iothub/twin/res/#", 0}, {"$iothub/twin/PATCH/properties/desired/#", 0}});
  EXPECT_EQ(unsubscribe({"$iothub/twin/PATCH/properties/desired/#", "not/a/filter"}, 12), Verdict::keep_open);
  EXPECT_EQ(test::only_packet<mqtt::Unsuback>(out).packet_id, 12);
  EXPECT_EQ(device.session().subscriptions, bit(Subscription::twin_response));
}

}  // namespace
}  // namespace fleetsim::hub
