// Valid MQTT packets of every type (with their options toggled) and a field-by-field comparison,
// shared by the codec unit tests and the fuzz corpus driver.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "transports/mqtt/codec.hpp"

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

inline std::vector<std::uint8_t> encoded(const mqtt::Packet& packet) {
  std::vector<std::uint8_t> bytes;
  mqtt::encode(packet, bytes);
  return bytes;
}

inline bool same_bytes(mqtt::Bytes a, mqtt::Bytes b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

inline std::vector<std::pair<std::string_view, std::uint8_t>> filter_list(const mqtt::Subscribe& s) {
  std::vector<std::pair<std::string_view, std::uint8_t>> list;
  mqtt::for_each_filter(s, [&](std::string_view f, std::uint8_t qos) { list.emplace_back(f, qos); });
  return list;
}

inline std::vector<std::string_view> filter_list(const mqtt::Unsubscribe& u) {
  std::vector<std::string_view> list;
  mqtt::for_each_filter(u, [&](std::string_view f) { list.push_back(f); });
  return list;
}

// Field-by-field equality; SUBSCRIBE/UNSUBSCRIBE compare their filter lists whichever side
// (encode-side `filters` or decoded `wire_filters`) holds them.
inline bool same_packet(const mqtt::Packet& a, const mqtt::Packet& b) {
  using namespace mqtt;
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& x) -> bool {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, Connect>) {
          const auto same_will = [](const std::optional<Will>& v, const std::optional<Will>& w) {
            if (v.has_value() != w.has_value()) return false;
            return !v || (v->topic == w->topic && same_bytes(v->payload, w->payload) && v->qos == w->qos &&
                          v->retain == w->retain);
          };
          const bool same_password = x.password.has_value() == y.password.has_value() &&
                                     (!x.password || same_bytes(*x.password, *y.password));
          return x.protocol_name == y.protocol_name && x.protocol_level == y.protocol_level &&
                 x.clean_session == y.clean_session && x.keep_alive_s == y.keep_alive_s &&
                 x.client_id == y.client_id && same_will(x.will, y.will) && x.username == y.username &&
                 same_password;
        } else if constexpr (std::is_same_v<T, Connack>) {
          return x.session_present == y.session_present && x.code == y.code;
        } else if constexpr (std::is_same_v<T, Publish>) {
          return x.dup == y.dup && x.qos == y.qos && x.retain == y.retain && x.topic == y.topic &&
                 (x.qos == 0 || x.packet_id == y.packet_id) && same_bytes(x.payload, y.payload);
        } else if constexpr (std::is_same_v<T, Subscribe> || std::is_same_v<T, Unsubscribe>) {
          return x.packet_id == y.packet_id && filter_list(x) == filter_list(y);
        } else if constexpr (std::is_same_v<T, Suback>) {
          return x.packet_id == y.packet_id && same_bytes(x.return_codes, y.return_codes);
        } else if constexpr (std::is_same_v<T, Pingreq> || std::is_same_v<T, Pingresp> ||
                             std::is_same_v<T, Disconnect>) {
          return true;
        } else {
          return x.packet_id == y.packet_id;
        }
      },
      a);
}

}  // namespace fleetsim::test
