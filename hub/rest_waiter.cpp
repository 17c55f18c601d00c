#include "hub/rest_waiter.hpp"

#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace fleetsim::hub {

namespace asio = boost::asio;

void RestWaiter::defer(RestDeferrer& source, std::uint64_t key, Clock::time_point deadline) {
  source_ = &source;
  key_ = key;
  deadline_ = deadline;
  answer_.reset();
}

void RestWaiter::set_deadline(Clock::time_point deadline) {
  deadline_ = deadline;
  timer_.cancel();  // async_wait() re-arms with the new deadline
}

void RestWaiter::answer(RestResponse response) {
  answer_ = std::move(response);
  source_ = nullptr;
  timer_.cancel();
}

asio::awaitable<void> RestWaiter::async_wait() {
  while (deferred()) {
    timer_.expires_at(deadline_);
    // The error tells nothing the state does not: a cancel means answered, abandoned or a
    // moved deadline, all of which the loop condition and check_deadline sort out.
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    check_deadline(Clock::now(), std::chrono::system_clock::now());
  }
}

std::optional<RestResponse> RestWaiter::take_answer() {
  std::optional<RestResponse> answer = std::move(answer_);
  answer_.reset();
  return answer;
}

bool RestWaiter::check_deadline(Clock::time_point now, twin::Timestamp wall_now) {
  if (!deferred() || now < deadline_) return answer_.has_value();
  source_->deadline_passed(key_, *this, wall_now);
  // A source must answer; one that did not would leave the caller spinning at a past deadline.
  if (deferred()) abandon();
  return answer_.has_value();
}

void RestWaiter::abandon() {
  if (source_ != nullptr) {
    RestDeferrer* source = std::exchange(source_, nullptr);
    source->abandoned(key_);
  }
  timer_.cancel();
}

}  // namespace fleetsim::hub
