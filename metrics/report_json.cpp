// build_report / write_json_file: the JSON report of DESIGN.md. Tools, CI scripts and
// `report merge` read it, so keys are only ever added, never renamed; objects keep the schema's
// key order so the file reads like the documentation.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <boost/json/array.hpp>

#include "metrics/json_text.hpp"
#include "metrics/report.hpp"
#include "metrics/report_units.hpp"

namespace fleetsim::metrics {
namespace {

boost::json::object latency_object(const LatencyStatsMs& s) {
  return {{"mean", s.mean}, {"p50", s.p50}, {"p90", s.p90}, {"p99", s.p99}, {"p999", s.p999}, {"max", s.max}};
}

boost::json::object operation_object(const Snapshot::PerOp& op, double duration_s) {
  // An operation that only failed has no latency samples: its statistics are 0, and its
  // (empty) histogram says why.
  return {{"count", op.count()},
          {"ok", op.ok},
          {"errors", op.errors},
          {"timeouts", op.timeouts},
          {"throttled", op.throttled},
          {"rate_per_s", rate_per_s(op.count(), duration_s)},
          {"latency_ms", latency_object(latency_stats_ms(op.latency))},
          {"histogram", op.latency.encode()}};
}

boost::json::object health_object(const RunInfo& info, const Snapshot& snapshot) {
  const LatencyStatsMs lag = latency_stats_ms(snapshot.schedule_lag);
  boost::json::object health{{"schedule_lag_ms", {{"p50", lag.p50}, {"p99", lag.p99}, {"max", lag.max}}},
                             {"saturated", lag.p99 > kSaturatedLagP99Ms},
                             {"schedule_lag_histogram", snapshot.schedule_lag.encode()}};
  if (!info.notes.empty()) {
    boost::json::array notes;
    for (const auto& n : info.notes) notes.emplace_back(n);
    health["notes"] = std::move(notes);
  }
  return health;
}

boost::json::array gates_array(const std::vector<GateResult>& gates) {
  boost::json::array out;
  for (const auto& g : gates) {
    boost::json::object o{{"name", g.name}, {"expr", g.expr}, {"value", g.value}, {"passed", g.passed}};
    if (!g.error.empty()) o["error"] = g.error;
    // What the value was compared with, and for a baseline gate the baseline itself, so that
    // `report merge` re-evaluates it with the same number.
    if (g.error.empty()) o["threshold"] = g.threshold;
    if (g.baseline) o["baseline"] = *g.baseline;
    out.emplace_back(std::move(o));
  }
  return out;
}

}  // namespace

boost::json::object build_report(const RunInfo& info, const Snapshot& snapshot,
                                 const std::vector<GateResult>& gates) {
  boost::json::object doc;
  doc["fleetsim"] = {{"version", info.version},       {"scenario", info.scenario},
                     {"target", info.target},         {"started_at", info.started_at},
                     {"duration_s", info.duration_s}, {"shard", info.shard}};
  if (!info.transport.empty()) doc["fleetsim"].as_object()["transport"] = info.transport;
  if (info.tls_verify) doc["fleetsim"].as_object()["tls_verify"] = *info.tls_verify;
  // The fleet's own tally and the metrics counter may each be the one a caller filled; the
  // larger is the one that saw every failure.
  doc["fleet"] = {{"devices", info.devices},
                  {"modules", info.modules},
                  {"sessions_connected_peak", info.sessions_connected_peak},
                  {"sessions_failed", std::max(info.sessions_failed, snapshot.sessions_failed)},
                  {"connects_per_s", round_3_decimals(info.connects_per_s)}};
  if (info.sas_renewals) doc["fleet"].as_object()["sas_renewals"] = *info.sas_renewals;
  if (const auto& p = info.provisioning) {
    doc["provisioning"] = {{"created", p->created},
                           {"existing", p->existing},
                           {"deleted", p->deleted},
                           {"throttled", p->throttled},
                           {"duration_s", round_3_decimals(p->duration_s)}};
  }

  boost::json::object operations;
  for (std::size_t i = 0; i < kOpCount; ++i) {
    const auto& op = snapshot.ops[i];
    if (op.count() > 0) operations[op_name(static_cast<Op>(i))] = operation_object(op, info.duration_s);
  }
  doc["operations"] = std::move(operations);

  boost::json::object errors;
  for (std::size_t i = 0; i < kErrorKindCount; ++i) {
    errors[error_kind_name(static_cast<ErrorKind>(i))] = snapshot.errors[i];
  }
  doc["errors"] = std::move(errors);
  doc["health"] = health_object(info, snapshot);
  doc["gates"] = gates_array(gates);
  // An interrupted run did not complete, so it cannot pass whatever its gates say.
  doc["passed"] = !info.interrupted &&
                  std::all_of(gates.begin(), gates.end(), [](const GateResult& g) { return g.passed; });
  if (info.interrupted) doc["interrupted"] = true;
  return doc;
}

bool write_json_file(const std::string& path, const boost::json::object& doc, std::string* error) {
  return write_text_file(path, to_json_text(doc), error);
}

bool write_text_file(const std::string& path, std::string_view text, std::string* error) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    if (error != nullptr) *error = std::strerror(errno);
    return false;
  }
  const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  const int saved_errno = errno;
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) {
    if (error != nullptr) *error = std::strerror(written ? errno : saved_errno);
    return false;
  }
  return true;
}

}  // namespace fleetsim::metrics
