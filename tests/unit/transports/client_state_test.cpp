// The sans-I/O MQTT client session, stepped by hand: no sockets, no clock.
#include <gtest/gtest.h>

#include <array>
#include <set>
#include <vector>

#include "transports/mqtt/client.hpp"

namespace fleetsim::mqtt {
namespace {

using std::chrono::seconds;
using namespace std::chrono_literals;

ClientConfig config(std::uint16_t window = 4) {
  ClientConfig c;
  c.keep_alive = seconds(60);
  c.ping_timeout = seconds(10);
  c.max_inflight = window;
  return c;
}

ClientState connected(const ClientConfig& c, ClientTime at = ClientTime{0}) {
  ClientState s(c);
  s.on_connect_sent(at);
  EXPECT_EQ(s.on_connack(Connack{false, ConnackCode::accepted}), ConnackVerdict::accepted);
  return s;
}

TEST(ClientState, ConnackAcceptedConnects) {
  ClientState s(config());
  EXPECT_EQ(s.phase(), ClientPhase::disconnected);
  s.on_connect_sent(ClientTime{0});
  EXPECT_EQ(s.phase(), ClientPhase::awaiting_connack);
  EXPECT_EQ(s.on_connack(Connack{false, ConnackCode::accepted}), ConnackVerdict::accepted);
  EXPECT_EQ(s.phase(), ClientPhase::connected);
}

TEST(ClientState, ConnackRefusedLeavesDisconnected) {
  ClientState s(config());
  s.on_connect_sent(ClientTime{0});
  EXPECT_EQ(s.on_connack(Connack{false, ConnackCode::not_authorized}), ConnackVerdict::refused);
  EXPECT_EQ(s.phase(), ClientPhase::disconnected);
}

TEST(ClientState, ConnackOutsideTheHandshakeIsAViolation) {
  ClientState s(config());
  EXPECT_EQ(s.on_connack(Connack{}), ConnackVerdict::unexpected);
  ClientState c = connected(config());
  EXPECT_EQ(c.on_connack(Connack{}), ConnackVerdict::unexpected);
  EXPECT_EQ(c.phase(), ClientPhase::connected);
}

TEST(ClientState, DisconnectSentThenClosed) {
  ClientState s = connected(config());
  s.on_disconnect_sent(ClientTime{5});
  EXPECT_EQ(s.phase(), ClientPhase::disconnecting);
  s.on_closed();
  EXPECT_EQ(s.phase(), ClientPhase::disconnected);
}

TEST(ClientState, PacketIdsStartAtOneAndCount) {
  ClientState s(config());
  EXPECT_EQ(s.allocate_packet_id(), 1);
  EXPECT_EQ(s.allocate_packet_id(), 2);
  EXPECT_EQ(s.allocate_packet_id(), 3);
}

TEST(ClientState, PacketIdsWrapAfter65535AndSkipZero) {
  ClientState s(config());
  std::uint16_t last = 0;
  for (int i = 0; i < 65535; ++i) last = s.allocate_packet_id();
  EXPECT_EQ(last, 65535);
  EXPECT_EQ(s.allocate_packet_id(), 1);  // never 0 (MQTT 3.1.1 section 2.3.1)
}

TEST(ClientState, PacketIdsSkipIdsStillInFlight) {
  ClientState s(config());
  const auto held = s.begin_publish(7, ClientTime{0});  // id 1 stays unacknowledged
  ASSERT_TRUE(held);
  EXPECT_EQ(*held, 1);
  for (int i = 0; i < 65534; ++i) {
    const std::uint16_t id = s.allocate_packet_id();
    ASSERT_NE(id, 0);
    ASSERT_NE(id, *held);
  }
  // The counter wrapped: 1 is still in flight, so 2 comes next.
  EXPECT_EQ(s.allocate_packet_id(), 2);
}

TEST(ClientState, InflightWindowIsBounded) {
  ClientState s(config(3));
  std::set<std::uint16_t> ids;
  for (std::uint32_t i = 0; i < 3; ++i) {
    const auto id = s.begin_publish(i, ClientTime{static_cast<long>(i)});
    ASSERT_TRUE(id);
    ids.insert(*id);
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_TRUE(s.inflight_full());
  EXPECT_FALSE(s.begin_publish(99, ClientTime{9}));
  EXPECT_EQ(s.inflight(), 3u);
}

TEST(ClientState, WindowIsCappedAtTheFixedTable) {
  ClientConfig c = config();
  c.max_inflight = 1000;
  ClientState s(c);
  std::size_t accepted = 0;
  while (s.begin_publish(0, ClientTime{0})) ++accepted;
  EXPECT_EQ(accepted, ClientState::kMaxInflight);
}

TEST(ClientState, PubackMatchesItsEntryAndFreesTheSlot) {
  ClientState s(config(2));
  const auto a = s.begin_publish(10, ClientTime{100});
  const auto b = s.begin_publish(20, ClientTime{200});
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(s.begin_publish(30, ClientTime{300}));

  const auto acked = s.on_puback(Puback{*b});
  ASSERT_TRUE(acked);
  EXPECT_EQ(acked->tag, 20u);
  EXPECT_EQ(acked->intended, ClientTime{200});
  EXPECT_EQ(acked->packet_id, *b);
  EXPECT_EQ(s.inflight(), 1u);
  EXPECT_TRUE(s.begin_publish(30, ClientTime{300}));
}

TEST(ClientState, UnknownOrRepeatedPubackIsIgnored) {
  ClientState s(config());
  const auto id = s.begin_publish(1, ClientTime{0});
  ASSERT_TRUE(id);
  EXPECT_FALSE(s.on_puback(Puback{static_cast<std::uint16_t>(*id + 1)}));
  EXPECT_TRUE(s.on_puback(Puback{*id}));
  EXPECT_FALSE(s.on_puback(Puback{*id}));
  EXPECT_EQ(s.inflight(), 0u);
}

TEST(ClientState, OldestInflightAndExpiry) {
  ClientState s(config(4));
  EXPECT_FALSE(s.oldest_inflight());
  ASSERT_TRUE(s.begin_publish(1, ClientTime{300}));
  ASSERT_TRUE(s.begin_publish(2, ClientTime{100}));
  ASSERT_TRUE(s.begin_publish(3, ClientTime{200}));
  EXPECT_EQ(s.oldest_inflight(), ClientTime{100});

  std::vector<std::uint32_t> expired;
  s.expire_inflight(ClientTime{250}, [&](const InflightEntry& e) { expired.push_back(e.tag); });
  std::sort(expired.begin(), expired.end());
  EXPECT_EQ(expired, (std::vector<std::uint32_t>{2, 3}));
  EXPECT_EQ(s.inflight(), 1u);
  EXPECT_EQ(s.oldest_inflight(), ClientTime{300});
}

TEST(ClientState, SubackGrantedMatchesTag) {
  ClientState s = connected(config());
  const auto id = s.begin_subscribe(42, 2);
  ASSERT_TRUE(id);
  EXPECT_EQ(s.pending_subscribes(), 1u);
  const std::array<std::uint8_t, 2> codes{0, 1};
  const SubackVerdict v = s.on_suback(Suback{*id, codes});
  EXPECT_EQ(v.status, SubackVerdict::Status::granted);
  EXPECT_EQ(v.tag, 42u);
  EXPECT_EQ(v.max_granted, 1);
  EXPECT_EQ(s.pending_subscribes(), 0u);
}

TEST(ClientState, SubackFailureCodeIsARefusal) {
  ClientState s = connected(config());
  const auto id = s.begin_subscribe(1, 2);
  const std::array<std::uint8_t, 2> codes{0, 0x80};
  EXPECT_EQ(s.on_suback(Suback{*id, codes}).status, SubackVerdict::Status::refused);
}

TEST(ClientState, SubackWithWrongCountOrIdIsRejected) {
  ClientState s = connected(config());
  const auto id = s.begin_subscribe(1, 2);
  const std::array<std::uint8_t, 1> one{0};
  EXPECT_EQ(s.on_suback(Suback{static_cast<std::uint16_t>(*id + 1), one}).status,
            SubackVerdict::Status::unknown_id);
  EXPECT_EQ(s.pending_subscribes(), 1u);
  EXPECT_EQ(s.on_suback(Suback{*id, one}).status, SubackVerdict::Status::count_mismatch);
  EXPECT_EQ(s.pending_subscribes(), 0u);
}

TEST(ClientState, PendingSubscribesAreBounded) {
  ClientState s = connected(config());
  for (std::size_t i = 0; i < ClientState::kMaxPendingSubscribes; ++i) ASSERT_TRUE(s.begin_subscribe(0, 1));
  EXPECT_FALSE(s.begin_subscribe(0, 1));
  s.clear_subscriptions();
  EXPECT_TRUE(s.begin_subscribe(0, 1));
}

TEST(ClientState, SubscribeIdsDoNotCollideWithPublishIds) {
  ClientState s = connected(config());
  const auto pub = s.begin_publish(0, ClientTime{0});
  const auto sub = s.begin_subscribe(0, 1);
  ASSERT_TRUE(pub && sub);
  EXPECT_NE(*pub, *sub);
}

TEST(ClientState, NoKeepAliveBeforeConnack) {
  ClientState s(config());
  s.on_connect_sent(ClientTime{0});
  EXPECT_FALSE(s.keep_alive_deadline());
  EXPECT_EQ(s.check_keep_alive(ClientTime{seconds(1000)}), KeepAliveAction::none);
}

TEST(ClientState, PingDueAfterKeepAliveWithoutSending) {
  ClientState s = connected(config());
  EXPECT_EQ(s.keep_alive_deadline(), ClientTime{seconds(60)});
  EXPECT_EQ(s.check_keep_alive(ClientTime{seconds(59)}), KeepAliveAction::none);
  EXPECT_EQ(s.check_keep_alive(ClientTime{seconds(60)}), KeepAliveAction::send_pingreq);

  // Anything sent postpones it.
  s.on_packet_sent(ClientTime{seconds(30)});
  EXPECT_EQ(s.keep_alive_deadline(), ClientTime{seconds(90)});
  EXPECT_EQ(s.check_keep_alive(ClientTime{seconds(60)}), KeepAliveAction::none);
}

TEST(ClientState, UnansweredPingMeansTheServerIsSilent) {
  ClientState s = connected(config());
  s.on_pingreq_sent(ClientTime{seconds(60)});
  EXPECT_EQ(s.keep_alive_deadline(), ClientTime{seconds(70)});
  EXPECT_EQ(s.check_keep_alive(ClientTime{seconds(69)}), KeepAliveAction::none);
  EXPECT_EQ(s.check_keep_alive(ClientTime{seconds(70)}), KeepAliveAction::server_silent);
}

TEST(ClientState, AnswerToPingRestartsTheCycle) {
  ClientState s = connected(config());
  s.on_pingreq_sent(ClientTime{seconds(60)});
  s.on_packet_received();
  EXPECT_EQ(s.keep_alive_deadline(), ClientTime{seconds(120)});
  EXPECT_EQ(s.check_keep_alive(ClientTime{seconds(100)}), KeepAliveAction::none);
}

TEST(ClientState, ZeroKeepAliveDisablesPings) {
  ClientConfig c = config();
  c.keep_alive = ClientTime{0};
  ClientState s = connected(c);
  EXPECT_FALSE(s.keep_alive_deadline());
  EXPECT_EQ(s.check_keep_alive(ClientTime{seconds(100000)}), KeepAliveAction::none);
}

TEST(ClientState, ClosingStopsKeepAlive) {
  ClientState s = connected(config());
  s.on_closed();
  EXPECT_FALSE(s.keep_alive_deadline());
}

}  // namespace
}  // namespace fleetsim::mqtt
