// What `fleetsim run` writes besides the summary: --report (JSON, with the timeline), --junit and
// --html, and the --baseline report that baseline gates compare with. Kept out of run_command.cpp
// so that the run's flow reads in one screen.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <boost/json/object.hpp>

#include "app/commands.hpp"
#include "metrics/gates.hpp"
#include "metrics/report.hpp"
#include "metrics/timeline.hpp"
#include "sim/scenario.hpp"

namespace fleetsim::app {

class RunOutputs {
 public:
  // Checks the options before the run starts, printing the reason and returning nullptr (exit
  // code 2) when a baseline gate has no --baseline, the baseline is not a readable report, or the
  // timeline interval is not a whole number of seconds >= 1. "{shard}" in an output path becomes
  // "I-of-N", so that shards sharing one folder (a volume of every replica or pod) write apart.
  static std::unique_ptr<RunOutputs> prepare(const RunArgs& args, const sim::Scenario& scenario,
                                             const Shard& shard);

  // On the fleet's tick (the thread that runs the fleet): records the timeline when a report
  // that shows it was asked for.
  void tick(std::chrono::nanoseconds elapsed, const metrics::Registry& registry);

  // The scenario's gates, baseline gates with their baseline values.
  std::vector<metrics::GateSpec> gate_specs() const;

  // After the run: the last timeline point, then every requested file. False, after printing
  // which file could not be written, for exit code 2.
  bool write(const metrics::RunInfo& info, const metrics::Snapshot& snapshot,
             const std::vector<metrics::GateResult>& gates, std::chrono::nanoseconds elapsed);

 private:
  RunOutputs(const RunArgs& args, const sim::Scenario& scenario, const Shard& shard);

  std::string report_path_, junit_path_, html_path_;
  std::vector<metrics::GateSpec> gate_specs_;
  std::optional<metrics::TimelineRecorder> timeline_;
};

}  // namespace fleetsim::app
