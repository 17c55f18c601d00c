// The run report: the JSON document of DESIGN.md "The report (JSON)" (a stable interface: add
// fields, never rename), and the console summary table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "metrics/gates.hpp"
#include "metrics/operations.hpp"

namespace fleetsim::metrics {

// An iothub target's registry work around the run (target.provision / target.cleanup).
struct Provisioning {
  std::uint64_t created = 0;    // identities (devices and modules) made before the run
  std::uint64_t existing = 0;   // identities found already registered (their keys were used)
  std::uint64_t deleted = 0;    // identities removed after the run (what provisioning created)
  std::uint64_t throttled = 0;  // registry requests answered 429 or 503 and retried
  double duration_s = 0;        // provisioning and cleanup together, wall time
};

struct RunInfo {
  std::string version = "0.1.0";
  std::string scenario;
  std::string target;
  std::string started_at;  // UTC ISO 8601, "2026-11-22T18:00:00Z"
  double duration_s = 0;   // measured wall time of the run
  std::string shard = "0/1";
  std::uint64_t devices = 0;
  std::uint64_t modules = 0;
  std::uint64_t sessions_connected_peak = 0;
  std::uint64_t sessions_failed = 0;
  double connects_per_s = 0;  // sessions / (first connect attempt .. last CONNACK)
  // target.transport ("mqtt-tls", ...); empty: not reported.
  std::string transport;
  // TLS transports: whether server certificates were verified (target.tls_verify).
  std::optional<bool> tls_verify;
  // SAS runs: reconnections that renewed a token before it expired.
  std::optional<std::uint64_t> sas_renewals;
  // target.kind = "iothub": the report's "provisioning" object.
  std::optional<Provisioning> provisioning;
  bool interrupted = false;        // stopped early (Ctrl-C)
  std::vector<std::string> notes;  // e.g. why the run is marked saturated
};

// The schedule_lag p99 above which the run is "saturated": the results describe the tool.
inline constexpr double kSaturatedLagP99Ms = 10.0;

// The report document. Latencies are ms rounded to the microsecond; "operations" lists each
// operation with count > 0 (one that only failed shows 0 latencies and an empty histogram);
// "errors" lists every ErrorKind, zeros included; fleet.sessions_failed is the larger of
// info.sessions_failed and snapshot.sessions_failed; health.notes appears when info.notes is not
// empty; "passed" is true when every gate passed (true with no gates); "interrupted": true is
// added when info.interrupted (the exit code, not "passed", accounts for the interruption).
// health.schedule_lag_histogram and each gate's "threshold" (and "baseline" for a baseline gate)
// let `report merge` recompute everything; the caller adds "timeline" (timeline_json).
boost::json::object build_report(const RunInfo& info, const Snapshot& snapshot,
                                 const std::vector<GateResult>& gates);

// Writes the document as compact JSON text with a trailing newline; returns false and fills
// `error` (strerror text) on I/O failure.
bool write_json_file(const std::string& path, const boost::json::object& doc, std::string* error);
// The same for any text (the JUnit and HTML reports).
bool write_text_file(const std::string& path, std::string_view text, std::string* error);

// The summary printed at the end of a run (plain text, fixed-width columns): one row per
// operation that occurred, then sessions, schedule lag (with a SATURATED warning), non-zero error
// counters, notes, each gate as PASS/FAIL with its measured value, and the verdict.
std::string format_summary(const RunInfo& info, const Snapshot& snapshot,
                           const std::vector<GateResult>& gates);

}  // namespace fleetsim::metrics
