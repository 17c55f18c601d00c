// Checks of twin operations against the rules of reference 4.2 and the limits of 5.3, and the
// section size as 4.2 counts it. Internal to fleetsim::twin: Document and validate() use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "twin/document.hpp"

namespace fleetsim::twin::detail {

enum class Mode { patch, replace };

// "tags", "desired" or "reported": the first element of every path in a refusal message.
std::string_view section_name(Section section) noexcept;

// Size of a stored value as reference 4.2 counts it: strings by UTF-8 length without control
// characters, numbers 8, booleans 4, objects and arrays the sum of their parts (keys included),
// null 0 (hub choice).
std::size_t value_size(const boost::json::value& value) noexcept;

// Validates `operation` for `section` and computes by how much it changes the section's size.
// `existing` is the section the patch will merge into, or nullptr to count the operation's own
// content (a replacement, or a patch judged on its own). A refusal is 400 / 400004 with a
// message naming the offending path and the rule; on refusal `size_delta` is meaningless.
Result check_operation(Section section, const boost::json::value& operation,
                       const boost::json::object* existing, Mode mode, const Limits& limits,
                       std::int64_t& size_delta);

// Refuses a section whose size (reference 4.2) would exceed its limit.
Result check_section_size(Section section, std::int64_t size, const Limits& limits);

}  // namespace fleetsim::twin::detail
