// libFuzzer target for the MQTT codec: decode packets one after another from the input; every
// decoded packet must re-encode to exactly encoded_size() bytes that decode to the same packet.
// The input is also read as "filter\0topic" for topic_matches().
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "support/mqtt_samples.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

void check_round_trip(const fleetsim::mqtt::Packet& packet) {
  using namespace fleetsim::mqtt;
  const std::size_t size = encoded_size(packet);
  std::vector<std::uint8_t> bytes(size);
  require(encode_to(packet, bytes.data()) == size);
  const DecodeResult again = decode(bytes, DecodeLimits{.max_packet_size = size});
  require(again.status == DecodeResult::Status::packet);
  require(again.consumed == size);
  require(fleetsim::test::same_packet(packet, again.packet));
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
  // A small bound so the size check is exercised too.
  const DecodeLimits limits{.max_packet_size = 4096};
  Bytes rest(data, size);
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
    check_round_trip(r.packet);
    rest = rest.subspan(r.consumed);
  }
  check_topic_matching(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
