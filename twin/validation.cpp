#include "twin/validation.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <utility>

namespace fleetsim::twin {
namespace detail {
namespace {

namespace json = boost::json;

// Reference 4.2: integers within +-2^52, the range a double holds exactly.
constexpr std::int64_t min_integer = -4503599627370496;
constexpr std::int64_t max_integer = 4503599627370495;

// Long or odd keys are cut in messages so a refusal of a 1 KB key stays readable.
constexpr std::size_t max_key_shown = 64;

constexpr int argument_invalid_status = 400;
constexpr int argument_invalid_code = 400004;

// A refused operation: where (dotted path below the section, "[i]" for array elements) and
// which rule. Built only on refusal, so the accepting path allocates nothing.
struct Violation {
  std::string path;
  std::string rule;
};
using Outcome = std::optional<Violation>;

// Length in bytes of the Unicode control character (category Cc: U+0000-U+001F, U+007F-U+009F)
// starting at text[i], or 0 if there is none.
std::size_t control_length(std::string_view text, std::size_t i) noexcept {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c < 0x20 || c == 0x7F) return 1;
  // C1 controls are U+0080-U+009F, encoded 0xC2 0x80-0x9F in UTF-8.
  if (c == 0xC2 && i + 1 < text.size()) {
    const auto next = static_cast<unsigned char>(text[i + 1]);
    if (next >= 0x80 && next <= 0x9F) return 2;
  }
  return 0;
}

// Reference 4.2: keys and strings count by UTF-8 length without control characters.
std::size_t text_size(std::string_view text) noexcept {
  std::size_t size = text.size();
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::size_t control = control_length(text, i);
    size -= control;
    if (control == 2) ++i;
  }
  return size;
}

// A key as shown in a message: cut at a UTF-8 character boundary.
std::string shown_key(std::string_view key) {
  if (key.size() <= max_key_shown) return std::string(key);
  std::size_t cut = max_key_shown;
  while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) --cut;
  return std::string(key.substr(0, cut)) + "...";
}

void prepend(Violation& violation, std::string step) {
  if (!violation.path.empty() && violation.path.front() != '[') step += '.';
  violation.path.insert(0, step);
}

class Checker {
 public:
  Checker(const Limits& limits, Mode mode) : limits_(limits), mode_(mode) {}

  // Checks the members of a patch object (or of a replacement) merging into `existing`
  // (nullptr: nothing there yet) at `depth` containers below the section root, adding the size
  // change of the merge to size_delta_.
  Outcome members(const json::object* existing, const json::object& patch, int depth) {
    for (const json::key_value_pair& member : patch) {
      const std::string_view key = member.key();
      if (Outcome bad = check_key(key)) return bad;
      const json::value* old = existing != nullptr ? existing->if_contains(key) : nullptr;
      const auto key_bytes = static_cast<std::int64_t>(text_size(key));
      // What the member costs now; computed only where the member goes away or is replaced, so
      // merging into a large object does not walk it.
      const auto removed_bytes = [&] {
        return old != nullptr ? key_bytes + static_cast<std::int64_t>(value_size(*old)) : 0;
      };
      const json::value& value = member.value();
      Outcome bad;
      if (value.is_null()) {
        if (mode_ == Mode::replace) {
          bad = Violation{{}, "null is allowed only in a patch, where it removes the property"};
        } else {
          size_delta_ -= removed_bytes();
        }
      } else if (value.is_object()) {
        bad = check_depth(depth + 1);
        if (!bad && old != nullptr && old->is_object()) {
          // Objects merge: the key stays, only the members change.
          bad = members(&old->get_object(), value.get_object(), depth + 1);
        } else if (!bad) {
          size_delta_ += key_bytes - removed_bytes();
          bad = members(nullptr, value.get_object(), depth + 1);
        }
      } else {
        std::size_t value_bytes = 0;
        bad = stored_value(value, depth + 1, value_bytes);
        size_delta_ += key_bytes + static_cast<std::int64_t>(value_bytes) - removed_bytes();
      }
      if (bad) {
        prepend(*bad, shown_key(key));
        return bad;
      }
    }
    return std::nullopt;
  }

  std::int64_t size_delta() const noexcept { return size_delta_; }

 private:
  // A key's violation names the key itself as the last step of the path.
  Outcome check_key(std::string_view key) const {
    std::string rule;
    if (key.empty()) {
      rule = "property names must not be empty";
    } else if (key.size() > limits_.max_key_bytes) {
      rule = "property name is " + std::to_string(key.size()) + " bytes, more than the limit of " +
             std::to_string(limits_.max_key_bytes);
    } else if (key.front() == '$') {
      rule = "names starting with '$' are read-only";
    } else {
      for (std::size_t i = 0; i < key.size() && rule.empty(); ++i) {
        if (key[i] == '.') rule = "property names must not contain '.'";
        if (key[i] == '$') rule = "property names must not contain '$'";
        if (key[i] == ' ') rule = "property names must not contain spaces";
        if (control_length(key, i) != 0) rule = "property names must not contain control characters";
      }
    }
    if (rule.empty()) return std::nullopt;
    return Violation{shown_key(key), std::move(rule)};
  }

  // `depth`: how many containers (objects and arrays) below the section root the value is.
  // Arrays count as levels too, which also bounds the recursion on hostile input.
  Outcome check_depth(int depth) const {
    if (depth <= limits_.max_depth) return std::nullopt;
    return Violation{{},
                     "nesting is deeper than the limit of " + std::to_string(limits_.max_depth) + " levels"};
  }

  // A value that will be stored as it is (a leaf, an array and everything inside it, an object
  // inside an array): no nulls, since nothing there can be removed.
  Outcome stored_value(const json::value& value, int depth, std::size_t& size) {
    switch (value.kind()) {
      case json::kind::null:
        return Violation{{}, "null is allowed only as a property value in a patch"};
      case json::kind::bool_:
        size = 4;
        return std::nullopt;
      case json::kind::int64:
        size = 8;
        return check_integer(value.get_int64() >= min_integer && value.get_int64() <= max_integer,
                             std::to_string(value.get_int64()));
      case json::kind::uint64:
        size = 8;
        return check_integer(value.get_uint64() <= static_cast<std::uint64_t>(max_integer),
                             std::to_string(value.get_uint64()));
      case json::kind::double_:
        size = 8;
        if (std::isfinite(value.get_double())) return std::nullopt;
        return Violation{{}, "numbers must be finite"};
      case json::kind::string: {
        const json::string& text = value.get_string();
        if (text.size() > limits_.max_string_bytes) {
          return Violation{{},
                           "string is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                               std::to_string(limits_.max_string_bytes)};
        }
        size = text_size(text);
        return std::nullopt;
      }
      case json::kind::array:
        return stored_array(value.get_array(), depth, size);
      case json::kind::object:
        return stored_object(value.get_object(), depth, size);
    }
    return std::nullopt;
  }

  Outcome stored_array(const json::array& array, int depth, std::size_t& size) {
    if (Outcome bad = check_depth(depth)) return bad;
    for (std::size_t i = 0; i < array.size(); ++i) {
      std::size_t element_bytes = 0;
      if (Outcome bad = stored_value(array[i], depth + 1, element_bytes)) {
        std::string step(1, '[');
        step += std::to_string(i);
        step += ']';
        prepend(*bad, std::move(step));
        return bad;
      }
      size += element_bytes;
    }
    return std::nullopt;
  }

  Outcome stored_object(const json::object& object, int depth, std::size_t& size) {
    if (Outcome bad = check_depth(depth)) return bad;
    for (const json::key_value_pair& member : object) {
      if (Outcome bad = check_key(member.key())) return bad;
      std::size_t member_bytes = 0;
      if (Outcome bad = stored_value(member.value(), depth + 1, member_bytes)) {
        prepend(*bad, shown_key(member.key()));
        return bad;
      }
      size += text_size(member.key()) + member_bytes;
    }
    return std::nullopt;
  }

  static Outcome check_integer(bool in_range, std::string shown) {
    if (in_range) return std::nullopt;
    return Violation{{},
                     "integer " + shown + " is outside " + std::to_string(min_integer) + ".." +
                         std::to_string(max_integer)};
  }

  const Limits& limits_;
  Mode mode_;
  std::int64_t size_delta_ = 0;
};

Result refusal(Section section, const Violation& violation) {
  std::string message(section_name(section));
  if (!violation.path.empty()) {
    if (violation.path.front() != '[') message += '.';
    message += violation.path;
  }
  message += ": ";
  message += violation.rule;
  return Result(Error{argument_invalid_status, argument_invalid_code, std::move(message)});
}

std::size_t size_limit(Section section, const Limits& limits) noexcept {
  switch (section) {
    case Section::tags:
      return limits.max_tags_bytes;
    case Section::desired:
      return limits.max_desired_bytes;
    case Section::reported:
      return limits.max_reported_bytes;
  }
  return 0;
}

}  // namespace

std::string_view section_name(Section section) noexcept {
  switch (section) {
    case Section::tags:
      return "tags";
    case Section::desired:
      return "desired";
    case Section::reported:
      return "reported";
  }
  return {};
}

std::size_t value_size(const json::value& value) noexcept {
  switch (value.kind()) {
    case json::kind::null:
      return 0;
    case json::kind::bool_:
      return 4;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return 8;
    case json::kind::string:
      return text_size(value.get_string());
    case json::kind::array: {
      std::size_t size = 0;
      for (const json::value& element : value.get_array()) size += value_size(element);
      return size;
    }
    case json::kind::object: {
      std::size_t size = 0;
      for (const json::key_value_pair& member : value.get_object()) {
        size += text_size(member.key()) + value_size(member.value());
      }
      return size;
    }
  }
  return 0;
}

Result check_operation(Section section, const json::value& operation, const json::object* existing, Mode mode,
                       const Limits& limits, std::int64_t& size_delta) {
  if (!operation.is_object()) return refusal(section, {{}, "the section must be a JSON object"});
  Checker checker(limits, mode);
  if (Outcome bad = checker.members(existing, operation.get_object(), 0)) {
    return refusal(section, *bad);
  }
  size_delta = checker.size_delta();
  return {};
}

Result check_section_size(Section section, std::int64_t size, const Limits& limits) {
  const std::size_t limit = size_limit(section, limits);
  if (size <= static_cast<std::int64_t>(limit)) return {};
  return refusal(section, {{},
                           "size " + std::to_string(size) + " bytes exceeds the limit of " +
                               std::to_string(limit) + " bytes"});
}

}  // namespace detail

Result validate(Section section, const boost::json::value& patch, const Limits& limits, bool for_replace) {
  std::int64_t size = 0;
  const detail::Mode mode = for_replace ? detail::Mode::replace : detail::Mode::patch;
  if (Result checked = detail::check_operation(section, patch, nullptr, mode, limits, size); !checked) {
    return checked;
  }
  return detail::check_section_size(section, size, limits);
}

}  // namespace fleetsim::twin
