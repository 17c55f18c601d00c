// SUBSCRIBE, SUBACK (MQTT 3.1.1 sections 3.8, 3.9), UNSUBSCRIBE (3.10) and the walkers over a
// decoded filter list.
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

}  // namespace

CodecError decode_subscribe(Bytes body, Subscribe& out) noexcept {
  Reader rd(body);
  if (auto e = read_packet_id(rd, out.packet_id); e != CodecError::ok) return e;
  out.wire_filters = body.subspan(2);
  if (rd.empty()) return CodecError::empty_subscription_list;  // MQTT-3.8.3-3
  while (!rd.empty()) {
    std::string_view filter;
    std::uint8_t options = 0;
    if (auto e = read_filter(rd, filter); e != CodecError::ok) return e;
    if (auto e = rd.u8(options); e != CodecError::ok) return e;
    // The six upper bits are reserved and QoS 3 does not exist (MQTT-3.8.3-4).
    if (options > 2) return CodecError::invalid_qos;
  }
  return CodecError::ok;
}

CodecError decode_suback(Bytes body, Suback& out) noexcept {
  Reader rd(body);
  if (auto e = read_packet_id(rd, out.packet_id); e != CodecError::ok) return e;
  // One return code per requested filter, and a SUBSCRIBE has at least one.
  if (rd.empty()) return CodecError::truncated_packet;
  out.return_codes = rd.rest();
  for (const std::uint8_t code : out.return_codes) {
    if (code > 2 && code != 0x80) return CodecError::invalid_suback_code;  // MQTT-3.9.3-2
  }
  return CodecError::ok;
}

CodecError decode_unsubscribe(Bytes body, Unsubscribe& out) noexcept {
  Reader rd(body);
  if (auto e = read_packet_id(rd, out.packet_id); e != CodecError::ok) return e;
  out.wire_filters = body.subspan(2);
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
void for_each_filter(const Subscribe& subscribe,
                     const std::function<void(std::string_view filter, std::uint8_t qos)>& fn) {
  for (const Subscription& s : subscribe.filters) fn(s.filter, s.qos);
  if (!subscribe.filters.empty()) return;
  detail::Reader rd(subscribe.wire_filters);
  std::string_view filter;
  std::uint8_t qos = 0;
  while (rd.utf8(filter) == CodecError::ok && rd.u8(qos) == CodecError::ok) fn(filter, qos);
}

void for_each_filter(const Unsubscribe& unsubscribe, const std::function<void(std::string_view filter)>& fn) {
  for (const std::string_view filter : unsubscribe.filters) fn(filter);
  if (!unsubscribe.filters.empty()) return;
  detail::Reader rd(unsubscribe.wire_filters);
  std::string_view filter;
  while (rd.utf8(filter) == CodecError::ok) fn(filter);
}

}  // namespace fleetsim::mqtt
