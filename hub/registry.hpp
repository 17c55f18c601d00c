// The identity registry: devices and their modules, credentials, enabled flag, live connection,
// twin.
//
// Thread safety: none. The registry lives on the hub's event-loop thread (see hub.hpp); Hub
// marshals calls from other threads onto it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "twin/document.hpp"

namespace fleetsim::hub {

class Connection;

// How an identity authenticates (reference 1.6, `authentication.type`).
enum class AuthKind : std::uint8_t {
  sas,                    // SAS tokens signed with the identity's primary or secondary key
  self_signed,            // a client certificate whose thumbprint is registered
  certificate_authority,  // a client certificate signed by a CA the hub trusts
};

// The credentials an identity is registered with.
struct Authentication {
  AuthKind kind = AuthKind::sas;
  // sas: base64 keys as in a connection string. self_signed: the certificates' SHA-1 (40) or
  // SHA-256 (64) hex thumbprints, any case ("x509Thumbprint"). certificate_authority: unused.
  std::string_view primary;
  std::string_view secondary;  // may be empty

  static Authentication sas(std::string_view primary_key_b64, std::string_view secondary_key_b64 = {}) {
    return {AuthKind::sas, primary_key_b64, secondary_key_b64};
  }
  static Authentication self_signed(std::string_view primary_thumbprint,
                                    std::string_view secondary_thumbprint = {}) {
    return {AuthKind::self_signed, primary_thumbprint, secondary_thumbprint};
  }
  static Authentication certificate_authority() { return {AuthKind::certificate_authority, {}, {}}; }
};

// Registered thumbprints of a self-signed identity, upper-case hex as certificates show them.
struct Thumbprints {
  std::string primary;
  std::string secondary;  // empty if none
};

struct Identity {
  // "{deviceId}" or "{deviceId}/{moduleId}": exactly the MQTT client id of the identity, so a
  // CONNECT finds its identity by the client id without building a key. Ids cannot hold '/'.
  std::string client_id;
  std::size_t device_length = 0;
  AuthKind auth = AuthKind::sas;
  std::string primary_key;    // sas: base64, as in a connection string; otherwise empty
  std::string secondary_key;  // sas: base64 or empty
  std::unique_ptr<Thumbprints> thumbprints;  // self_signed only: most identities need none
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

  // nullptr if the id is invalid (reference 1.1), the identity exists, or the credentials are
  // malformed: a sas primary key that is not base64 (or a non-empty secondary that is not), a
  // self_signed primary thumbprint that is not 40 or 64 hex digits (or a non-empty secondary
  // that is not). Modules need their device to exist.
  Identity* add_device(std::string_view device_id, const Authentication& authentication);
  Identity* add_module(std::string_view device_id, std::string_view module_id,
                       const Authentication& authentication);
  // SAS identities, by keys.
  Identity* add_device(std::string_view device_id, std::string_view primary_key_b64,
                       std::string_view secondary_key_b64 = {}) {
    return add_device(device_id, Authentication::sas(primary_key_b64, secondary_key_b64));
  }
  Identity* add_module(std::string_view device_id, std::string_view module_id,
                       std::string_view primary_key_b64, std::string_view secondary_key_b64 = {}) {
    return add_module(device_id, module_id, Authentication::sas(primary_key_b64, secondary_key_b64));
  }

  // By MQTT client id ("{d}" or "{d}/{m}"); no allocation.
  Identity* find(std::string_view client_id) const noexcept;
  // By ids (module empty for a device); no allocation.
  Identity* find(std::string_view device_id, std::string_view module_id) const noexcept;

  // Sets the flag; disabling drops the identity's live connection at once (reference 2.4).
  // false if the identity does not exist.
  bool set_enabled(std::string_view device_id, std::string_view module_id, bool enabled);

  // Removes a device with all its modules, or one module: closes their live connections and
  // drops their twins. false if the identity does not exist. Pointers to a removed identity
  // dangle; the slot is reused by a later add.
  bool remove(std::string_view device_id, std::string_view module_id);

  // Calls fn(Identity&) for each identity whose client id sorts after `after` ("" for all), in
  // ascending byte order of client id, until fn returns false: the order the service API lists
  // and pages queries in (hub/query/run.hpp). A device's modules ("{d}/{m}") follow each other,
  // so `after` = "{d}/" visits them first. fn must not add or remove identities.
  template <class Fn>
  void for_each_after(std::string_view after, Fn&& fn) const {
    const std::vector<Identity*>& sorted = sorted_identities();
    auto it = std::upper_bound(
        sorted.begin(), sorted.end(), after,
        [](std::string_view key, const Identity* identity) { return key < identity->client_id; });
    for (; it != sorted.end(); ++it) {
      if (!fn(**it)) return;
    }
  }

  std::size_t size() const noexcept { return identities_.size() - free_slots_.size(); }

 private:
  Identity* insert(std::string client_id, std::size_t device_length, const Authentication& authentication);
  void release(Identity& identity);
  // The live identities by client id, sorted at first use after an add (so adding many stays
  // O(1) each) and kept sorted by removals; a steady registry is sorted once however often it
  // is listed.
  const std::vector<Identity*>& sorted_identities() const;

  // A deque never moves its elements on push_back, so the index can hold views of client_id and
  // connections can hold Identity pointers.
  std::deque<Identity> identities_;
  std::unordered_map<std::string_view, Identity*> index_;
  std::vector<Identity*> free_slots_;  // removed identities' slots in identities_, for reuse
  mutable std::vector<Identity*> sorted_;
  mutable bool sorted_valid_ = true;
};

}  // namespace fleetsim::hub
