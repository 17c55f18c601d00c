// What the service API shows of an identity beyond what the registry keeps for the device
// endpoint (reference 3.4): generationId, the identity etag, statusReason and its time, the IoT
// Edge capability, a module's managedBy. Kept apart from hub::Identity so that identities the
// fleet registers in bulk and the REST API never shows cost nothing here.
//
// Thread safety: none; the hub thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "hub/registry.hpp"
#include "twin/document.hpp"

namespace fleetsim::hub::service {

struct IdentityRecord {
  std::string generation_id;  // new for every creation of the id (reference 1.1)
  std::string etag;           // unquoted; renewed on every change through the API
  std::optional<std::string> status_reason;
  std::optional<twin::Timestamp> status_updated;  // absent: never, shown as 0001-01-01T00:00:00Z
  bool iot_edge = false;
  std::string managed_by;  // modules only; empty: null
};

class IdentityRecords {
 public:
  // What the API shows of `identity`. One registered outside this API (the fleet's own, through
  // Hub::add_device) and never changed through it has no record: it shows defaults derived from
  // its id, and reading it costs no memory however many such identities a query walks over.
  // The reference is valid until the next view().
  const IdentityRecord& view(const Identity& identity) const;
  // The record of `identity` for a change, made from those defaults at the first change.
  IdentityRecord& of(const Identity& identity);
  // A fresh record for an identity just created through the API: new generationId and etag.
  IdentityRecord& create(const Identity& identity, twin::Timestamp now);
  // A new etag for a changed identity. Etags come from one hub-wide counter, so an etag read
  // before a deletion never matches the identity created again under the same id.
  void renew_etag(IdentityRecord& record);
  // Drops the record of `client_id` and, for a device, those of its modules.
  void forget(std::string_view client_id);

  std::size_t size() const noexcept { return records_.size(); }

 private:
  // The defaults of `identity` in `scratch`.
  const IdentityRecord& defaults(const Identity& identity, IdentityRecord& scratch) const;

  std::map<std::string, IdentityRecord, std::less<>> records_;
  std::uint64_t etags_ = 1;  // 0 ("MA==") is the etag of identities without a record
  std::uint64_t last_generation_ = 0;
  mutable IdentityRecord default_scratch_;
};

// How IoT Hub writes "never" (reference 4.5).
inline constexpr std::string_view never_timestamp = "0001-01-01T00:00:00Z";

// never_timestamp or twin::format_timestamp.
std::string timestamp_or_never(const std::optional<twin::Timestamp>& t);

}  // namespace fleetsim::hub::service
