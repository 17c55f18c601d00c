#include <algorithm>
#include <cmath>

#include "sim/observe.hpp"

namespace fleetsim::sim {
namespace {

// Reference 7.2: the value moved across `threshold` between the last notification and now.
bool crossed_above(double a, double b, double threshold) noexcept {
  return (a > threshold) != (b > threshold);
}
bool crossed_below(double a, double b, double threshold) noexcept {
  return (a < threshold) != (b < threshold);
}

}  // namespace

void Observer::open(Time t0, const Value& first) noexcept {
  current_ = first;
  next_sample_ = t0 + p_->sample;
  notified(t0);
}

void Observer::notified(Time t) noexcept {
  last_value_ = current_;
  last_time_ = t;
  pending_ = false;
}

bool Observer::pmax_active() const noexcept {
  return p_->pmax.count() > 0 && p_->pmax >= p_->pmin;
}

Observer::Time Observer::notify_deadline() const noexcept {
  Time deadline = Time::max();
  if (pending_) deadline = last_time_ + p_->pmin;
  if (pmax_active()) deadline = std::min(deadline, last_time_ + p_->pmax);
  return deadline;
}

Observer::Time Observer::next_deadline() const noexcept {
  return std::min(next_sample_, notify_deadline());
}

bool Observer::change(const Value& v) const noexcept {
  if (!p_->st && !p_->gt && !p_->lt) return !(v == last_value_);
  // st/gt/lt apply to numbers only; validation makes sure the generator yields numbers.
  const double a = last_value_.number;
  const double b = v.number;
  return (p_->st && std::fabs(b - a) >= *p_->st) || (p_->gt && crossed_above(a, b, *p_->gt)) ||
         (p_->lt && crossed_below(a, b, *p_->lt));
}

}  // namespace fleetsim::sim
