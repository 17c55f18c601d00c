// The live status of a run: a line rewritten in place on a terminal, plain periodic lines
// otherwise (CI logs, the scale benchmark parses them), nothing with --quiet.
#pragma once

#include <chrono>
#include <cstdint>

#include "metrics/operations.hpp"
#include "sim/scenario.hpp"

namespace fleetsim::app {

class StatusPrinter {
 public:
  // interval_s == 0 prints nothing.
  StatusPrinter(const metrics::Registry& registry, const sim::Scenario& scenario, bool tty, double interval_s);
  void tick(std::chrono::nanoseconds elapsed);  // called about once a second
  void finish();                                // ends the in-place line on a terminal

 private:
  const metrics::Registry& registry_;
  const sim::Scenario& scenario_;
  bool tty_;
  double interval_s_;
  double next_print_s_ = 0;
  std::uint64_t last_telemetry_ = 0;
  double last_elapsed_s_ = 0;
  bool printed_inline_ = false;
};

}  // namespace fleetsim::app
