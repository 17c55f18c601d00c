// The subcommands of the fleetsim executable. Each returns the process exit code of DESIGN.md:
// 0 completed and every gate held, 1 a gate failed (or the run was interrupted), 2 usage,
// scenario or configuration error, 3 the run could not reach its target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitGateFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

struct RunArgs {
  std::string scenario_path;
  std::vector<std::string> sets;  // KEY=VALUE
  std::string report_path;
  std::string shard;  // empty: from the environment, else 0/1 (resolve_shard)
  std::size_t threads = 0;  // 0: one per core
  double status_interval_s = 5;
  bool quiet = false;
  std::uint16_t metrics_port = 0;  // 0: no /metrics
  std::string metrics_address = "0.0.0.0";
  double metrics_linger_s = 0;  // keep /metrics up this long after the run
  std::string junit_path, html_path;
  std::string baseline_path;  // a report that baseline gates compare with
  double timeline_interval_s = 1;
};

int run_command(const RunArgs& args);

struct ReportMergeArgs {
  std::vector<std::string> inputs;  // shard reports
  std::string output;               // -o
  std::string junit_path, html_path;
  bool quiet = false;
};
int report_merge_command(const ReportMergeArgs& args);

struct ReportCompareArgs {
  std::string baseline, candidate;
  std::string max_regression = "10%";
  std::string min_delta = "0ms";
  std::string stats;  // comma-separated; empty: p50,p90,p99,p999
};
int report_compare_command(const ReportCompareArgs& args);
int validate_command(const std::string& scenario_path, const std::vector<std::string>& sets);

// `fleetsim hub`: the hub as a standalone process until SIGINT or SIGTERM (then exit 0).
struct HubArgs {
  std::string config_file;  // --config HUB.toml; empty: none
  // The flags as given; unset ones come from the config file, else from their defaults
  // (app/hub_config.hpp lists both). Ports: a number (0: a free port), or "off"; --http-port's 0
  // is off too.
  std::optional<std::string> mqtt_port, mqtts_port, https_port, http_port;
  std::optional<std::string> bind, host_name;
  std::optional<std::string> cert_file, key_file;  // both or neither: the hub's own certificate from data_dir
  std::optional<std::string> data_dir;
  std::optional<std::string> tier, units;   // throttles of a pricing tier: F1 B1 B2 B3 S1 S2 S3, units >= 1
  std::optional<std::string> metrics_port;  // 0: no /metrics
  std::optional<std::string> metrics_address;  // default: the --bind address
};
int hub_command(const HubArgs& args);

struct Shard {
  std::uint32_t index = 0;
  std::uint32_t count = 1;
};
// "I/N" with 0 <= I < N; nullopt when malformed.
std::optional<Shard> parse_shard(const std::string& text);

// Where a run's shard comes from (app/shard.cpp), in order: --shard I/N or replica/N (the index
// from this docker compose replica's DNS name, PROJECT-SERVICE-N -> N-1); else the Kubernetes
// Indexed Job's JOB_COMPLETION_INDEX with N from FLEETSIM_SHARDS or JOB_COMPLETIONS; else 0/1.
struct ShardSources {
  std::string flag;  // --shard, empty when absent
  std::optional<std::string> job_completion_index, fleetsim_shards, job_completions;
  std::optional<std::string> (*own_dns_name)() = nullptr;
};
ShardSources shard_sources_from_environment(const std::string& flag);
// nullopt with the reason in `error` (a usage error, exit code 2).
std::optional<Shard> resolve_shard(const ShardSources& sources, std::string* error);
// "fleetsim-sim-3.fleetsim_default" -> 2; nullopt without a trailing -N or _N (N >= 1).
std::optional<std::uint32_t> replica_index_from_dns_name(std::string_view name);

}  // namespace fleetsim::app
