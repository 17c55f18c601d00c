// Observer::advance, a template over the sampler; included by observe.hpp only.
#pragma once

namespace fleetsim::sim {

template <class Sampler>
std::optional<Observer::Time> Observer::advance(Time t, Sampler&& sampler) {
  while (true) {
    const Time timer = notify_deadline();
    // At the same instant the sample goes first, so a notification carries the fresh value, and a
    // sample that notifies leaves nothing for the timer (it restarts from this instant).
    if (next_sample_ <= t && next_sample_ <= timer) {
      const Time at = next_sample_;
      next_sample_ += p_->sample;
      current_ = sampler(at);
      if (change(current_)) {
        if (at - last_time_ >= p_->pmin) return at;
        pending_ = true;
      }
      continue;
    }
    if (timer <= t) return timer;  // pmin expiry with a change pending, or pmax
    return std::nullopt;
  }
}

}  // namespace fleetsim::sim
