#include "sim/scenario_names.hpp"

#include <charconv>
#include <string>

#include "sim/scenario.hpp"

namespace fleetsim::sim {
namespace detail {
namespace {

bool is_letter(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

constexpr std::string_view kIndex = "{index";

}  // namespace

bool is_id_char(char c) noexcept {
  return is_letter(c) || is_digit(c) || std::string_view("-.%_*?!(),:=@$'").find(c) != std::string_view::npos;
}

std::optional<IdPattern> parse_id_pattern(std::string_view pattern) noexcept {
  const auto start = pattern.find(kIndex);
  if (start == std::string_view::npos) return std::nullopt;
  const auto close = pattern.find('}', start);
  if (close == std::string_view::npos) return std::nullopt;
  const std::string_view spec = pattern.substr(start + kIndex.size(), close - start - kIndex.size());
  IdPattern out{pattern.substr(0, start), pattern.substr(close + 1), 0};
  if (!spec.empty()) {
    // ":0N": zero padding to N digits.
    if (spec.size() < 3 || spec[0] != ':' || spec[1] != '0') return std::nullopt;
    const auto digits = spec.substr(2);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out.width);
    if (ec != std::errc{} || end != digits.data() + digits.size() || out.width < 1 || out.width > 20) {
      return std::nullopt;
    }
  }
  if (out.suffix.find(kIndex) != std::string_view::npos) return std::nullopt;
  return out;
}

bool is_value_name(std::string_view name) noexcept {
  if (name.empty() || !(is_letter(name[0]) || name[0] == '_')) return false;
  for (const char c : name) {
    if (!(is_letter(c) || is_digit(c) || c == '_')) return false;
  }
  return true;
}

std::vector<TemplatePiece> split_template(std::string_view text) {
  std::vector<TemplatePiece> pieces;
  std::size_t literal_start = 0;
  std::size_t at = 0;
  while ((at = text.find('{', at)) != std::string_view::npos) {
    const auto close = text.find('}', at + 1);
    if (close == std::string_view::npos) break;
    const auto name = text.substr(at + 1, close - at - 1);
    if (!is_value_name(name)) {
      ++at;
      continue;
    }
    if (at > literal_start) pieces.push_back({text.substr(literal_start, at - literal_start), false});
    pieces.push_back({name, true});
    at = literal_start = close + 1;
  }
  if (literal_start < text.size()) pieces.push_back({text.substr(literal_start), false});
  return pieces;
}

}  // namespace detail

void append_device_id(std::string& out, std::string_view id_pattern, std::uint64_t index) {
  // Validation refuses a pattern without {index}; one that skipped it gets the index appended.
  const auto pattern = detail::parse_id_pattern(id_pattern).value_or(detail::IdPattern{id_pattern, {}, 0});
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, index).ptr;
  const auto length = static_cast<std::size_t>(end - digits);
  out.append(pattern.prefix);
  if (pattern.width > length) out.append(pattern.width - length, '0');
  out.append(digits, length);
  out.append(pattern.suffix);
}

}  // namespace fleetsim::sim
