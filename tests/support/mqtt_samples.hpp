// Valid MQTT packets of every type (with their options toggled), for MQTT 3.1.1 and MQTT 5, and a
// field-by-field comparison, shared by the codec unit tests and the fuzz corpus driver.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "transports/mqtt/codec.hpp"
#include "transports/mqtt/properties.hpp"

namespace fleetsim::test {

inline const std::vector<std::uint8_t>& large_payload() {
  // 20,000 bytes: a three-byte remaining length.
  static const std::vector<std::uint8_t> payload = [] {
    std::vector<std::uint8_t> p(20'000);
    for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(i * 31 + 7);
    return p;
  }();
  return payload;
}

inline std::vector<mqtt::Packet> sample_packets() {
  using namespace mqtt;
  static const Subscription subscriptions[] = {
      {"$iothub/twin/res/#", 0}, {"devices/dev1/messages/devicebound/#", 1}, {"a/+/c", 2}};
  static const std::string_view unsubscriptions[] = {"$iothub/methods/POST/#", "+"};
  static const std::uint8_t suback_codes[] = {0, 1, 2, 0x80};
  static const std::string payload_200(200, 'x');  // a two-byte remaining length

  Connect minimal;
  minimal.client_id = "dev1";
  minimal.keep_alive_s = 180;

  Connect full;
  full.clean_session = true;
  full.keep_alive_s = 65535;
  full.client_id = "dev1/sensor";
  full.will = Will{"devices/dev1/messages/events/", as_bytes("gone"), 1, true};
  full.username = "localhost/dev1/sensor/?api-version=2021-04-12";
  full.password = as_bytes("SharedAccessSignature sr=x&sig=y&se=1");

  Connect legacy;
  legacy.protocol_name = "MQIsdp";
  legacy.protocol_level = 3;
  legacy.client_id = "";
  legacy.username = "user";  // username without password is legal

  Connect will_qos2;
  will_qos2.client_id = "\xc3\xa9t\xc3\xa9";  // "été": multi-byte UTF-8
  will_qos2.will = Will{"w", {}, 2, false};

  return {
      minimal,
      full,
      legacy,
      will_qos2,
      Connack{false, ConnackCode::accepted},
      Connack{true, ConnackCode::accepted},
      Connack{false, ConnackCode::not_authorized},
      Publish{false, 0, false, "devices/dev1/messages/events/", 0, {}},
      Publish{false, 1, false, "devices/dev1/messages/events/%24.ct=application%2Fjson", 7,
              as_bytes(R"({"t":21.5})")},
      Publish{true, 2, true, "a/b", 65535, as_bytes(payload_200)},
      Publish{false, 1, false, "$iothub/twin/res/200/?$rid=1", 1, large_payload()},
      Puback{1},
      Pubrec{2},
      Pubrel{3},
      Pubcomp{65535},
      Subscribe{9, subscriptions, {}},
      Suback{9, suback_codes},
      Unsubscribe{10, unsubscriptions, {}},
      Unsuback{10},
      Pingreq{},
      Pingresp{},
      Disconnect{},
  };
}

// Property lists for the MQTT 5 samples, built with the public builders.
inline mqtt::Bytes sample_properties(
    std::initializer_list<std::pair<mqtt::PropertyId, std::uint32_t>> integers,
    std::initializer_list<std::pair<mqtt::PropertyId, std::string_view>> strings,
    bool with_user_properties = false) {
  // Kept alive for the program's life: packets view into them.
  static std::vector<std::unique_ptr<std::vector<std::uint8_t>>> lists;
  auto list = std::make_unique<std::vector<std::uint8_t>>();
  for (const auto& [id, value] : integers) mqtt::append_integer_property(*list, id, value);
  for (const auto& [id, value] : strings) mqtt::append_string_property(*list, id, value);
  if (with_user_properties) {
    mqtt::append_user_property(*list, "type", "env");
    mqtt::append_user_property(*list, "type", "twice");  // user properties may repeat
  }
  lists.push_back(std::move(list));
  return *lists.back();
}

// MQTT 5 packets of every type, with properties, reason codes and subscription options in their
// short and long forms.
inline std::vector<mqtt::Packet> sample_packets_v5() {
  using namespace mqtt;
  using P = PropertyId;
  static const Subscription subscriptions[] = {
      {"fleet/dev-00001/desired", 1, false, false, 0},
      {"fleet/+/telemetry", 0, true, true, 2},
      {"$share/group/a/#", 2, false, true, 1},
  };
  static const std::string_view unsubscriptions[] = {"fleet/+/telemetry", "#"};
  static const std::uint8_t suback_codes[] = {0x00, 0x01, 0x02, 0x80, 0x87, 0xA2};
  static const std::uint8_t unsuback_codes[] = {0x00, 0x11};
  static const std::string payload_300(300, 'y');

  Connect minimal;
  minimal.protocol_level = 5;
  minimal.client_id = "dev-00001";
  minimal.keep_alive_s = 30;

  Connect full;
  full.protocol_level = 5;
  full.clean_session = true;
  full.client_id = "dev-00001/sensor";
  full.keep_alive_s = 65535;
  full.properties = sample_properties({{P::session_expiry_interval, 3600},
                                       {P::receive_maximum, 20},
                                       {P::maximum_packet_size, 266240},
                                       {P::topic_alias_maximum, 0},
                                       {P::request_problem_information, 1}},
                                      {{P::authentication_method, "none"}}, true);
  full.will = Will{"fleet/dev-00001/status", as_bytes("gone"), 1, true,
                   sample_properties({{P::will_delay_interval, 5}, {P::payload_format_indicator, 1}},
                                     {{P::content_type, "text/plain"}, {P::correlation_data, "\x01\x02"}})};
  full.username = "user";
  full.password = as_bytes("secret");

  Connect password_only;  // MQTT 5 allows a password without a user name (3.1.2.9)
  password_only.protocol_level = 5;
  password_only.client_id = "";
  password_only.password = as_bytes("token");

  Publish aliased;  // an empty topic stands for the one Topic Alias 3 was bound to
  aliased.qos = 1;
  aliased.packet_id = 9;
  aliased.properties = sample_properties({{P::topic_alias, 3}}, {});
  aliased.payload = as_bytes("x");

  Publish with_properties;
  with_properties.qos = 1;
  with_properties.packet_id = 0x1234;
  with_properties.topic = "fleet/dev-00001/telemetry";
  with_properties.properties =
      sample_properties({{P::message_expiry_interval, 60},
                         {P::subscription_identifier, 268'435'455},
                         {P::subscription_identifier, 1}},
                        {{P::content_type, "application/json"}, {P::response_topic, "fleet/reply"}}, true);
  with_properties.payload = as_bytes(payload_300);

  return {
      minimal,
      full,
      password_only,
      Connack{false, ConnackCode::accepted, {}},
      Connack{true, ConnackCode::accepted,
              sample_properties({{P::receive_maximum, 20},
                                 {P::server_keep_alive, 30},
                                 {P::maximum_qos, 1},
                                 {P::retain_available, 0},
                                 {P::topic_alias_maximum, 10},
                                 {P::wildcard_subscription_available, 1}},
                                {{P::assigned_client_identifier, "auto-1"}, {P::reason_string, "welcome"}})},
      Connack{false, static_cast<ConnackCode>(ReasonCode::not_authorized), {}},
      Publish{false, 0, false, "fleet/dev-00001/telemetry", 0, {}, {}},
      with_properties,
      aliased,
      Publish{true, 2, true, "a/b", 65535, as_bytes(payload_300), {}},
      Puback{1, 0, {}},  // short form: packet id only
      Puback{2, static_cast<std::uint8_t>(ReasonCode::no_matching_subscribers), {}},  // reason only
      Puback{3, static_cast<std::uint8_t>(ReasonCode::quota_exceeded),
             sample_properties({}, {{P::reason_string, "slow down"}})},
      Pubrec{4, 0x80, {}},
      Pubrel{5, static_cast<std::uint8_t>(ReasonCode::packet_identifier_not_found), {}},
      Pubcomp{65535, 0, sample_properties({}, {}, true)},
      Subscribe{9, subscriptions, {}, sample_properties({{P::subscription_identifier, 7}}, {}, true)},
      Suback{9, suback_codes, sample_properties({}, {{P::reason_string, "partly"}})},
      Unsubscribe{10, unsubscriptions, {}, {}},
      Unsuback{10, {}, unsuback_codes},
      Pingreq{},
      Pingresp{},
      Disconnect{},
      Disconnect{static_cast<std::uint8_t>(ReasonCode::session_taken_over), {}},
      Disconnect{static_cast<std::uint8_t>(ReasonCode::server_moved),
                 sample_properties({{P::session_expiry_interval, 0}}, {{P::server_reference, "other:1883"}})},
  };
}

inline std::vector<std::uint8_t> encoded(const mqtt::Packet& packet, mqtt::EncodeOptions options = {}) {
  std::vector<std::uint8_t> bytes;
  mqtt::encode(packet, bytes, options);
  return bytes;
}

inline std::vector<std::uint8_t> encoded_v5(const mqtt::Packet& packet) {
  return encoded(packet, mqtt::EncodeOptions{mqtt::ProtocolVersion::v5});
}

inline bool same_bytes(mqtt::Bytes a, mqtt::Bytes b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

inline std::vector<std::pair<std::string_view, std::uint8_t>> filter_list(const mqtt::Subscribe& s) {
  std::vector<std::pair<std::string_view, std::uint8_t>> list;
  mqtt::for_each_filter(s, [&](std::string_view f, std::uint8_t qos) { list.emplace_back(f, qos); });
  return list;
}

// Every option of every filter: (filter, qos, no local, retain as published, retain handling).
inline std::vector<std::tuple<std::string_view, int, bool, bool, int>> subscription_list(
    const mqtt::Subscribe& s) {
  std::vector<std::tuple<std::string_view, int, bool, bool, int>> list;
  mqtt::for_each_subscription(s, [&](const mqtt::Subscription& x) {
    list.emplace_back(x.filter, x.qos, x.no_local, x.retain_as_published, x.retain_handling);
  });
  return list;
}

inline std::vector<std::string_view> filter_list(const mqtt::Unsubscribe& u) {
  std::vector<std::string_view> list;
  mqtt::for_each_filter(u, [&](std::string_view f) { list.push_back(f); });
  return list;
}

// Field-by-field equality; SUBSCRIBE/UNSUBSCRIBE compare their filter lists whichever side
// (encode-side `filters` or decoded `wire_filters`) holds them. With `v5` false the MQTT 5 fields
// are left out: a 3.1.1 encoder does not write them.
inline bool same_packet(const mqtt::Packet& a, const mqtt::Packet& b, bool v5 = false) {
  using namespace mqtt;
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b, v5](const auto& x) -> bool {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, Connect>) {
          // A CONNECT's layout follows its own level, whatever the connection's version.
          const bool connect_v5 = x.protocol_level == 5;
          const auto same_will = [connect_v5](const std::optional<Will>& v, const std::optional<Will>& w) {
            if (v.has_value() != w.has_value()) return false;
            return !v ||
                   (v->topic == w->topic && same_bytes(v->payload, w->payload) && v->qos == w->qos &&
                    v->retain == w->retain && (!connect_v5 || same_bytes(v->properties, w->properties)));
          };
          const bool same_password = x.password.has_value() == y.password.has_value() &&
                                     (!x.password || same_bytes(*x.password, *y.password));
          return x.protocol_name == y.protocol_name && x.protocol_level == y.protocol_level &&
                 x.clean_session == y.clean_session && x.keep_alive_s == y.keep_alive_s &&
                 x.client_id == y.client_id && same_will(x.will, y.will) && x.username == y.username &&
                 same_password && (!connect_v5 || same_bytes(x.properties, y.properties));
        } else if constexpr (std::is_same_v<T, Connack>) {
          return x.session_present == y.session_present && x.code == y.code &&
                 (!v5 || same_bytes(x.properties, y.properties));
        } else if constexpr (std::is_same_v<T, Publish>) {
          return x.dup == y.dup && x.qos == y.qos && x.retain == y.retain && x.topic == y.topic &&
                 (x.qos == 0 || x.packet_id == y.packet_id) && same_bytes(x.payload, y.payload) &&
                 (!v5 || same_bytes(x.properties, y.properties));
        } else if constexpr (std::is_same_v<T, Subscribe>) {
          return x.packet_id == y.packet_id &&
                 (v5 ? subscription_list(x) == subscription_list(y) && same_bytes(x.properties, y.properties)
                     : filter_list(x) == filter_list(y));
        } else if constexpr (std::is_same_v<T, Unsubscribe>) {
          return x.packet_id == y.packet_id && filter_list(x) == filter_list(y) &&
                 (!v5 || same_bytes(x.properties, y.properties));
        } else if constexpr (std::is_same_v<T, Suback>) {
          return x.packet_id == y.packet_id && same_bytes(x.return_codes, y.return_codes) &&
                 (!v5 || same_bytes(x.properties, y.properties));
        } else if constexpr (std::is_same_v<T, Unsuback>) {
          return x.packet_id == y.packet_id && (!v5 || (same_bytes(x.properties, y.properties) &&
                                                        same_bytes(x.reason_codes, y.reason_codes)));
        } else if constexpr (std::is_same_v<T, Pingreq> || std::is_same_v<T, Pingresp>) {
          return true;
        } else if constexpr (std::is_same_v<T, Disconnect>) {
          return !v5 || (x.reason_code == y.reason_code && same_bytes(x.properties, y.properties));
        } else {  // the four QoS acknowledgements
          return x.packet_id == y.packet_id &&
                 (!v5 || (x.reason_code == y.reason_code && same_bytes(x.properties, y.properties)));
        }
      },
      a);
}

}  // namespace fleetsim::test
