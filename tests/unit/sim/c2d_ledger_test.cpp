// The accounting of C2D messages lost between the hub's acceptance and the device: the counts of
// both ends, the cutoff before the end of the run, redeliveries counted once, and the timeouts
// recorded from the difference.
#include <gtest/gtest.h>

#include <string>

#include "metrics/operations.hpp"
#include "sim/backend_requests.hpp"
#include "sim/c2d_ledger.hpp"

namespace fleetsim::sim {
namespace {

using std::chrono::seconds;

std::uint64_t c2d_timeouts(const metrics::ThreadMetrics& m) {
  return m.ops[static_cast<std::size_t>(metrics::Op::c2d)].timeouts.get();
}
std::uint64_t timeout_errors(const metrics::ThreadMetrics& m) {
  return m.errors[static_cast<std::size_t>(metrics::ErrorKind::timeout)].get();
}

TEST(C2dLedger, AcceptedButNeverReceivedAreTimeouts) {
  C2dLedger ledger;
  ledger.cutoff = seconds(9);
  for (int i = 0; i < 5; ++i) ledger.on_accepted(seconds(i));
  for (int i = 0; i < 3; ++i) ledger.on_received(seconds(i));
  EXPECT_EQ(ledger.lost(), 2u);

  metrics::ThreadMetrics m;
  record_lost_c2d(m, ledger);
  EXPECT_EQ(c2d_timeouts(m), 2u);
  EXPECT_EQ(timeout_errors(m), 2u);
  EXPECT_EQ(m.ops[static_cast<std::size_t>(metrics::Op::c2d)].ok.get(), 0u)
      << "the arrivals count themselves";
}

TEST(C2dLedger, NothingLostRecordsNothing) {
  C2dLedger ledger;
  ledger.on_accepted(seconds(1));
  ledger.on_received(seconds(1));
  metrics::ThreadMetrics m;
  record_lost_c2d(m, ledger);
  EXPECT_EQ(c2d_timeouts(m), 0u);
  EXPECT_EQ(timeout_errors(m), 0u);
}

TEST(C2dLedger, MoreReceivedThanAcceptedIsNoNegativeLoss) {
  // The backend gave up on a send (its answer timed out) that the hub had taken after all.
  C2dLedger ledger;
  ledger.on_accepted(seconds(1));
  ledger.on_received(seconds(1));
  ledger.on_received(seconds(2));
  EXPECT_EQ(ledger.lost(), 0u);
  metrics::ThreadMetrics m;
  record_lost_c2d(m, ledger);
  EXPECT_EQ(c2d_timeouts(m), 0u);
}

TEST(C2dLedger, MessagesSentAfterTheCutoffCountOnNeitherSide) {
  C2dLedger ledger;
  ledger.cutoff = seconds(10) - kC2dSettle;
  ledger.on_accepted(seconds(8));
  ledger.on_received(seconds(8));
  ledger.on_accepted(seconds(9));                                   // at the cutoff: out
  ledger.on_accepted(seconds(9) + std::chrono::milliseconds(500));  // never received: not lost
  EXPECT_EQ(ledger.accepted.load(), 1u);
  EXPECT_EQ(ledger.received.load(), 1u);
  EXPECT_EQ(ledger.lost(), 0u);
  ledger.on_received(seconds(9));
  EXPECT_EQ(ledger.received.load(), 1u);
}

TEST(C2dSeen, ARedeliveryIsNoFirstArrival) {
  C2dSeen seen;
  EXPECT_TRUE(seen.first_arrival(7));
  EXPECT_TRUE(seen.first_arrival(8));
  EXPECT_FALSE(seen.first_arrival(7)) << "DUP after a reconnect";
  EXPECT_FALSE(seen.first_arrival(8));
  EXPECT_TRUE(seen.first_arrival(0)) << "no number of ours: always counted";
  EXPECT_TRUE(seen.first_arrival(0));
}

TEST(C2dSeen, RemembersTheLastSixteen) {
  C2dSeen seen;
  for (std::uint64_t n = 1; n <= C2dSeen::kSize; ++n) EXPECT_TRUE(seen.first_arrival(n)) << n;
  for (std::uint64_t n = 1; n <= C2dSeen::kSize; ++n) EXPECT_FALSE(seen.first_arrival(n)) << n;
  EXPECT_TRUE(seen.first_arrival(C2dSeen::kSize + 1));  // replaces the oldest, 1
  EXPECT_TRUE(seen.first_arrival(1));
  EXPECT_FALSE(seen.first_arrival(C2dSeen::kSize + 1));
}

TEST(C2dMessageNumber, ReadsTheIdTheBackendSets) {
  Backend spec;
  spec.action = "c2d";
  const auto request = c2d_request("dev1", spec, seconds(1), 42);
  std::string id;
  for (const auto& h : request.headers) {
    if (h.name == "iothub-messageid") id = h.value;
  }
  ASSERT_FALSE(id.empty());
  // As the hub puts it in the property bag: $.mid, URL-encoded (hub/c2d.hpp append_c2d_property).
  EXPECT_EQ(c2d_message_number("%24.mid=" + id + "&fleetsim-sent=1000000000&%24.to=%2Fdevices%2Fdev1"), 42u);
  EXPECT_EQ(c2d_message_number("$.mid=fleetsim-3"), 3u);
  EXPECT_EQ(c2d_message_number("%24.mid=0b7e-uuid&fleetsim-sent=1"), 0u) << "another sender's id";
  EXPECT_EQ(c2d_message_number("%24.mid=fleetsim-12x"), 0u);
  EXPECT_EQ(c2d_message_number("%24.mid=fleetsim-"), 0u);
  EXPECT_EQ(c2d_message_number("fleetsim-sent=5"), 0u);
  EXPECT_EQ(c2d_message_number(""), 0u);
}

}  // namespace
}  // namespace fleetsim::sim
