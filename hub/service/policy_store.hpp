// The shared access policies kept in a file (`fleetsim hub --data DIR`: DIR/policies.json), so
// the service connection string a hub prints stays valid across restarts. Written once, when the
// file does not exist yet (mode 0600: it holds keys; atomically, so a crash never leaves half a
// file), and read back on every later start. Identities are not kept: the registry is in memory.
//
// {"policies":[{"keyName":"iothubowner","primaryKey":"…","secondaryKey":"…",
//               "rights":"RegistryRead, RegistryWrite, ServiceConnect, DeviceConnect"}, …]}
// (the names IoT Hub's own policy export uses).
//
// Thread safety: none; call before the hub serves requests, off its event loop (file I/O).
#pragma once

#include <string>
#include <string_view>

#include "hub/service/policies.hpp"

namespace fleetsim::hub::service {

// The policies of `path` when it exists; else writes `generated` there (creating its folder) and
// returns them. Throws std::runtime_error naming the file when it cannot be read, parsed or
// written, or holds no valid policy list.
Policies load_or_store_policies(const std::string& path, Policies generated);

// The file's text, and its parse (std::runtime_error with the reason when malformed).
std::string policies_json(const Policies& policies);
Policies parse_policies_json(std::string_view text);

}  // namespace fleetsim::hub::service
