// The per-thread deadline heap on a manual clock.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "sim/timer_queue.hpp"

namespace fleetsim::sim {
namespace {

using Time = TimerQueue::Time;
using Calls = std::vector<std::pair<std::uint32_t, long>>;

Calls dispatch(TimerQueue& q, long now) {
  Calls calls;
  q.dispatch_due(Time{now},
                 [&](std::uint32_t slot, Time deadline) { calls.emplace_back(slot, deadline.count()); });
  return calls;
}

TEST(TimerQueue, DispatchesInDeadlineOrder) {
  TimerQueue q(4);
  q.arm(0, Time{30});
  q.arm(1, Time{10});
  q.arm(2, Time{20});
  EXPECT_EQ(q.next_deadline(), Time{10});
  EXPECT_EQ(dispatch(q, 25), (Calls{{1, 10}, {2, 20}}));
  EXPECT_EQ(q.next_deadline(), Time{30});
  EXPECT_EQ(dispatch(q, 29), Calls{});
  EXPECT_EQ(dispatch(q, 30), (Calls{{0, 30}}));
  EXPECT_FALSE(q.next_deadline());
}

TEST(TimerQueue, TiesGoByLowestSlot) {
  TimerQueue q(5);
  for (std::uint32_t slot : {3u, 0u, 4u, 1u}) q.arm(slot, Time{7});
  EXPECT_EQ(dispatch(q, 7), (Calls{{0, 7}, {1, 7}, {3, 7}, {4, 7}}));
}

TEST(TimerQueue, EarlierArmMakesTheOldEntryStale) {
  TimerQueue q(2);
  EXPECT_TRUE(q.arm(0, Time{100}));
  EXPECT_TRUE(q.arm(0, Time{50}));
  EXPECT_EQ(q.entries(), 2u);
  EXPECT_EQ(q.armed(0), Time{50});
  EXPECT_EQ(dispatch(q, 1000), (Calls{{0, 50}}));  // the 100 entry is skipped by generation
  EXPECT_EQ(q.entries(), 0u);
}

TEST(TimerQueue, LaterArmKeepsTheEarlierEntry) {
  TimerQueue q(1);
  q.arm(0, Time{50});
  EXPECT_FALSE(q.arm(0, Time{80}));
  EXPECT_EQ(q.entries(), 1u);
  EXPECT_EQ(q.armed(0), Time{50});
  // It fires early; the slot then arms its real deadline.
  Calls calls;
  q.dispatch_due(Time{60}, [&](std::uint32_t slot, Time deadline) {
    calls.emplace_back(slot, deadline.count());
    EXPECT_FALSE(q.armed(slot));  // disarmed before the call
    q.arm(slot, Time{80});
  });
  EXPECT_EQ(calls, (Calls{{0, 50}}));
  EXPECT_EQ(q.next_deadline(), Time{80});
}

TEST(TimerQueue, DisarmSkipsTheEntry) {
  TimerQueue q(2);
  q.arm(0, Time{10});
  q.arm(1, Time{20});
  q.disarm(0);
  EXPECT_FALSE(q.armed(0));
  EXPECT_EQ(q.next_deadline(), Time{20});
  EXPECT_EQ(dispatch(q, 100), (Calls{{1, 20}}));
}

TEST(TimerQueue, ArmReportsANewEarliestDeadline) {
  TimerQueue q(3);
  EXPECT_TRUE(q.arm(0, Time{50}));
  EXPECT_FALSE(q.arm(1, Time{60}));  // the driver's timer (at 50) still comes first
  EXPECT_TRUE(q.arm(2, Time{40}));
}

TEST(TimerQueue, EntriesArmedDuringDispatchRunWhenDue) {
  TimerQueue q(2);
  q.arm(0, Time{10});
  Calls calls;
  q.dispatch_due(Time{100}, [&](std::uint32_t slot, Time deadline) {
    calls.emplace_back(slot, deadline.count());
    if (slot == 0 && deadline == Time{10}) {
      q.arm(1, Time{15});   // due: runs in this dispatch
      q.arm(0, Time{200});  // not due
    }
  });
  EXPECT_EQ(calls, (Calls{{0, 10}, {1, 15}}));
  EXPECT_EQ(q.next_deadline(), Time{200});
}

TEST(TimerQueue, ClearForgetsEverything) {
  TimerQueue q(2);
  q.arm(0, Time{1});
  q.arm(1, Time{2});
  q.clear();
  EXPECT_FALSE(q.next_deadline());
  EXPECT_EQ(dispatch(q, 100), Calls{});
  EXPECT_TRUE(q.arm(0, Time{5}));
  EXPECT_EQ(dispatch(q, 100), (Calls{{0, 5}}));
}

}  // namespace
}  // namespace fleetsim::sim
