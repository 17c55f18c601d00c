// libFuzzer target for IoT Hub topics: parse_topic() on any text, a recognised topic rebuilt by
// its builder parses to the same fields, property bags and percent-decoding never misbehave.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "transports/iothub/topics.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

// The topic a builder writes for the parsed fields.
std::string rebuild(const fleetsim::iothub::ParsedTopic& t) {
  using namespace fleetsim::iothub;
  std::string out;
  switch (t.kind) {
    case TopicKind::telemetry:
      append_telemetry_topic(out, t.device, t.module, t.bag);
      break;
    case TopicKind::twin_get:
      append_twin_get_topic(out, t.rid);
      break;
    case TopicKind::reported_patch:
      append_reported_patch_topic(out, t.rid);
      break;
    case TopicKind::method_response:
      append_method_response_topic(out, t.status, t.rid);
      break;
    case TopicKind::twin_response:
      append_twin_response_topic(out, t.status, t.rid, t.version);
      break;
    case TopicKind::desired_patch:
      append_desired_patch_topic(out, *t.version);
      break;
    case TopicKind::method_request:
      append_method_request_topic(out, t.method, t.rid);
      break;
    case TopicKind::c2d:
      append_c2d_topic(out, t.device, t.bag);
      break;
    case TopicKind::module_input:
      append_module_input_topic(out, t.device, t.module, t.input, t.bag);
      break;
    case TopicKind::unknown:
      break;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fleetsim::iothub;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const ParsedTopic parsed = parse_topic(text);
  if (parsed.kind != TopicKind::unknown) {
    const std::string rebuilt = rebuild(parsed);
    const ParsedTopic again = parse_topic(rebuilt);
    require(again.kind == parsed.kind);
    require(again.device == parsed.device && again.module == parsed.module && again.input == parsed.input);
    require(again.rid == parsed.rid && again.method == parsed.method && again.status == parsed.status);
    // A reported patch's own $version is accepted and ignored; the builder does not write one.
    if (parsed.kind != TopicKind::reported_patch) require(again.version == parsed.version);
    // The builder drops a tolerated leading '?', so the bag can only lose that character.
    require(again.bag == parsed.bag || (parsed.bag.starts_with('?') && parsed.bag.substr(1) == again.bag));
  }

  std::size_t pairs = 0;
  const bool bag_ok = for_each_property(text, [&pairs](std::string_view, std::string_view) { ++pairs; });
  const auto decoded = url_decode(text);
  require(bag_ok == decoded.has_value());
  require(bag_ok || pairs == 0);
  if (decoded) require(url_decode(url_encode(*decoded)) == *decoded);
  return 0;
}
