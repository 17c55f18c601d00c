// Which shard of the fleet this process runs: --shard, else the environment of a Kubernetes
// Indexed Job, else the whole fleet. "replica/N" takes the index from a docker compose replica's
// DNS name, since compose gives its replicas no index of their own.
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "app/commands.hpp"

namespace fleetsim::app {
namespace {

std::optional<std::uint32_t> parse_u32(std::string_view text) {
  std::uint32_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

constexpr std::string_view kReplica = "replica/";

}  // namespace

std::optional<Shard> parse_shard(const std::string& text) {
  unsigned index = 0, count = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%u/%u%c", &index, &count, &tail) != 2) return std::nullopt;
  if (count == 0 || index >= count) return std::nullopt;
  return Shard{index, count};
}

std::optional<std::uint32_t> replica_index_from_dns_name(std::string_view name) {
  name = name.substr(0, name.find('.'));
  const std::size_t sep = name.find_last_of("-_");
  if (sep == std::string_view::npos) return std::nullopt;
  const auto number = parse_u32(name.substr(sep + 1));
  if (!number || *number == 0) return std::nullopt;
  return *number - 1;
}

namespace {

// The name Docker's embedded DNS gives this container's address: compose registers each replica
// as PROJECT-SERVICE-N (PROJECT_SERVICE_N before Compose v2). A blocking lookup, made once before
// the run starts.
std::optional<std::string> own_dns_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return std::nullopt;
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host, nullptr, &hints, &found) != 0 || found == nullptr) return std::nullopt;
  char name[NI_MAXHOST] = {};
  const int rc = getnameinfo(found->ai_addr, found->ai_addrlen, name, sizeof name, nullptr, 0, NI_NAMEREQD);
  freeaddrinfo(found);
  if (rc != 0) return std::nullopt;
  return std::string(name);
}

}  // namespace

ShardSources shard_sources_from_environment(const std::string& flag) {
  ShardSources s;
  s.flag = flag;
  const auto env = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  s.job_completion_index = env("JOB_COMPLETION_INDEX");
  s.fleetsim_shards = env("FLEETSIM_SHARDS");
  s.job_completions = env("JOB_COMPLETIONS");
  s.own_dns_name = own_dns_name;
  return s;
}

std::optional<Shard> resolve_shard(const ShardSources& sources, std::string* error) {
  const auto fail = [&](std::string message) -> std::optional<Shard> {
    if (error != nullptr) *error = std::move(message);
    return std::nullopt;
  };
  if (!sources.flag.empty()) {
    if (sources.flag.starts_with(kReplica)) {
      const auto count = parse_u32(std::string_view(sources.flag).substr(kReplica.size()));
      if (!count || *count == 0) return fail("--shard " + sources.flag + ": expected replica/N with N >= 1");
      const auto name = sources.own_dns_name ? sources.own_dns_name() : std::nullopt;
      if (!name) {
        return fail("--shard " + sources.flag +
                    ": cannot find this container's DNS name (replica/N works in docker compose replicas)");
      }
      const auto index = replica_index_from_dns_name(*name);
      if (!index) {
        return fail("--shard " + sources.flag + ": this container's DNS name '" + *name +
                    "' does not end in a replica number (compose names replicas PROJECT-SERVICE-N)");
      }
      if (*index >= *count) {
        return fail("--shard " + sources.flag + ": this is replica " + std::to_string(*index + 1) + " ('" +
                    *name + "') of only " + std::to_string(*count) + ": scale the service to N replicas");
      }
      return Shard{*index, *count};
    }
    if (auto shard = parse_shard(sources.flag)) return shard;
    return fail("--shard " + sources.flag + ": expected I/N with 0 <= I < N (for example 0/4) or replica/N");
  }
  if (sources.job_completion_index) {
    const auto index = parse_u32(*sources.job_completion_index);
    if (!index)
      return fail("JOB_COMPLETION_INDEX=" + *sources.job_completion_index + ": expected an integer");
    const std::optional<std::string>& n_text =
        sources.fleetsim_shards ? sources.fleetsim_shards : sources.job_completions;
    const char* n_name = sources.fleetsim_shards ? "FLEETSIM_SHARDS" : "JOB_COMPLETIONS";
    if (!n_text) {
      return fail(
          "JOB_COMPLETION_INDEX=" + *sources.job_completion_index +
          " needs the number of shards: set FLEETSIM_SHARDS (or JOB_COMPLETIONS) to the Job's completions");
    }
    const auto count = parse_u32(*n_text);
    if (!count || *count == 0)
      return fail(std::string(n_name) + "=" + *n_text + ": expected an integer >= 1");
    if (*index >= *count) {
      return fail("JOB_COMPLETION_INDEX=" + *sources.job_completion_index + " is not below " + n_name + "=" +
                  *n_text);
    }
    return Shard{*index, *count};
  }
  return Shard{0, 1};
}

}  // namespace fleetsim::app
