// parse_topic(): recognises every topic of reference 2.5 without allocating; the result views the
// topic text.
#include <charconv>

#include "transports/iothub/topics.hpp"

namespace fleetsim::iothub {
namespace {

// Removes `prefix` from the front of `text` if it is there.
bool consume(std::string_view& text, std::string_view prefix) noexcept {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

// Takes the non-empty level before the next '/' and the '/' itself.
bool take_level(std::string_view& text, std::string_view& level) noexcept {
  const std::size_t slash = text.find('/');
  if (slash == 0 || slash == std::string_view::npos) return false;
  level = text.substr(0, slash);
  text.remove_prefix(slash + 1);
  return true;
}

template <class Int>
bool parse_number(std::string_view text, Int& value) noexcept {
  const char* const end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return !text.empty() && ec == std::errc{} && ptr == end;
}

// The query of a $iothub topic, "?$rid=…&$version=…" with the fields in any order.
struct Query {
  bool has_rid = false;
  std::string_view rid;
  std::optional<std::uint64_t> version;
};

bool parse_query(std::string_view text, Query& query) noexcept {
  if (!consume(text, "?")) return false;
  while (!text.empty()) {
    const std::size_t amp = text.find('&');
    const std::string_view item = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    const std::size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
    if (key == "$rid") {
      if (query.has_rid) return false;
      query.has_rid = true;
      query.rid = value;
    } else if (key == "$version") {
      std::uint64_t v = 0;
      if (query.version || !parse_number(value, v)) return false;
      query.version = v;
    }
  }
  return true;
}

// `rest` follows ".../{status}/" or ".../GET/": a query that must carry a $rid.
ParsedTopic with_rid_query(TopicKind kind, std::string_view rest, ParsedTopic parsed) noexcept {
  Query query;
  if (!parse_query(rest, query) || !query.has_rid) return {};
  parsed.kind = kind;
  parsed.rid = query.rid;
  // Only twin responses and reported patches carry a $version; elsewhere it is ignored.
  if (kind == TopicKind::twin_response || kind == TopicKind::reported_patch) parsed.version = query.version;
  return parsed;
}

ParsedTopic with_status_and_rid(TopicKind kind, std::string_view rest) noexcept {
  std::string_view status_text;
  ParsedTopic parsed;
  if (!take_level(rest, status_text) || !parse_number(status_text, parsed.status)) return {};
  return with_rid_query(kind, rest, parsed);
}

ParsedTopic parse_twin(std::string_view rest) noexcept {
  if (consume(rest, "GET/")) return with_rid_query(TopicKind::twin_get, rest, {});
  if (consume(rest, "res/")) return with_status_and_rid(TopicKind::twin_response, rest);
  if (consume(rest, "PATCH/properties/reported/")) {
    return with_rid_query(TopicKind::reported_patch, rest, {});
  }
  if (consume(rest, "PATCH/properties/desired/")) {
    Query query;
    if (!parse_query(rest, query) || !query.version) return {};
    ParsedTopic parsed;
    parsed.kind = TopicKind::desired_patch;
    parsed.version = query.version;
    return parsed;
  }
  return {};
}

ParsedTopic parse_methods(std::string_view rest) noexcept {
  if (consume(rest, "res/")) return with_status_and_rid(TopicKind::method_response, rest);
  if (consume(rest, "POST/")) {
    ParsedTopic parsed;
    if (!take_level(rest, parsed.method)) return {};
    return with_rid_query(TopicKind::method_request, rest, parsed);
  }
  return {};
}

// After ".../messages/events" or ".../messages/devicebound": nothing, or '/' and the bag.
bool take_bag(std::string_view rest, std::string_view& bag) noexcept {
  if (rest.empty()) return true;
  if (!consume(rest, "/")) return false;
  consume(rest, "?");  // Hub choice (reference 2.6): tolerate a leading '?'
  bag = rest;
  return true;
}

ParsedTopic with_bag(TopicKind kind, std::string_view rest, ParsedTopic parsed) noexcept {
  if (!take_bag(rest, parsed.bag)) return {};
  parsed.kind = kind;
  return parsed;
}

ParsedTopic parse_devices(std::string_view rest) noexcept {
  ParsedTopic parsed;
  if (!take_level(rest, parsed.device)) return {};
  if (consume(rest, "messages/events")) return with_bag(TopicKind::telemetry, rest, parsed);
  if (consume(rest, "messages/devicebound")) return with_bag(TopicKind::c2d, rest, parsed);
  if (!consume(rest, "modules/") || !take_level(rest, parsed.module)) return {};
  if (consume(rest, "messages/events")) return with_bag(TopicKind::telemetry, rest, parsed);
  if (consume(rest, "inputs/")) {
    const std::size_t slash = rest.find('/');
    parsed.input = rest.substr(0, slash);
    if (parsed.input.empty()) return {};
    return with_bag(TopicKind::module_input, rest.substr(parsed.input.size()), parsed);
  }
  return {};
}

}  // namespace

ParsedTopic parse_topic(std::string_view topic) noexcept {
  if (consume(topic, "$iothub/")) {
    if (consume(topic, "twin/")) return parse_twin(topic);
    if (consume(topic, "methods/")) return parse_methods(topic);
    return {};
  }
  if (consume(topic, "devices/")) return parse_devices(topic);
  return {};
}

}  // namespace fleetsim::iothub
