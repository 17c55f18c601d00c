// "Did you mean" for misspelt keys and names. Internal to the scenario loader.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace fleetsim::sim::detail {

// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), ignoring ASCII
// case: "intervall" -> "interval" is 1, "qso" -> "qos" is 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a plausible typo: at most 2 edits,
// and fewer edits than half the longer word (so "x" suggests nothing rather than "on").
template <class Range, class Name>
std::optional<std::string_view> closest(std::string_view word, const Range& candidates, Name name) {
  std::optional<std::string_view> best;
  std::size_t best_distance = 3;
  for (const auto& candidate : candidates) {
    const std::string_view text = name(candidate);
    const std::size_t d = edit_distance(word, text);
    const std::size_t longer = word.size() > text.size() ? word.size() : text.size();
    if (d < best_distance && 2 * d < longer) {
      best = text;
      best_distance = d;
    }
  }
  return best;
}

inline std::optional<std::string_view> closest(std::string_view word,
                                               std::span<const std::string_view> candidates) {
  return closest(word, candidates, [](std::string_view s) { return s; });
}

}  // namespace fleetsim::sim::detail
