// `fleetsim report merge`: the reports of a run's shards (--shard I/N, one process or machine
// each) merged into the report of the whole run, exactly: histograms are added bucket by bucket,
// so every percentile of the merged report is the percentile of all shards' samples together,
// never an average of the shards' percentiles.
//
// Rules (README "Sharded runs" documents them for users):
//   - the inputs must be of one scenario and target, with the same gates (name and expression,
//     and the same baseline value for baseline gates); "i/N" shards must share N and not repeat;
//   - counts add; latency histograms (and the schedule_lag histogram) merge; every statistic is
//     recomputed from the merged data; rate_per_s = merged count / duration_s;
//   - fleetsim.duration_s is the longest input's, started_at the earliest, shard "merged:K" (K
//     shards, counting a merged input's own), fleetsim.merged_from lists the inputs' shards;
//   - fleetsim.transport is kept when every input has the same; tls_verify is false if any
//     shard's was; fleet.sas_renewals add;
//   - fleet numbers add: devices, modules, sessions_failed, connects_per_s (the shards connect
//     concurrently) and sessions_connected_peak (the sum of the shards' peaks: an upper bound of
//     the fleet's simultaneous peak, exact when the shards peak together, as steady runs do);
//   - timelines merge point by point (the same interval_s required): counts and
//     sessions_connected add, interval histograms merge, p50/p99 recomputed;
//   - gates are evaluated again on the merged data; "passed" is recomputed; notes are kept,
//     prefixed with their shard; "interrupted" if any input was;
//   - fields this version does not interpret are kept: numbers under "fleet" and "errors" add,
//     other fields are copied when every input has the same value.
#pragma once

#include <optional>
#include <span>
#include <string>

#include <boost/json/object.hpp>

#include "metrics/report_read.hpp"

namespace fleetsim::metrics {

struct MergeInput {
  std::string label;  // for messages: the file name
  const ParsedReport* report = nullptr;
};

struct MergedReport {
  boost::json::object doc;  // the merged report document
  // What it was written from, for the summary table.
  RunInfo info;
  std::unique_ptr<Snapshot> snapshot;
  std::vector<GateResult> gates;
};

// The merged report, or nullopt with a message naming the disagreeing inputs.
std::optional<MergedReport> merge_reports(std::span<const MergeInput> inputs, std::string* error);

// Timelines merged by interval index (all of one interval_s; checked by the caller).
Timeline merge_timelines(std::span<const Timeline* const> timelines);

}  // namespace fleetsim::metrics
