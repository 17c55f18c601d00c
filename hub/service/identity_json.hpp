// Device and module identities as JSON (reference 3.4), both ways: the body the registry routes
// answer with, and what a PUT (or a bulk entry) asks for.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "hub/c2d.hpp"
#include "hub/registry.hpp"
#include "hub/service/identity_records.hpp"
#include "twin/document.hpp"

namespace fleetsim::hub::service {

// {"deviceId","generationId","etag","connectionState","status","statusReason",
//  "connectionStateUpdatedTime","statusUpdatedTime","lastActivityTime","cloudToDeviceMessageCount",
//  "authentication":{"symmetricKey":{...},"x509Thumbprint":{...},"type"},"capabilities":{"iotEdge"}}
// or, for a module, {"moduleId","managedBy","deviceId","generationId","etag","connectionState",
// "connectionStateUpdatedTime","lastActivityTime","cloudToDeviceMessageCount","authentication"}.
// cloudToDeviceMessageCount: the device's messages in `c2d` not completed yet (in flight
// included); 0 for a module, which C2D messages never address.
boost::json::object identity_json(const Identity& identity, const IdentityRecord& record,
                                  const C2dQueues& c2d);

// "sas", "selfSigned", "certificateAuthority".
std::string_view auth_type_name(AuthKind kind) noexcept;

// What a PUT body (or a bulk entry) asks for. Absent members leave the identity as it is on an
// update and take their defaults on a create.
struct IdentitySpec {
  std::optional<bool> enabled;                              // "status"
  std::optional<std::optional<std::string>> status_reason;  // present; null clears
  bool authentication_given = false;                        // "authentication" present and not null
  AuthKind auth = AuthKind::sas;
  // sas: base64 keys; self_signed: thumbprints, upper-case hex. Empty: generate (keys on create),
  // keep (keys on update), or none (secondary thumbprint).
  std::string primary;
  std::string secondary;
  std::optional<bool> iot_edge;           // "capabilities.iotEdge" (devices)
  std::optional<std::string> managed_by;  // "managedBy" (modules); null clears
};

// Reads `body` for the identity {device_id}[/{module_id}]: a "deviceId" (or "moduleId") in the
// body must name the same identity; "status" enabled|disabled; "authentication" with "type"
// sas|selfSigned|certificateAuthority (inferred as Node's Registry does when absent: selfSigned
// if a thumbprint is given, else sas); keys base64 of 16 to 64 bytes; thumbprints SHA-1 or SHA-256
// hex. Other members (etag, connectionState...) are read-only and ignored. A refusal is 400
// ArgumentInvalid naming the member.
twin::Result parse_identity(const boost::json::object& body, std::string_view device_id,
                            std::string_view module_id, IdentitySpec& spec);

}  // namespace fleetsim::hub::service
