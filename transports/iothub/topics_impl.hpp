// Template part of topics.hpp: the property-bag walker. Included by topics.hpp only.
#pragma once

#include <string>
#include <string_view>

namespace fleetsim::iothub {
namespace detail {

// True when every '%' is followed by two hex digits.
bool valid_percent_escapes(std::string_view text) noexcept;

// Yields `text` percent-decoded: the text itself when it has no escape (no copy), otherwise its
// decoding written into `scratch`. `text` must have valid escapes.
std::string_view percent_decoded(std::string_view text, std::string& scratch);

}  // namespace detail

template <class Fn>
bool for_each_property(std::string_view bag, Fn&& fn) {
  if (!bag.empty() && bag.front() == '?') bag.remove_prefix(1);
  // Validated up front so fn never sees half of a bag that turns out to be malformed.
  if (!detail::valid_percent_escapes(bag)) return false;
  std::string key_scratch;
  std::string value_scratch;
  while (!bag.empty()) {
    const std::size_t amp = bag.find('&');
    const std::string_view item = bag.substr(0, amp);
    bag = amp == std::string_view::npos ? std::string_view{} : bag.substr(amp + 1);
    if (item.empty()) continue;
    // Split at the first '=' only: values may contain '=' (base64, nested queries).
    const std::size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
    fn(detail::percent_decoded(key, key_scratch), detail::percent_decoded(value, value_scratch));
  }
  return true;
}

}  // namespace fleetsim::iothub
