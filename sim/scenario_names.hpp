// The shapes of names a scenario writes: device-id patterns, module ids, value names and payload
// templates. Shared by validation (which reports what is wrong) and by the functions that expand
// them at run time. Internal to the scenario loader.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace fleetsim::sim::detail {

// Device and module ids (reference 1.1): ASCII letters, digits and - . % _ * ? ! ( ) , : = @ $ '
bool is_id_char(char c) noexcept;
inline constexpr std::size_t kMaxIdLength = 128;

// "dev-{index:05}" -> prefix "dev-", width 5, suffix "". nullopt unless there is exactly one
// "{index}" or "{index:0N}" (N from 1 to 20).
struct IdPattern {
  std::string_view prefix;
  std::string_view suffix;
  unsigned width = 0;  // 0: no padding
};
std::optional<IdPattern> parse_id_pattern(std::string_view pattern) noexcept;

// [[values]] names, which payload placeholders refer to: a letter or '_', then letters, digits, '_'.
bool is_value_name(std::string_view name) noexcept;

// A payload template cut at its placeholders: `{NAME}` with NAME a value name is a placeholder;
// any other brace is literal text, so JSON templates need no escaping ('{"t": {temp}}').
struct TemplatePiece {
  std::string_view text;  // the literal text, or the placeholder's NAME
  bool placeholder = false;
};
std::vector<TemplatePiece> split_template(std::string_view text);

}  // namespace fleetsim::sim::detail
