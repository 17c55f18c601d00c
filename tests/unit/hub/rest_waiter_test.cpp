// RestWaiter: a deferred REST answer awaited by a coroutine, and the two-way unlinking between
// the waiter and the source that answers it. An io_context is polled by hand; no sockets, and
// deadlines are already past when a test needs one to pass.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "hub/rest_waiter.hpp"

namespace fleetsim::hub {
namespace {

namespace asio = boost::asio;
using Clock = RestWaiter::Clock;

class RecordingSource final : public RestDeferrer {
 public:
  void deadline_passed(std::uint64_t key, RestWaiter& waiter, twin::Timestamp) override {
    expired.push_back(key);
    if (answers_at_deadline) {
      RestResponse response;
      response.status = 504;
      waiter.answer(response);
    }
  }
  void abandoned(std::uint64_t key) override { forgotten.push_back(key); }

  bool answers_at_deadline = true;
  std::vector<std::uint64_t> expired;
  std::vector<std::uint64_t> forgotten;
};

class RestWaiterTest : public ::testing::Test {
 protected:
  // Starts a coroutine that awaits the waiter and sets `woke` when it returns.
  void await_in_coroutine() {
    asio::co_spawn(
        io,
        [this]() -> asio::awaitable<void> {
          co_await waiter.async_wait();
          woke = true;
        },
        asio::detached);
  }

  asio::io_context io;
  RecordingSource source;
  RestWaiter waiter{io.get_executor()};
  bool woke = false;
};

TEST_F(RestWaiterTest, AnswerWakesTheCoroutineAndIsTakenOnce) {
  waiter.defer(source, 7, Clock::now() + std::chrono::hours(1));
  EXPECT_TRUE(waiter.deferred());
  await_in_coroutine();
  io.poll();
  EXPECT_FALSE(woke);
  RestResponse response;
  response.status = 201;
  waiter.answer(response);
  EXPECT_FALSE(waiter.deferred());
  io.poll();
  EXPECT_TRUE(woke);
  EXPECT_EQ(waiter.take_answer()->status, 201U);
  EXPECT_FALSE(waiter.take_answer().has_value());
  EXPECT_TRUE(source.forgotten.empty());
}

TEST_F(RestWaiterTest, APassedDeadlineAsksTheSourceForItsAnswer) {
  waiter.defer(source, 3, Clock::now() - std::chrono::milliseconds(1));
  await_in_coroutine();
  io.run();  // the timer is due at once
  EXPECT_TRUE(woke);
  EXPECT_EQ(source.expired, std::vector<std::uint64_t>{3});
  EXPECT_EQ(waiter.take_answer()->status, 504U);
}

TEST_F(RestWaiterTest, AMovedDeadlineIsWaitedFor) {
  waiter.defer(source, 4, Clock::now() + std::chrono::hours(1));
  await_in_coroutine();
  io.poll();
  waiter.set_deadline(Clock::now() - std::chrono::milliseconds(1));
  io.run();
  EXPECT_TRUE(woke);
  EXPECT_EQ(source.expired, std::vector<std::uint64_t>{4});
}

TEST_F(RestWaiterTest, ASourceThatDoesNotAnswerAtTheDeadlineIsGivenUp) {
  source.answers_at_deadline = false;
  waiter.defer(source, 5, Clock::now() - std::chrono::milliseconds(1));
  await_in_coroutine();
  io.run();  // ends: no spinning at a past deadline
  EXPECT_TRUE(woke);
  EXPECT_EQ(source.forgotten, std::vector<std::uint64_t>{5});
  EXPECT_FALSE(waiter.take_answer().has_value());
}

TEST_F(RestWaiterTest, AbandonTellsTheSourceAndWakesTheCoroutine) {
  waiter.defer(source, 9, Clock::now() + std::chrono::hours(1));
  await_in_coroutine();
  io.poll();
  waiter.abandon();
  io.poll();
  EXPECT_TRUE(woke);
  EXPECT_EQ(source.forgotten, std::vector<std::uint64_t>{9});
  waiter.abandon();  // once only
  EXPECT_EQ(source.forgotten.size(), 1U);
}

TEST_F(RestWaiterTest, ADestroyedWaiterTellsItsSourceAndAnAnsweredOneDoesNot) {
  {
    RestWaiter short_lived{io.get_executor()};
    short_lived.defer(source, 11, Clock::now() + std::chrono::hours(1));
  }
  EXPECT_EQ(source.forgotten, std::vector<std::uint64_t>{11});
  {
    RestWaiter answered{io.get_executor()};
    answered.defer(source, 12, Clock::now() + std::chrono::hours(1));
    answered.answer(RestResponse{});
  }
  EXPECT_EQ(source.forgotten.size(), 1U);
}

TEST_F(RestWaiterTest, NeverDeferredReturnsAtOnce) {
  await_in_coroutine();
  io.poll();
  EXPECT_TRUE(woke);
}

}  // namespace
}  // namespace fleetsim::hub
