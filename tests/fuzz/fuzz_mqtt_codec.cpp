// libFuzzer target for the MQTT codec: decode packets one after another from the input, once as
// MQTT 3.1.1 and once as MQTT 5; every decoded packet must re-encode (same version) to exactly
// encoded_size() bytes that decode to the same packet, and every MQTT 5 property list decode()
// accepted must read to its end. The input is also read as "filter\0topic" for topic_matches().
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <variant>
#include <vector>

#include "support/mqtt_samples.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

// A validated list reads property by property up to its last byte.
void check_properties_read(fleetsim::mqtt::Bytes list) {
  using namespace fleetsim::mqtt;
  PropertyReader reader(list);
  Property p;
  std::size_t count = 0;
  while (reader.next(p)) ++count;
  require(list.empty() == (count == 0));
}

void check_decoded_properties(const fleetsim::mqtt::Packet& packet) {
  std::visit(
      [](const auto& p) {
        if constexpr (requires { p.properties; }) check_properties_read(p.properties);
        if constexpr (requires { p.will; }) {
          if (p.will) check_properties_read(p.will->properties);
        }
      },
      packet);
}

void check_round_trip(const fleetsim::mqtt::Packet& packet, fleetsim::mqtt::ProtocolVersion version) {
  using namespace fleetsim::mqtt;
  const EncodeOptions options{version};
  const std::size_t size = encoded_size(packet, options);
  std::vector<std::uint8_t> bytes(size);
  require(encode_to(packet, bytes.data(), options) == size);
  const DecodeResult again = decode(bytes, DecodeLimits{.max_packet_size = size, .version = version});
  require(again.status == DecodeResult::Status::packet);
  require(again.consumed == size);
  require(fleetsim::test::same_packet(packet, again.packet, version == ProtocolVersion::v5));
}

void decode_all(fleetsim::mqtt::Bytes rest, fleetsim::mqtt::ProtocolVersion version) {
  using namespace fleetsim::mqtt;
  // A small bound so the size check is exercised too.
  const DecodeLimits limits{.max_packet_size = 4096, .version = version};
  while (!rest.empty()) {
    const DecodeResult r = decode(rest, limits);
    if (r.status == DecodeResult::Status::need_more) {
      require(r.consumed == 0);
      require(r.needed == 0 || r.needed > rest.size());
      break;
    }
    if (r.status == DecodeResult::Status::error) {
      require(r.error != CodecError::ok);
      break;
    }
    require(r.consumed > 0 && r.consumed <= rest.size());
    check_decoded_properties(r.packet);
    check_round_trip(r.packet, version);
    rest = rest.subspan(r.consumed);
  }
}

void check_topic_matching(std::string_view text) {
  using namespace fleetsim::mqtt;
  const std::size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return;
  const std::string_view filter = text.substr(0, nul);
  const std::string_view topic = text.substr(nul + 1);
  if (check_topic_filter(filter) != CodecError::ok) return;
  const bool matched = topic_matches(filter, topic);
  // A filter without wildcards matches exactly itself.
  if (filter.find_first_of("+#") == std::string_view::npos) require(matched == (filter == topic));
  if (check_topic_name(topic) == CodecError::ok && topic.front() != '$') require(topic_matches("#", topic));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsim::mqtt;
  decode_all(Bytes(data, size), ProtocolVersion::v3_1_1);
  decode_all(Bytes(data, size), ProtocolVersion::v5);
  check_topic_matching(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
