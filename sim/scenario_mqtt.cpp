#include "sim/scenario_mqtt.hpp"

#include <array>
#include <cstdlib>
#include <string>

#include "sim/mqtt_target.hpp"
#include "sim/scenario_suggest.hpp"

namespace fleetsim::sim::detail {
namespace {

constexpr std::array<std::string_view, 4> kMqttOnlyKeys = {"username", "password", "protocol", "e2e_sample"};
constexpr std::array<std::string_view, 3> kTopicFields = {"device", "module", "stream"};
constexpr std::string_view kEnvPrefix = "env:";

// "env:NAME" is replaced by the variable's value, so secrets stay out of scenario files.
void resolve_credential(LoadContext& cx, std::optional<std::string>& value, const std::string& path) {
  if (!value || !value->starts_with(kEnvPrefix) || cx.failed(path)) return;
  const std::string name = value->substr(kEnvPrefix.size());
  const char* env = name.empty() ? nullptr : std::getenv(name.c_str());
  if (env == nullptr) {
    cx.error(cx.value_at(path), path.substr(path.find('.') + 1) + " = " + quoted(*value) +
                                    ": environment variable " + quoted(name) + " is not set");
    return;
  }
  *value = env;
}

void validate_topic(LoadContext& cx, const Scenario& s) {
  if (cx.failed("target.topic")) return;
  const SourcePos at = cx.value_at("target.topic");
  const std::string& text = s.target.topic;
  std::string unknown;
  const auto topic = TopicTemplate::parse(text, &unknown);
  if (!topic) {
    std::string message =
        "topic has the placeholder {" + unknown + "}; expected {device}, {module} or {stream}";
    if (const auto suggestion = closest(unknown, std::span<const std::string_view>(kTopicFields))) {
      message.append("; did you mean {").append(*suggestion).append("}?");
    }
    cx.error(at, std::move(message));
    return;
  }
  if (text.find_first_of("+#") != std::string::npos) {
    cx.error(at, "topic " + quoted(text) + " has a wildcard (+ or #): sessions publish to it");
  } else if (text.starts_with("$")) {
    cx.error(at, "topic " + quoted(text) + " starts with '$', which brokers keep for themselves ($SYS)");
  } else if (text.find('\0') != std::string::npos) {
    cx.error(at, "topic has a NUL character, which MQTT topics cannot contain");
  } else if (!topic->uses(TopicTemplate::Field::device) || !topic->uses(TopicTemplate::Field::stream)) {
    cx.error(at, "topic " + quoted(text) +
                     " must contain {device} and {stream}: each session publishes its telemetry and reported "
                     "properties and receives its desired properties on topics of its own");
  } else if (topic->module_shares_a_level()) {
    cx.error(at, "topic " + quoted(text) +
                     ": {module} must have a topic level to itself (not with {device} or {stream}), since a "
                     "device's own session leaves that level out");
  } else if (!s.fleet.modules.empty() && !topic->uses(TopicTemplate::Field::module) &&
             !cx.failed("fleet.modules")) {
    cx.warning(at, "topic " + quoted(text) +
                       " has no {module}: a device and its modules publish and subscribe on the same topics");
  }
}

void refuse_for_mqtt(LoadContext& cx, const std::string& path, std::string_view what, std::string_view why) {
  cx.error(cx.key_at(path),
           std::string(what) + " cannot be used with target.kind = \"mqtt\": " + std::string(why));
}

}  // namespace

void parse_mqtt_target_keys(TableReader& r, Target& target) {
  LoadContext& cx = r.context();
  if (!cx.failed("target.kind") && target.kind != "mqtt") {
    for (const std::string_view key : kMqttOnlyKeys) {
      if (r.get(key) != nullptr) {
        cx.error(cx.key_at(r.path(key)),
                 "target." + std::string(key) +
                     " is a key of target.kind = \"mqtt\" (a plain MQTT broker); this "
                     "target is " +
                     quoted(target.kind));
        cx.mark_failed(r.path(key));
      }
    }
    return;
  }
  if (auto v = r.string("username")) target.username = std::move(*v);
  if (auto v = r.string("password")) target.password = std::move(*v);
  if (const auto v = r.integer("protocol")) {
    if (*v == 4 || *v == 5)
      target.protocol = static_cast<int>(*v);
    else
      r.error("protocol", "protocol must be 4 (MQTT 3.1.1) or 5 (MQTT 5), found " + std::to_string(*v));
  }
  if (const auto v = r.number("e2e_sample")) {
    if (*v >= 0 && *v <= 1)
      target.e2e_sample = *v;
    else
      r.error("e2e_sample", "e2e_sample must be between 0 and 1 (the share of sessions that measure e2e)");
  }
}

void validate_mqtt_target(LoadContext& cx, Scenario& s) {
  if (s.target.kind != "mqtt" || cx.failed("target.kind")) return;
  validate_topic(cx, s);
  resolve_credential(cx, s.target.username, "target.username");
  resolve_credential(cx, s.target.password, "target.password");
  if (s.target.password && !s.target.username && s.target.protocol == 4 && !cx.failed("target.password")) {
    cx.error(cx.value_at("target.password"),
             "MQTT 3.1.1 sends a password only with a user name (MQTT-3.1.2-22): set target.username, or "
             "target.protocol = 5");
  }
  for (std::size_t i = 0; s.target.protocol == 4 && i < s.telemetry.size(); ++i) {
    const std::string path = "telemetry." + std::to_string(i) + ".properties";
    if (!s.telemetry[i].properties.empty() && !cx.failed(path)) {
      cx.warning(cx.value_at(path),
                 "properties are not sent with target.protocol = 4: MQTT 3.1.1 messages have "
                 "no properties (protocol = 5 sends them as user properties)");
    }
  }
  if (!s.target.connection_string.empty() && !cx.failed("target.connection_string")) {
    refuse_for_mqtt(cx, "target.connection_string", "target.connection_string",
                    "it names an IoT Hub; a broker is target.host and target.port");
  }
  // Without TLS, x509 is refused for every kind already (scenario_validate_transport.cpp).
  const bool tls = s.target.transport == "mqtt-tls" || s.target.transport == "mqtt-wss";
  if (s.fleet.auth == "x509" && tls && !cx.failed("fleet.auth")) {
    refuse_for_mqtt(cx, "fleet.auth", "fleet.auth = \"x509\"",
                    "X.509 device identities are IoT Hub's; a broker authenticates sessions with "
                    "target.username and target.password");
  }
  for (std::size_t i = 0; i < s.backends.size(); ++i) {
    refuse_for_mqtt(cx, "backend." + std::to_string(i) + ".action", "[[backend]]",
                    "it drives the IoT Hub service API, which a plain MQTT broker does not have");
  }
  if (s.methods.enabled) {
    refuse_for_mqtt(cx, "methods", "[methods]",
                    "direct methods are IoT Hub's ($iothub/methods topics), which a plain MQTT broker does "
                    "not route");
  }
}

}  // namespace fleetsim::sim::detail
