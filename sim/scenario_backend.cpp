#include "sim/scenario_backend.hpp"

#include <array>
#include <utility>

#include "sim/backend_requests.hpp"
#include "sim/plan.hpp"
#include "sim/scenario_parse.hpp"
#include "sim/scenario_validate.hpp"

namespace fleetsim::sim::detail {
namespace {

constexpr std::int64_t kMaxMethodPayload = 128 * 1024;  // reference 3.6, each way
constexpr std::int64_t kMaxC2dBytes = 64 * 1024;        // reference 2.7
constexpr std::int64_t kMaxQueryText = 8192;            // reference 3.7
constexpr std::int64_t kMaxPageSize = 1000;             // the hub's cap (reference 3.7)
constexpr Duration kMinMethodTimeout = std::chrono::seconds(5);
constexpr Duration kMaxMethodTimeout = std::chrono::seconds(300);

// Which action each action-specific key belongs to; the shared keys (action, rate, on) are not here.
constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kActionKeys{{
    {"path", "desired"},
    {"value", "desired"},
    {"name", "method"},
    {"payload_size", "method"},
    {"timeout", "method"},
    {"size", "c2d"},
    {"properties", "c2d"},
    {"sql", "query"},
    {"page_size", "query"},
}};

std::optional<std::uint32_t> read_bytes(TableReader& r, std::string_view key, std::int64_t min,
                                        std::int64_t max, std::string_view why) {
  const auto v = r.integer(key);
  if (!v) return std::nullopt;
  if (*v >= min && *v <= max) return static_cast<std::uint32_t>(*v);
  r.error(key, std::string(key) + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
                   std::string(why) + ", found " + std::to_string(*v));
  return std::nullopt;
}

// Keys of another action are an error at the key, with the action they belong to.
void check_action_keys(TableReader& r, std::string_view action) {
  for (const auto& [key, owner] : kActionKeys) {
    if (owner == action || r.get(key) == nullptr) continue;
    LoadContext& cx = r.context();
    cx.error(cx.key_at(r.path(key)), "key '" + std::string(key) + "' is not used by action = " +
                                         quoted(action) + " (it belongs to action = " + quoted(owner) + ")");
    cx.mark_failed(r.path(key));
  }
  if (action == "query" && r.get("on") != nullptr) {
    LoadContext& cx = r.context();
    cx.error(cx.key_at(r.path("on")),
             "key 'on' is not used by action = \"query\" (a query targets no session)");
    cx.mark_failed(r.path("on"));
  }
}

// C2D properties travel as HTTP headers iothub-app-{name} to the hub's route (reference 3.8).
std::optional<std::string> c2d_property_problem(std::string_view name, std::string_view value) {
  constexpr std::string_view kTokenMarks = "!#$%&'*+-.^_`|~";
  if (name.empty()) return std::string("the name is empty");
  for (const char c : name) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && kTokenMarks.find(c) == std::string_view::npos) {
      return std::string("names may have letters, digits and ") + std::string(kTokenMarks) +
             " only (they travel as HTTP header names)";
    }
  }
  if (name == kC2dSentProperty) return std::string("the name is fleetsim's own (it carries the send time)");
  for (const char c : value) {
    if (c < 0x20 || c > 0x7E)
      return std::string("values must be printable ASCII (they travel as HTTP header values)");
  }
  if (!value.empty() && (value.front() == ' ' || value.back() == ' ')) {
    return std::string("values cannot start or end with a space (HTTP header values lose it)");
  }
  return std::nullopt;
}

// A direct method name (reference 2.10): printable US-ASCII without separators.
bool valid_method_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  constexpr std::string_view kForbidden = "$()<>@,;:\\\"/[]?={} \t";
  for (const char c : name) {
    if (c < 0x21 || c > 0x7E || kForbidden.find(c) != std::string_view::npos) return false;
  }
  return true;
}

// Every session `inner` selects is one `outer` selects too.
bool selects_within(const Selector& inner, const Selector& outer, const Scenario& s) {
  for (std::uint32_t slot = 0; slot <= s.fleet.modules.size(); ++slot) {
    if (selects(inner, s, slot) && !selects(outer, s, slot)) return false;
  }
  return true;
}

void validate_backend(LoadContext& cx, const Backend& b, const Scenario& s, const std::string& path) {
  const std::string on = join_path(path, "on");
  if (b.action != "query") validate_selector(cx, b.on, s.fleet, on);
  const bool on_usable = !cx.failed(on) && !cx.failed("fleet.modules");
  if (b.action == "desired") {
    if (!s.desired.enabled) {
      cx.error(cx.key_at(join_path(path, "action")),
               "action = \"desired\" needs a [desired] table: only sessions subscribed to desired "
               "properties can time their arrival");
    } else if (on_usable && !cx.failed("desired.on") && !selects_within(b.on, s.desired.on, s)) {
      cx.error(cx.value_at(on),
               "on selects sessions that [desired] on does not: they would never see the "
               "change (desired targets must subscribe to desired properties)");
    }
    const std::string path_key = join_path(path, "path");
    if (!cx.failed(path_key) && !b.path.empty()) {
      if (const auto problem = twin_path_problem(b.path)) {
        cx.error(cx.value_at(path_key),
                 "path " + quoted(b.path) + " has " + *problem + "; twin keys are dot-separated names");
      }
    }
    validate_value_spec(cx, b.value, join_path(path, "value"));
  } else if (b.action == "method") {
    const std::string name = join_path(path, "name");
    if (!cx.failed(name) && !b.name.empty() && !valid_method_name(b.name)) {
      cx.error(cx.value_at(name), "method name " + quoted(b.name) +
                                      " must be 1 to 128 printable ASCII characters without spaces or "
                                      "$ ( ) < > @ , ; : \\ \" / [ ] ? = { }");
    }
    if (s.methods.enabled && on_usable && !cx.failed("methods.on") &&
        !selects_within(b.on, s.methods.on, s)) {
      cx.error(cx.value_at(on), "on selects sessions that [methods] on does not: they would not answer");
    }
  } else if (b.action == "c2d") {
    if (on_usable && b.on.kind != Selector::Kind::device) {
      cx.error(cx.value_at(on), "cloud-to-device messages go to devices only: on must be \"device\"");
    }
    if (s.target.kind == "iothub" && !cx.failed("target.kind")) {
      cx.error(cx.key_at(join_path(path, "action")),
               "action = \"c2d\": not supported yet with target.kind = \"iothub\" (a real IoT Hub takes "
               "cloud-to-device sends over AMQP, which fleetsim does not speak yet)");
    }
  }
}

}  // namespace

Backend parse_backend(LoadContext& cx, const toml::table& table, std::string path) {
  TableReader r(cx, table, std::move(path));
  cx.record(r.path(), Where{r.table_pos(), r.table_pos()});
  r.check_keys(*root_schema().find("backend")->table);
  Backend b;
  b.pos = r.table_pos();
  if (auto v = r.word("action", {"desired", "method", "c2d", "query"}))
    b.action = std::move(*v);
  else if (!r.get("action"))
    r.missing("action", "[[backend]]");
  if (const auto v = r.rate("rate")) {
    if (*v > 0)
      b.rate_per_s = *v;
    else
      r.error("rate", "rate must be greater than 0");
  }
  if (auto v = r.selector("on")) b.on = std::move(*v);
  if (auto v = r.string("path")) b.path = std::move(*v);
  if (auto v = parse_value_spec(r, "value")) b.value = std::move(*v);
  if (auto v = r.string("name")) b.name = std::move(*v);
  if (const auto v = read_bytes(r, "payload_size", 0, kMaxMethodPayload, " (IoT Hub's method payload limit)"))
    b.payload_size = *v;
  if (const auto v = r.duration("timeout")) {
    if (*v >= kMinMethodTimeout && *v <= kMaxMethodTimeout)
      b.timeout = *v;
    else
      r.error("timeout", "timeout must be between 5s and 300s (IoT Hub's method response timeout), found " +
                             format_duration(*v));
  }
  if (const auto v = read_bytes(r, "size", 0, kMaxC2dBytes, " (IoT Hub's cloud-to-device limit)"))
    b.size = *v;
  if (const auto* props = r.table("properties")) {
    TableReader p(cx, *props, r.path("properties"));
    for (const auto& [key, node] : *props) {
      auto v = p.string(key.str());
      if (!v) continue;
      if (const auto problem = c2d_property_problem(key.str(), *v)) {
        p.error(key.str(), "property " + quoted(key.str()) + ": " + *problem);
      } else {
        b.properties[std::string(key.str())] = std::move(*v);
      }
    }
  }
  if (auto v = r.string("sql")) {
    if (v->empty() || static_cast<std::int64_t>(v->size()) > kMaxQueryText)
      r.error("sql", "sql must have 1 to 8192 characters (IoT Hub's query limit), found " +
                         std::to_string(v->size()));
    else
      b.sql = std::move(*v);
  }
  if (const auto v = read_bytes(r, "page_size", 1, kMaxPageSize, "")) b.page_size = *v;

  if (b.action.empty()) return b;
  check_action_keys(r, b.action);
  if (b.action == "desired") {
    if (!r.get("path")) r.missing("path", "[[backend]] with action = \"desired\"");
    if (!r.get("value")) r.missing("value", "[[backend]] with action = \"desired\"");
  } else if (b.action == "method") {
    if (!r.get("name")) r.missing("name", "[[backend]] with action = \"method\"");
  } else if (b.action == "query") {
    if (!r.get("sql")) r.missing("sql", "[[backend]] with action = \"query\"");
  }
  return b;
}

void parse_methods(LoadContext& cx, const toml::table& table, Methods& methods) {
  TableReader r(cx, table, "methods");
  cx.record(r.path(), Where{r.table_pos(), r.table_pos()});
  r.check_keys(*root_schema().find("methods")->table);
  methods.enabled = true;
  if (auto v = r.selector("on")) methods.on = std::move(*v);
  if (const auto v = r.integer("status")) {
    if (*v >= 100 && *v <= 999)
      methods.status = static_cast<int>(*v);
    else
      r.error("status", "status must be between 100 and 999, found " + std::to_string(*v));
  }
  if (const auto v = read_bytes(r, "payload_size", 0, kMaxMethodPayload, " (IoT Hub's method payload limit)"))
    methods.payload_size = *v;
  if (const auto v = r.duration("delay")) {
    if (*v <= kMaxMethodTimeout)
      methods.delay = *v;
    else
      r.error("delay",
              "delay must be at most 300s (the longest method timeout), found " + format_duration(*v));
  }
}

void validate_backends(LoadContext& cx, Scenario& s) {
  // A plain MQTT broker has no service side: the entries are refused as a whole (scenario_mqtt.cpp).
  if (s.target.kind == "mqtt") return;
  if (s.methods.enabled) validate_selector(cx, s.methods.on, s.fleet, "methods.on");
  for (std::size_t i = 0; i < s.backends.size(); ++i) {
    const std::string path = "backend." + std::to_string(i);
    if (s.backends[i].action.empty() || cx.failed(join_path(path, "action"))) continue;
    validate_backend(cx, s.backends[i], s, path);
  }
}

}  // namespace fleetsim::sim::detail
