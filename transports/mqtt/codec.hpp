// Sans-I/O MQTT 3.1.1 and MQTT 5.0 codec: bytes in, packets out, and packets in, bytes out.
//
// decode() looks at the front of a byte span and returns one of: a packet and how many bytes it
// used, "need more" (nothing consumed; call again with more bytes appended), or a protocol error
// (the connection must be closed). It never reads past the span and never allocates.
// encode() computes the exact size first, then writes the packet once.
//
// The protocol version is a parameter of both directions (DecodeLimits::version, EncodeOptions),
// 3.1.1 by default, so code that speaks 3.1.1 passes nothing. A connection learns its version
// from its CONNECT, which decode() reads by its own protocol level byte whatever the setting.
//
// Thread safety: all functions are pure; call them from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <system_error>
#include <vector>

#include "transports/mqtt/packets.hpp"

namespace fleetsim::mqtt {

// One precise error per protocol violation (spec sections in codec_error.cpp). New values are
// only ever appended.
enum class CodecError {
  ok = 0,
  malformed_remaining_length,  // more than 4 length bytes
  packet_too_large,            // remaining length above the configured bound
  reserved_packet_type,        // type 0 or 15
  invalid_fixed_header_flags,  // flags that the packet type fixes (e.g. SUBSCRIBE must be 0010)
  invalid_qos,                 // QoS 3 in PUBLISH flags, will QoS or subscription
  truncated_packet,            // remaining length shorter than the packet's fields
  trailing_bytes,              // remaining length longer than a fixed-size packet
  invalid_utf8,                // string not well-formed UTF-8 or containing U+0000
  invalid_protocol_name,       // CONNECT protocol name other than "MQTT" (or "MQIsdp")
  invalid_connect_flags,       // reserved bit set, will flags without will, password w/o user
  invalid_connack_flags,
  invalid_connack_code,  // return code above 5
  zero_packet_id,        // packet id 0 where one is required
  empty_topic,
  wildcard_in_topic_name,   // + or # in a PUBLISH topic
  invalid_topic_filter,     // misplaced + or #
  empty_subscription_list,  // SUBSCRIBE / UNSUBSCRIBE without filters
  invalid_suback_code,
  dup_with_qos0,  // DUP flag set on a QoS 0 PUBLISH
  // MQTT 5
  malformed_variable_byte_integer,  // a property length or value in more than 4 bytes
  unknown_property,                 // an identifier MQTT 5.0 does not define (section 2.2.2.2)
  property_not_allowed,             // a property this packet type does not carry
  duplicate_property,               // a property allowed once, repeated
  invalid_property_value,           // e.g. Receive Maximum 0, Payload Format Indicator 2
  invalid_reason_code,              // a reason code this packet type cannot carry (section 2.4)
  invalid_subscription_options,     // reserved bits, Retain Handling 3, No Local when shared
  auth_not_supported,               // AUTH: enhanced authentication is not implemented
};

const std::error_category& codec_category() noexcept;
std::error_code make_error_code(CodecError e) noexcept;

struct DecodeLimits {
  // Bound on the remaining length; a larger packet is refused before it is buffered.
  // IoT Hub's largest message is 256 KB of body plus topic and properties.
  std::size_t max_packet_size = 256 * 1024 + 4096;
  // The connection's version: the layout of every packet but CONNECT (which carries its level).
  ProtocolVersion version = ProtocolVersion::v3_1_1;
};

struct EncodeOptions {
  // As for DecodeLimits: every packet but CONNECT, which is written by its protocol_level.
  ProtocolVersion version = ProtocolVersion::v3_1_1;
};

struct DecodeResult {
  enum class Status { packet, need_more, error };
  Status status = Status::need_more;
  std::size_t consumed = 0;  // bytes of the whole packet (fixed header included) when status == packet
  Packet packet{};           // meaningful only when status == packet
  CodecError error = CodecError::ok;
  // When need_more: total bytes the current packet needs, if already known from its header
  // (lets a caller size one buffer for a large packet); 0 if the header itself is incomplete.
  std::size_t needed = 0;
};

DecodeResult decode(Bytes input, const DecodeLimits& limits = {});

// Exact encoded size of a packet, fixed header included.
// Encoding preconditions (the caller's data, not checked on the hot path): strings and binary
// fields at most 65535 bytes, the whole packet within the 268,435,455-byte MQTT limit, a PUBLISH
// with QoS > 0 carries a non-zero packet id, MQTT 5 property lists well-formed (build them with
// properties.hpp). check_topic_name()/check_topic_filter() below let a caller validate topics it
// did not build itself. For 3.1.1 the MQTT 5 fields are not written.
std::size_t encoded_size(const Packet& packet, EncodeOptions options = {});

// Appends the encoded packet to `out`.
void encode(const Packet& packet, std::vector<std::uint8_t>& out, EncodeOptions options = {});

// Writes the encoded packet to `out`, which must hold encoded_size(packet, options) bytes;
// returns the size.
std::size_t encode_to(const Packet& packet, std::uint8_t* out, EncodeOptions options = {});

// Walks the filters of a SUBSCRIBE (filter, requested qos) or UNSUBSCRIBE: `filters` when set (a
// packet built to encode), else the wire list of a decoded packet, which decode() validated, so
// this cannot fail. Not for the hot path (subscriptions happen once per session).
void for_each_filter(const Subscribe& subscribe,
                     const std::function<void(std::string_view filter, std::uint8_t qos)>& fn);
void for_each_filter(const Unsubscribe& unsubscribe, const std::function<void(std::string_view filter)>& fn);
// The same walk with every MQTT 5 subscription option (from a 3.1.1 packet they are all 0).
void for_each_subscription(const Subscribe& subscribe, const std::function<void(const Subscription&)>& fn);

// Topic-filter matching of MQTT 3.1.1 section 4.7 (+ and #; $-topics not matched by leading
// wildcards). `filter` must be valid (check_topic_filter() == ok, as decode() guarantees).
bool topic_matches(std::string_view filter, std::string_view topic) noexcept;

// The checks decode() applies, for text that did not come from the wire.
// Well-formed UTF-8 without U+0000 (MQTT 3.1.1 section 1.5.3).
bool is_valid_mqtt_utf8(std::string_view text) noexcept;
// ok, empty_topic or wildcard_in_topic_name (UTF-8 is not checked here).
CodecError check_topic_name(std::string_view topic) noexcept;
// ok, empty_topic or invalid_topic_filter (UTF-8 is not checked here).
CodecError check_topic_filter(std::string_view filter) noexcept;

}  // namespace fleetsim::mqtt

template <>
struct std::is_error_code_enum<fleetsim::mqtt::CodecError> : std::true_type {};
