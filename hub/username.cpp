#include "hub/username.hpp"

namespace fleetsim::hub {
namespace {

std::string_view without_port(std::string_view host) noexcept {
  const auto colon = host.find(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

std::optional<Username> parse_username(std::string_view username) noexcept {
  Username parts;
  std::string_view path = username;
  if (const auto q = username.find('?'); q != std::string_view::npos) {
    path = username.substr(0, q);
    parts.query = username.substr(q + 1);
  }
  if (path.empty() || path.back() != '/') return std::nullopt;
  path.remove_suffix(1);

  std::string_view segments[3];
  std::size_t count = 0;
  while (true) {
    const auto slash = path.find('/');
    if (count == 3) return std::nullopt;
    segments[count++] = path.substr(0, slash);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  if (count < 2) return std::nullopt;
  for (std::size_t i = 0; i < count; ++i) {
    if (segments[i].empty()) return std::nullopt;
  }
  parts.host = segments[0];
  parts.device_id = segments[1];
  if (count == 3) parts.module_id = segments[2];
  return parts;
}

bool names_client_id(const Username& username, std::string_view client_id) noexcept {
  if (username.module_id.empty()) return client_id == username.device_id;
  const std::size_t d = username.device_id.size();
  return client_id.size() == d + 1 + username.module_id.size() &&
         client_id.substr(0, d) == username.device_id && client_id[d] == '/' &&
         client_id.substr(d + 1) == username.module_id;
}

bool host_matches(std::string_view configured, std::string_view given) noexcept {
  configured = without_port(configured);
  given = without_port(given);
  if (configured.size() != given.size()) return false;
  for (std::size_t i = 0; i < given.size(); ++i) {
    if (lower(configured[i]) != lower(given[i])) return false;
  }
  return true;
}

}  // namespace fleetsim::hub
