// Identity id rules of reference/iothub-protocol.md section 1.1.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

namespace fleetsim::hub {

inline constexpr std::size_t max_id_length = 128;

// Case-sensitive, 1..128 characters: ASCII letters, digits and - . % _ * ? ! ( ) , : = @ $ '
bool is_valid_device_id(std::string_view id) noexcept;

// As a device id, and not starting with '$': $edgeAgent/$edgeHub are system modules the hub
// itself would create, so user modules may not take that prefix (hub choice of 1.1).
bool is_valid_module_id(std::string_view id) noexcept;

}  // namespace fleetsim::hub
