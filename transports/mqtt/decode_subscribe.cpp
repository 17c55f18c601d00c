// SUBSCRIBE, SUBACK (MQTT 3.1.1 sections 3.8, 3.9), UNSUBSCRIBE (3.10), their MQTT 5 forms with
// properties, subscription options and reason codes (MQTT 5.0 sections 3.8-3.11), and the walkers
// over a decoded filter list.
#include "transports/mqtt/codec_detail.hpp"

namespace fleetsim::mqtt {
namespace detail {
namespace {

CodecError read_packet_id(Reader& rd, std::uint16_t& packet_id) noexcept {
  if (auto e = rd.u16(packet_id); e != CodecError::ok) return e;
  return packet_id == 0 ? CodecError::zero_packet_id : CodecError::ok;  // MQTT-2.3.1-1
}

CodecError read_filter(Reader& rd, std::string_view& filter) noexcept {
  if (auto e = rd.utf8(filter); e != CodecError::ok) return e;
  return check_topic_filter(filter);
}

// MQTT 5.0 3.8.3.1: bits 0-1 QoS, 2 No Local, 3 Retain As Published, 4-5 Retain Handling, 6-7
// reserved.
CodecError check_options_v5(std::string_view filter, std::uint8_t options) noexcept {
  if ((options & 0x03) == 3) return CodecError::invalid_qos;
  if ((options & 0xC0) != 0 || ((options >> 4) & 0x03) == 3) return CodecError::invalid_subscription_options;
  // No Local on a shared subscription is a protocol error (MQTT-3.8.3-4).
  if ((options & 0x04) != 0 && filter.starts_with("$share/")) return CodecError::invalid_subscription_options;
  return CodecError::ok;
}

Subscription subscription_from(std::string_view filter, std::uint8_t options) noexcept {
  Subscription s;
  s.filter = filter;
  s.qos = options & 0x03;
  s.no_local = (options & 0x04) != 0;
  s.retain_as_published = (options & 0x08) != 0;
  s.retain_handling = (options >> 4) & 0x03;
  return s;
}

}  // namespace

CodecError decode_subscribe(Bytes body, Subscribe& out, bool v5) noexcept {
  Reader rd(body);
  if (auto e = read_packet_id(rd, out.packet_id); e != CodecError::ok) return e;
  if (v5) {
    if (auto e = rd.properties(out.properties, PropertyScope::subscribe); e != CodecError::ok) return e;
  }
  out.wire_filters = body.subspan(body.size() - rd.left());
  if (rd.empty()) return CodecError::empty_subscription_list;  // MQTT-3.8.3-3
  while (!rd.empty()) {
    std::string_view filter;
    std::uint8_t options = 0;
    if (auto e = read_filter(rd, filter); e != CodecError::ok) return e;
    if (auto e = rd.u8(options); e != CodecError::ok) return e;
    if (v5) {
      if (auto e = check_options_v5(filter, options); e != CodecError::ok) return e;
    } else if (options > 2) {
      // The six upper bits are reserved and QoS 3 does not exist (MQTT-3.8.3-4).
      return CodecError::invalid_qos;
    }
  }
  return CodecError::ok;
}

CodecError decode_suback(Bytes body, Suback& out, bool v5) noexcept {
  Reader rd(body);
  if (auto e = read_packet_id(rd, out.packet_id); e != CodecError::ok) return e;
  if (v5) {
    if (auto e = rd.properties(out.properties, PropertyScope::suback); e != CodecError::ok) return e;
  }
  // One return code per requested filter, and a SUBSCRIBE has at least one.
  if (rd.empty()) return CodecError::truncated_packet;
  out.return_codes = rd.rest();
  for (const std::uint8_t code : out.return_codes) {
    if (v5) {
      if (!valid_reason_code(PacketType::suback, code)) return CodecError::invalid_reason_code;
    } else if (code > 2 && code != 0x80) {
      return CodecError::invalid_suback_code;  // MQTT-3.9.3-2
    }
  }
  return CodecError::ok;
}

CodecError decode_unsuback_v5(Bytes body, Unsuback& out) noexcept {
  Reader rd(body);
  if (auto e = read_packet_id(rd, out.packet_id); e != CodecError::ok) return e;
  if (auto e = rd.properties(out.properties, PropertyScope::unsuback); e != CodecError::ok) return e;
  if (rd.empty()) return CodecError::truncated_packet;  // one code per filter (3.11.3)
  out.reason_codes = rd.rest();
  for (const std::uint8_t code : out.reason_codes) {
    if (!valid_reason_code(PacketType::unsuback, code)) return CodecError::invalid_reason_code;
  }
  return CodecError::ok;
}

CodecError decode_unsubscribe(Bytes body, Unsubscribe& out, bool v5) noexcept {
  Reader rd(body);
  if (auto e = read_packet_id(rd, out.packet_id); e != CodecError::ok) return e;
  if (v5) {
    if (auto e = rd.properties(out.properties, PropertyScope::unsubscribe); e != CodecError::ok) return e;
  }
  out.wire_filters = body.subspan(body.size() - rd.left());
  if (rd.empty()) return CodecError::empty_subscription_list;  // MQTT-3.10.3-2
  while (!rd.empty()) {
    std::string_view filter;
    if (auto e = read_filter(rd, filter); e != CodecError::ok) return e;
  }
  return CodecError::ok;
}

}  // namespace detail

// A packet built for encoding is walked through `filters`, a decoded one through its wire bytes.
// Those were validated by decode(), so the reads below cannot fail; a hand-made broken list is
// walked up to its first broken entry.
void for_each_subscription(const Subscribe& subscribe, const std::function<void(const Subscription&)>& fn) {
  for (const Subscription& s : subscribe.filters) fn(s);
  if (!subscribe.filters.empty()) return;
  // The options byte of 3.1.1 is the QoS alone, so one reading serves both versions.
  detail::Reader rd(subscribe.wire_filters);
  std::string_view filter;
  std::uint8_t options = 0;
  while (rd.utf8(filter) == CodecError::ok && rd.u8(options) == CodecError::ok) {
    fn(detail::subscription_from(filter, options));
  }
}

void for_each_filter(const Subscribe& subscribe,
                     const std::function<void(std::string_view filter, std::uint8_t qos)>& fn) {
  for_each_subscription(subscribe, [&fn](const Subscription& s) { fn(s.filter, s.qos); });
}

void for_each_filter(const Unsubscribe& unsubscribe, const std::function<void(std::string_view filter)>& fn) {
  for (const std::string_view filter : unsubscribe.filters) fn(filter);
  if (!unsubscribe.filters.empty()) return;
  detail::Reader rd(unsubscribe.wire_filters);
  std::string_view filter;
  while (rd.utf8(filter) == CodecError::ok) fn(filter);
}

}  // namespace fleetsim::mqtt
