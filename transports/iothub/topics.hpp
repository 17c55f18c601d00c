// IoT Hub MQTT topic names (reference/iothub-protocol.md section 2.5): builders and parsers for
// both directions. Parsers return views into the topic they were given; builders append to a
// caller-owned string so a hot path can reuse one buffer.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fleetsim::iothub {

// ---- builders (device -> hub) ----
// devices/{d}/messages/events/{bag} or devices/{d}/modules/{m}/messages/events/{bag};
// `bag` is an already-encoded property bag ("k1=v1&k2=v2", may be empty).
void append_telemetry_topic(std::string& out, std::string_view device, std::string_view module,
                            std::string_view bag);
void append_twin_get_topic(std::string& out, std::string_view rid);
void append_reported_patch_topic(std::string& out, std::string_view rid);
void append_method_response_topic(std::string& out, int status, std::string_view rid);

// ---- builders (hub -> device) ----
void append_twin_response_topic(std::string& out, int status, std::string_view rid,
                                std::optional<std::uint64_t> version);
void append_desired_patch_topic(std::string& out, std::uint64_t version);
void append_method_request_topic(std::string& out, std::string_view method, std::string_view rid);
void append_c2d_topic(std::string& out, std::string_view device, std::string_view bag);
// devices/{d}/modules/{m}/inputs/{input}/{bag}: a message routed to a module input (IoT Edge).
void append_module_input_topic(std::string& out, std::string_view device, std::string_view module,
                               std::string_view input, std::string_view bag);

// ---- subscription filters a device uses ----
inline constexpr std::string_view twin_response_filter = "$iothub/twin/res/#";
inline constexpr std::string_view desired_patch_filter = "$iothub/twin/PATCH/properties/desired/#";
inline constexpr std::string_view method_request_filter = "$iothub/methods/POST/#";
void append_c2d_filter(std::string& out, std::string_view device);  // devices/{d}/messages/devicebound/#
// devices/{d}/modules/{m}/inputs/#
void append_module_input_filter(std::string& out, std::string_view device, std::string_view module);

// ---- parsing: what a topic is, with its fields ----
enum class TopicKind {
  unknown,
  telemetry,        // D->H devices/{d}[/modules/{m}]/messages/events/{bag}
  twin_get,         // D->H $iothub/twin/GET/?$rid=
  reported_patch,   // D->H $iothub/twin/PATCH/properties/reported/?$rid=[&$version=]
  method_response,  // D->H $iothub/methods/res/{status}/?$rid=
  twin_response,    // H->D $iothub/twin/res/{status}/?$rid=[&$version=]
  desired_patch,    // H->D $iothub/twin/PATCH/properties/desired/?$version=
  method_request,   // H->D $iothub/methods/POST/{name}/?$rid=
  c2d,              // H->D devices/{d}/messages/devicebound/{bag}
  module_input,     // H->D devices/{d}/modules/{m}/inputs/{input}/{bag}
};

struct ParsedTopic {
  TopicKind kind = TopicKind::unknown;
  std::string_view device;  // telemetry, c2d, module_input
  std::string_view module;  // telemetry of a module, module_input
  std::string_view input;   // module_input
  std::string_view bag;     // telemetry, c2d, module_input: the raw property bag (leading '?' stripped)
  std::string_view rid;     // twin_*, method_*: raw $rid value
  std::string_view method;  // method_request
  int status = 0;           // twin_response, method_response
  std::optional<std::uint64_t> version;  // twin_response (204), desired_patch, reported_patch
};

// Any topic that is not one of the kinds above, or lacks a required $rid / $version, is `unknown`.
// $rid and $version may come in any order; other query parameters are ignored, a repeated one
// makes the topic unknown. The telemetry and C2D bag may be absent ("…/messages/events").
ParsedTopic parse_topic(std::string_view topic) noexcept;

// Walks a property bag "k1=v1&k2&k3=" calling fn(key, value) with percent-decoded text (a leading
// '?' is skipped, empty items are ignored, a bare key has an empty value). The views passed to fn
// are valid during the call only. Returns false, without calling fn at all, if the bag has an
// invalid percent escape.
template <class Fn>
bool for_each_property(std::string_view bag, Fn&& fn);

// Percent-encoding as IoT Hub clients do it (keeps A-Z a-z 0-9 - _ . ~, upper-case hex).
void append_url_encoded(std::string& out, std::string_view text);
std::string url_encode(std::string_view text);
// Percent-decoding without regard to case; nullopt on a malformed escape.
std::optional<std::string> url_decode(std::string_view text);

}  // namespace fleetsim::iothub

#include "transports/iothub/topics_impl.hpp"
