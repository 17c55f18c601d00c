// merge_reports: the rules of report_merge.hpp. The merged document is written by build_report
// from a merged Snapshot and RunInfo, so it has exactly the shape (and the rounding) of a report
// written by one process.
#include "metrics/report_merge.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include <boost/json/array.hpp>

namespace fleetsim::metrics {
namespace {

namespace json = boost::json;

std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out.push_back('\'');
  out.append(s);
  out.push_back('\'');
  return out;
}

struct ShardName {
  bool merged = false;
  std::uint64_t index = 0, count = 1;  // count: N of "i/N", or K of "merged:K"
};

std::optional<ShardName> parse_shard_name(const std::string& text) {
  unsigned long long a = 0, b = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "merged:%llu%c", &a, &tail) == 1 && a > 0) return ShardName{true, 0, a};
  if (std::sscanf(text.c_str(), "%llu/%llu%c", &a, &b, &tail) == 2 && a < b) return ShardName{false, a, b};
  return std::nullopt;
}

// Same scenario, target, gates and shard numbering; the first disagreement as a message.
bool check_compatible(std::span<const MergeInput> inputs, std::string* error, std::uint64_t& shards) {
  const MergeInput& first = inputs.front();
  std::set<std::uint64_t> indices;
  std::optional<std::uint64_t> n;
  shards = 0;
  for (const auto& in : inputs) {
    const ParsedReport& r = *in.report;
    const auto fail = [&](const std::string& what) {
      *error = in.label + ": " + what;
      return false;
    };
    if (r.info.scenario != first.report->info.scenario) {
      return fail("scenario " + quoted(r.info.scenario) + ", but " + first.label + " is scenario " +
                  quoted(first.report->info.scenario));
    }
    if (r.info.target != first.report->info.target) {
      return fail("target " + quoted(r.info.target) + ", but " + first.label + " has target " +
                  quoted(first.report->info.target));
    }
    const auto shard = parse_shard_name(r.info.shard);
    if (!shard) return fail("fleetsim.shard " + quoted(r.info.shard) + ": expected I/N or merged:K");
    if (shard->merged) {
      shards += shard->count;
    } else {
      if (n && *n != shard->count) {
        return fail("shard " + r.info.shard + " is one of " + std::to_string(shard->count) +
                    ", the others of " + std::to_string(*n));
      }
      n = shard->count;
      if (!indices.insert(shard->index).second) return fail("shard " + r.info.shard + " appears twice");
      shards += 1;
    }
    const auto& g = r.gates;
    const auto& g0 = first.report->gates;
    bool same = g.size() == g0.size();
    for (std::size_t i = 0; same && i < g.size(); ++i) {
      same = g[i].name == g0[i].name && g[i].expr == g0[i].expr && g[i].baseline == g0[i].baseline;
    }
    if (!same) return fail("its gates (or their baselines) differ from " + first.label + "'s");
  }
  return true;
}

void add(Snapshot& to, const Snapshot& from, bool with_schedule_lag) {
  for (std::size_t i = 0; i < kOpCount; ++i) {
    to.ops[i].ok += from.ops[i].ok;
    to.ops[i].errors += from.ops[i].errors;
    to.ops[i].timeouts += from.ops[i].timeouts;
    to.ops[i].throttled += from.ops[i].throttled;
    to.ops[i].latency.merge(from.ops[i].latency);
  }
  for (std::size_t i = 0; i < kErrorKindCount; ++i) to.errors[i] += from.errors[i];
  if (with_schedule_lag) to.schedule_lag.merge(from.schedule_lag);
  to.sessions_failed += from.sessions_failed;
}

RunInfo merged_info(std::span<const MergeInput> inputs, std::uint64_t shards) {
  RunInfo info;  // version: this program's
  const RunInfo& first = inputs.front().report->info;
  info.scenario = first.scenario;
  info.target = first.target;
  info.started_at = first.started_at;
  info.shard = "merged:" + std::to_string(shards);
  info.transport = first.transport;
  std::set<std::string> seen_notes;
  for (const auto& in : inputs) {
    const RunInfo& r = in.report->info;
    // ISO 8601 UTC timestamps of one format order as strings.
    if (r.started_at < info.started_at) info.started_at = r.started_at;
    info.duration_s = std::max(info.duration_s, r.duration_s);
    info.devices += r.devices;
    info.modules += r.modules;
    info.sessions_connected_peak += r.sessions_connected_peak;
    info.sessions_failed += r.sessions_failed;
    info.connects_per_s += r.connects_per_s;
    info.interrupted = info.interrupted || r.interrupted;
    if (r.transport != info.transport) info.transport.clear();  // disagreeing: not reported
    // Verified only if every shard verified; renewals add.
    if (r.tls_verify) info.tls_verify = info.tls_verify.value_or(true) && *r.tls_verify;
    if (r.sas_renewals) info.sas_renewals = info.sas_renewals.value_or(0) + *r.sas_renewals;
    if (r.provisioning) {
      // Each shard provisions its own identities, at the same time as the others.
      Provisioning& p = info.provisioning ? *info.provisioning : info.provisioning.emplace();
      p.created += r.provisioning->created;
      p.existing += r.provisioning->existing;
      p.deleted += r.provisioning->deleted;
      p.throttled += r.provisioning->throttled;
      p.duration_s = std::max(p.duration_s, r.provisioning->duration_s);
    }
    for (const auto& note : r.notes) {
      std::string n = note.starts_with("shard ") ? note : "shard " + r.shard + ": " + note;
      if (seen_notes.insert(n).second) info.notes.push_back(std::move(n));
    }
  }
  return info;
}

// The object under `key` of a document ("" for the document itself), or null.
const json::object* member_object(const json::object& doc, std::string_view key) {
  if (key.empty()) return &doc;
  const json::value* v = doc.if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}

// Fields of the `key` objects that build_report did not write (added by other features or newer
// versions): numbers add when `sum_numbers`, other values are copied when every input has the
// same one.
void keep_unknown_fields(json::object& out, std::span<const MergeInput> inputs, std::string_view key,
                         bool sum_numbers) {
  json::object* target = key.empty() ? &out : out.if_contains(key) ? out[key].if_object() : nullptr;
  if (target == nullptr) return;
  std::set<std::string> handled;
  for (const auto& [name, value] : *target) handled.emplace(name);
  for (const auto& in : inputs) {
    const json::object* source = member_object(in.report->doc, key);
    if (source == nullptr) continue;
    for (const auto& [name, value] : *source) {
      if (!handled.emplace(name).second) continue;
      bool numbers = true, integers = true, all_equal = true;
      double sum = 0;
      std::uint64_t integer_sum = 0;
      for (const auto& other : inputs) {
        const json::object* o = member_object(other.report->doc, key);
        const json::value* v = o != nullptr ? o->if_contains(name) : nullptr;
        if (v == nullptr) {
          all_equal = false;
          continue;
        }
        all_equal = all_equal && *v == value;
        numbers = numbers && v->is_number();
        integers = integers && (v->is_uint64() || (v->is_int64() && v->get_int64() >= 0));
        if (v->is_number()) sum += v->to_number<double>();
        if (integers)
          integer_sum += v->is_uint64() ? v->get_uint64() : static_cast<std::uint64_t>(v->get_int64());
      }
      if (sum_numbers && numbers) {
        (*target)[name] = integers ? json::value(integer_sum) : json::value(sum);
      } else if (all_equal) {
        (*target)[name] = value;
      }
    }
  }
}

}  // namespace

Timeline merge_timelines(std::span<const Timeline* const> timelines) {
  Timeline out;
  if (timelines.empty()) return out;
  out.interval_s = timelines.front()->interval_s;
  const auto index_of = [&](const TimelinePoint& p) { return std::llround(p.t_s / out.interval_s); };
  std::vector<long long> indices;
  for (const auto* t : timelines) {
    for (const auto& p : t->points) indices.push_back(index_of(p));
  }
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());

  // One point at a time, so memory stays one histogram per operation however long the run.
  std::vector<std::size_t> next(timelines.size(), 0);
  auto histograms = std::make_unique<std::array<Histogram, kOpCount>>();
  for (const long long index : indices) {
    TimelinePoint point;
    point.t_s = static_cast<double>(index) * out.interval_s;
    std::array<TimelineOperation, kOpCount> ops{};
    for (auto& h : *histograms) h.reset();
    for (std::size_t k = 0; k < timelines.size(); ++k) {
      const auto& points = timelines[k]->points;
      while (next[k] < points.size() && index_of(points[next[k]]) < index) ++next[k];
      if (next[k] == points.size() || index_of(points[next[k]]) != index) continue;
      const TimelinePoint& p = points[next[k]++];
      point.sessions_connected += p.sessions_connected;
      for (const auto& op : p.operations) {
        const auto i = static_cast<std::size_t>(op.op);
        ops[i].ok += op.ok;
        ops[i].errors += op.errors;
        ops[i].timeouts += op.timeouts;
        ops[i].throttled += op.throttled;
        if (const auto h = Histogram::decode(op.histogram)) (*histograms)[i].merge(*h);
      }
    }
    for (std::size_t i = 0; i < kOpCount; ++i) {
      if (ops[i].count() == 0) continue;
      ops[i].op = static_cast<Op>(i);
      const LatencyStatsMs s = latency_stats_ms((*histograms)[i]);
      ops[i].p50_ms = s.p50;
      ops[i].p99_ms = s.p99;
      ops[i].histogram = (*histograms)[i].encode();
      point.operations.push_back(std::move(ops[i]));
    }
    out.points.push_back(std::move(point));
  }
  return out;
}

std::optional<MergedReport> merge_reports(std::span<const MergeInput> inputs, std::string* error) {
  const auto fail = [&](std::string message) -> std::optional<MergedReport> {
    if (error != nullptr) *error = std::move(message);
    return std::nullopt;
  };
  if (inputs.empty()) return fail("no reports to merge");
  std::string e;
  std::uint64_t shards = 0;
  if (!check_compatible(inputs, &e, shards)) return fail(std::move(e));

  // Timelines merge only if every input has one, all of one interval.
  std::vector<const Timeline*> timelines;
  const MergeInput* first_timeline = nullptr;
  for (const auto& in : inputs) {
    if (!in.report->timeline) continue;
    if (first_timeline == nullptr) first_timeline = &in;
    if (in.report->timeline->interval_s != first_timeline->report->timeline->interval_s) {
      return fail(in.label + ": timeline.interval_s differs from " + first_timeline->label + "'s");
    }
    timelines.push_back(&*in.report->timeline);
  }
  const bool all_timelines = timelines.size() == inputs.size();

  const bool all_lag_histograms = std::all_of(inputs.begin(), inputs.end(), [](const MergeInput& in) {
    return in.report->has_schedule_lag_histogram;
  });
  auto snapshot = std::make_unique<Snapshot>();
  for (const auto& in : inputs) add(*snapshot, *in.report->snapshot, all_lag_histograms);
  RunInfo info = merged_info(inputs, shards);
  if (!all_lag_histograms) {
    info.notes.push_back(
        "schedule_lag is the largest of the shards' values: an input has no schedule_lag histogram");
  }
  if (!timelines.empty() && !all_timelines) info.notes.push_back("no timeline: some inputs have none");

  const auto gates = evaluate_gates(inputs.front().report->gates, *snapshot, info.duration_s);
  json::object doc = build_report(info, *snapshot, gates);

  if (!all_lag_histograms) {
    LatencyStatsMs lag;
    for (const auto& in : inputs) {
      lag.p50 = std::max(lag.p50, in.report->schedule_lag_ms.p50);
      lag.p99 = std::max(lag.p99, in.report->schedule_lag_ms.p99);
      lag.max = std::max(lag.max, in.report->schedule_lag_ms.max);
    }
    json::object& health = doc["health"].as_object();
    health["schedule_lag_ms"] = {{"p50", lag.p50}, {"p99", lag.p99}, {"max", lag.max}};
    health["saturated"] = lag.p99 > kSaturatedLagP99Ms;
    health.erase("schedule_lag_histogram");
  }
  json::array merged_from;
  for (const auto& in : inputs) merged_from.emplace_back(in.report->info.shard);
  doc["fleetsim"].as_object()["merged_from"] = std::move(merged_from);
  if (all_timelines) doc["timeline"] = timeline_json(merge_timelines(timelines));

  keep_unknown_fields(doc, inputs, "fleetsim", false);
  keep_unknown_fields(doc, inputs, "fleet", true);
  keep_unknown_fields(doc, inputs, "errors", true);
  keep_unknown_fields(doc, inputs, "", false);
  return MergedReport{std::move(doc), std::move(info), std::move(snapshot), gates};
}

}  // namespace fleetsim::metrics
