// The service API's own state beside the hub's registry: the shared access policies, the key
// generator and the identities' service-side records.
//
// Thread safety: none; the hub thread only.
#pragma once

#include <optional>
#include <utility>

#include "hub/service/identity_records.hpp"
#include "hub/service/key_generator.hpp"
#include "hub/service/policies.hpp"

namespace fleetsim::hub::service {

struct ServiceState {
  explicit ServiceState(KeyGenerator key_generator)
      : keys(std::move(key_generator)), policies(Policies::defaults(keys)) {}

  KeyGenerator keys;  // declared before policies: the default policies draw from it
  Policies policies;
  IdentityRecords records;
};

}  // namespace fleetsim::hub::service
