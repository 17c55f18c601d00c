#include <cstdio>

#include "app/commands.hpp"

namespace fleetsim::app {

std::optional<Shard> parse_shard(const std::string& text) {
  unsigned index = 0, count = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%u/%u%c", &index, &count, &tail) != 2) return std::nullopt;
  if (count == 0 || index >= count) return std::nullopt;
  return Shard{index, count};
}

}  // namespace fleetsim::app
