// The subcommands of the fleetsim executable. Each returns the process exit code of DESIGN.md:
// 0 completed and every gate held, 1 a gate failed (or the run was interrupted), 2 usage,
// scenario or configuration error, 3 the run could not reach its target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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
  std::string shard = "0/1";
  std::size_t threads = 0;  // 0: one per core
  double status_interval_s = 5;
  bool quiet = false;
};

int run_command(const RunArgs& args);
int validate_command(const std::string& scenario_path, const std::vector<std::string>& sets);

struct Shard {
  std::uint32_t index = 0;
  std::uint32_t count = 1;
};
// "I/N" with 0 <= I < N; nullopt when malformed.
std::optional<Shard> parse_shard(const std::string& text);

}  // namespace fleetsim::app
