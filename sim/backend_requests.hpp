// The service API requests of the backend actor and what their answers mean (reference 3.5-3.8),
// and the payloads both sides of a direct method send. Pure functions: the actor (backend.cpp)
// sends, the sessions (session_backend.cpp) answer, the unit tests check the wire text.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "metrics/operations.hpp"
#include "sim/scenario.hpp"
#include "sim/values.hpp"
#include "transports/http/service_client.hpp"

namespace fleetsim::sim {

// The application property that carries a C2D message's send time: nanoseconds since the run's
// epoch on the sender's steady clock (same process), so the device times it with no lookup.
inline constexpr std::string_view kC2dSentProperty = "fleetsim-sent";

// A JSON value of exactly `bytes` bytes: {"data":"xxx…"} from 11 bytes up, a string "xx…" from 2,
// `0` for 1 and `null` for 0 (a method payload is never empty, reference 2.10).
void append_json_payload(std::string& out, std::uint32_t bytes);

// "/twins/{d}" or "/twins/{d}/modules/{m}", ids percent-encoded.
std::string twin_target(std::string_view device, std::string_view module);

// PATCH /twins/{id}[/modules/{mid}] {"properties":{"desired":{<path>: value}}}.
transports::http::Request desired_request(std::string_view device, std::string_view module,
                                          std::string_view path, const Value& value);
// POST …/methods {"methodName","payload","responseTimeoutInSeconds","connectTimeoutInSeconds":0}.
transports::http::Request method_request(std::string_view device, std::string_view module,
                                         const Backend& spec);
// POST /devices/{d}/messages/devicebound: `size` bytes, the properties as iothub-app-*, the send
// time as iothub-app-fleetsim-sent, and a message id.
transports::http::Request c2d_request(std::string_view device, const Backend& spec, Duration sent,
                                      std::uint64_t message_number);
// POST /devices/query {"query": sql} with x-ms-max-item-count and, after the first page,
// x-ms-continuation.
transports::http::Request query_request(const Backend& spec, std::string_view continuation);

// The desired $version in a twin answered by PATCH /twins (properties.desired.$version).
std::optional<std::uint64_t> desired_version_of(std::string_view twin_body);

// What an HTTP status means for an action: 2xx ok, 429 throttled, a method's 504 (504101, no
// answer in time) a timeout, anything else an error.
metrics::Outcome outcome_of(std::string_view action, unsigned status) noexcept;

// The send time a C2D message's property bag carries (kC2dSentProperty); nullopt when absent.
std::optional<Duration> c2d_sent_time(std::string_view bag);

}  // namespace fleetsim::sim
