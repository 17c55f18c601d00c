// The live status of a run: one line rewritten in place on a terminal (every second, cut to the
// terminal's width so it never wraps), plain periodic lines otherwise (CI logs; the scale
// benchmark parses "connected N/M" and "messages N"), nothing with --quiet.
//
// Rates and p99s describe the last interval (differences of successive merged snapshots), so a
// slow minute shows at once instead of being averaged into the whole run; counts are cumulative.
//
// Thread safety: tick() and finish() from one thread (the one running the fleet's tick).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "metrics/operations.hpp"

namespace fleetsim::app {

class StatusPrinter {
 public:
  // `sessions`: this shard's sessions; `total_s`: the scenario's duration. interval_s == 0 prints
  // nothing; a terminal refreshes every second whatever interval_s says.
  StatusPrinter(const metrics::Registry& registry, std::uint64_t sessions, double total_s, bool tty,
                double interval_s);
  ~StatusPrinter();
  void tick(std::chrono::nanoseconds elapsed);  // called about once a second
  void finish();                                // ends the in-place line on a terminal

 private:
  const metrics::Registry& registry_;
  std::uint64_t sessions_;
  double total_s_;
  bool tty_;
  double interval_s_;
  double next_print_s_ = 0;
  double last_elapsed_s_ = 0;
  std::unique_ptr<metrics::Snapshot> last_;  // what the previous line saw (zeros at first)
  bool printed_inline_ = false;
};

}  // namespace fleetsim::app
