// [desired] at run time: reading desired-property notifications and twin GET answers, and the
// reported patch that acknowledges a change (reference 2.9, 2.12 and section 6).
//
// Desired notifications are rare next to telemetry, so this parses with Boost.JSON.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace fleetsim::sim {

enum class AckMode : std::uint8_t {
  none,  // receive only
  echo,  // report the patch's members as they came (null removes, like the patch did)
  pnp,   // Plug and Play: {"name":{"value":v,"ac":200,"av":$version,"ad":"completed"}}
};
// "none" | "echo" | "pnp"; nullopt otherwise.
std::optional<AckMode> parse_ack_mode(std::string_view text) noexcept;

struct DesiredPatch {
  boost::json::object members;  // the patch without "$version"
  std::uint64_t version = 0;
};

// A notification body ({"x":1,"$version":8}); its $version comes from the body as the SDKs read
// it, else from the topic. nullopt when the body is not a JSON object or has no version at all.
std::optional<DesiredPatch> parse_desired_notification(std::string_view body,
                                                       std::optional<std::uint64_t> topic_version);

// The desired section of a twin GET answer ({"desired":{...,"$version":n},"reported":{...}});
// nullopt when malformed.
std::optional<DesiredPatch> parse_twin_desired(std::string_view body);

// Appends the acknowledging reported patch; false (nothing appended) when there is nothing to
// acknowledge: mode none, or no members (pnp also skips removed, null members).
bool append_desired_ack(std::string& out, AckMode mode, const DesiredPatch& patch);

}  // namespace fleetsim::sim
