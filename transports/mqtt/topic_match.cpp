// Topic names, topic filters and matching (MQTT 3.1.1 section 4.7).
#include <algorithm>
#include <cstring>

#include "transports/mqtt/codec.hpp"

namespace fleetsim::mqtt {

CodecError check_topic_name(std::string_view topic) noexcept {
  if (topic.empty()) return CodecError::empty_topic;  // MQTT-4.7.3-1
  if (std::memchr(topic.data(), '+', topic.size()) != nullptr ||
      std::memchr(topic.data(), '#', topic.size()) != nullptr) {
    return CodecError::wildcard_in_topic_name;  // MQTT-3.3.2-2
  }
  return CodecError::ok;
}

// '#' only as the whole last level, '+' only as a whole level (MQTT-4.7.1-2, -3).
CodecError check_topic_filter(std::string_view filter) noexcept {
  if (filter.empty()) return CodecError::empty_topic;
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = filter.find('/', start);
    const bool last = slash == std::string_view::npos;
    const std::string_view level = filter.substr(start, last ? std::string_view::npos : slash - start);
    if (level.find('#') != std::string_view::npos && (level != "#" || !last)) {
      return CodecError::invalid_topic_filter;
    }
    if (level.find('+') != std::string_view::npos && level != "+") {
      return CodecError::invalid_topic_filter;
    }
    if (last) return CodecError::ok;
    start = slash + 1;
  }
}

bool topic_matches(std::string_view filter, std::string_view topic) noexcept {
  if (filter.empty() || topic.empty()) return false;
  // MQTT-4.7.2-1: a filter starting with a wildcard does not match topics starting with '$'.
  if (topic.front() == '$' && (filter.front() == '+' || filter.front() == '#')) return false;

  std::size_t f = 0;
  std::size_t t = 0;
  bool topic_exhausted = false;
  for (;;) {
    const std::size_t f_end = std::min(filter.find('/', f), filter.size());
    const std::string_view f_level = filter.substr(f, f_end - f);
    // '#' also matches the parent level: "sport/#" matches "sport" (section 4.7.1.2).
    if (f_level == "#") return true;
    if (topic_exhausted) return false;
    const std::size_t t_end = std::min(topic.find('/', t), topic.size());
    if (f_level != "+" && f_level != topic.substr(t, t_end - t)) return false;
    const bool filter_last = f_end == filter.size();
    const bool topic_last = t_end == topic.size();
    if (filter_last) return topic_last;
    f = f_end + 1;
    if (topic_last) {
      topic_exhausted = true;
    } else {
      t = t_end + 1;
    }
  }
}

}  // namespace fleetsim::mqtt
