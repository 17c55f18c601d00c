// The identity registry: devices and their modules, keys, enabled flag, live connection, twin.
//
// Thread safety: none. The registry lives on the hub's event-loop thread (see hub.hpp); Hub
// marshals calls from other threads onto it.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "twin/document.hpp"

namespace fleetsim::hub {

class Connection;

struct Identity {
  // "{deviceId}" or "{deviceId}/{moduleId}": exactly the MQTT client id of the identity, so a
  // CONNECT finds its identity by the client id without building a key. Ids cannot hold '/'.
  std::string client_id;
  std::size_t device_length = 0;
  std::string primary_key;    // base64, as in a connection string
  std::string secondary_key;  // base64 or empty
  bool enabled = true;
  Connection* connection = nullptr;      // the live MQTT session, if any (not owned)
  std::unique_ptr<twin::Document> twin;  // created at first use: most twins are never read

  std::string_view device_id() const noexcept { return {client_id.data(), device_length}; }
  std::string_view module_id() const noexcept;
  bool is_module() const noexcept { return device_length < client_id.size(); }
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // nullptr if the id is invalid (reference 1.1), the identity exists, the primary key is not
  // base64 or a non-empty secondary key is not base64. Modules need their device to exist.
  Identity* add_device(std::string_view device_id, std::string_view primary_key_b64,
                       std::string_view secondary_key_b64 = {});
  Identity* add_module(std::string_view device_id, std::string_view module_id,
                       std::string_view primary_key_b64, std::string_view secondary_key_b64 = {});

  // By MQTT client id ("{d}" or "{d}/{m}"); no allocation.
  Identity* find(std::string_view client_id) const noexcept;
  // By ids (module empty for a device); no allocation.
  Identity* find(std::string_view device_id, std::string_view module_id) const noexcept;

  // Sets the flag; disabling drops the identity's live connection at once (reference 2.4).
  // false if the identity does not exist.
  bool set_enabled(std::string_view device_id, std::string_view module_id, bool enabled);

  std::size_t size() const noexcept { return identities_.size(); }

 private:
  Identity* insert(std::string client_id, std::size_t device_length, std::string_view primary_key_b64,
                   std::string_view secondary_key_b64);

  // A deque never moves its elements on push_back, so the index can hold views of client_id and
  // connections can hold Identity pointers.
  std::deque<Identity> identities_;
  std::unordered_map<std::string_view, Identity*> index_;
};

}  // namespace fleetsim::hub
