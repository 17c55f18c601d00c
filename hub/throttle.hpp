// IoT Hub's per-hub throttles (reference 5.1, 5.2) as token buckets, sans-I/O: the caller passes
// the time. `--tier`/`--units` size one bucket per operation class exactly as the table of 5.1
// says; without a tier there are no buckets and every check is one branch on enabled().
//
// Rates: a per-minute limit refills at limit/60 tokens a second, a per-second one at its rate.
// Burst (the bucket's size): one minute's worth for the per-minute classes (registry, C2D,
// queries) and one second's worth for the per-second ones. The published limits are counts per
// window, so a bucket as big as its window never refuses a request the published window limit
// admits after an idle window (a backend may create 100 identities at once on S1, as on the
// real hub), while the long-run rate is exactly the published one. A second's worth for a
// per-minute class would be 1.7 registry operations: two concurrent calls would already fail.
//
// Direct methods are metered in 4 KB chunks of payload (160 KB/s = 40 chunks/s). A request
// costing more than the bucket holds (a bulk registry request of 500 identities, a 128 KB method
// payload on a small tier) is admitted once the bucket is full and leaves it in debt, so it
// waits for its share instead of never passing.
//
// The wall clock the handlers already receive is the time base; a step back is treated as no
// time passing (the bucket never refills backwards), a step forward at most fills the buckets.
//
// Thread safety: none; the hub thread only.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "twin/document.hpp"

namespace fleetsim::hub {

class Connection;
struct Identity;

// Pricing tiers of reference 5.1: Free, Basic 1..3, Standard 1..3.
enum class Tier : std::uint8_t { f1, b1, b2, b3, s1, s2, s3 };

// "F1", "B1", ... "S3" (also lower case); nullopt for anything else.
std::optional<Tier> parse_tier(std::string_view text) noexcept;
std::string_view to_string(Tier tier) noexcept;
constexpr bool is_basic(Tier tier) noexcept {
  return tier == Tier::b1 || tier == Tier::b2 || tier == Tier::b3;
}
// Why `units` cannot be bought for `tier` (0, or more than one Free unit); nullopt when it can.
std::optional<std::string> check_units(Tier tier, unsigned units);

// The operation classes of 5.1.
enum class ThrottleClass : std::uint8_t {
  registry,     // identity create/get/update/delete/list, each identity of a bulk request
  connect,      // new MQTT connections
  d2c,          // device-to-cloud sends (telemetry)
  c2d,          // cloud-to-device sends (not in Basic)
  method,       // direct methods, in 4 KB chunks of payload (not in Basic)
  query,        // POST /devices/query
  twin_read,    // twin GET, REST and MQTT (not in Basic)
  twin_update,  // twin PATCH/PUT, reported PATCH (not in Basic)
};
inline constexpr std::size_t kThrottleClasses = 8;
std::string_view to_string(ThrottleClass c) noexcept;

struct ClassLimit {
  bool available = true;    // false: the tier lacks the feature (Basic: 403010)
  double per_second = 0;    // refill rate in tokens (requests, or 4 KB method chunks) a second
  double burst = 0;         // bucket size
  bool per_minute = false;  // published per minute (for printing)
};
using ThrottleLimits = std::array<ClassLimit, kThrottleClasses>;

// The limits of 5.1 for `units` units of `tier` (units >= 1; check_units first).
ThrottleLimits throttle_limits(Tier tier, unsigned units);
// "registry 100/min, connect 100/s, ..., methods 160 KB/s, twin reads unavailable, ...": one
// line for `fleetsim hub` to print.
std::string describe(const ThrottleLimits& limits);

// The 4 KB chunks a direct method of `payload_bytes` costs (at least one).
constexpr double method_chunks(std::size_t payload_bytes) noexcept {
  return payload_bytes == 0 ? 1.0 : static_cast<double>((payload_bytes + 4095) / 4096);
}

class TokenBucket {
 public:
  TokenBucket() = default;
  TokenBucket(double per_second, double burst, twin::Timestamp now) noexcept
      : rate_(per_second), burst_(burst), tokens_(burst), last_(now) {}

  // Takes `cost` tokens when there are (a cost above the burst needs a full bucket and leaves
  // debt); false, taking nothing, otherwise.
  bool try_take(double cost, twin::Timestamp now) noexcept;
  // How long until try_take(cost) would succeed (zero if it would now).
  std::chrono::nanoseconds wait_for(double cost, twin::Timestamp now) noexcept;
  double tokens(twin::Timestamp now) noexcept {
    refill(now);
    return tokens_;
  }

 private:
  void refill(twin::Timestamp now) noexcept;
  double needed(double cost) const noexcept { return cost < burst_ ? cost : burst_; }

  double rate_ = 0;
  double burst_ = 0;
  double tokens_ = 0;
  twin::Timestamp last_{};
};

enum class Admission : std::uint8_t {
  admitted,
  throttled,    // 429 429001 / twin res/429 / CONNACK 3 / a held PUBACK
  unavailable,  // not in this tier: 403 403010
};

struct Decision {
  Admission admission = Admission::admitted;
  // With `throttled`: the wait until a token, in whole seconds rounded up (at least 1), for
  // Retry-After.
  std::uint32_t retry_after_s = 0;
};

// A PUBACK the hub owes a device, held until the D2C bucket has a token (5.2: the real hub
// answers late). Holds no ownership: `connection` is valid only while it is still
// `identity->connection`, which is checked before use (a closed session unlinks itself from its
// identity), and a new CONNECT of the identity forgets its entries first, so a later session
// that happens to reuse the address is never sent a stranger's PUBACK. Identities live in a
// deque whose slots are never freed (registry.hpp), so `identity` can always be read.
struct HeldPuback {
  Identity* identity = nullptr;  // nullptr once forgotten
  Connection* connection = nullptr;
  std::uint16_t packet_id = 0;
};

class Throttle {
 public:
  static constexpr std::size_t default_held_limit = 10'000;

  // Off: no buckets.
  Throttle() = default;

  // On with the limits of `units` of `tier` (check_units first), buckets full at `now`, no held
  // PUBACKs. At most `held_limit` PUBACKs wait at once.
  void configure(Tier tier, unsigned units, twin::Timestamp now, std::size_t held_limit = default_held_limit);
  // Off again, dropping held PUBACKs.
  void disable() noexcept;

  bool enabled() const noexcept { return tier_.has_value(); }
  std::optional<Tier> tier() const noexcept { return tier_; }
  const ThrottleLimits& limits() const noexcept { return limits_; }

  // Takes `cost` tokens of class `c`, or says why not. Enabled only.
  Decision admit(ThrottleClass c, double cost, twin::Timestamp now) noexcept;
  TokenBucket& bucket(ThrottleClass c) noexcept { return buckets_[static_cast<std::size_t>(c)]; }

  // Held PUBACKs, first in first out. hold() is false when the queue is full.
  bool holding() const noexcept { return held_count_ != 0; }
  std::size_t held_count() const noexcept { return held_count_; }
  bool hold(const HeldPuback& held);
  // The oldest held PUBACK (holding() only), and dropping it.
  HeldPuback& front_held() noexcept { return held_[held_head_]; }
  void pop_held() noexcept;
  // Forgets every PUBACK held for `identity` (its session is gone or replaced).
  void forget_held(const Identity* identity) noexcept;

 private:
  std::optional<Tier> tier_;
  ThrottleLimits limits_{};
  std::array<TokenBucket, kThrottleClasses> buckets_{};
  std::vector<HeldPuback> held_;  // a ring of held_limit entries, allocated when configured
  std::size_t held_head_ = 0;
  std::size_t held_count_ = 0;
};

}  // namespace fleetsim::hub
