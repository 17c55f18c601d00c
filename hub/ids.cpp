#include "hub/ids.hpp"

namespace fleetsim::hub {
namespace {

bool is_id_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '.':
    case '%':
    case '_':
    case '*':
    case '?':
    case '!':
    case '(':
    case ')':
    case ',':
    case ':':
    case '=':
    case '@':
    case '$':
    case '\'':
      return true;
    default:
      return false;
  }
}

}  // namespace

bool is_valid_device_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > max_id_length) return false;
  for (const char c : id) {
    if (!is_id_char(c)) return false;
  }
  return true;
}

bool is_valid_module_id(std::string_view id) noexcept {
  return is_valid_device_id(id) && id.front() != '$';
}

}  // namespace fleetsim::hub
