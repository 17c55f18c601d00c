// A REST answer that comes later: a direct method call waits for the device (reference 3.6). The
// HTTP coroutine owns one waiter per connection and hands it to the dispatcher with each request
// (RestRequest::waiter); a handler that cannot answer at once defers the waiter to a source (the
// pending-call table), and the coroutine suspends in async_wait() until the source answers,
// the deadline passes (the source is asked for its timeout answer) or the connection ends.
// Other connections and the hub thread keep running meanwhile.
//
// Lifetime, both ways: a source knows a waiter only between defer() and answer(); a waiter that
// goes away unanswered (destroyed, or abandon() when its connection ends) tells its source first,
// so neither side ever holds a pointer to a dead other.
//
// Thread safety: none; the hub thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hub/rest.hpp"
#include "twin/document.hpp"

namespace fleetsim::hub {

class RestWaiter;

// The side that will answer a deferred request.
class RestDeferrer {
 public:
  // `waiter`'s deadline passed unanswered: the source must answer it now (RestWaiter::answer).
  virtual void deadline_passed(std::uint64_t key, RestWaiter& waiter, twin::Timestamp now) = 0;
  // The waiter goes away unanswered (its connection ended): the source forgets `key`.
  virtual void abandoned(std::uint64_t key) = 0;

 protected:
  RestDeferrer() = default;
  RestDeferrer(const RestDeferrer&) = default;
  RestDeferrer& operator=(const RestDeferrer&) = default;
  ~RestDeferrer() = default;
};

class RestWaiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RestWaiter(const boost::asio::any_io_executor& executor) : timer_(executor) {}
  ~RestWaiter() { abandon(); }
  RestWaiter(const RestWaiter&) = delete;
  RestWaiter& operator=(const RestWaiter&) = delete;

  // ---- the source's side
  // Takes the waiter: the answer comes from `source` under `key`, by `deadline` at the latest.
  void defer(RestDeferrer& source, std::uint64_t key, Clock::time_point deadline);
  // Moves the deadline (a call that waited for its device to connect now waits for the answer).
  void set_deadline(Clock::time_point deadline);
  // The answer; releases the waiter from its source and wakes async_wait().
  void answer(RestResponse response);

  // ---- the HTTP coroutine's side
  // True between defer() and answer()/abandon().
  bool deferred() const noexcept { return source_ != nullptr; }
  Clock::time_point deadline() const noexcept { return deadline_; }
  // Suspends until answered or abandoned; asks the source for its timeout answer when the
  // deadline passes. Returns at once if the waiter was never deferred.
  boost::asio::awaitable<void> async_wait();
  // The answer, once: nullopt if there is none (abandoned). Resets the waiter for the next request.
  std::optional<RestResponse> take_answer();
  // If deferred and `now` is past the deadline, asks the source for its timeout answer; true
  // if the waiter is answered afterwards. async_wait() calls it when its timer fires.
  bool check_deadline(Clock::time_point now, twin::Timestamp wall_now);
  // Gives up without an answer (the connection ends): the source forgets the request; a
  // suspended async_wait() returns.
  void abandon();

 private:
  boost::asio::steady_timer timer_;
  RestDeferrer* source_ = nullptr;
  std::uint64_t key_ = 0;
  Clock::time_point deadline_{};
  std::optional<RestResponse> answer_;
};

}  // namespace fleetsim::hub
