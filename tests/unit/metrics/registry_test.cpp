#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "metrics/operations.hpp"

namespace fleetsim::metrics {
namespace {

constexpr std::size_t idx(Op op) {
  return static_cast<std::size_t>(op);
}

// What thread `t` of the test records: distinct values per thread, so a lost or doubled thread
// shows in every total.
void record_workload(ThreadMetrics& m, std::uint64_t t) {
  for (std::uint64_t i = 1; i <= 1000; ++i) m.record(Op::telemetry, Outcome::ok, (t + 1) * 1'000'000 + i);
  for (std::uint64_t i = 0; i < 10 * (t + 1); ++i) m.record(Op::telemetry, Outcome::error, 0);
  for (std::uint64_t i = 0; i < 3; ++i) m.record(Op::twin_get, Outcome::timeout, 0);
  m.record(Op::reported_patch, Outcome::throttled, 0);
  m.record(Op::reported_patch, Outcome::ok, 2'000'000);
  m.error(ErrorKind::disconnected);
  m.schedule_lag.record(50'000 * (t + 1));
  m.sessions_connected.add(5);
  m.sessions_disconnected.add(t);
  m.sessions_failed.add(t + 1);
  m.messages_sent.add(100);
  m.answers_sent.add(7);
  m.bytes_sent.add(1000 * (t + 1));
}

TEST(Registry, SnapshotMergesEveryThreadsData) {
  Registry registry(2);
  ASSERT_EQ(registry.thread_count(), 2u);
  std::thread a([&] { record_workload(registry.thread(0), 0); });
  std::thread b([&] { record_workload(registry.thread(1), 1); });
  a.join();
  b.join();

  const auto s = std::make_unique<Snapshot>(registry.snapshot());
  const auto& telemetry = s->ops[idx(Op::telemetry)];
  EXPECT_EQ(telemetry.ok, 2000u);
  EXPECT_EQ(telemetry.errors, 30u);
  EXPECT_EQ(telemetry.count(), 2030u);
  EXPECT_EQ(telemetry.latency.count(), 2000u) << "only successful operations are timed";
  EXPECT_EQ(telemetry.latency.min_ns(), 1'000'001u);
  EXPECT_EQ(telemetry.latency.max_ns(), 2'001'000u);

  auto expected = std::make_unique<Histogram>();
  for (std::uint64_t t = 0; t < 2; ++t) {
    for (std::uint64_t i = 1; i <= 1000; ++i) expected->record((t + 1) * 1'000'000 + i);
  }
  EXPECT_EQ(telemetry.latency, *expected);

  EXPECT_EQ(s->ops[idx(Op::twin_get)].timeouts, 6u);
  EXPECT_EQ(s->ops[idx(Op::reported_patch)].throttled, 2u);
  EXPECT_EQ(s->ops[idx(Op::reported_patch)].ok, 2u);
  EXPECT_EQ(s->ops[idx(Op::c2d)].count(), 0u);
  EXPECT_EQ(s->errors[static_cast<std::size_t>(ErrorKind::disconnected)], 2u);
  EXPECT_EQ(s->errors[static_cast<std::size_t>(ErrorKind::timeout)], 0u);
  EXPECT_EQ(s->schedule_lag.count(), 2u);
  EXPECT_EQ(s->schedule_lag.max_ns(), 100'000u);
  EXPECT_EQ(s->sessions_connected, 10u);
  EXPECT_EQ(s->sessions_disconnected, 1u);
  EXPECT_EQ(s->sessions_failed, 3u);
  EXPECT_EQ(s->messages_sent, 200u);
  EXPECT_EQ(s->answers_sent, 14u);
  EXPECT_EQ(s->bytes_sent, 3000u);
  EXPECT_EQ(s->total_errors(), 36u) << "errors + timeouts, throttled excluded";
}

TEST(Registry, SnapshotIsACopyUnaffectedByLaterRecords) {
  Registry registry(1);
  registry.thread(0).record(Op::connect, Outcome::ok, 1'000);
  const auto first = std::make_unique<Snapshot>(registry.snapshot());
  registry.thread(0).record(Op::connect, Outcome::ok, 2'000);
  EXPECT_EQ(first->ops[idx(Op::connect)].ok, 1u);
  EXPECT_EQ(registry.snapshot().ops[idx(Op::connect)].ok, 2u);
}

TEST(OperationNames, RoundTripAndRejectUnknown) {
  for (std::size_t i = 0; i < kOpCount; ++i) {
    Op op{};
    ASSERT_TRUE(op_from_name(op_name(static_cast<Op>(i)), op));
    EXPECT_EQ(op, static_cast<Op>(i));
  }
  Op op = Op::telemetry;
  EXPECT_FALSE(op_from_name("telemtry", op));
  EXPECT_EQ(op_name(Op::desired_convergence), "desired_convergence");
  EXPECT_EQ(error_kind_name(ErrorKind::inflight_full), "inflight_full");
}

}  // namespace
}  // namespace fleetsim::metrics
