#include "hub/throttle.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fleetsim::hub {
namespace {

constexpr std::array<std::string_view, 7> kTierNames = {"F1", "B1", "B2", "B3", "S1", "S2", "S3"};

constexpr std::size_t index_of(ThrottleClass c) noexcept {
  return static_cast<std::size_t>(c);
}

ClassLimit per_second(double rate) {
  return ClassLimit{true, rate, rate, false};
}

ClassLimit per_minute(double count) {
  return ClassLimit{true, count / 60.0, count, true};
}

// 5.1's methods column, KB/s per unit, as 4 KB chunks a second.
ClassLimit method_kb_per_second(double kb) {
  return per_second(kb / 4.0);
}

}  // namespace

std::optional<Tier> parse_tier(std::string_view text) noexcept {
  if (text.size() != 2) return std::nullopt;
  const char upper[2] = {static_cast<char>(text[0] >= 'a' && text[0] <= 'z' ? text[0] - 'a' + 'A' : text[0]),
                         text[1]};
  const std::string_view wanted(upper, 2);
  for (std::size_t i = 0; i < kTierNames.size(); ++i) {
    if (kTierNames[i] == wanted) return static_cast<Tier>(i);
  }
  return std::nullopt;
}

std::string_view to_string(Tier tier) noexcept {
  return kTierNames[static_cast<std::size_t>(tier)];
}

std::optional<std::string> check_units(Tier tier, unsigned units) {
  if (units == 0) return std::string("a hub has at least one unit");
  // The Free tier is one unit per subscription (5.1's table has no per-unit column for it).
  if (tier == Tier::f1 && units != 1) return std::string("the F1 (Free) tier has exactly one unit");
  return std::nullopt;
}

std::string_view to_string(ThrottleClass c) noexcept {
  switch (c) {
    case ThrottleClass::registry:
      return "registry operations";
    case ThrottleClass::connect:
      return "new connections";
    case ThrottleClass::d2c:
      return "device-to-cloud sends";
    case ThrottleClass::c2d:
      return "cloud-to-device sends";
    case ThrottleClass::method:
      return "direct methods";
    case ThrottleClass::query:
      return "queries";
    case ThrottleClass::twin_read:
      return "twin reads";
    case ThrottleClass::twin_update:
      return "twin updates";
  }
  return "?";
}

ThrottleLimits throttle_limits(Tier tier, unsigned unit_count) {
  const double units = unit_count;
  ThrottleLimits limits{};
  const auto set = [&limits](ThrottleClass c, ClassLimit limit) { limits[index_of(c)] = limit; };
  switch (tier) {
    case Tier::f1:
    case Tier::b1:
    case Tier::s1:
      set(ThrottleClass::registry, per_minute(100 * units));
      set(ThrottleClass::connect, per_second(std::max(100.0, 12 * units)));
      set(ThrottleClass::d2c, per_second(std::max(100.0, 12 * units)));
      set(ThrottleClass::c2d, per_minute(100 * units));
      set(ThrottleClass::method, method_kb_per_second(160 * units));
      set(ThrottleClass::query, per_minute(20 * units));
      set(ThrottleClass::twin_read, per_second(100));
      set(ThrottleClass::twin_update, per_second(50));
      break;
    case Tier::b2:
    case Tier::s2:
      set(ThrottleClass::registry, per_minute(100 * units));
      set(ThrottleClass::connect, per_second(120 * units));
      set(ThrottleClass::d2c, per_second(120 * units));
      set(ThrottleClass::c2d, per_minute(100 * units));
      set(ThrottleClass::method, method_kb_per_second(480 * units));
      set(ThrottleClass::query, per_minute(20 * units));
      set(ThrottleClass::twin_read, per_second(std::max(100.0, 10 * units)));
      set(ThrottleClass::twin_update, per_second(std::max(50.0, 5 * units)));
      break;
    case Tier::b3:
    case Tier::s3:
      set(ThrottleClass::registry, per_minute(5000 * units));
      set(ThrottleClass::connect, per_second(6000 * units));
      set(ThrottleClass::d2c, per_second(6000 * units));
      set(ThrottleClass::c2d, per_minute(5000 * units));
      set(ThrottleClass::method, method_kb_per_second(24 * 1024 * units));
      set(ThrottleClass::query, per_minute(1000 * units));
      set(ThrottleClass::twin_read, per_second(500 * units));
      set(ThrottleClass::twin_update, per_second(250 * units));
      break;
  }
  if (is_basic(tier)) {
    for (const ThrottleClass c :
         {ThrottleClass::c2d, ThrottleClass::method, ThrottleClass::twin_read, ThrottleClass::twin_update}) {
      limits[index_of(c)] = ClassLimit{false, 0, 0, false};
    }
  }
  return limits;
}

std::string describe(const ThrottleLimits& limits) {
  std::string text;
  for (std::size_t i = 0; i < limits.size(); ++i) {
    const ClassLimit& limit = limits[i];
    if (!text.empty()) text.append(", ");
    text.append(to_string(static_cast<ThrottleClass>(i))).append(" ");
    char number[48];
    if (!limit.available) {
      text.append("unavailable");
    } else if (static_cast<ThrottleClass>(i) == ThrottleClass::method) {
      std::snprintf(number, sizeof number, "%g KB/s", limit.per_second * 4);
      text.append(number);
    } else if (limit.per_minute) {
      std::snprintf(number, sizeof number, "%g/min", limit.burst);
      text.append(number);
    } else {
      std::snprintf(number, sizeof number, "%g/s", limit.per_second);
      text.append(number);
    }
  }
  return text;
}

void TokenBucket::refill(twin::Timestamp now) noexcept {
  if (now <= last_) return;  // no time passed, or the wall clock stepped back
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  last_ = now;
}

// Refills are sums of products of inexact seconds (0.01 s x 100/s may give 0.99999...), so a
// token short by less than a billionth counts as there.
constexpr double kTolerance = 1e-9;

bool TokenBucket::try_take(double cost, twin::Timestamp now) noexcept {
  refill(now);
  if (tokens_ < needed(cost) - kTolerance) return false;
  tokens_ -= cost;
  return true;
}

std::chrono::nanoseconds TokenBucket::wait_for(double cost, twin::Timestamp now) noexcept {
  refill(now);
  const double missing = needed(cost) - tokens_;
  if (missing <= kTolerance) return std::chrono::nanoseconds(0);
  if (rate_ <= 0) return std::chrono::hours(24);
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::ceil(missing / rate_ * 1e9)));
}

void Throttle::configure(Tier tier, unsigned units, twin::Timestamp now, std::size_t held_limit) {
  tier_ = tier;
  limits_ = throttle_limits(tier, units);
  for (std::size_t i = 0; i < limits_.size(); ++i) {
    buckets_[i] = TokenBucket(limits_[i].per_second, limits_[i].burst, now);
  }
  held_.assign(std::max<std::size_t>(held_limit, 1), HeldPuback{});
  held_head_ = 0;
  held_count_ = 0;
}

void Throttle::disable() noexcept {
  tier_.reset();
  std::vector<HeldPuback>().swap(held_);
  held_head_ = 0;
  held_count_ = 0;
}

Decision Throttle::admit(ThrottleClass c, double cost, twin::Timestamp now) noexcept {
  if (!limits_[index_of(c)].available) return Decision{Admission::unavailable, 0};
  TokenBucket& b = bucket(c);
  if (b.try_take(cost, now)) return Decision{};
  const double seconds = std::chrono::duration<double>(b.wait_for(cost, now)).count();
  // Less a microsecond: 1 / (20/60.0) is 3.0000000000000004 s, which must say 3.
  const double rounded = std::max(1.0, std::ceil(seconds - 1e-6));
  return Decision{Admission::throttled, static_cast<std::uint32_t>(std::min(rounded, 86'400.0))};
}

bool Throttle::hold(const HeldPuback& held) {
  if (held_count_ == held_.size()) return false;
  held_[(held_head_ + held_count_) % held_.size()] = held;
  ++held_count_;
  return true;
}

void Throttle::pop_held() noexcept {
  held_head_ = (held_head_ + 1) % held_.size();
  --held_count_;
}

void Throttle::forget_held(const Identity* identity) noexcept {
  for (std::size_t i = 0; i < held_count_; ++i) {
    HeldPuback& held = held_[(held_head_ + i) % held_.size()];
    if (held.identity == identity) held.identity = nullptr;
  }
}

}  // namespace fleetsim::hub
