// MQTT 5 property lists (MQTT 5.0 section 2.2.2): the table of identifiers with their types and
// the packets that may carry them, the validation decode() applies, the reader and the builders.
#include <array>

#include "transports/mqtt/codec_detail.hpp"
#include "transports/mqtt/properties.hpp"

namespace fleetsim::mqtt {
namespace {

using detail::PropertyScope;
using ScopeMask = std::uint16_t;

constexpr ScopeMask in(std::initializer_list<PropertyScope> scopes) {
  ScopeMask mask = 0;
  for (const PropertyScope s : scopes) mask = static_cast<ScopeMask>(mask | (1u << static_cast<unsigned>(s)));
  return mask;
}

constexpr ScopeMask kEveryScope = 0x3FFF;  // all fourteen scopes
constexpr std::size_t kMaxId = 0x2A;

struct Rule {
  bool defined = false;
  PropertyType type = PropertyType::byte;
  ScopeMask scopes = 0;      // where the property may appear
  ScopeMask repeatable = 0;  // where it may appear more than once
};

// Section 2.2.2.2, table 2-4.
constexpr std::array<Rule, kMaxId + 1> kRules = [] {
  using enum PropertyScope;
  using T = PropertyType;
  std::array<Rule, kMaxId + 1> r{};
  const auto set = [&r](PropertyId id, T type, ScopeMask scopes, ScopeMask repeatable = 0) {
    r[static_cast<std::size_t>(id)] = Rule{true, type, scopes, repeatable};
  };
  set(PropertyId::payload_format_indicator, T::byte, in({publish, will}));
  set(PropertyId::message_expiry_interval, T::four_byte_integer, in({publish, will}));
  set(PropertyId::content_type, T::utf8_string, in({publish, will}));
  set(PropertyId::response_topic, T::utf8_string, in({publish, will}));
  set(PropertyId::correlation_data, T::binary_data, in({publish, will}));
  // A PUBLISH carries one per matching subscription (section 3.3.2.3.8); a SUBSCRIBE only one.
  set(PropertyId::subscription_identifier, T::variable_byte_integer, in({publish, subscribe}), in({publish}));
  set(PropertyId::session_expiry_interval, T::four_byte_integer, in({connect, connack, disconnect}));
  set(PropertyId::assigned_client_identifier, T::utf8_string, in({connack}));
  set(PropertyId::server_keep_alive, T::two_byte_integer, in({connack}));
  set(PropertyId::authentication_method, T::utf8_string, in({connect, connack, auth}));
  set(PropertyId::authentication_data, T::binary_data, in({connect, connack, auth}));
  set(PropertyId::request_problem_information, T::byte, in({connect}));
  set(PropertyId::will_delay_interval, T::four_byte_integer, in({will}));
  set(PropertyId::request_response_information, T::byte, in({connect}));
  set(PropertyId::response_information, T::utf8_string, in({connack}));
  set(PropertyId::server_reference, T::utf8_string, in({connack, disconnect}));
  set(PropertyId::reason_string, T::utf8_string,
      in({connack, puback, pubrec, pubrel, pubcomp, suback, unsuback, disconnect, auth}));
  set(PropertyId::receive_maximum, T::two_byte_integer, in({connect, connack}));
  set(PropertyId::topic_alias_maximum, T::two_byte_integer, in({connect, connack}));
  set(PropertyId::topic_alias, T::two_byte_integer, in({publish}));
  set(PropertyId::maximum_qos, T::byte, in({connack}));
  set(PropertyId::retain_available, T::byte, in({connack}));
  set(PropertyId::user_property, T::utf8_string_pair, kEveryScope, kEveryScope);
  set(PropertyId::maximum_packet_size, T::four_byte_integer, in({connect, connack}));
  set(PropertyId::wildcard_subscription_available, T::byte, in({connack}));
  set(PropertyId::subscription_identifier_available, T::byte, in({connack}));
  set(PropertyId::shared_subscription_available, T::byte, in({connack}));
  return r;
}();

const Rule* rule_of(std::uint8_t id) noexcept {
  if (id > kMaxId || !kRules[id].defined) return nullptr;
  return &kRules[id];
}

// Values that section 3 forbids: every byte property is a 0/1 flag (Maximum QoS included), and
// these integers must not be 0.
bool value_in_range(const Property& p) noexcept {
  switch (p.id) {
    case PropertyId::payload_format_indicator:
    case PropertyId::request_problem_information:
    case PropertyId::request_response_information:
    case PropertyId::maximum_qos:
    case PropertyId::retain_available:
    case PropertyId::wildcard_subscription_available:
    case PropertyId::subscription_identifier_available:
    case PropertyId::shared_subscription_available:
      return p.number <= 1;
    case PropertyId::receive_maximum:          // 3.1.2.11.3, 3.2.2.3.3
    case PropertyId::topic_alias:              // 3.3.2.3.4
    case PropertyId::maximum_packet_size:      // 3.1.2.11.4, 3.2.2.3.6
    case PropertyId::subscription_identifier:  // 3.3.2.3.8, 3.8.2.1.2
      return p.number != 0;
    case PropertyId::response_topic:  // a topic name, no wildcards (3.3.2.3.5)
      return check_topic_name(p.text) == CodecError::ok;
    default:
      return true;
  }
}

// Reads one property at `rd`: a defined identifier and a well-formed value of its type.
CodecError read_property(detail::Reader& rd, Property& out, const Rule*& rule) noexcept {
  std::uint8_t id = 0;
  if (auto e = rd.u8(id); e != CodecError::ok) return e;
  // Identifiers are Variable Byte Integers, all of them one byte long in MQTT 5.0: a byte with
  // the continuation bit names none of them.
  rule = rule_of(id);
  if (rule == nullptr) return CodecError::unknown_property;
  out = Property{};
  out.id = static_cast<PropertyId>(id);
  CodecError e = CodecError::ok;
  switch (rule->type) {
    case PropertyType::byte: {
      std::uint8_t v = 0;
      e = rd.u8(v);
      out.number = v;
      break;
    }
    case PropertyType::two_byte_integer: {
      std::uint16_t v = 0;
      e = rd.u16(v);
      out.number = v;
      break;
    }
    case PropertyType::four_byte_integer: {
      std::uint16_t high = 0, low = 0;
      e = rd.u16(high);
      if (e == CodecError::ok) e = rd.u16(low);
      out.number = (static_cast<std::uint32_t>(high) << 16) | low;
      break;
    }
    case PropertyType::variable_byte_integer:
      e = rd.vbi(out.number);
      break;
    case PropertyType::utf8_string:
      e = rd.utf8(out.text);
      break;
    case PropertyType::binary_data:
      e = rd.binary(out.binary);
      break;
    case PropertyType::utf8_string_pair:
      e = rd.utf8(out.name);
      if (e == CodecError::ok) e = rd.utf8(out.text);
      break;
  }
  if (e != CodecError::ok) return e;
  return value_in_range(out) ? CodecError::ok : CodecError::invalid_property_value;
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

}  // namespace

namespace detail {

CodecError check_properties(Bytes properties, PropertyScope scope, PropertyFacts& facts) noexcept {
  const auto scope_bit = static_cast<ScopeMask>(1u << static_cast<unsigned>(scope));
  std::uint64_t seen = 0;
  Reader rd(properties);
  while (!rd.empty()) {
    Property p;
    const Rule* rule = nullptr;
    if (auto e = read_property(rd, p, rule); e != CodecError::ok) return e;
    if ((rule->scopes & scope_bit) == 0) return CodecError::property_not_allowed;
    const std::uint64_t id_bit = std::uint64_t{1} << static_cast<unsigned>(p.id);
    if ((seen & id_bit) != 0 && (rule->repeatable & scope_bit) == 0) return CodecError::duplicate_property;
    seen |= id_bit;
    if (p.id == PropertyId::topic_alias) facts.topic_alias = true;
  }
  return CodecError::ok;
}

}  // namespace detail

std::optional<PropertyType> property_type(std::uint8_t id) noexcept {
  const Rule* rule = rule_of(id);
  if (rule == nullptr) return std::nullopt;
  return rule->type;
}

bool PropertyReader::next(Property& out) noexcept {
  if (p_ == end_) return false;
  detail::Reader rd(Bytes(p_, static_cast<std::size_t>(end_ - p_)));
  const Rule* rule = nullptr;
  if (read_property(rd, out, rule) != CodecError::ok) {
    p_ = end_;
    return false;
  }
  p_ = end_ - rd.left();
  return true;
}

std::optional<std::uint32_t> find_integer_property(Bytes properties, PropertyId id) noexcept {
  PropertyReader reader(properties);
  Property p;
  while (reader.next(p)) {
    if (p.id != id) continue;
    const PropertyType type = kRules[static_cast<std::size_t>(id)].type;
    if (type == PropertyType::byte || type == PropertyType::two_byte_integer ||
        type == PropertyType::four_byte_integer || type == PropertyType::variable_byte_integer) {
      return p.number;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

bool append_integer_property(std::vector<std::uint8_t>& out, PropertyId id, std::uint32_t value) {
  const Rule* rule = rule_of(static_cast<std::uint8_t>(id));
  if (rule == nullptr) return false;
  switch (rule->type) {
    case PropertyType::byte:
      if (value > 0xFF) return false;
      out.push_back(static_cast<std::uint8_t>(id));
      out.push_back(static_cast<std::uint8_t>(value));
      return true;
    case PropertyType::two_byte_integer:
      if (value > 0xFFFF) return false;
      out.push_back(static_cast<std::uint8_t>(id));
      out.push_back(static_cast<std::uint8_t>(value >> 8));
      out.push_back(static_cast<std::uint8_t>(value));
      return true;
    case PropertyType::four_byte_integer:
      out.push_back(static_cast<std::uint8_t>(id));
      put_u32(out, value);
      return true;
    case PropertyType::variable_byte_integer: {
      if (value > detail::max_remaining_length) return false;
      out.push_back(static_cast<std::uint8_t>(id));
      std::uint8_t buf[4];
      const std::uint8_t* const end = detail::put_vbi(buf, value);
      out.insert(out.end(), static_cast<const std::uint8_t*>(buf), end);
      return true;
    }
    case PropertyType::utf8_string:
    case PropertyType::binary_data:
    case PropertyType::utf8_string_pair:
      return false;
  }
  return false;
}

bool append_string_property(std::vector<std::uint8_t>& out, PropertyId id, std::string_view value) {
  const Rule* rule = rule_of(static_cast<std::uint8_t>(id));
  if (rule == nullptr || value.size() > 0xFFFF) return false;
  if (rule->type != PropertyType::utf8_string && rule->type != PropertyType::binary_data) return false;
  out.push_back(static_cast<std::uint8_t>(id));
  out.push_back(static_cast<std::uint8_t>(value.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(value.size()));
  out.insert(out.end(), value.begin(), value.end());
  return true;
}

bool append_user_property(std::vector<std::uint8_t>& out, std::string_view name, std::string_view value) {
  if (name.size() > 0xFFFF || value.size() > 0xFFFF) return false;
  out.push_back(static_cast<std::uint8_t>(PropertyId::user_property));
  for (const std::string_view s : {name, value}) {
    out.push_back(static_cast<std::uint8_t>(s.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
  }
  return true;
}

}  // namespace fleetsim::mqtt
