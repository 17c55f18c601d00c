// Value generators at run time: the state of one generator instance for one session.
// Deterministic: the same spec and stream seed give the same values at the same times.
// Small and allocation-free (a session may own several): strings point into the Scenario,
// which outlives every session.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "sim/scenario.hpp"

namespace fleetsim::sim {

// A generated value. `str` points into the Scenario's storage.
struct Value {
  enum class Kind : std::uint8_t { number, string, boolean } kind = Kind::number;
  bool boolean = false;
  double number = 0;
  const std::string* str = nullptr;

  friend bool operator==(const Value& a, const Value& b);
};

// Appends the value as JSON text (numbers shortest round-trip, strings escaped).
void append_json(std::string& out, const Value& v);

// splitmix64: 8 bytes of state, good enough statistically for load shapes, trivially seedable.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() noexcept {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform01() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

// Mixes (run seed, session index, stream index) into one independent stream seed.
std::uint64_t stream_seed(std::uint64_t run_seed, std::uint64_t session, std::uint64_t stream) noexcept;

// One generator instance: `spec` must outlive it (it lives in the Scenario). Not thread-safe; a
// session's generators are used by the session's thread only.
//   constant     the value, every call
//   random_walk  `start` on the first call, then the previous value plus a step drawn uniformly
//                from [-step, step], clamped to [min, max]
//   sine         min + (max - min) * (1 + sin(2*pi*t/period)) / 2, from t alone (no draw)
//   choice       one of `values`, drawn with probability weight / sum(weights) (uniform without)
//   sequence     the values in order; after the last, from the first again (loop) or the last
//   counter      start, start + step, start + 2*step, ...
class ValueGenerator {
 public:
  ValueGenerator(const ValueSpec& spec, std::uint64_t seed) noexcept;
  // The value at `t` since the session opened (sine uses t; the others step once per call).
  // Allocates nothing; string values point into the spec.
  Value next(std::chrono::nanoseconds t) noexcept;

 private:
  const ValueSpec* spec_;
  Rng rng_;
  double state_ = 0;         // random_walk position, counter value
  std::uint32_t index_ = 0;  // sequence position
  bool started_ = false;
};

}  // namespace fleetsim::sim
